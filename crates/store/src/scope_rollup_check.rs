//! Checking the dashboards' rollups against the rows they replace (`jixiao rollups verify`,
//! decision 0056): every (jurisdiction, year) whose stored figures differ from sums made afresh
//! must be marked for the next refresh; one that differs without a mark is a true discrepancy.

use crate::scope_rollups::ROLLUPS;
use crate::{Result, Store};

/// A (jurisdiction, year) of one rollup whose stored figures differ from the sums of its rows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct RollupDifference {
    /// The rollup's table.
    pub rollup: String,
    /// The jurisdiction's code.
    pub jurisdiction: String,
    /// The budget year.
    pub year: i32,
    /// A change there is marked and waits for the next refresh (the figures are only stale);
    /// otherwise the rollup has lost a change.
    pub pending: bool,
}

/// What a check found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RollupCheck {
    /// Rows of the rollups checked.
    pub rows: i64,
    /// Every difference, rollup by rollup, in key order.
    pub differences: Vec<RollupDifference>,
}

impl RollupCheck {
    /// The differences no refresh is waiting to mend.
    pub fn lost(&self) -> impl Iterator<Item = &RollupDifference> {
        self.differences.iter().filter(|d| !d.pending)
    }

    /// How many (jurisdiction, year) of a rollup wait for the next refresh.
    pub fn pending(&self) -> usize {
        self.differences.iter().filter(|d| d.pending).count()
    }
}

impl Store {
    /// Compares each rollup with sums made afresh from the rows it replaces, and tells each
    /// difference apart: marked for the next refresh, or lost. Each rollup is compared in one
    /// statement, which reads the stored figures, the rows and the marks as of one moment, so a
    /// payment committed meanwhile is either in all three or in none. Changes nothing.
    pub async fn check_scope_rollups(&self) -> Result<RollupCheck> {
        let mut check = RollupCheck {
            rows: 0,
            differences: Vec::new(),
        };
        for rollup in ROLLUPS {
            let (table, columns, afresh) = (rollup.table, rollup.columns, rollup.summed_afresh());
            // Built from the rollups' constants only: no value from outside is in the text.
            let sql = format!(
                "SELECT '{table}' AS rollup, d.jurisdiction_code AS jurisdiction, d.year, \
                 EXISTS (SELECT 1 FROM rollup_changes c WHERE c.jurisdiction_code = '*' \
                 OR (c.jurisdiction_code = d.jurisdiction_code AND c.year IN (0, d.year))) \
                 AS pending \
                 FROM (SELECT jurisdiction_code, year FROM \
                 (SELECT {columns} FROM {table} EXCEPT SELECT * FROM ({afresh}) AS f) AS kept \
                 UNION \
                 SELECT jurisdiction_code, year FROM \
                 (SELECT * FROM ({afresh}) AS f EXCEPT SELECT {columns} FROM {table}) AS summed) \
                 AS d ORDER BY 2, 3"
            );
            let found: Vec<RollupDifference> = on_pool!(&self.pool, |pool| {
                sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .fetch_all(pool)
                    .await?
            });
            check.differences.extend(found);
            let rows: i64 = on_pool!(&self.pool, |pool| {
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                    .fetch_one(pool)
                    .await?
            });
            check.rows += rows;
        }
        Ok(check)
    }
}
