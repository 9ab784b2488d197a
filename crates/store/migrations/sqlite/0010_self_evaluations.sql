-- Year-end self-evaluation (单位自评): one sheet per approved project with its scored items
-- (sqlite). Keep in step with ../postgres/0010_self_evaluations.sql.

CREATE TABLE self_evaluations (
    id                   INTEGER PRIMARY KEY,
    project_id           BIGINT NOT NULL UNIQUE REFERENCES projects (id),
    rulebook_id          BIGINT NOT NULL REFERENCES rulebooks (id),
    state                TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'returned', 'approved')),
    source               TEXT NOT NULL CHECK (source IN ('form', 'import')),
    initial_fen          BIGINT NOT NULL CHECK (initial_fen >= 0),
    full_year_fen        BIGINT NOT NULL CHECK (full_year_fen >= 0),
    executed_fen         BIGINT NOT NULL CHECK (executed_fen >= 0),
    execution_points_x100 BIGINT NOT NULL CHECK (execution_points_x100 >= 0),
    execution_score_x100 BIGINT NOT NULL
                         CHECK (execution_score_x100 BETWEEN 0 AND execution_points_x100),
    total_x100           BIGINT NOT NULL CHECK (total_x100 BETWEEN 0 AND 10000),
    grade                TEXT NOT NULL,
    published_total_x100 BIGINT,
    findings             TEXT NOT NULL DEFAULT '[]',
    summary              TEXT NOT NULL DEFAULT '',
    comment              TEXT NOT NULL DEFAULT '',
    version              INTEGER NOT NULL DEFAULT 1,
    updated_by           TEXT NOT NULL,
    updated_at           BIGINT NOT NULL,
    submitted_by         TEXT,
    submitted_at         BIGINT
);
CREATE INDEX self_evaluations_grade ON self_evaluations (grade, project_id);

CREATE TABLE self_evaluation_items (
    self_evaluation_id    BIGINT NOT NULL REFERENCES self_evaluations (id),
    row_no                INTEGER NOT NULL CHECK (row_no >= 1),
    level1                TEXT NOT NULL,
    level2                TEXT NOT NULL,
    name                  TEXT NOT NULL,
    op                    TEXT NOT NULL CHECK (op IN ('>=', '<=', '=', 'qualitative')),
    target                TEXT NOT NULL,
    unit                  TEXT NOT NULL,
    points_x100           BIGINT NOT NULL CHECK (points_x100 >= 0),
    actual                TEXT NOT NULL DEFAULT '',
    band                  TEXT NOT NULL DEFAULT '',
    band_percent          TEXT NOT NULL DEFAULT '',
    not_applicable        BOOLEAN NOT NULL DEFAULT FALSE,
    effective_points_x100 BIGINT NOT NULL CHECK (effective_points_x100 >= 0),
    computed_x100         BIGINT,
    manual_x100           BIGINT,
    manual_reason         TEXT NOT NULL DEFAULT '',
    final_x100            BIGINT NOT NULL CHECK (final_x100 BETWEEN 0 AND effective_points_x100),
    published_x100        BIGINT,
    missed                BOOLEAN NOT NULL DEFAULT FALSE,
    deviation_reason      TEXT NOT NULL DEFAULT '',
    improvement           TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (self_evaluation_id, row_no),
    CHECK (manual_x100 IS NULL OR manual_reason <> '')
);
