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
    /// A mark there waits for the next refresh, which rebuilds this (jurisdiction, year) and so
    /// mends it (the figures are only stale); otherwise a change was lost to the rollup.
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

    /// How many (jurisdiction, year) wait for the next refresh, whichever rollups differ there.
    pub fn pending(&self) -> usize {
        self.differences
            .iter()
            .filter(|d| d.pending)
            .map(|d| (&d.jurisdiction, d.year))
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    }
}

impl Store {
    /// Compares each rollup with sums made afresh from the rows it replaces, and tells each
    /// difference apart: marked for the next refresh, or lost. Each rollup is compared in one
    /// statement, which reads the stored figures, the rows and the marks as of one moment, so a
    /// payment committed meanwhile is either in all three or in none; the fresh sums are made
    /// once (a common table expression read twice). Changes nothing; the count of rows checked
    /// is read apart, for the report only.
    pub async fn check_scope_rollups(&self) -> Result<RollupCheck> {
        let mut check = RollupCheck {
            rows: 0,
            differences: Vec::new(),
        };
        for rollup in ROLLUPS {
            let (table, columns, afresh) = (rollup.table, rollup.columns, rollup.summed_afresh());
            // Built from the rollups' constants only: no value from outside is in the text.
            let sql = format!(
                "WITH stored AS (SELECT {columns} FROM {table}), afresh AS ({afresh}) \
                 SELECT '{table}' AS rollup, d.jurisdiction_code AS jurisdiction, d.year, \
                 EXISTS (SELECT 1 FROM rollup_changes c WHERE c.jurisdiction_code = '*' \
                 OR (c.jurisdiction_code = d.jurisdiction_code AND c.year IN (0, d.year))) \
                 AS pending \
                 FROM (SELECT jurisdiction_code, year FROM \
                 (SELECT * FROM stored EXCEPT SELECT * FROM afresh) AS kept \
                 UNION \
                 SELECT jurisdiction_code, year FROM \
                 (SELECT * FROM afresh EXCEPT SELECT * FROM stored) AS summed) \
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
