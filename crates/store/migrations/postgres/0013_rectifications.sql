-- Rectification (整改): problems found by evaluation or monitoring, sent to the agency, answered
-- with what it did, checked off or sent back by finance (postgres). Keep in step with
-- ../sqlite/0013_rectifications.sql.

CREATE TABLE rectifications (
    id                BIGSERIAL PRIMARY KEY,
    jurisdiction_code TEXT NOT NULL REFERENCES jurisdictions (code),
    project_id        BIGINT NOT NULL REFERENCES projects (id),
    agency_id         BIGINT NOT NULL REFERENCES agencies (id),
    year              INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    source            TEXT NOT NULL CHECK (source IN ('evaluation', 'monitoring', 'self_evaluation')),
    source_id         BIGINT,
    problem           TEXT NOT NULL CHECK (length(problem) BETWEEN 1 AND 500),
    state             TEXT NOT NULL CHECK (state IN ('open', 'answered', 'closed')),
    answer            TEXT NOT NULL DEFAULT '',
    answered_by       TEXT,
    answered_at       BIGINT,
    check_comment     TEXT NOT NULL DEFAULT '',
    checked_by        TEXT,
    checked_at        BIGINT,
    version           INTEGER NOT NULL DEFAULT 1,
    created_by        TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    CHECK (state = 'open' OR answer <> '')
);
CREATE INDEX rectifications_agency ON rectifications (agency_id, year, state);
CREATE INDEX rectifications_project ON rectifications (project_id);
