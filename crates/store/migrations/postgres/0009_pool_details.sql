-- An institution's staff who may act as evaluators, and members' relations with institutions
-- (an expert who worked for or advised an institution does not review its report). Keep the
-- sqlite and postgres files in step.

ALTER TABLE pool_members ADD COLUMN staff TEXT NOT NULL DEFAULT '[]';

CREATE TABLE pool_institution_relations (
    member_id      BIGINT NOT NULL REFERENCES pool_members (id),
    institution_id BIGINT NOT NULL REFERENCES pool_members (id),
    kind           TEXT NOT NULL CHECK (kind IN ('worked', 'advised', 'relative')),
    until          TEXT
);
CREATE INDEX pool_institution_relations_member ON pool_institution_relations (member_id);
