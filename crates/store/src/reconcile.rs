//! Reconciliation: the balances kept on each allotment must equal what its ledger, payments and
//! reservations say. Run after a crash, by `jixiao ledger verify`, and at the end of benchmarks.

use crate::{Result, Store};
use serde::Serialize;

/// An allotment whose balances disagree with its records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Discrepancy {
    /// Allotment code.
    pub code: String,
    /// Limit kept.
    pub limit_fen: i64,
    /// Frozen kept.
    pub frozen_fen: i64,
    /// Used kept.
    pub used_fen: i64,
    /// Limit after the last ledger entry.
    pub ledger_limit: i64,
    /// Frozen after the last ledger entry.
    pub ledger_frozen: i64,
    /// Used after the last ledger entry.
    pub ledger_used: i64,
    /// Payments minus refunds.
    pub paid_net: i64,
    /// Reservations not yet paid or released.
    pub reserved_open: i64,
}

/// The result of a reconciliation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reconciliation {
    /// Allotments checked.
    pub allotments: i64,
    /// Those that disagree.
    pub discrepancies: Vec<Discrepancy>,
}

impl Store {
    /// Checks every allotment: balances = last ledger entry = payments − refunds and open
    /// reservations.
    pub async fn reconcile(&self) -> Result<Reconciliation> {
        let (allotments, discrepancies) = on_pool!(&self.pool, |pool| {
            let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM allotments")
                .fetch_one(pool)
                .await?;
            let rows: Vec<Discrepancy> = sqlx::query_as(
                "SELECT * FROM (SELECT a.code, a.limit_fen, a.frozen_fen, a.used_fen, \
                 COALESCE(e.limit_after, -1) AS ledger_limit, \
                 COALESCE(e.frozen_after, -1) AS ledger_frozen, \
                 COALESCE(e.used_after, -1) AS ledger_used, \
                 CAST(COALESCE((SELECT SUM(CASE WHEN m.kind = 'refund' THEN -m.amount_fen \
                   ELSE m.amount_fen END) FROM payments m WHERE m.allotment_id = a.id), 0) AS BIGINT) \
                   AS paid_net, \
                 CAST(COALESCE((SELECT SUM(r.amount_fen - r.paid_fen - r.released_fen) \
                   FROM reservations r WHERE r.allotment_id = a.id), 0) AS BIGINT) AS reserved_open \
                 FROM allotments a LEFT JOIN ledger_entries e ON e.id = \
                   (SELECT MAX(x.id) FROM ledger_entries x WHERE x.allotment_id = a.id)) t \
                 WHERE limit_fen <> ledger_limit OR frozen_fen <> ledger_frozen \
                 OR used_fen <> ledger_used OR used_fen <> paid_net OR frozen_fen <> reserved_open",
            )
            .fetch_all(pool)
            .await?;
            (count, rows)
        });
        Ok(Reconciliation {
            allotments,
            discrepancies,
        })
    }
}
