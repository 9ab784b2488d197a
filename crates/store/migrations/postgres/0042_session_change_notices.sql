-- Tells every server listening on `jixiao_session_changes` that the sessions it cached may be out
-- of date (decision 0054): sessions ended or altered, users altered (disabled, password reset or
-- changed, renamed, required to change their password), an agency renamed or recoded, a
-- jurisdiction's business date moved, or any of these tables truncated. At most one notice a
-- transaction, sent when it commits (none if it rolls back), with the schema as its payload (a
-- server drops its cache on any notice; tests sharing a database tell theirs apart). Whoever
-- runs the statement — a server, a CLI tool, an operator in psql — the servers hear it, unless
-- the triggers are switched off (`session_replication_role = replica`, `--disable-triggers`):
-- maintenance done that way is followed by a restart of the servers.
CREATE FUNCTION notify_session_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('jixiao_session_changes', TG_TABLE_SCHEMA);
    RETURN NULL;
END;
$$;

-- A login deletes its user's expired sessions, usually none: only a delete of rows is told.
CREATE FUNCTION notify_sessions_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM ended) THEN
        PERFORM pg_notify('jixiao_session_changes', TG_TABLE_SCHEMA);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER sessions_ended AFTER DELETE ON sessions
    REFERENCING OLD TABLE AS ended
    FOR EACH STATEMENT EXECUTE FUNCTION notify_sessions_ended();
CREATE TRIGGER sessions_changed AFTER UPDATE OR TRUNCATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_session_change();
CREATE TRIGGER users_changed AFTER UPDATE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION notify_session_change();
CREATE TRIGGER agencies_changed AFTER UPDATE OF code, name OR TRUNCATE ON agencies
    FOR EACH STATEMENT EXECUTE FUNCTION notify_session_change();
CREATE TRIGGER business_date_changed AFTER UPDATE OF business_date OR TRUNCATE ON jurisdictions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_session_change();
