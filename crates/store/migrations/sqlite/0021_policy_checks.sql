-- The coverage check of the assistance registry (政策落实核查, issue 18 items 5 and 8; decision
-- 0031): the enjoyment records departments report (享受政策记录), the runs of the check and their
-- findings. A finding's identity across runs is (household, rule, people): a rerun keeps one row
-- per identity — still found, it is brought up to the latest run; no longer found, it is closed
-- by that run. Keep in step with ../postgres/0021_policy_checks.sql.

CREATE TABLE enjoyments (
    id           INTEGER PRIMARY KEY,
    household_id BIGINT NOT NULL REFERENCES households (id),
    person_id    BIGINT REFERENCES people (id),
    policy       TEXT NOT NULL CHECK (length(policy) BETWEEN 1 AND 60),
    from_date    TEXT NOT NULL CHECK (length(from_date) = 10),
    to_date      TEXT CHECK (to_date IS NULL OR length(to_date) = 10),
    amount_fen   BIGINT NOT NULL DEFAULT 0 CHECK (amount_fen >= 0),
    department   TEXT NOT NULL
        CHECK (department IN ('civil_affairs', 'medical_insurance', 'disabled_persons',
                              'education', 'human_resources', 'health',
                              'rural_revitalization', 'housing')),
    recorded_at  BIGINT NOT NULL,
    CHECK (to_date IS NULL OR to_date >= from_date)
);
CREATE INDEX enjoyments_household ON enjoyments (household_id);

CREATE TABLE policy_check_runs (
    id                INTEGER PRIMARY KEY,
    jurisdiction_code TEXT NOT NULL REFERENCES jurisdictions (code),
    township_code     TEXT REFERENCES areas (code),
    rulebook          TEXT NOT NULL CHECK (length(rulebook) BETWEEN 1 AND 80),
    as_of             TEXT NOT NULL CHECK (length(as_of) = 10),
    started_by        TEXT NOT NULL,
    started_at        BIGINT NOT NULL,
    households        BIGINT NOT NULL CHECK (households >= 0),
    people            BIGINT NOT NULL CHECK (people >= 0),
    findings          BIGINT NOT NULL CHECK (findings >= 0)
);
CREATE INDEX policy_check_runs_jurisdiction ON policy_check_runs (jurisdiction_code);

CREATE TABLE policy_check_findings (
    id                INTEGER PRIMARY KEY,
    run_id            BIGINT NOT NULL REFERENCES policy_check_runs (id),
    jurisdiction_code TEXT NOT NULL REFERENCES jurisdictions (code),
    household_id      BIGINT NOT NULL REFERENCES households (id),
    township_code     TEXT NOT NULL REFERENCES areas (code),
    village_code      TEXT NOT NULL REFERENCES areas (code),
    person_ids        TEXT NOT NULL,
    rule_code         TEXT NOT NULL CHECK (length(rule_code) BETWEEN 1 AND 80),
    rule_name         TEXT NOT NULL,
    kind              TEXT NOT NULL
        CHECK (kind IN ('should_enjoy', 'wrongly_enjoys', 'data_conflict', 'rule_error')),
    department        TEXT NOT NULL
        CHECK (department IN ('civil_affairs', 'medical_insurance', 'disabled_persons',
                              'education', 'human_resources', 'health',
                              'rural_revitalization', 'housing')),
    fields            TEXT NOT NULL DEFAULT '[]',
    message           TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('open', 'closed', 'accepted')),
    first_run_id      BIGINT NOT NULL REFERENCES policy_check_runs (id),
    closed_run_id     BIGINT REFERENCES policy_check_runs (id),
    updated_at        BIGINT NOT NULL,
    CHECK ((status = 'closed') = (closed_run_id IS NOT NULL))
);
-- One row per identity, whatever the number of runs.
CREATE UNIQUE INDEX policy_check_findings_identity
    ON policy_check_findings (household_id, rule_code, person_ids);
CREATE INDEX policy_check_findings_run ON policy_check_findings (run_id);
CREATE INDEX policy_check_findings_closed_run ON policy_check_findings (closed_run_id);
CREATE INDEX policy_check_findings_jurisdiction ON policy_check_findings (jurisdiction_code);
