-- Complaints about pool members (chiefly institutions) and their handling: a substantiated
-- complaint suspends the member for the rulebook's period. Keep the sqlite and postgres files
-- in step.

CREATE TABLE pool_complaints (
    id            INTEGER PRIMARY KEY,
    member_id     BIGINT NOT NULL REFERENCES pool_members (id),
    received_on   TEXT NOT NULL,
    summary       TEXT NOT NULL,
    substantiated BOOLEAN NOT NULL,
    finding       TEXT NOT NULL DEFAULT '',
    decided_on    TEXT NOT NULL,
    decided_by    TEXT NOT NULL,
    decided_at    BIGINT NOT NULL,
    CHECK (received_on <= decided_on)
);
CREATE INDEX pool_complaints_member ON pool_complaints (member_id, id);
