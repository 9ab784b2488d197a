-- Key evaluations (部门评价/财政评价) commissioned from a drawn institution, its scores on the
-- rulebook's framework, and finance's confirmation (postgres). Keep in step with
-- ../sqlite/0012_evaluations.sql.

CREATE TABLE evaluations (
    id                      BIGSERIAL PRIMARY KEY,
    jurisdiction_code       TEXT NOT NULL REFERENCES jurisdictions (code),
    project_id              BIGINT NOT NULL UNIQUE REFERENCES projects (id),
    mode                    TEXT NOT NULL CHECK (mode IN ('department', 'finance')),
    commissioning_agency_id BIGINT REFERENCES agencies (id),
    assignment_id           BIGINT NOT NULL UNIQUE REFERENCES assignments (id),
    rulebook_id             BIGINT NOT NULL REFERENCES rulebooks (id),
    state                   TEXT NOT NULL CHECK (state IN ('commissioned', 'submitted', 'returned', 'confirmed')),
    summary                 TEXT NOT NULL DEFAULT '',
    total_x100              BIGINT CHECK (total_x100 BETWEEN 0 AND 10000),
    final_x100              BIGINT CHECK (final_x100 BETWEEN 0 AND 10000),
    final_grade             TEXT,
    final_reason            TEXT NOT NULL DEFAULT '',
    problems                TEXT NOT NULL DEFAULT '[]',
    comment                 TEXT NOT NULL DEFAULT '',
    version                 INTEGER NOT NULL DEFAULT 1,
    commissioned_by         TEXT NOT NULL,
    created_at              BIGINT NOT NULL,
    submitted_at            BIGINT,
    confirmed_by            TEXT,
    confirmed_at            BIGINT,
    CHECK (mode = 'finance' OR commissioning_agency_id IS NOT NULL),
    CHECK (state <> 'confirmed' OR (final_x100 IS NOT NULL AND final_grade IS NOT NULL))
);
CREATE INDEX evaluations_jurisdiction ON evaluations (jurisdiction_code, state);

CREATE TABLE evaluation_scores (
    evaluation_id BIGINT NOT NULL REFERENCES evaluations (id),
    item_no       INTEGER NOT NULL CHECK (item_no >= 1),
    score_x100    BIGINT NOT NULL CHECK (score_x100 >= 0),
    finding       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (evaluation_id, item_no)
);
