-- Visits (走访, issue 19 item 4, decision 0044): a helper's (or a village or township cadre's)
-- visit to a household with the people met, the problems found by class and the actions taken;
-- the evidence (photos, short videos) stored once by its SHA-256 content hash in the database and
-- linked to the visits that carry it; and the rectification items the problems become, each
-- with its deadline from the rulebook, closed with a note. Nothing is deleted. Keep in step with
-- ../postgres/0033_visits.sql.

CREATE TABLE visits (
    id                INTEGER PRIMARY KEY,
    jurisdiction_code TEXT NOT NULL REFERENCES jurisdictions (code),
    household_id      BIGINT NOT NULL REFERENCES households (id),
    visitor_user_id   BIGINT REFERENCES users (id),
    visitor           TEXT NOT NULL,
    visitor_role      TEXT NOT NULL,
    visited_on        TEXT NOT NULL CHECK (length(visited_on) = 10),
    month             TEXT NOT NULL CHECK (length(month) = 7),
    people_met        TEXT NOT NULL CHECK (length(people_met) BETWEEN 1 AND 200),
    actions           TEXT NOT NULL DEFAULT '' CHECK (length(actions) <= 1000),
    created_at        BIGINT NOT NULL
);
-- The compliance view of a month reads every household's visits of that month by this index.
CREATE INDEX visits_household_month ON visits (household_id, month);
CREATE INDEX visits_jurisdiction_month ON visits (jurisdiction_code, month);

CREATE TABLE visit_problems (
    id          INTEGER PRIMARY KEY,
    visit_id    BIGINT NOT NULL REFERENCES visits (id),
    position    INTEGER NOT NULL,
    class       TEXT NOT NULL CHECK (length(class) BETWEEN 1 AND 40),
    description TEXT NOT NULL CHECK (length(description) BETWEEN 1 AND 500),
    UNIQUE (visit_id, position)
);

CREATE TABLE evidence_blobs (
    sha256     TEXT NOT NULL PRIMARY KEY CHECK (length(sha256) = 64),
    media_type TEXT NOT NULL CHECK (length(media_type) BETWEEN 1 AND 40),
    size       BIGINT NOT NULL CHECK (size > 0),
    content    BLOB NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE visit_evidence (
    visit_id  BIGINT NOT NULL REFERENCES visits (id),
    position  INTEGER NOT NULL,
    sha256    TEXT NOT NULL REFERENCES evidence_blobs (sha256),
    file_name TEXT NOT NULL CHECK (length(file_name) <= 200),
    PRIMARY KEY (visit_id, position)
);
CREATE INDEX visit_evidence_blob ON visit_evidence (sha256);

CREATE TABLE visit_rectifications (
    id                INTEGER PRIMARY KEY,
    jurisdiction_code TEXT NOT NULL REFERENCES jurisdictions (code),
    household_id      BIGINT NOT NULL REFERENCES households (id),
    visit_id          BIGINT NOT NULL REFERENCES visits (id),
    problem_id        BIGINT NOT NULL UNIQUE REFERENCES visit_problems (id),
    class             TEXT NOT NULL CHECK (length(class) BETWEEN 1 AND 40),
    description       TEXT NOT NULL CHECK (length(description) BETWEEN 1 AND 500),
    due_on            TEXT NOT NULL CHECK (length(due_on) = 10),
    status            TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    closed_on         TEXT CHECK (closed_on IS NULL OR length(closed_on) = 10),
    closed_by         TEXT,
    close_note        TEXT NOT NULL DEFAULT '' CHECK (length(close_note) <= 500),
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    CHECK ((status = 'closed') = (closed_on IS NOT NULL))
);
CREATE INDEX visit_rectifications_open ON visit_rectifications (jurisdiction_code, status, due_on);
CREATE INDEX visit_rectifications_household ON visit_rectifications (household_id);
