-- Foundation schema for SQLite: jurisdictions, fiscal years, agencies, users, sessions, login
-- throttling and the hash-chained audit log. Times are BIGINT microseconds since the epoch (UTC).
-- Keep in step with ../postgres/0001_foundation.sql.

CREATE TABLE jurisdictions (
    code        TEXT PRIMARY KEY CHECK (length(code) = 6),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    parent_code TEXT REFERENCES jurisdictions (code),
    created_at  BIGINT NOT NULL
);

CREATE TABLE fiscal_years (
    jurisdiction_code TEXT NOT NULL REFERENCES jurisdictions (code),
    year              INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    status            TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    created_at        BIGINT NOT NULL,
    PRIMARY KEY (jurisdiction_code, year)
);

CREATE TABLE agencies (
    id                INTEGER PRIMARY KEY,
    jurisdiction_code TEXT NOT NULL REFERENCES jurisdictions (code),
    code              TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 32),
    name              TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    kind              TEXT NOT NULL CHECK (kind IN ('department', 'unit')),
    parent_id         BIGINT REFERENCES agencies (id),
    head              TEXT NOT NULL DEFAULT '',
    created_at        BIGINT NOT NULL,
    UNIQUE (jurisdiction_code, code),
    CHECK ((kind = 'unit') = (parent_id IS NOT NULL))
);
CREATE INDEX agencies_parent ON agencies (parent_id);

CREATE TABLE users (
    id                INTEGER PRIMARY KEY,
    username          TEXT NOT NULL UNIQUE CHECK (length(username) BETWEEN 1 AND 64),
    display_name      TEXT NOT NULL,
    password_hash     TEXT NOT NULL,
    role              TEXT NOT NULL
        CHECK (role IN ('admin', 'finance', 'agency', 'expert', 'institution', 'viewer')),
    jurisdiction_code TEXT REFERENCES jurisdictions (code),
    agency_id         BIGINT REFERENCES agencies (id),
    disabled          BOOLEAN NOT NULL DEFAULT FALSE,
    created_at        BIGINT NOT NULL,
    CHECK ((role = 'agency') = (agency_id IS NOT NULL)),
    CHECK (role = 'admin' OR jurisdiction_code IS NOT NULL)
);
CREATE INDEX users_jurisdiction ON users (jurisdiction_code);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    kind       TEXT NOT NULL CHECK (kind IN ('web', 'api')),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_failures (
    id       INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    at       BIGINT NOT NULL
);
CREATE INDEX login_failures_username_at ON login_failures (username, at);

CREATE TABLE audit_log (
    seq               BIGINT PRIMARY KEY CHECK (seq >= 1),
    at                BIGINT NOT NULL,
    actor             TEXT NOT NULL,
    action            TEXT NOT NULL,
    entity            TEXT NOT NULL,
    entity_id         TEXT NOT NULL,
    jurisdiction_code TEXT,
    details           TEXT NOT NULL,
    prev_hash         TEXT NOT NULL,
    hash              TEXT NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_entity ON audit_log (entity, seq);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_jurisdiction ON audit_log (jurisdiction_code, seq);

-- The last record written: appends lock this row, so the chain never forks, and removing the
-- newest records is detected.
CREATE TABLE audit_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq  BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, last_seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
