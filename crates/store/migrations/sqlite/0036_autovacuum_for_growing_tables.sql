-- Marker of ../postgres/0036_autovacuum_for_growing_tables.sql (autovacuum settings of the
-- growing tables): SQLite has no autovacuum to tune; bulk loads run ANALYZE on what they filled
-- (Store::refresh_planner_statistics). Keeps both backends at the same migration number.
SELECT 1;
