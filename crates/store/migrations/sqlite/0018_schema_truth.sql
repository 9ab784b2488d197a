-- no-transaction
-- Schema truth (issue 16, decision 0024): the SQLite half of the fixes for the drift
-- tests/schema_truth.rs found between the two migration sets. Keep in step with
-- ../postgres/0018_schema_truth.sql.
--
-- SQLite lets a PRIMARY KEY column hold NULL unless it is an INTEGER PRIMARY KEY (a legacy quirk
-- its documentation keeps for compatibility); PostgreSQL never does. Four tables had such a key:
-- jurisdictions.code, sessions.token_hash, audit_log.seq and publications.project_id. SQLite
-- cannot add NOT NULL to a column, so each table is rebuilt the way SQLite documents for changes
-- ALTER TABLE cannot make (lang_altertable.html, "Making Other Kinds Of Table Schema Changes"):
-- foreign keys off, one transaction, new table, copy, drop, rename, indexes and triggers again.
-- Rows are copied as they are (a NULL key, which nothing ever wrote, would stop the migration).
--
-- Foreign keys can only be switched off outside a transaction, so this file runs outside sqlx's
-- transaction (first line) and opens its own. Run again after a crash between its COMMIT and
-- sqlx's bookkeeping, it rebuilds the same four tables again, to the same end.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

-- Most tables refer to jurisdictions; the references name the table, so after the rename they
-- reach the rebuilt one.
CREATE TABLE jurisdictions_rebuilt (
    code        TEXT NOT NULL PRIMARY KEY CHECK (length(code) = 6),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    parent_code TEXT REFERENCES jurisdictions (code),
    created_at  BIGINT NOT NULL
);
INSERT INTO jurisdictions_rebuilt (code, name, parent_code, created_at)
SELECT code, name, parent_code, created_at FROM jurisdictions;
DROP TABLE jurisdictions;
ALTER TABLE jurisdictions_rebuilt RENAME TO jurisdictions;

CREATE TABLE sessions_rebuilt (
    token_hash TEXT NOT NULL PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    kind       TEXT NOT NULL CHECK (kind IN ('web', 'api')),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
INSERT INTO sessions_rebuilt (token_hash, user_id, kind, csrf_token, created_at, expires_at)
SELECT token_hash, user_id, kind, csrf_token, created_at, expires_at FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_rebuilt RENAME TO sessions;
CREATE INDEX sessions_user ON sessions (user_id);

-- The audit log keeps every record as it was (the hash chain covers the values, not the storage)
-- and gets its indexes and append-only triggers (0017) back.
CREATE TABLE audit_log_rebuilt (
    seq               BIGINT NOT NULL PRIMARY KEY CHECK (seq >= 1),
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
INSERT INTO audit_log_rebuilt (seq, at, actor, action, entity, entity_id, jurisdiction_code,
                               details, prev_hash, hash)
SELECT seq, at, actor, action, entity, entity_id, jurisdiction_code, details, prev_hash, hash
FROM audit_log ORDER BY seq;
DROP TABLE audit_log;
ALTER TABLE audit_log_rebuilt RENAME TO audit_log;
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_entity ON audit_log (entity, seq);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_jurisdiction ON audit_log (jurisdiction_code, seq);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;

CREATE TABLE publications_rebuilt (
    project_id   BIGINT NOT NULL PRIMARY KEY REFERENCES projects (id),
    published_by TEXT NOT NULL,
    published_at BIGINT NOT NULL
);
INSERT INTO publications_rebuilt (project_id, published_by, published_at)
SELECT project_id, published_by, published_at FROM publications;
DROP TABLE publications;
ALTER TABLE publications_rebuilt RENAME TO publications;

COMMIT;
PRAGMA foreign_keys = ON;
