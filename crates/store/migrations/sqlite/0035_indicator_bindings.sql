-- Indicators fed from records (issue 19 item 6, decision 0046): an output indicator of a project
-- (its row in the approved sheet, with the indicator's name kept to catch a renumbered sheet) may
-- be bound to a count over the assistance records; monitoring rows and self-evaluation items keep
-- the value computed when they were saved and the reason written when the entry differs from it.
-- Keep in step with ../postgres/0035_indicator_bindings.sql.

CREATE TABLE indicator_bindings (
    project_id     BIGINT NOT NULL REFERENCES projects (id),
    row_no         INTEGER NOT NULL CHECK (row_no >= 1),
    indicator_name TEXT NOT NULL CHECK (length(indicator_name) BETWEEN 1 AND 200),
    measure        TEXT NOT NULL CHECK (length(measure) BETWEEN 1 AND 80),
    bound_by       TEXT NOT NULL,
    bound_at       BIGINT NOT NULL,
    PRIMARY KEY (project_id, row_no)
);

ALTER TABLE monitoring_report_rows ADD COLUMN record_value BIGINT;
ALTER TABLE monitoring_report_rows ADD COLUMN override_reason TEXT NOT NULL DEFAULT ''
    CHECK (length(override_reason) <= 500);
ALTER TABLE self_evaluation_items ADD COLUMN record_value BIGINT;
ALTER TABLE self_evaluation_items ADD COLUMN override_reason TEXT NOT NULL DEFAULT ''
    CHECK (length(override_reason) <= 500);
