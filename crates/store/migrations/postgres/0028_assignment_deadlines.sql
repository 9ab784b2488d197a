-- A drawn member's deadline (截止日期): the draw's date plus the rulebook's working days for a
-- job ([pools] task_working_days), set when the task is opened; a backup called in after a
-- decline takes over the same deadline. Tasks opened before this migration have none.
-- Keep the sqlite and postgres files in step.
ALTER TABLE assignments ADD COLUMN due_on TEXT CHECK (due_on IS NULL OR length(due_on) = 10);
