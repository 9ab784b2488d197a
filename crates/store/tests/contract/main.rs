//! The store contract: every backend must pass these. Runs on SQLite always, and on PostgreSQL
//! when `JIXIAO_TEST_DATABASE_URL` is set (each test gets its own schema).

mod audit_anchor;
mod evaluation;
mod finding_rectifications;
mod foundation;
mod library;
mod monitoring;
mod planner_statistics;
mod policy_checks;
mod programmes;
mod projects;
mod province;
mod registry_import;
mod registry_scale;
mod risk_monitoring;
mod rollups;
mod scope_rollups;
mod servers;
mod session_cache;
mod support;
mod target_sheet_batches;
mod treasury;
mod unreadable;
mod visits;
