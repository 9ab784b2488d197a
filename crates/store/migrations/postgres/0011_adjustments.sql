-- Results application (结果应用): what an evaluated project's grade does to its continuing
-- project next year — the rulebook's proposal and finance's decision (postgres). Keep in step with
-- ../sqlite/0011_adjustments.sql.

CREATE TABLE adjustments (
    id                   BIGSERIAL PRIMARY KEY,
    jurisdiction_code    TEXT NOT NULL REFERENCES jurisdictions (code),
    year                 INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    evaluated_project_id BIGINT NOT NULL UNIQUE REFERENCES projects (id),
    next_project_id      BIGINT NOT NULL UNIQUE REFERENCES projects (id),
    grade                TEXT NOT NULL,
    score_x100           BIGINT NOT NULL CHECK (score_x100 BETWEEN 0 AND 10000),
    source               TEXT NOT NULL CHECK (source IN ('self_evaluation', 'evaluation')),
    action               TEXT NOT NULL CHECK (action IN ('priority', 'as_needed', 'cut', 'cancel')),
    base_fen             BIGINT NOT NULL CHECK (base_fen >= 0),
    proposed_cut_fen     BIGINT NOT NULL CHECK (proposed_cut_fen BETWEEN 0 AND base_fen),
    status               TEXT NOT NULL CHECK (status IN ('proposed', 'accepted', 'changed', 'rejected')),
    cut_fen              BIGINT NOT NULL DEFAULT 0 CHECK (cut_fen BETWEEN 0 AND base_fen),
    reason               TEXT NOT NULL DEFAULT '',
    proposed_by          TEXT NOT NULL,
    proposed_at          BIGINT NOT NULL,
    decided_by           TEXT,
    decided_at           BIGINT,
    CHECK (status <> 'changed' OR reason <> ''),
    CHECK (status <> 'rejected' OR (reason <> '' AND cut_fen = 0)),
    CHECK (status <> 'proposed' OR cut_fen = 0),
    CHECK (status <> 'accepted' OR cut_fen = proposed_cut_fen)
);
CREATE INDEX adjustments_year ON adjustments (jurisdiction_code, year, status);
