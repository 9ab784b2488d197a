-- Budget allotments (预算指标), reservations, payments, the append-only ledger and the record of
-- treasury requests that makes each one count exactly once (SQLite).
-- Keep in step with ../postgres/0003_ledger.sql.

CREATE TABLE allotments (
    id                INTEGER PRIMARY KEY,
    jurisdiction_code TEXT NOT NULL REFERENCES jurisdictions (code),
    project_id        BIGINT NOT NULL UNIQUE REFERENCES projects (id),
    agency_id         BIGINT NOT NULL REFERENCES agencies (id),
    year              INTEGER NOT NULL,
    code              TEXT NOT NULL,
    document_number   TEXT NOT NULL DEFAULT '',
    funding_source    TEXT NOT NULL DEFAULT '',
    function_code     TEXT NOT NULL DEFAULT '',
    economic_code     TEXT NOT NULL DEFAULT '',
    limit_fen         BIGINT NOT NULL CHECK (limit_fen >= 0),
    frozen_fen        BIGINT NOT NULL DEFAULT 0 CHECK (frozen_fen >= 0),
    used_fen          BIGINT NOT NULL DEFAULT 0 CHECK (used_fen >= 0),
    suspended         BOOLEAN NOT NULL DEFAULT FALSE,
    suspension_reason TEXT NOT NULL DEFAULT '',
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    UNIQUE (jurisdiction_code, code),
    CHECK (frozen_fen + used_fen <= limit_fen)
);
CREATE INDEX allotments_year_agency ON allotments (jurisdiction_code, year, agency_id, limit_fen, used_fen);

CREATE TABLE treasury_requests (
    jurisdiction_code TEXT NOT NULL,
    request_id        TEXT NOT NULL CHECK (length(request_id) BETWEEN 1 AND 64),
    kind              TEXT NOT NULL CHECK (kind IN ('payment', 'refund', 'reservation', 'release')),
    digest            TEXT NOT NULL,
    response          TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    PRIMARY KEY (jurisdiction_code, request_id)
);

CREATE TABLE reservations (
    id           INTEGER PRIMARY KEY,
    allotment_id BIGINT NOT NULL REFERENCES allotments (id),
    request_id   TEXT NOT NULL,
    amount_fen   BIGINT NOT NULL CHECK (amount_fen > 0),
    paid_fen     BIGINT NOT NULL DEFAULT 0 CHECK (paid_fen >= 0),
    released_fen BIGINT NOT NULL DEFAULT 0 CHECK (released_fen >= 0),
    purpose      TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    CHECK (paid_fen + released_fen <= amount_fen)
);
CREATE INDEX reservations_allotment ON reservations (allotment_id);

CREATE TABLE payments (
    id             INTEGER PRIMARY KEY,
    allotment_id   BIGINT NOT NULL REFERENCES allotments (id),
    request_id     TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('payment', 'refund')),
    amount_fen     BIGINT NOT NULL CHECK (amount_fen > 0),
    reservation_id BIGINT REFERENCES reservations (id),
    refund_of      BIGINT REFERENCES payments (id),
    refunded_fen   BIGINT NOT NULL DEFAULT 0 CHECK (refunded_fen >= 0),
    payee          TEXT NOT NULL DEFAULT '',
    purpose        TEXT NOT NULL DEFAULT '',
    paid_on        TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    CHECK (refunded_fen <= amount_fen),
    CHECK (kind = 'refund' OR refund_of IS NULL)
);
CREATE INDEX payments_allotment ON payments (allotment_id, id);
CREATE INDEX payments_paid_on ON payments (paid_on, id);

CREATE TABLE ledger_entries (
    id           INTEGER PRIMARY KEY,
    allotment_id BIGINT NOT NULL REFERENCES allotments (id),
    kind         TEXT NOT NULL CHECK (kind IN ('open', 'increase', 'decrease', 'recovery',
                   'transfer_in', 'transfer_out', 'reserve', 'release', 'payment', 'refund',
                   'suspend', 'resume')),
    amount_fen   BIGINT NOT NULL CHECK (amount_fen >= 0),
    limit_after  BIGINT NOT NULL,
    frozen_after BIGINT NOT NULL,
    used_after   BIGINT NOT NULL,
    reference    TEXT NOT NULL DEFAULT '',
    reason       TEXT NOT NULL DEFAULT '',
    actor        TEXT NOT NULL,
    at           BIGINT NOT NULL
);
CREATE INDEX ledger_entries_allotment ON ledger_entries (allotment_id, id);

-- The ledger is append-only.
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
