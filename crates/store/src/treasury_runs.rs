//! Running treasury requests: one in its own transaction (a concurrent duplicate answered as a
//! replay), many in one transaction as a batch, or as a dry run that keeps nothing.

use crate::allotments::{Allotment, SELECT_ALLOTMENT};
use crate::treasury::{Outcome, apply_in, treasury_jurisdiction};
use crate::tx::Tx;
use crate::{Error, Result, Store};
use jixiao_core::Actor;
use jixiao_core::treasury::TreasuryRequest;

/// Applies requests of one sender in order inside `tx`: plain payments set-based, anything else
/// one by one under savepoints, so a refused item undoes nothing else.
pub(crate) async fn apply_each(
    tx: &mut Tx,
    actor: &Actor,
    jurisdiction: &str,
    requests: &[TreasuryRequest],
) -> Result<Vec<Result<Outcome>>> {
    if requests.iter().all(crate::group_payments::is_plain_payment) {
        let plain: Vec<&TreasuryRequest> = requests.iter().collect();
        // The set-based path under a savepoint: should one of its statements fail (a duplicate
        // request id committed by another writer meanwhile, a deadlock, a value the database
        // refuses), that failure undoes only the attempt, and the requests are applied again one
        // by one below, where a failure is its own request's alone.
        savepoint(tx, "SAVEPOINT treasury_group").await?;
        match crate::group_payments::apply_payments(tx, actor, jurisdiction, &plain).await {
            Ok(results) => {
                savepoint(tx, "RELEASE SAVEPOINT treasury_group").await?;
                return Ok(results);
            }
            Err(error) => {
                tracing::warn!("payment group failed ({error}); applying request by request");
                savepoint(tx, "ROLLBACK TO SAVEPOINT treasury_group").await?;
                savepoint(tx, "RELEASE SAVEPOINT treasury_group").await?;
            }
        }
    }
    crate::treasury_lookup::lock_allotments_of(tx, jurisdiction, requests).await?;
    let mut results = Vec::with_capacity(requests.len());
    for request in requests {
        savepoint(tx, "SAVEPOINT treasury_item").await?;
        let result = apply_in(tx, actor, jurisdiction, request).await;
        let end = if result.is_ok() {
            "RELEASE SAVEPOINT treasury_item"
        } else {
            "ROLLBACK TO SAVEPOINT treasury_item"
        };
        savepoint(tx, end).await?;
        results.push(result);
    }
    Ok(results)
}

impl Store {
    /// Applies one treasury request in its own transaction. A clash with another transaction at
    /// the same moment (the same request id committed by another server, a deadlock, a
    /// serialization failure) is not the request's fault: it is applied again, and then answers
    /// as a replay of what the other stored, or with its own outcome.
    pub async fn treasury(&self, actor: &Actor, request: &TreasuryRequest) -> Result<Outcome> {
        let jurisdiction = treasury_jurisdiction(actor)?;
        let mut attempt = 0;
        loop {
            let result = async {
                let mut tx = self.begin().await?;
                let outcome = apply_in(&mut tx, actor, &jurisdiction, request).await?;
                if outcome.replayed {
                    tx.rollback().await?;
                } else {
                    tx.commit().await?;
                }
                Ok(outcome)
            }
            .await;
            match result {
                Err(error) if is_contention(&error) && attempt < CONTENTION_RETRIES => {
                    attempt += 1;
                    tracing::debug!(%error, attempt, "treasury request clashed; applying it again");
                    tokio::time::sleep(std::time::Duration::from_millis(5 * attempt)).await;
                }
                other => return other,
            }
        }
    }

    /// Applies requests in order in one transaction; one refused item undoes no other; nothing
    /// is acknowledged before the commit is durable. An item that clashed with another
    /// transaction (see [`Store::treasury`]) is applied again on its own after the commit.
    pub async fn treasury_batch(
        &self,
        actor: &Actor,
        requests: &[TreasuryRequest],
    ) -> Result<Vec<Result<Outcome>>> {
        let jurisdiction = treasury_jurisdiction(actor)?;
        let mut tx = self.begin().await?;
        let results = apply_each(&mut tx, actor, &jurisdiction, requests).await?;
        tx.commit().await?;
        let mut answers = Vec::with_capacity(results.len());
        for (request, result) in requests.iter().zip(results) {
            answers.push(match result {
                Err(error) if is_contention(&error) => self.treasury(actor, request).await,
                other => other,
            });
        }
        Ok(answers)
    }

    /// Applies requests in order without keeping any (a dry run): every result is as it would
    /// be, and the transaction is rolled back.
    pub async fn treasury_dry_run(
        &self,
        actor: &Actor,
        requests: &[TreasuryRequest],
    ) -> Result<Vec<Result<Outcome>>> {
        let jurisdiction = treasury_jurisdiction(actor)?;
        let mut tx = self.begin().await?;
        let results = apply_each(&mut tx, actor, &jurisdiction, requests).await?;
        tx.rollback().await?;
        Ok(results)
    }

    /// The allotment by id, unlocked (for pages).
    pub async fn allotment_by_id(&self, id: i64) -> Result<Allotment> {
        let found: Option<Allotment> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{SELECT_ALLOTMENT} WHERE id = $1"
            )))
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        found.ok_or_else(|| Error::NotFound("预算指标不存在".to_owned()))
    }
}

pub(crate) async fn savepoint(tx: &mut Tx, sql: &'static str) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query(sql).execute(&mut *conn).await?;
    });
    Ok(())
}

/// How often [`Store::treasury`] applies a request again after a clash before giving up.
const CONTENTION_RETRIES: u64 = 8;

/// Whether a request failed only because of another transaction at the same moment (the same
/// request id committed elsewhere, a deadlock, a serialization failure), so that applying it
/// again on its own gives its true answer.
pub(crate) fn is_contention(error: &Error) -> bool {
    match error {
        Error::Database(sqlx::Error::Database(db)) => {
            db.is_unique_violation() || matches!(db.code().as_deref(), Some("40P01" | "40001"))
        }
        _ => false,
    }
}
