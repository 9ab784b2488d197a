-- Which counties' years the dashboards' rollups must rebuild (decision 0055). Every change to a
-- row the rollups sum — projects, allotments, payment months, alerts, self-evaluations,
-- rectifications, money cut through results — leaves a mark (jurisdiction, year) in the same
-- transaction; the next refresh takes the marks and rebuilds those counties' years only, and
-- nothing when there are none. An update marks the row's old and new key; year 0 marks every
-- year of a jurisdiction (a project moved to another agency, jurisdiction or year: its
-- rectifications and cuts of other years are counted under it); '*' marks everything (a
-- truncate). A trigger that looks up a row's project or allotment reads it as its statement
-- sees it: an operator who moves a project or an allotment by hand while the application
-- writes under it restarts the servers afterwards (a server rebuilds everything when it starts).
-- The triggers fire on every statement whoever runs it — a server, the CLI, an operator in psql
-- — unless they are switched off (`session_replication_role = replica`, `--disable-triggers`):
-- a server rebuilds everything when it starts.
--
-- Marks are only ever appended here: a refresh deletes the marks it sees and then rebuilds, so
-- a mark of a transaction that commits after that delete stays for the next refresh (a mark
-- kept once per county could be skipped by a writer that saw it just before a refresh deleted
-- it, and its change would be lost). One statement adds each (jurisdiction, year) it touched
-- once, so a group commit of many payments adds a mark or two.
-- Keep in step with ../sqlite/0043_rollup_changes.sql.

