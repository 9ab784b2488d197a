-- The expert pool and the third-party institution pool (专家库、中介机构库), their declared
-- relations and design work, and the draws made from them with everything needed to replay
-- them (SQLite). Keep in step with ../postgres/0006_pools.sql.

CREATE TABLE pool_members (
    id                 INTEGER PRIMARY KEY,
    jurisdiction_code  TEXT NOT NULL REFERENCES jurisdictions (code),
    kind               TEXT NOT NULL CHECK (kind IN ('expert', 'institution')),
    name               TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    category           TEXT NOT NULL DEFAULT '',
    fields             TEXT NOT NULL,
    employer           TEXT NOT NULL DEFAULT '',
    employer_agency_id BIGINT REFERENCES agencies (id),
    contact            TEXT NOT NULL DEFAULT '',
    id_number_masked   TEXT NOT NULL DEFAULT '',
    qualifications     TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'removed')),
    suspended_until    TEXT,
    status_reason      TEXT NOT NULL DEFAULT '',
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX pool_members_kind ON pool_members (jurisdiction_code, kind, status);

CREATE TABLE pool_relations (
    member_id BIGINT NOT NULL REFERENCES pool_members (id),
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    kind      TEXT NOT NULL CHECK (kind IN ('worked', 'advised', 'relative')),
    since     TEXT,
    until     TEXT,
    note      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX pool_relations_member ON pool_relations (member_id);

CREATE TABLE pool_designs (
    member_id  BIGINT NOT NULL REFERENCES pool_members (id),
    project_id BIGINT NOT NULL REFERENCES projects (id),
    PRIMARY KEY (member_id, project_id)
);

CREATE TABLE draws (
    id                INTEGER PRIMARY KEY,
    jurisdiction_code TEXT NOT NULL REFERENCES jurisdictions (code),
    kind              TEXT NOT NULL CHECK (kind IN ('expert', 'institution')),
    purpose           TEXT NOT NULL CHECK (purpose IN ('target_review', 'monitoring_review', 'key_evaluation', 'report_review')),
    project_id        BIGINT NOT NULL REFERENCES projects (id),
    job               TEXT NOT NULL,
    candidates        TEXT NOT NULL,
    seed              TEXT NOT NULL,
    result            TEXT NOT NULL,
    eligible_hash     TEXT NOT NULL,
    drawn_by          TEXT NOT NULL,
    drawn_at          BIGINT NOT NULL
);
CREATE INDEX draws_project ON draws (project_id);

-- Who a draw picked: the workload count for later draws, and the start of assignments.
CREATE TABLE draw_members (
    draw_id   BIGINT NOT NULL REFERENCES draws (id),
    member_id BIGINT NOT NULL REFERENCES pool_members (id),
    position  INTEGER NOT NULL,
    role      TEXT NOT NULL CHECK (role IN ('selected', 'backup')),
    drawn_on  TEXT NOT NULL,
    PRIMARY KEY (draw_id, member_id)
);
CREATE INDEX draw_members_member ON draw_members (member_id, drawn_on);
