-- Dynamic risk monitoring (防止返贫动态监测, issue 19 items 1–3, decision 0035): screening runs,
-- the clues they raise (or that are recorded by hand: an application with the signed consent, a
-- cadre's visit, the hotline), the monitoring cases on the workflow kernel with every step they
-- took, and each case's versioned plan (一户一策) with its measures, each charged to a project of
-- the project library. Nothing is deleted: a case keeps its history. Keep in step with
-- ../postgres/0024_risk_monitoring.sql.

CREATE TABLE screening_runs (
    id                INTEGER PRIMARY KEY,
    jurisdiction_code TEXT NOT NULL REFERENCES jurisdictions (code),
    township_code     TEXT REFERENCES areas (code),
    source            TEXT NOT NULL CHECK (length(source) BETWEEN 1 AND 40),
    year              INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    as_of             TEXT NOT NULL CHECK (length(as_of) = 10),
    started_by        TEXT NOT NULL,
    started_at        BIGINT NOT NULL,
    households        BIGINT NOT NULL DEFAULT 0,
    rows_read         BIGINT NOT NULL DEFAULT 0,
    not_in_registry   BIGINT NOT NULL DEFAULT 0,
    clues_new         BIGINT NOT NULL DEFAULT 0,
    clues_merged      BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX screening_runs_jurisdiction ON screening_runs (jurisdiction_code);

CREATE TABLE clues (
    id                INTEGER PRIMARY KEY,
    jurisdiction_code TEXT NOT NULL REFERENCES jurisdictions (code),
    household_id      BIGINT NOT NULL REFERENCES households (id),
    status            TEXT NOT NULL CHECK (status IN ('open', 'in_case', 'closed', 'dismissed')),
    channel           TEXT NOT NULL CHECK (length(channel) BETWEEN 1 AND 40),
    reasons           TEXT NOT NULL DEFAULT '[]',
    consent_signed    BOOLEAN NOT NULL DEFAULT FALSE,
    raised_on         TEXT NOT NULL CHECK (length(raised_on) = 10),
    raised_by         TEXT NOT NULL,
    screening_run_id  BIGINT REFERENCES screening_runs (id),
    note              TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    CHECK (channel <> 'application' OR consent_signed)
);
CREATE INDEX clues_jurisdiction ON clues (jurisdiction_code, status);
CREATE INDEX clues_household ON clues (household_id);
-- One live clue per household: a second merges into it.
CREATE UNIQUE INDEX clues_live_household ON clues (household_id)
    WHERE status = 'open' OR status = 'in_case';

CREATE TABLE risk_cases (
    id                 INTEGER PRIMARY KEY,
    jurisdiction_code  TEXT NOT NULL REFERENCES jurisdictions (code),
    household_id       BIGINT NOT NULL REFERENCES households (id),
    clue_id            BIGINT NOT NULL REFERENCES clues (id),
    case_type          TEXT NOT NULL
        CHECK (case_type IN ('unstable', 'marginal', 'sudden_hardship')),
    risks              TEXT NOT NULL DEFAULT '[]',
    state              TEXT NOT NULL CHECK (length(state) BETWEEN 1 AND 40),
    opened_on          TEXT NOT NULL CHECK (length(opened_on) = 10),
    opened_by          TEXT NOT NULL,
    notice_from        TEXT CHECK (notice_from IS NULL OR length(notice_from) = 10),
    notice_to          TEXT CHECK (notice_to IS NULL OR length(notice_to) = 10),
    included_on        TEXT CHECK (included_on IS NULL OR length(included_on) = 10),
    eliminated_on      TEXT CHECK (eliminated_on IS NULL OR length(eliminated_on) = 10),
    elimination_method TEXT CHECK (elimination_method IN ('assisted', 'natural')),
    tracked            BOOLEAN NOT NULL DEFAULT FALSE,
    plan_version       INTEGER NOT NULL DEFAULT 0,
    version            INTEGER NOT NULL DEFAULT 1,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX risk_cases_jurisdiction ON risk_cases (jurisdiction_code, state);
CREATE INDEX risk_cases_household ON risk_cases (household_id);
-- One case under way per household.
CREATE UNIQUE INDEX risk_cases_live_household ON risk_cases (household_id)
    WHERE state <> 'not_included' AND state <> 'eliminated';

CREATE TABLE risk_case_steps (
    id          INTEGER PRIMARY KEY,
    case_id     BIGINT NOT NULL REFERENCES risk_cases (id),
    action      TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 40),
    from_state  TEXT,
    to_state    TEXT NOT NULL,
    actor       TEXT NOT NULL,
    role        TEXT NOT NULL,
    day         TEXT NOT NULL CHECK (length(day) = 10),
    at          BIGINT NOT NULL,
    note        TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    documents   TEXT NOT NULL DEFAULT '' CHECK (length(documents) <= 1000)
);
CREATE INDEX risk_case_steps_case ON risk_case_steps (case_id);

CREATE TABLE risk_plans (
    case_id   BIGINT NOT NULL REFERENCES risk_cases (id),
    version   INTEGER NOT NULL CHECK (version >= 1),
    note      TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    saved_by  TEXT NOT NULL,
    saved_at  BIGINT NOT NULL,
    PRIMARY KEY (case_id, version)
);

CREATE TABLE risk_measures (
    id               INTEGER PRIMARY KEY,
    case_id          BIGINT NOT NULL REFERENCES risk_cases (id),
    plan_version     INTEGER NOT NULL,
    position         INTEGER NOT NULL,
    kind             TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 40),
    description      TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 500),
    responsible_unit TEXT NOT NULL CHECK (length(responsible_unit) BETWEEN 1 AND 100),
    start_on         TEXT NOT NULL CHECK (length(start_on) = 10),
    end_on           TEXT NOT NULL CHECK (length(end_on) = 10),
    amount_fen       BIGINT NOT NULL DEFAULT 0 CHECK (amount_fen >= 0),
    project_id       BIGINT REFERENCES projects (id),
    status           TEXT NOT NULL CHECK (status IN ('planned', 'under_way', 'done')),
    FOREIGN KEY (case_id, plan_version) REFERENCES risk_plans (case_id, version),
    UNIQUE (case_id, plan_version, position)
);
-- "Households with a measure charged to project P in year Y" (issue 19 item 6).
CREATE INDEX risk_measures_project ON risk_measures (project_id, start_on);
