-- Marker of ../postgres/0042_session_change_notices.sql (triggers that tell every server its
-- cached sessions may be out of date, decision 0054): a server on SQLite does not cache sessions
-- (another process may write the same file without telling), so it needs no notice. Keeps both
-- backends at the same migration number.
SELECT 1;
