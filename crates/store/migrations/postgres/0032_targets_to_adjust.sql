-- Targets to adjust (按批复金额调整绩效目标, decision 0043): when a project is approved with an
-- amount other than the one its target sheet was made for, the agency must adjust its targets to
-- the approved amount. The column holds that amount until a revised sheet made for it is
-- approved; NULL when the targets fit the money. Keep the sqlite and postgres files in step.
ALTER TABLE projects ADD COLUMN targets_adjust_fen BIGINT CHECK (targets_adjust_fen IS NULL OR targets_adjust_fen >= 0);
