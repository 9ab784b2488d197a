-- The automatic target review (智能预审, issue 17 item 2) as stored: each saved revision of a
-- target sheet keeps the findings of the review run when it was written, under the rulebook named
-- beside them, so the review queue can count and filter them and a bureau can see a whole year's
-- findings by code and by agency without re-reading every sheet. A sheet never reviewed (saved
-- before this migration, or created empty) has NULL counts. Submission re-runs the review itself.
-- Keep in step with ../sqlite/0023_target_review_findings.sql.

ALTER TABLE target_sheets ADD COLUMN review_rulebook_id BIGINT REFERENCES rulebooks (id);
ALTER TABLE target_sheets ADD COLUMN review_errors INTEGER CHECK (review_errors >= 0);
ALTER TABLE target_sheets ADD COLUMN review_warnings INTEGER CHECK (review_warnings >= 0);

CREATE TABLE target_review_findings (
    project_id BIGINT NOT NULL,
    revision   INTEGER NOT NULL,
    seq        INTEGER NOT NULL CHECK (seq >= 1),
    code       TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 40),
    severity   TEXT NOT NULL CHECK (severity IN ('error', 'warning')),
    row_no     INTEGER CHECK (row_no >= 1),
    indicator  TEXT NOT NULL DEFAULT '',
    message    TEXT NOT NULL,
    PRIMARY KEY (project_id, revision, seq),
    FOREIGN KEY (project_id, revision) REFERENCES target_sheets (project_id, revision)
);
