//! The planner's statistics after a bulk load: a load of thousands of rows in one transaction
//! (seeding, a year of visits, an imported registry) leaves PostgreSQL without statistics on
//! them and without the visibility map its index-only scans need until autovacuum happens to
//! pass, so the hot queries would depend on luck. The loader refreshes both for the tables it
//! filled, in the store's own schema only (unqualified names resolve through the connection's
//! `search_path`); on SQLite it gathers the statistics of those tables. A province-sized load
//! on PostgreSQL also sets the name-search index aside and builds it once at the end (recorded
//! in `set_aside_indexes`, so an interrupted load's index is built again on the next start):
//! kept up row by row it made the full province's load 958 s against 617 s set aside.

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
    name: String,
    definition: String,
}

impl Store {
    /// Before a bulk load on PostgreSQL: drops `index` (one of the known ones, in the store's
    /// own schema) and records its definition in `set_aside_indexes` in the same transaction,
    /// returning it for [`Store::rebuild_index`]. If the load is interrupted, the next
    /// [`Store::migrate`] builds it again. `None` on SQLite, for an unknown name, or when the
    /// index is neither there nor recorded.
    pub async fn set_index_aside(&self, index: &str) -> Result<Option<SetAsideIndex>> {
        if !BULK_LOAD_INDEXES.contains(&index) {
            return Ok(None);
        }
        let crate::Pool::Postgres(pool) = &self.pool else {
            return Ok(None);
        };
        let mut tx = pool.begin().await?;
        let found: Option<(String, String)> = sqlx::query_as(
            "SELECT schemaname, indexdef FROM pg_indexes WHERE schemaname = current_schema() \
             AND indexname = $1",
        )
        .bind(index)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((schema, definition)) = found else {
            // Set aside by a load that did not finish: build it at the end of this one.
            let recorded: Option<String> =
                sqlx::query_scalar("SELECT definition FROM set_aside_indexes WHERE name = $1")
                    .bind(index)
                    .fetch_optional(&mut *tx)
                    .await?;
            return Ok(recorded.map(|definition| SetAsideIndex {
                name: index.to_owned(),
                definition,
            }));
        };
        sqlx::query(
            "INSERT INTO set_aside_indexes (name, definition, set_aside_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, \
             set_aside_at = excluded.set_aside_at",
        )
        .bind(index)
        .bind(&definition)
        .bind(jixiao_core::time::now())
        .execute(&mut *tx)
        .await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP INDEX \"{}\".{index}",
            schema.replace('"', "\"\"")
        )))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(SetAsideIndex {
            name: index.to_owned(),
            definition,
        }))
    }

    /// After the bulk load: builds the index set aside again, as it was defined, and forgets
    /// the record, in one transaction.
    pub async fn rebuild_index(&self, index: SetAsideIndex) -> Result<()> {
        let crate::Pool::Postgres(pool) = &self.pool else {
            return Ok(());
        };
        // `CREATE [UNIQUE] INDEX name ON …` as PostgreSQL prints it; it may already be there
        // when a start rebuilt it while a load was still running.
        let create = index
            .definition
            .replacen(" INDEX ", " INDEX IF NOT EXISTS ", 1);
        let mut tx = pool.begin().await?;
        sqlx::query(sqlx::AssertSqlSafe(create))
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM set_aside_indexes WHERE name = $1")
            .bind(&index.name)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Builds every index a bulk load set aside and did not build again (it was interrupted):
    /// run by [`Store::migrate`] on every start (one query when there are none).
    pub(crate) async fn rebuild_set_aside_indexes(&self) -> Result<()> {
        let crate::Pool::Postgres(pool) = &self.pool else {
            return Ok(());
        };
        let left: Vec<(String, String)> =
            sqlx::query_as("SELECT name, definition FROM set_aside_indexes ORDER BY name")
                .fetch_all(pool)
                .await?;
        for (name, definition) in left {
            tracing::warn!("building index {name} again: a bulk load set it aside and stopped");
            self.rebuild_index(SetAsideIndex { name, definition })
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
