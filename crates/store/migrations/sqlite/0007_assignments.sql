-- Assignments of drawn members (the account that acts for a member sees only its own), their
-- reviews, and finance's ratings of each job. Keep the sqlite and postgres files in step.

ALTER TABLE pool_members ADD COLUMN user_id BIGINT REFERENCES users (id);

CREATE TABLE assignments (
    id           INTEGER PRIMARY KEY,
    draw_id      BIGINT NOT NULL REFERENCES draws (id),
    member_id    BIGINT NOT NULL REFERENCES pool_members (id),
    project_id   BIGINT NOT NULL REFERENCES projects (id),
    status       TEXT NOT NULL CHECK (status IN ('invited', 'accepted', 'declined', 'submitted')),
    score_x100   BIGINT CHECK (score_x100 BETWEEN 0 AND 10000),
    opinion      TEXT NOT NULL DEFAULT '',
    decline_reason TEXT NOT NULL DEFAULT '',
    ended_on     TEXT,
    updated_at   BIGINT NOT NULL,
    UNIQUE (draw_id, member_id),
    CHECK (status <> 'submitted' OR (score_x100 IS NOT NULL AND ended_on IS NOT NULL))
);
CREATE INDEX assignments_member ON assignments (member_id, id);

CREATE TABLE ratings (
    id            INTEGER PRIMARY KEY,
    assignment_id BIGINT NOT NULL UNIQUE REFERENCES assignments (id),
    member_id     BIGINT NOT NULL REFERENCES pool_members (id),
    skill         INTEGER NOT NULL CHECK (skill BETWEEN 0 AND 25),
    discipline    INTEGER NOT NULL CHECK (discipline BETWEEN 0 AND 25),
    ethics        INTEGER NOT NULL CHECK (ethics BETWEEN 0 AND 25),
    integrity     INTEGER NOT NULL CHECK (integrity BETWEEN 0 AND 25),
    comment       TEXT NOT NULL DEFAULT '',
    rated_on      TEXT NOT NULL,
    on_time       BOOLEAN NOT NULL,
    rated_by      TEXT NOT NULL,
    rated_at      BIGINT NOT NULL
);
CREATE INDEX ratings_member ON ratings (member_id, rated_on);
