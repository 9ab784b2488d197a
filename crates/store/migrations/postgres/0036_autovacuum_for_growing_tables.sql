-- The tables that grow by bulk and by the thousand a day (payments and their requests, the
-- ledger, projects and indicators at seeding, the registry, visits, the audit log) are vacuumed
-- and analysed after a small share of new rows rather than PostgreSQL's default 20%: their hot
-- queries read covering indexes, which serve index-only scans only where the visibility map is
-- current, and a default that waits for a fifth of a province's payments would leave them on
-- heap fetches for days (issue 21). Bulk loads also refresh at once (Store::
-- refresh_planner_statistics). SQLite has no autovacuum to tune: ../sqlite/0036 is a marker.

ALTER TABLE payments SET (autovacuum_vacuum_insert_scale_factor = 0.02,
    autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE treasury_requests SET (autovacuum_vacuum_insert_scale_factor = 0.02,
    autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE ledger_entries SET (autovacuum_vacuum_insert_scale_factor = 0.02,
    autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE allotments SET (autovacuum_vacuum_scale_factor = 0.05,
    autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE projects SET (autovacuum_vacuum_scale_factor = 0.05,
    autovacuum_vacuum_insert_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE target_indicators SET (autovacuum_vacuum_insert_scale_factor = 0.02,
    autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE households SET (autovacuum_vacuum_insert_scale_factor = 0.02,
    autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE people SET (autovacuum_vacuum_insert_scale_factor = 0.02,
    autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE visits SET (autovacuum_vacuum_insert_scale_factor = 0.02,
    autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE audit_log SET (autovacuum_vacuum_insert_scale_factor = 0.02,
    autovacuum_analyze_scale_factor = 0.02);
