-- In-year monitoring (绩效运行监控): rounds, agency reports with one row per approved indicator,
-- alerts and the decisions on them (SQLite). Keep in step with ../postgres/0005_monitoring.sql.

CREATE TABLE monitoring_rounds (
    id                INTEGER PRIMARY KEY,
    jurisdiction_code TEXT NOT NULL REFERENCES jurisdictions (code),
    year              INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    cutoff            TEXT NOT NULL,
    due               TEXT NOT NULL,
    scope             TEXT NOT NULL CHECK (scope IN ('all', 'selected')),
    rulebook_id       BIGINT NOT NULL REFERENCES rulebooks (id),
    evaluated_on      TEXT,
    created_by        TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    UNIQUE (jurisdiction_code, year, cutoff),
    CHECK (cutoff < due)
);

CREATE TABLE monitoring_reports (
    id           INTEGER PRIMARY KEY,
    round_id     BIGINT NOT NULL REFERENCES monitoring_rounds (id),
    project_id   BIGINT NOT NULL REFERENCES projects (id),
    revision     INTEGER NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'draft', 'submitted', 'returned', 'approved')),
    comment      TEXT NOT NULL DEFAULT '',
    version      INTEGER NOT NULL DEFAULT 1,
    submitted_at BIGINT,
    submitted_by TEXT,
    updated_at   BIGINT NOT NULL,
    UNIQUE (round_id, project_id)
);
CREATE INDEX monitoring_reports_project ON monitoring_reports (project_id);

CREATE TABLE monitoring_report_rows (
    report_id   BIGINT NOT NULL REFERENCES monitoring_reports (id),
    row_no      INTEGER NOT NULL,
    reached     TEXT NOT NULL DEFAULT '',
    expected    TEXT NOT NULL DEFAULT '',
    outlook     TEXT NOT NULL DEFAULT '' CHECK (outlook IN ('', '能', '不能', '不确定')),
    cause       TEXT NOT NULL DEFAULT ''
                CHECK (cause IN ('', '经费保障', '制度保障', '人员保障', '硬件条件保障', '其他')),
    explanation TEXT NOT NULL DEFAULT '',
    measures    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (report_id, row_no)
);

CREATE TABLE alerts (
    id           INTEGER PRIMARY KEY,
    round_id     BIGINT NOT NULL REFERENCES monitoring_rounds (id),
    project_id   BIGINT NOT NULL REFERENCES projects (id),
    level        TEXT NOT NULL CHECK (level IN ('red', 'yellow')),
    findings     TEXT NOT NULL,
    execution_bp BIGINT NOT NULL,
    progress_bp  BIGINT,
    raised_on    TEXT NOT NULL,
    deadline     TEXT,
    status       TEXT NOT NULL CHECK (status IN ('open', 'proposed', 'decided')),
    suspended    BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at   BIGINT NOT NULL,
    UNIQUE (round_id, project_id),
    CHECK (level = 'yellow' OR deadline IS NOT NULL)
);
CREATE INDEX alerts_project ON alerts (project_id);

CREATE TABLE alert_decisions (
    id               INTEGER PRIMARY KEY,
    alert_id         BIGINT NOT NULL REFERENCES alerts (id),
    action           TEXT NOT NULL CHECK (action IN ('continue', 'adjust', 'cancel')),
    comment          TEXT NOT NULL,
    recover_fen      BIGINT NOT NULL DEFAULT 0 CHECK (recover_fen >= 0),
    revise_targets   BOOLEAN NOT NULL DEFAULT FALSE,
    status           TEXT NOT NULL CHECK (status IN ('proposed', 'confirmed', 'rejected')),
    proposed_by      TEXT NOT NULL,
    proposed_at      BIGINT NOT NULL,
    decided_by       TEXT,
    decided_at       BIGINT,
    decision_comment TEXT NOT NULL DEFAULT ''
);
CREATE INDEX alert_decisions_alert ON alert_decisions (alert_id, id);
