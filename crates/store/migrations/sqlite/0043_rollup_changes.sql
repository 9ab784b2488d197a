-- Which counties' years the dashboards' rollups must rebuild (decision 0055): every change to a
-- row the rollups sum leaves a mark (jurisdiction, year) in the same transaction, and the next
-- refresh rebuilds those counties' years only. An update marks the row's old and new key; year
-- 0 marks every year of a jurisdiction (a project moved to another agency, jurisdiction or year);
-- '*' marks everything.
-- SQLite's triggers are per row and add a mark only when it is not there yet (one writer at a
-- time, so a refresh cannot delete a mark between a writer's look and its commit); an update
-- marks the old key only when the row moved (a `_move` trigger), so a payment costs two look-ups.
-- PostgreSQL's add each statement's marks from its transition tables. A whole-table DELETE fires
-- the row triggers here (SQLite turns off its truncate optimisation when a table has triggers).
-- Keep in step with ../postgres/0043_rollup_changes.sql.

CREATE TABLE rollup_changes (
    jurisdiction_code TEXT NOT NULL,
    year              INTEGER NOT NULL
);
-- Each trigger looks its mark up here before adding it (PostgreSQL's table has no index).
CREATE INDEX rollup_changes_scope ON rollup_changes (jurisdiction_code, year);

-- Rows changed since the last rebuild, before these triggers existed: everything, once.
INSERT INTO rollup_changes (jurisdiction_code, year) VALUES ('*', 0);

-- Projects: their year; every year when a project changes agency, jurisdiction or year.
CREATE TRIGGER projects_rollup_insert AFTER INSERT ON projects
BEGIN
    INSERT INTO rollup_changes (jurisdiction_code, year)
    SELECT c.j, c.y FROM (SELECT NEW.jurisdiction_code AS j, NEW.year AS y) c
    WHERE NOT EXISTS (SELECT 1 FROM rollup_changes r
                      WHERE r.jurisdiction_code = c.j AND r.year = c.y);
END;
CREATE TRIGGER projects_rollup_update AFTER UPDATE ON projects
    WHEN NEW.jurisdiction_code = OLD.jurisdiction_code AND NEW.year = OLD.year AND NEW.agency_id = OLD.agency_id
BEGIN
    INSERT INTO rollup_changes (jurisdiction_code, year)
    SELECT c.j, c.y FROM (SELECT NEW.jurisdiction_code AS j, NEW.year AS y) c
    WHERE NOT EXISTS (SELECT 1 FROM rollup_changes r
                      WHERE r.jurisdiction_code = c.j AND r.year = c.y);
END;
CREATE TRIGGER projects_rollup_move AFTER UPDATE ON projects
    WHEN NOT (NEW.jurisdiction_code = OLD.jurisdiction_code AND NEW.year = OLD.year AND NEW.agency_id = OLD.agency_id)
BEGIN
    INSERT INTO rollup_changes (jurisdiction_code, year)
    SELECT c.j, c.y FROM (SELECT NEW.jurisdiction_code AS j, 0 AS y) c
    WHERE NOT EXISTS (SELECT 1 FROM rollup_changes r
                      WHERE r.jurisdiction_code = c.j AND r.year = c.y);
    INSERT INTO rollup_changes (jurisdiction_code, year)
    SELECT c.j, c.y FROM (SELECT OLD.jurisdiction_code AS j, 0 AS y) c
    WHERE NOT EXISTS (SELECT 1 FROM rollup_changes r
                      WHERE r.jurisdiction_code = c.j AND r.year = c.y);
END;
CREATE TRIGGER projects_rollup_delete AFTER DELETE ON projects
BEGIN
    INSERT INTO rollup_changes (jurisdiction_code, year)
    SELECT c.j, c.y FROM (SELECT OLD.jurisdiction_code AS j, OLD.year AS y) c
    WHERE NOT EXISTS (SELECT 1 FROM rollup_changes r
                      WHERE r.jurisdiction_code = c.j AND r.year = c.y);
END;

-- Allotments: their year.
CREATE TRIGGER allotments_rollup_insert AFTER INSERT ON allotments
BEGIN
    INSERT INTO rollup_changes (jurisdiction_code, year)
    SELECT c.j, c.y FROM (SELECT NEW.jurisdiction_code AS j, NEW.year AS y) c
    WHERE NOT EXISTS (SELECT 1 FROM rollup_changes r
                      WHERE r.jurisdiction_code = c.j AND r.year = c.y);
END;
CREATE TRIGGER allotments_rollup_update AFTER UPDATE ON allotments
BEGIN
    INSERT INTO rollup_changes (jurisdiction_code, year)
    SELECT c.j, c.y FROM (SELECT NEW.jurisdiction_code AS j, NEW.year AS y) c
    WHERE NOT EXISTS (SELECT 1 FROM rollup_changes r
                      WHERE r.jurisdiction_code = c.j AND r.year = c.y);
END;
CREATE TRIGGER allotments_rollup_move AFTER UPDATE ON allotments
    WHEN NEW.jurisdiction_code <> OLD.jurisdiction_code OR NEW.year <> OLD.year
BEGIN
    INSERT INTO rollup_changes (jurisdiction_code, year)
    SELECT c.j, c.y FROM (SELECT OLD.jurisdiction_code AS j, OLD.year AS y) c
    WHERE NOT EXISTS (SELECT 1 FROM rollup_changes r
                      WHERE r.jurisdiction_code = c.j AND r.year = c.y);
END;
CREATE TRIGGER allotments_rollup_delete AFTER DELETE ON allotments
BEGIN
    INSERT INTO rollup_changes (jurisdiction_code, year)
    SELECT c.j, c.y FROM (SELECT OLD.jurisdiction_code AS j, OLD.year AS y) c
    WHERE NOT EXISTS (SELECT 1 FROM rollup_changes r
                      WHERE r.jurisdiction_code = c.j AND r.year = c.y);
END;

-- Payment months: their allotment's jurisdiction and year.
CREATE TRIGGER payment_months_rollup_insert AFTER INSERT ON payment_months
BEGIN
    INSERT INTO rollup_changes (jurisdiction_code, year)
    SELECT c.j, c.y FROM (SELECT l.jurisdiction_code AS j, l.year AS y FROM allotments l WHERE l.id = NEW.allotment_id) c
    WHERE NOT EXISTS (SELECT 1 FROM rollup_changes r
                      WHERE r.jurisdiction_code = c.j AND r.year = c.y);
END;
CREATE TRIGGER payment_months_rollup_update AFTER UPDATE ON payment_months
BEGIN
    INSERT INTO rollup_changes (jurisdiction_code, year)
    SELECT c.j, c.y FROM (SELECT l.jurisdiction_code AS j, l.year AS y FROM allotments l WHERE l.id = NEW.allotment_id) c
    WHERE NOT EXISTS (SELECT 1 FROM rollup_changes r
                      WHERE r.jurisdiction_code = c.j AND r.year = c.y);
END;
CREATE TRIGGER payment_months_rollup_move AFTER UPDATE ON payment_months
    WHEN NEW.allotment_id <> OLD.allotment_id
BEGIN
    INSERT INTO rollup_changes (jurisdiction_code, year)
    SELECT c.j, c.y FROM (SELECT l.jurisdiction_code AS j, l.year AS y FROM allotments l WHERE l.id = OLD.allotment_id) c
    WHERE NOT EXISTS (SELECT 1 FROM rollup_changes r
                      WHERE r.jurisdiction_code = c.j AND r.year = c.y);
END;
CREATE TRIGGER payment_months_rollup_delete AFTER DELETE ON payment_months
BEGIN
    INSERT INTO rollup_changes (jurisdiction_code, year)
    SELECT c.j, c.y FROM (SELECT l.jurisdiction_code AS j, l.year AS y FROM allotments l WHERE l.id = OLD.allotment_id) c
    WHERE NOT EXISTS (SELECT 1 FROM rollup_changes r
                      WHERE r.jurisdiction_code = c.j AND r.year = c.y);
END;

-- Alerts and self-evaluations: their project's jurisdiction and year.
CREATE TRIGGER alerts_rollup_insert AFTER INSERT ON alerts
BEGIN
    INSERT INTO rollup_changes (jurisdiction_code, year)
    SELECT c.j, c.y FROM (SELECT p.jurisdiction_code AS j, p.year AS y FROM projects p WHERE p.id = NEW.project_id) c
    WHERE NOT EXISTS (SELECT 1 FROM rollup_changes r
                      WHERE r.jurisdiction_code = c.j AND r.year = c.y);
END;
CREATE TRIGGER alerts_rollup_update AFTER UPDATE ON alerts
BEGIN
    INSERT INTO rollup_changes (jurisdiction_code, year)
    SELECT c.j, c.y FROM (SELECT p.jurisdiction_code AS j, p.year AS y FROM projects p WHERE p.id = NEW.project_id) c
    WHERE NOT EXISTS (SELECT 1 FROM rollup_changes r
                      WHERE r.jurisdiction_code = c.j AND r.year = c.y);
END;
CREATE TRIGGER alerts_rollup_move AFTER UPDATE ON alerts
    WHEN NEW.project_id <> OLD.project_id
BEGIN
    INSERT INTO rollup_changes (jurisdiction_code, year)
    SELECT c.j, c.y FROM (SELECT p.jurisdiction_code AS j, p.year AS y FROM projects p WHERE p.id = OLD.project_id) c
    WHERE NOT EXISTS (SELECT 1 FROM rollup_changes r
                      WHERE r.jurisdiction_code = c.j AND r.year = c.y);
END;
CREATE TRIGGER alerts_rollup_delete AFTER DELETE ON alerts
BEGIN
    INSERT INTO rollup_changes (jurisdiction_code, year)
    SELECT c.j, c.y FROM (SELECT p.jurisdiction_code AS j, p.year AS y FROM projects p WHERE p.id = OLD.project_id) c
    WHERE NOT EXISTS (SELECT 1 FROM rollup_changes r
                      WHERE r.jurisdiction_code = c.j AND r.year = c.y);
END;
CREATE TRIGGER self_evaluations_rollup_insert AFTER INSERT ON self_evaluations
BEGIN
    INSERT INTO rollup_changes (jurisdiction_code, year)
    SELECT c.j, c.y FROM (SELECT p.jurisdiction_code AS j, p.year AS y FROM projects p WHERE p.id = NEW.project_id) c
    WHERE NOT EXISTS (SELECT 1 FROM rollup_changes r
                      WHERE r.jurisdiction_code = c.j AND r.year = c.y);
END;
CREATE TRIGGER self_evaluations_rollup_update AFTER UPDATE ON self_evaluations
BEGIN
    INSERT INTO rollup_changes (jurisdiction_code, year)
    SELECT c.j, c.y FROM (SELECT p.jurisdiction_code AS j, p.year AS y FROM projects p WHERE p.id = NEW.project_id) c
    WHERE NOT EXISTS (SELECT 1 FROM rollup_changes r
                      WHERE r.jurisdiction_code = c.j AND r.year = c.y);
END;
CREATE TRIGGER self_evaluations_rollup_move AFTER UPDATE ON self_evaluations
    WHEN NEW.project_id <> OLD.project_id
BEGIN
    INSERT INTO rollup_changes (jurisdiction_code, year)
    SELECT c.j, c.y FROM (SELECT p.jurisdiction_code AS j, p.year AS y FROM projects p WHERE p.id = OLD.project_id) c
    WHERE NOT EXISTS (SELECT 1 FROM rollup_changes r
                      WHERE r.jurisdiction_code = c.j AND r.year = c.y);
END;
CREATE TRIGGER self_evaluations_rollup_delete AFTER DELETE ON self_evaluations
BEGIN
    INSERT INTO rollup_changes (jurisdiction_code, year)
    SELECT c.j, c.y FROM (SELECT p.jurisdiction_code AS j, p.year AS y FROM projects p WHERE p.id = OLD.project_id) c
    WHERE NOT EXISTS (SELECT 1 FROM rollup_changes r
                      WHERE r.jurisdiction_code = c.j AND r.year = c.y);
END;

-- Rectification items: their project's jurisdiction, their own year.
CREATE TRIGGER rectifications_rollup_insert AFTER INSERT ON rectifications
BEGIN
    INSERT INTO rollup_changes (jurisdiction_code, year)
    SELECT c.j, c.y FROM (SELECT p.jurisdiction_code AS j, NEW.year AS y FROM projects p WHERE p.id = NEW.project_id) c
    WHERE NOT EXISTS (SELECT 1 FROM rollup_changes r
                      WHERE r.jurisdiction_code = c.j AND r.year = c.y);
END;
CREATE TRIGGER rectifications_rollup_update AFTER UPDATE ON rectifications
BEGIN
    INSERT INTO rollup_changes (jurisdiction_code, year)
    SELECT c.j, c.y FROM (SELECT p.jurisdiction_code AS j, NEW.year AS y FROM projects p WHERE p.id = NEW.project_id) c
    WHERE NOT EXISTS (SELECT 1 FROM rollup_changes r
                      WHERE r.jurisdiction_code = c.j AND r.year = c.y);
END;
CREATE TRIGGER rectifications_rollup_move AFTER UPDATE ON rectifications
    WHEN NEW.project_id <> OLD.project_id OR NEW.year <> OLD.year
BEGIN
    INSERT INTO rollup_changes (jurisdiction_code, year)
    SELECT c.j, c.y FROM (SELECT p.jurisdiction_code AS j, OLD.year AS y FROM projects p WHERE p.id = OLD.project_id) c
    WHERE NOT EXISTS (SELECT 1 FROM rollup_changes r
                      WHERE r.jurisdiction_code = c.j AND r.year = c.y);
END;
CREATE TRIGGER rectifications_rollup_delete AFTER DELETE ON rectifications
BEGIN
    INSERT INTO rollup_changes (jurisdiction_code, year)
    SELECT c.j, c.y FROM (SELECT p.jurisdiction_code AS j, OLD.year AS y FROM projects p WHERE p.id = OLD.project_id) c
    WHERE NOT EXISTS (SELECT 1 FROM rollup_changes r
                      WHERE r.jurisdiction_code = c.j AND r.year = c.y);
END;

-- Money cut through results: the evaluated project's jurisdiction, the adjustment's year.
CREATE TRIGGER adjustments_rollup_insert AFTER INSERT ON adjustments
BEGIN
    INSERT INTO rollup_changes (jurisdiction_code, year)
    SELECT c.j, c.y FROM (SELECT p.jurisdiction_code AS j, NEW.year AS y FROM projects p WHERE p.id = NEW.evaluated_project_id) c
    WHERE NOT EXISTS (SELECT 1 FROM rollup_changes r
                      WHERE r.jurisdiction_code = c.j AND r.year = c.y);
END;
CREATE TRIGGER adjustments_rollup_update AFTER UPDATE ON adjustments
BEGIN
    INSERT INTO rollup_changes (jurisdiction_code, year)
    SELECT c.j, c.y FROM (SELECT p.jurisdiction_code AS j, NEW.year AS y FROM projects p WHERE p.id = NEW.evaluated_project_id) c
    WHERE NOT EXISTS (SELECT 1 FROM rollup_changes r
                      WHERE r.jurisdiction_code = c.j AND r.year = c.y);
END;
CREATE TRIGGER adjustments_rollup_move AFTER UPDATE ON adjustments
    WHEN NEW.evaluated_project_id <> OLD.evaluated_project_id OR NEW.year <> OLD.year
BEGIN
    INSERT INTO rollup_changes (jurisdiction_code, year)
    SELECT c.j, c.y FROM (SELECT p.jurisdiction_code AS j, OLD.year AS y FROM projects p WHERE p.id = OLD.evaluated_project_id) c
    WHERE NOT EXISTS (SELECT 1 FROM rollup_changes r
                      WHERE r.jurisdiction_code = c.j AND r.year = c.y);
END;
CREATE TRIGGER adjustments_rollup_delete AFTER DELETE ON adjustments
BEGIN
    INSERT INTO rollup_changes (jurisdiction_code, year)
    SELECT c.j, c.y FROM (SELECT p.jurisdiction_code AS j, OLD.year AS y FROM projects p WHERE p.id = OLD.evaluated_project_id) c
    WHERE NOT EXISTS (SELECT 1 FROM rollup_changes r
                      WHERE r.jurisdiction_code = c.j AND r.year = c.y);
END;
