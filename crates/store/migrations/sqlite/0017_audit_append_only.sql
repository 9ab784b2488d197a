-- The audit log is append-only in the database itself, as the ledger is: an UPDATE or DELETE of
-- a record is refused whoever runs it. Verification runs (CLI or admin page) are kept so the
-- admin page can say when the chain was last checked and up to which record.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;

CREATE TABLE audit_verifications (
    id            INTEGER PRIMARY KEY,
    at            BIGINT NOT NULL,
    actor         TEXT NOT NULL,
    through_seq   BIGINT NOT NULL,
    checkpoints   BIGINT NOT NULL,
    intact        BOOLEAN NOT NULL,
    message       TEXT NOT NULL
);
