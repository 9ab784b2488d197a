//! The planner's statistics after a bulk load: a load of thousands of rows in one transaction
//! (seeding, a year of visits, an imported registry) leaves PostgreSQL without statistics on
//! them and without the visibility map its index-only scans need until autovacuum happens to
//! pass, so the hot queries would depend on luck. The loader refreshes both for the tables it
//! filled, in the store's own schema only (unqualified names resolve through the connection's
//! `search_path`); on SQLite it gathers the statistics of those tables. A province-sized load
//! on PostgreSQL also sets the name-search index aside and builds it once at the end: updating
//! it with every inserted project doubled the seeding time (958 s against 419 s at full scale).

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

/// Indexes a bulk load may set aside and rebuild (PostgreSQL): costly to keep up row by row,
/// cheap to build once.
const BULK_LOAD_INDEXES: &[&str] = &["projects_search_grams"];

/// An index set aside for a bulk load: its definition as PostgreSQL printed it, to build again.
#[derive(Debug)]
pub struct SetAsideIndex {
    definition: String,
}

impl Store {
    /// Before a bulk load on PostgreSQL: drops `index` (one of the known ones, in the store's
    /// own schema) and returns its definition for [`Store::rebuild_index`]. `None` on SQLite,
    /// for an unknown name, or when the index is not there.
    pub async fn set_index_aside(&self, index: &str) -> Result<Option<SetAsideIndex>> {
        if !BULK_LOAD_INDEXES.contains(&index) {
            return Ok(None);
        }
        let crate::Pool::Postgres(pool) = &self.pool else {
            return Ok(None);
        };
        let mut tx = pool.begin().await?;
        let definition: Option<String> = sqlx::query_scalar(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() \
             AND indexname = $1",
        )
        .bind(index)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(definition) = definition else {
            return Ok(None);
        };
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP INDEX {index}")))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(SetAsideIndex { definition }))
    }

    /// After the bulk load: builds the index set aside again, as it was defined.
    pub async fn rebuild_index(&self, index: SetAsideIndex) -> Result<()> {
        if let crate::Pool::Postgres(pool) = &self.pool {
            sqlx::query(sqlx::AssertSqlSafe(index.definition))
                .execute(pool)
                .await?;
        }
        Ok(())
    }

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