-- No index: the only reader takes every mark at once (SQLite's has one, to look a mark up).
CREATE TABLE rollup_changes (
    jurisdiction_code TEXT NOT NULL,
    year              INTEGER NOT NULL
);

-- Rows changed since the last rebuild, before these triggers existed: everything, once.
INSERT INTO rollup_changes (jurisdiction_code, year) VALUES ('*', 0);

-- Projects: their year; every year when a project changes agency, jurisdiction or year (the
-- rectifications and cuts of other years are counted under its agency).
CREATE FUNCTION rollup_changed_projects() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO rollup_changes (jurisdiction_code, year)
        SELECT DISTINCT jurisdiction_code, year FROM new_rows;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO rollup_changes (jurisdiction_code, year)
        SELECT n.jurisdiction_code,
               CASE WHEN n.jurisdiction_code = o.jurisdiction_code AND n.year = o.year
                         AND n.agency_id = o.agency_id THEN n.year ELSE 0 END
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        UNION
        SELECT o.jurisdiction_code,
               CASE WHEN n.jurisdiction_code = o.jurisdiction_code AND n.year = o.year
                         AND n.agency_id = o.agency_id THEN o.year ELSE 0 END
        FROM new_rows n JOIN old_rows o ON o.id = n.id;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO rollup_changes (jurisdiction_code, year)
        SELECT DISTINCT jurisdiction_code, year FROM old_rows;
    ELSE
        INSERT INTO rollup_changes (jurisdiction_code, year) VALUES ('*', 0);
    END IF;
    RETURN NULL;
END;
$$;

-- Allotments: their year (the payment months are summed under the allotment's year and agency).
CREATE FUNCTION rollup_changed_allotments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO rollup_changes (jurisdiction_code, year)
        SELECT DISTINCT jurisdiction_code, year FROM new_rows;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO rollup_changes (jurisdiction_code, year)
        SELECT jurisdiction_code, year FROM new_rows
        UNION
        SELECT jurisdiction_code, year FROM old_rows;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO rollup_changes (jurisdiction_code, year)
        SELECT DISTINCT jurisdiction_code, year FROM old_rows;
    ELSE
        INSERT INTO rollup_changes (jurisdiction_code, year) VALUES ('*', 0);
    END IF;
    RETURN NULL;
END;
$$;

-- Payment months: their allotment's jurisdiction and year.
CREATE FUNCTION rollup_changed_payment_months() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO rollup_changes (jurisdiction_code, year)
        SELECT DISTINCT l.jurisdiction_code, l.year
        FROM new_rows m JOIN allotments l ON l.id = m.allotment_id;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO rollup_changes (jurisdiction_code, year)
        SELECT l.jurisdiction_code, l.year
        FROM new_rows m JOIN allotments l ON l.id = m.allotment_id
        UNION
        SELECT l.jurisdiction_code, l.year
        FROM old_rows m JOIN allotments l ON l.id = m.allotment_id;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO rollup_changes (jurisdiction_code, year)
        SELECT DISTINCT l.jurisdiction_code, l.year
        FROM old_rows m JOIN allotments l ON l.id = m.allotment_id;
    ELSE
        INSERT INTO rollup_changes (jurisdiction_code, year) VALUES ('*', 0);
    END IF;
    RETURN NULL;
END;
$$;

-- Alerts and self-evaluations: their project's jurisdiction and year.
CREATE FUNCTION rollup_changed_by_project() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO rollup_changes (jurisdiction_code, year)
        SELECT DISTINCT p.jurisdiction_code, p.year
        FROM new_rows r JOIN projects p ON p.id = r.project_id;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO rollup_changes (jurisdiction_code, year)
        SELECT p.jurisdiction_code, p.year
        FROM new_rows r JOIN projects p ON p.id = r.project_id
        UNION
        SELECT p.jurisdiction_code, p.year
        FROM old_rows r JOIN projects p ON p.id = r.project_id;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO rollup_changes (jurisdiction_code, year)
        SELECT DISTINCT p.jurisdiction_code, p.year
        FROM old_rows r JOIN projects p ON p.id = r.project_id;
    ELSE
        INSERT INTO rollup_changes (jurisdiction_code, year) VALUES ('*', 0);
    END IF;
    RETURN NULL;
END;
$$;

-- Rectification items: their project's jurisdiction, their own year.
CREATE FUNCTION rollup_changed_rectifications() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO rollup_changes (jurisdiction_code, year)
        SELECT DISTINCT p.jurisdiction_code, r.year
        FROM new_rows r JOIN projects p ON p.id = r.project_id;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO rollup_changes (jurisdiction_code, year)
        SELECT p.jurisdiction_code, r.year
        FROM new_rows r JOIN projects p ON p.id = r.project_id
        UNION
        SELECT p.jurisdiction_code, r.year
        FROM old_rows r JOIN projects p ON p.id = r.project_id;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO rollup_changes (jurisdiction_code, year)
        SELECT DISTINCT p.jurisdiction_code, r.year
        FROM old_rows r JOIN projects p ON p.id = r.project_id;
    ELSE
        INSERT INTO rollup_changes (jurisdiction_code, year) VALUES ('*', 0);
    END IF;
    RETURN NULL;
END;
$$;

-- Money cut through results: the evaluated project's jurisdiction, the adjustment's own year.
CREATE FUNCTION rollup_changed_adjustments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO rollup_changes (jurisdiction_code, year)
        SELECT DISTINCT p.jurisdiction_code, x.year
        FROM new_rows x JOIN projects p ON p.id = x.evaluated_project_id;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO rollup_changes (jurisdiction_code, year)
        SELECT p.jurisdiction_code, x.year
        FROM new_rows x JOIN projects p ON p.id = x.evaluated_project_id
        UNION
        SELECT p.jurisdiction_code, x.year
        FROM old_rows x JOIN projects p ON p.id = x.evaluated_project_id;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO rollup_changes (jurisdiction_code, year)
        SELECT DISTINCT p.jurisdiction_code, x.year
        FROM old_rows x JOIN projects p ON p.id = x.evaluated_project_id;
    ELSE
        INSERT INTO rollup_changes (jurisdiction_code, year) VALUES ('*', 0);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER projects_rollup_insert AFTER INSERT ON projects
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_changed_projects();
CREATE TRIGGER projects_rollup_update AFTER UPDATE ON projects
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_changed_projects();
CREATE TRIGGER projects_rollup_delete AFTER DELETE ON projects
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_changed_projects();
CREATE TRIGGER projects_rollup_truncate AFTER TRUNCATE ON projects
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_changed_projects();

CREATE TRIGGER allotments_rollup_insert AFTER INSERT ON allotments
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_changed_allotments();
CREATE TRIGGER allotments_rollup_update AFTER UPDATE ON allotments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_changed_allotments();
CREATE TRIGGER allotments_rollup_delete AFTER DELETE ON allotments
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_changed_allotments();
CREATE TRIGGER allotments_rollup_truncate AFTER TRUNCATE ON allotments
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_changed_allotments();

CREATE TRIGGER payment_months_rollup_insert AFTER INSERT ON payment_months
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_changed_payment_months();
CREATE TRIGGER payment_months_rollup_update AFTER UPDATE ON payment_months
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_changed_payment_months();
CREATE TRIGGER payment_months_rollup_delete AFTER DELETE ON payment_months
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_changed_payment_months();
CREATE TRIGGER payment_months_rollup_truncate AFTER TRUNCATE ON payment_months
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_changed_payment_months();

CREATE TRIGGER alerts_rollup_insert AFTER INSERT ON alerts
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_changed_by_project();
CREATE TRIGGER alerts_rollup_update AFTER UPDATE ON alerts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_changed_by_project();
CREATE TRIGGER alerts_rollup_delete AFTER DELETE ON alerts
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_changed_by_project();
CREATE TRIGGER alerts_rollup_truncate AFTER TRUNCATE ON alerts
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_changed_by_project();

CREATE TRIGGER self_evaluations_rollup_insert AFTER INSERT ON self_evaluations
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_changed_by_project();
CREATE TRIGGER self_evaluations_rollup_update AFTER UPDATE ON self_evaluations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_changed_by_project();
CREATE TRIGGER self_evaluations_rollup_delete AFTER DELETE ON self_evaluations
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_changed_by_project();
CREATE TRIGGER self_evaluations_rollup_truncate AFTER TRUNCATE ON self_evaluations
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_changed_by_project();

CREATE TRIGGER rectifications_rollup_insert AFTER INSERT ON rectifications
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_changed_rectifications();
CREATE TRIGGER rectifications_rollup_update AFTER UPDATE ON rectifications
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_changed_rectifications();
CREATE TRIGGER rectifications_rollup_delete AFTER DELETE ON rectifications
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_changed_rectifications();
CREATE TRIGGER rectifications_rollup_truncate AFTER TRUNCATE ON rectifications
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_changed_rectifications();

CREATE TRIGGER adjustments_rollup_insert AFTER INSERT ON adjustments
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_changed_adjustments();
CREATE TRIGGER adjustments_rollup_update AFTER UPDATE ON adjustments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_changed_adjustments();
CREATE TRIGGER adjustments_rollup_delete AFTER DELETE ON adjustments
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_changed_adjustments();
CREATE TRIGGER adjustments_rollup_truncate AFTER TRUNCATE ON adjustments
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_changed_adjustments();
