-- Tells every server listening on `jixiao_session_changes` that the sessions it cached may be out
-- of date (decision 0054): sessions ended or altered, users altered (disabled, password reset or
-- changed, renamed, required to change their password), a jurisdiction's business date moved.
-- One notice a statement, sent when the transaction commits (none if it rolls back); a server
-- that hears it drops its whole cache. Whoever makes the change — a server, a CLI tool, an
-- operator in psql — the servers hear it.
CREATE FUNCTION notify_session_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('jixiao_session_changes', '');
    RETURN NULL;
END;
$$;

-- A login deletes its user's expired sessions, usually none: only a delete of rows is told.
CREATE FUNCTION notify_sessions_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM ended) THEN
        PERFORM pg_notify('jixiao_session_changes', '');
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER sessions_ended AFTER DELETE ON sessions
    REFERENCING OLD TABLE AS ended
    FOR EACH STATEMENT EXECUTE FUNCTION notify_sessions_ended();
CREATE TRIGGER sessions_changed AFTER UPDATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_session_change();
CREATE TRIGGER users_changed AFTER UPDATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION notify_session_change();
CREATE TRIGGER business_date_changed AFTER UPDATE OF business_date ON jurisdictions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_session_change();
