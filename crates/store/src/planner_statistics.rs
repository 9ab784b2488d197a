//! The planner's statistics after a bulk load: a load of thousands of rows in one transaction
//! (seeding, a year of visits, an imported registry) leaves PostgreSQL without statistics on
//! them and without the visibility map its index-only scans need until autovacuum happens to
//! pass, so the hot queries would depend on luck. The loader refreshes both for the tables it
//! filled, in the store's own schema only (unqualified names resolve through the connection's
//! `search_path`); on SQLite it gathers the statistics of those tables.

use crate::{Result, Store};

/// The tables a bulk load may name: every refresh names tables from this list only, so no name
/// from outside reaches the SQL.
const TABLES: &[&str] = &[
    "agencies",
    "allotments",
    "households",
    "ledger_entries",
    "payment_months",
    "payments",
    "people",
    "projects",
    "risk_cases",
    "target_indicators",
    "target_sheets",
    "treasury_requests",
    "visits",
];

impl Store {
    /// After a bulk load of `tables`: on PostgreSQL `VACUUM (ANALYZE)` of each (statistics and
    /// the visibility map, outside any transaction), on SQLite `ANALYZE` of each. A name not in
    /// the known list is skipped.
    pub async fn refresh_planner_statistics(&self, tables: &[&str]) -> Result<()> {
        let postgres = self.backend() == crate::Backend::Postgres;
        for table in tables.iter().filter(|t| TABLES.contains(t)) {
            let sql = if postgres {
                format!("VACUUM (ANALYZE) {table}")
            } else {
                format!("ANALYZE {table}")
            };
            on_pool!(&self.pool, |pool| {
                sqlx::query(sqlx::AssertSqlSafe(sql)).execute(pool).await?;
            });
        }
        Ok(())
    }
}
