-- Rulebooks, the project library, target sheets and the review trail (SQLite).
-- Keep in step with ../postgres/0002_projects.sql.

CREATE TABLE rulebooks (
    id                INTEGER PRIMARY KEY,
    jurisdiction_code TEXT NOT NULL REFERENCES jurisdictions (code),
    year              INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    version           INTEGER NOT NULL CHECK (version >= 1),
    name              TEXT NOT NULL,
    source            TEXT NOT NULL,
    digest            TEXT NOT NULL,
    loaded_at         BIGINT NOT NULL,
    loaded_by         TEXT NOT NULL,
    UNIQUE (jurisdiction_code, year, version)
);

CREATE TABLE projects (
    id                   INTEGER PRIMARY KEY,
    jurisdiction_code    TEXT NOT NULL REFERENCES jurisdictions (code),
    agency_id            BIGINT NOT NULL REFERENCES agencies (id),
    year                 INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    code                 TEXT NOT NULL,
    name                 TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    category             TEXT NOT NULL,
    is_new               BOOLEAN NOT NULL,
    previous_project_id  BIGINT REFERENCES projects (id),
    start_year           INTEGER NOT NULL,
    end_year             INTEGER NOT NULL,
    requested_fen        BIGINT NOT NULL CHECK (requested_fen > 0),
    funding_superior_fen BIGINT NOT NULL CHECK (funding_superior_fen >= 0),
    funding_local_fen    BIGINT NOT NULL CHECK (funding_local_fen >= 0),
    funding_other_fen    BIGINT NOT NULL CHECK (funding_other_fen >= 0),
    basis                TEXT NOT NULL DEFAULT '',
    necessity            TEXT NOT NULL DEFAULT '',
    person_in_charge     TEXT NOT NULL DEFAULT '',
    serves_people        BOOLEAN NOT NULL,
    pre_assessment       TEXT CHECK (pre_assessment IN ('support', 'support_after_adjustment', 'reject')),
    pre_assessment_note  TEXT NOT NULL DEFAULT '',
    state                TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'returned', 'approved')),
    review_step          TEXT,
    target_grade         TEXT CHECK (target_grade IN ('优', '良', '中', '差')),
    approved_fen         BIGINT CHECK (approved_fen >= 0),
    approval_reason      TEXT NOT NULL DEFAULT '',
    rulebook_id          BIGINT REFERENCES rulebooks (id),
    target_revision      INTEGER NOT NULL DEFAULT 1,
    approved_revision    INTEGER,
    version              INTEGER NOT NULL DEFAULT 1,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    UNIQUE (jurisdiction_code, year, code),
    CHECK (start_year <= year AND year <= end_year),
    CHECK (previous_project_id IS NULL OR NOT is_new),
    CHECK ((state = 'submitted') = (review_step IS NOT NULL)),
    CHECK (funding_superior_fen + funding_local_fen + funding_other_fen = requested_fen),
    CHECK (state <> 'approved' OR (approved_fen IS NOT NULL AND approved_revision IS NOT NULL))
);
-- Covering indexes: totals and year figures come from the index alone, and a filtered list
-- walks it in code order.
CREATE INDEX projects_year_state ON projects (jurisdiction_code, year, state, code, requested_fen, approved_fen);
CREATE INDEX projects_year_agency ON projects (jurisdiction_code, year, agency_id, code, requested_fen, approved_fen);
CREATE INDEX projects_year_category ON projects (jurisdiction_code, year, category);

CREATE TABLE target_sheets (
    project_id   BIGINT NOT NULL REFERENCES projects (id),
    revision     INTEGER NOT NULL CHECK (revision >= 1),
    overall_goal TEXT NOT NULL DEFAULT '',
    annual_goal  TEXT NOT NULL DEFAULT '',
    saved_at     BIGINT NOT NULL,
    saved_by     TEXT NOT NULL,
    PRIMARY KEY (project_id, revision)
);

CREATE TABLE target_indicators (
    project_id  BIGINT NOT NULL,
    revision    INTEGER NOT NULL,
    row_no      INTEGER NOT NULL CHECK (row_no >= 1),
    level1      TEXT NOT NULL,
    level2      TEXT NOT NULL,
    name        TEXT NOT NULL,
    op          TEXT NOT NULL CHECK (op IN ('>=', '<=', '=', 'qualitative')),
    value       TEXT NOT NULL,
    unit        TEXT NOT NULL,
    points_x100 BIGINT NOT NULL CHECK (points_x100 BETWEEN 0 AND 10000),
    value_basis TEXT NOT NULL DEFAULT '',
    explanation TEXT NOT NULL DEFAULT '',
    data_source TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (project_id, revision, row_no),
    FOREIGN KEY (project_id, revision) REFERENCES target_sheets (project_id, revision)
);

CREATE TABLE project_reviews (
    id           INTEGER PRIMARY KEY,
    project_id   BIGINT NOT NULL REFERENCES projects (id),
    step         TEXT NOT NULL,
    action       TEXT NOT NULL CHECK (action IN ('submit', 'approve', 'return', 'revise')),
    comment      TEXT NOT NULL DEFAULT '',
    grade        TEXT,
    approved_fen BIGINT,
    actor        TEXT NOT NULL,
    at           BIGINT NOT NULL
);
CREATE INDEX project_reviews_project ON project_reviews (project_id, id);
