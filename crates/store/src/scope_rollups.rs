//! Rollups for the dashboards of cities and the province (decision 0049, migration 0038):
//! figures by year, jurisdiction and agency, rebuilt as a whole in one transaction from the
//! projects, allotments, payment months, alerts, self-evaluations, rectifications and cuts, and
//! read instead of those rows when a dashboard spans the counties below a city or the province.
//! Readers see the previous rebuild until the next one commits; the time of the last rebuild
//! is shown with the figures.

use crate::{Result, Store};
use jixiao_core::time;
use std::time::Instant;

/// The rollups' name in `rollup_refreshes`.
const NAME: &str = "scope";

/// When the rollups were last rebuilt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct RollupRefresh {
    /// Microseconds since the epoch (UTC).
    pub refreshed_at: i64,
    /// How long the rebuild took.
    pub took_ms: i64,
}

/// Every rollup, rebuilt from the rows it sums (same SQL on both backends).
const REBUILD: &[&str] = &[
    "DELETE FROM rollup_projects",
    "INSERT INTO rollup_projects (year, jurisdiction_code, agency_id, state, projects, \
     requested_fen, approved_fen) \
     SELECT year, jurisdiction_code, agency_id, state, COUNT(*), \
     CAST(COALESCE(SUM(requested_fen), 0) AS BIGINT), \
     CAST(COALESCE(SUM(approved_fen), 0) AS BIGINT) \
     FROM projects GROUP BY year, jurisdiction_code, agency_id, state",
    "DELETE FROM rollup_allotments",
    "INSERT INTO rollup_allotments (year, jurisdiction_code, agency_id, limit_fen, used_fen) \
     SELECT year, jurisdiction_code, agency_id, CAST(SUM(limit_fen) AS BIGINT), \
     CAST(SUM(used_fen) AS BIGINT) \
     FROM allotments GROUP BY year, jurisdiction_code, agency_id",
    "DELETE FROM rollup_payment_months",
    "INSERT INTO rollup_payment_months (year, jurisdiction_code, agency_id, month, paid_fen) \
     SELECT l.year, l.jurisdiction_code, l.agency_id, substr(m.month, 6, 2), \
     CAST(SUM(m.paid_fen) AS BIGINT) \
     FROM payment_months m JOIN allotments l ON l.id = m.allotment_id \
     WHERE substr(m.month, 1, 4) = CAST(l.year AS TEXT) \
     GROUP BY l.year, l.jurisdiction_code, l.agency_id, substr(m.month, 6, 2)",
    "DELETE FROM rollup_counts",
    "INSERT INTO rollup_counts (year, jurisdiction_code, agency_id, kind, item, entries, \
     amount_fen) \
     SELECT p.year, p.jurisdiction_code, p.agency_id, 'alert', a.level || ':' || a.status, \
     COUNT(*), 0 FROM alerts a JOIN projects p ON p.id = a.project_id \
     GROUP BY p.year, p.jurisdiction_code, p.agency_id, a.level, a.status",
    "INSERT INTO rollup_counts (year, jurisdiction_code, agency_id, kind, item, entries, \
     amount_fen) \
     SELECT p.year, p.jurisdiction_code, p.agency_id, 'grade', \
     s.state || ':' || COALESCE(s.grade, ''), COUNT(*), 0 \
     FROM self_evaluations s JOIN projects p ON p.id = s.project_id \
     WHERE s.state IN ('submitted', 'approved') \
     GROUP BY p.year, p.jurisdiction_code, p.agency_id, s.state, COALESCE(s.grade, '')",
    "INSERT INTO rollup_counts (year, jurisdiction_code, agency_id, kind, item, entries, \
     amount_fen) \
     SELECT r.year, p.jurisdiction_code, p.agency_id, 'rectification', r.state, COUNT(*), 0 \
     FROM rectifications r JOIN projects p ON p.id = r.project_id \
     GROUP BY r.year, p.jurisdiction_code, p.agency_id, r.state",
    "INSERT INTO rollup_counts (year, jurisdiction_code, agency_id, kind, item, entries, \
     amount_fen) \
     SELECT x.year, p.jurisdiction_code, p.agency_id, 'cut', '', COUNT(*), \
     CAST(SUM(x.cut_fen) AS BIGINT) \
     FROM adjustments x JOIN projects p ON p.id = x.evaluated_project_id \
     WHERE x.status IN ('accepted', 'changed') AND x.cut_fen > 0 \
     GROUP BY x.year, p.jurisdiction_code, p.agency_id",
];

impl Store {
    /// Rebuilds the rollups in one transaction (readers keep the previous ones until it
    /// commits) and records when. Background work: the server runs it every minute, one
    /// server at a time; loaders run it after a bulk load.
    pub async fn refresh_scope_rollups(&self) -> Result<RollupRefresh> {
        let started = Instant::now();
        let mut tx = self.begin().await?;
        for statement in REBUILD {
            on_tx!(&mut tx, |conn| {
                sqlx::query(*statement).execute(&mut *conn).await?;
            });
        }
        let refresh = RollupRefresh {
            refreshed_at: time::now(),
            took_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
        };
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "INSERT INTO rollup_refreshes (name, refreshed_at, took_ms) VALUES ($1, $2, $3) \
                 ON CONFLICT (name) DO UPDATE SET refreshed_at = excluded.refreshed_at, \
                 took_ms = excluded.took_ms",
            )
            .bind(NAME)
            .bind(refresh.refreshed_at)
            .bind(refresh.took_ms)
            .execute(&mut *conn)
            .await?;
        });
        tx.commit().await?;
        Ok(refresh)
    }

    /// When the rollups were last rebuilt; `None` before the first time (then the dashboards
    /// read the rows themselves).
    pub async fn scope_rollups_refreshed(&self) -> Result<Option<RollupRefresh>> {
        Ok(on_pool!(&self.pool, |pool| {
            sqlx::query_as("SELECT refreshed_at, took_ms FROM rollup_refreshes WHERE name = $1")
                .bind(NAME)
                .fetch_optional(pool)
                .await?
        }))
    }
}
