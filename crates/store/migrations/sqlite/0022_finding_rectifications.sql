-- The rectification of the coverage check's findings (核查问题整改, issue 18 item 5): the county
-- office assigns a run's open findings to their village or department with a deadline; the
-- village, township or department answers with what it did and the evidence; the county office
-- accepts the explanation (the finding is then settled) or sends it back. One row per finding;
-- a rerun that no longer finds the problem closes the finding, and this row stays as its history.
-- Keep in step with ../postgres/0022_finding_rectifications.sql.

CREATE TABLE finding_rectifications (
    id                INTEGER PRIMARY KEY,
    finding_id        BIGINT NOT NULL UNIQUE REFERENCES policy_check_findings (id),
    jurisdiction_code TEXT NOT NULL REFERENCES jurisdictions (code),
    state             TEXT NOT NULL CHECK (state IN ('assigned', 'answered', 'accepted')),
    deadline          TEXT NOT NULL CHECK (length(deadline) = 10),
    answer            TEXT NOT NULL DEFAULT '' CHECK (length(answer) <= 2000),
    evidence          TEXT NOT NULL DEFAULT '' CHECK (length(evidence) <= 2000),
    review_comment    TEXT NOT NULL DEFAULT '' CHECK (length(review_comment) <= 500),
    assigned_by       TEXT NOT NULL,
    assigned_at       BIGINT NOT NULL,
    answered_by       TEXT,
    answered_at       BIGINT,
    reviewed_by       TEXT,
    reviewed_at       BIGINT,
    version           INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX finding_rectifications_jurisdiction ON finding_rectifications (jurisdiction_code);
