//! Requests from the treasury payment system (国库集中支付): payments, refunds, reservations and
//! their release. Each request carries a `request_id` chosen by the sender and counts exactly
//! once: a replay with the same content returns the original receipt and writes nothing; the same
//! id with different content is refused. Each accepted request moves the allotment's balances,
//! appends to the ledger, records the receipt and audits — in one transaction.

use crate::allotments::{Allotment, ledger_error, lock_allotment, record_entry, write_balances};
use crate::audit::append;
use crate::treasury_lookup::{find_reservation, target_allotment};
use crate::tx::Tx;
use crate::{Error, Result};
use jixiao_core::audit::AuditEntry;
use jixiao_core::ledger::Movement;
use jixiao_core::{Actor, Role, time};
use serde::{Deserialize, Serialize};

pub use jixiao_core::treasury::{Target, TreasuryRequest};
use serde_json::json;

/// What an accepted request did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// Id of the payment, refund or reservation.
    pub id: i64,
    /// The sender's request id.
    pub request_id: String,
    /// `paid`, `refunded`, `reserved` or `released`.
    pub status: String,
    /// The project.
    pub project_id: i64,
    /// The allotment code.
    pub allotment_code: String,
    /// Amount moved, fen.
    pub amount_fen: i64,
    /// Payee.
    pub payee: String,
    /// Purpose.
    pub purpose: String,
    /// Date (YYYY-MM-DD).
    pub paid_on: String,
    /// Limit after.
    pub limit_fen: i64,
    /// Frozen after.
    pub frozen_fen: i64,
    /// Used after.
    pub used_fen: i64,
    /// Available after.
    pub available_fen: i64,
}

/// A receipt, and whether it is the original one returned again for a replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The receipt.
    pub receipt: Receipt,
    /// True when the request had been accepted before and nothing was written now.
    pub replayed: bool,
}

pub(crate) fn today() -> String {
    time::display(time::now()).chars().take(10).collect()
}

fn valid_date(text: &str) -> bool {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
}

pub(crate) fn check_request(request: &TreasuryRequest) -> Result<()> {
    // No control character reaches the database (PostgreSQL refuses NUL, which would fail the
    // whole group commit); the web edge refuses them first, this is the last defence.
    if let Ok(value) = serde_json::to_value(request) {
        jixiao_core::text::check_json(&value).map_err(|fault| fault.into_errors())?;
    }
    let mut errors = jixiao_core::ValidationErrors::default();
    let id = request.request_id();
    if id.trim().is_empty() || id.chars().count() > 64 {
        errors.add("request_id", "invalid", "请求编号应为1至64个字符");
    }
    let (amount, date) = match request {
        TreasuryRequest::Payment {
            amount_fen,
            paid_on,
            payee,
            purpose,
            ..
        } => {
            errors.optional_text("payee", "收款人", payee, 200);
            errors.optional_text("purpose", "用途", purpose, 500);
            (Some(*amount_fen), paid_on.as_deref())
        }
        TreasuryRequest::Refund {
            amount_fen,
            paid_on,
            purpose,
            ..
        } => {
            errors.optional_text("purpose", "退款原因", purpose, 500);
            (Some(*amount_fen), paid_on.as_deref())
        }
        TreasuryRequest::Reservation {
            amount_fen,
            purpose,
            ..
        } => {
            errors.optional_text("purpose", "用途", purpose, 500);
            (Some(*amount_fen), None)
        }
        TreasuryRequest::Release { .. } => (None, None),
    };
    if let Some(amount) = amount
        && (amount <= 0 || amount > jixiao_core::money::MAX_FEN)
    {
        errors.add("amount_fen", "invalid_amount", "金额应大于零（单位：分）");
    }
    if let Some(date) = date
        && !valid_date(date)
    {
        errors.add(
            "paid_on",
            "invalid_date",
            format!("日期“{date}”无效，应为 YYYY-MM-DD"),
        );
    }
    errors.into_result()?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn receipt(
    id: i64,
    request_id: &str,
    status: &str,
    allotment: &Allotment,
    after: jixiao_core::ledger::Balances,
    amount: i64,
    payee: &str,
    purpose: &str,
    paid_on: &str,
) -> Receipt {
    Receipt {
        id,
        request_id: request_id.to_owned(),
        status: status.to_owned(),
        project_id: allotment.project_id,
        allotment_code: allotment.code.clone(),
        amount_fen: amount,
        payee: payee.to_owned(),
        purpose: purpose.to_owned(),
        paid_on: paid_on.to_owned(),
        limit_fen: after.limit,
        frozen_fen: after.frozen,
        used_fen: after.used,
        available_fen: after.available(),
    }
}

/// The stored receipt of an earlier request with this id, when its content matches.
async fn replay(
    tx: &mut Tx,
    jurisdiction: &str,
    request: &TreasuryRequest,
    digest: &str,
) -> Result<Option<Receipt>> {
    let stored: Option<(String, String)> = on_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT digest, response FROM treasury_requests \
             WHERE jurisdiction_code = $1 AND request_id = $2",
        )
        .bind(jurisdiction)
        .bind(request.request_id())
        .fetch_optional(&mut *conn)
        .await?
    });
    match stored {
        None => Ok(None),
        Some((stored_digest, _)) if stored_digest != digest => Err(Error::RequestConflict),
        Some((_, response)) => serde_json::from_str(&response)
            .map(Some)
            .map_err(|e| Error::Internal(e.to_string())),
    }
}

/// The replay check again once the allotment is locked. On PostgreSQL a duplicate sent to
/// another server at the same moment holds the same allotment's lock until it commits; what was
/// read before the lock (the first check, a reservation, a payment) may be stale by then, so the
/// request is answered from what that commit stored, and everything else is read after this.
async fn replay_after_lock(
    tx: &mut Tx,
    jurisdiction: &str,
    request: &TreasuryRequest,
    digest: &str,
) -> Result<Option<Outcome>> {
    Ok(replay(tx, jurisdiction, request, digest)
        .await?
        .map(|receipt| Outcome {
            receipt,
            replayed: true,
        }))
}

/// Applies one request inside `tx` (the caller commits). Returns the receipt and whether it
/// was a replay.
pub(crate) async fn apply_in(
    tx: &mut Tx,
    actor: &Actor,
    jurisdiction: &str,
    request: &TreasuryRequest,
) -> Result<Outcome> {
    check_request(request)?;
    let digest = request.digest();
    if let Some(receipt) = replay(tx, jurisdiction, request, &digest).await? {
        return Ok(Outcome {
            receipt,
            replayed: true,
        });
    }
    let now = time::now();
    let receipt = match request {
        TreasuryRequest::Payment {
            request_id,
            target,
            amount_fen,
            payee,
            purpose,
            paid_on,
            reservation_request_id,
        } => {
            let allotment = target_allotment(tx, jurisdiction, target).await?;
            if let Some(outcome) = replay_after_lock(tx, jurisdiction, request, &digest).await? {
                return Ok(outcome);
            }
            if allotment.suspended {
                return Err(Error::AllotmentSuspended(allotment.suspension_reason));
            }
            let reservation = match reservation_request_id {
                None => None,
                Some(reserved) => {
                    Some(find_reservation(tx, jurisdiction, reserved, allotment.id).await?)
                }
            };
            let movement = if let Some((_, remaining)) = reservation {
                if *amount_fen > remaining {
                    return Err(Error::invalid(
                        "amount_fen",
                        "exceeds_reservation",
                        format!("超出用款计划尚未支付的金额（{remaining}分）"),
                    ));
                }
                Movement::PayReserved(*amount_fen)
            } else {
                Movement::Pay(*amount_fen)
            };
            let after = allotment
                .balances()
                .apply(movement)
                .map_err(|e| ledger_error(e, None))?;
            write_balances(tx, allotment.id, after).await?;
            let paid_on = paid_on.clone().unwrap_or_else(today);
            let id: i64 = on_tx!(tx, |conn| {
                if let Some((reservation_id, _)) = reservation {
                    sqlx::query("UPDATE reservations SET paid_fen = paid_fen + $1 WHERE id = $2")
                        .bind(amount_fen)
                        .bind(reservation_id)
                        .execute(&mut *conn)
                        .await?;
                }
                sqlx::query_scalar(
                    "INSERT INTO payments (allotment_id, request_id, kind, amount_fen, \
                     reservation_id, payee, purpose, paid_on, created_at) \
                     VALUES ($1, $2, 'payment', $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(allotment.id)
                .bind(request_id)
                .bind(amount_fen)
                .bind(reservation.map(|r| r.0))
                .bind(payee.trim())
                .bind(purpose.trim())
                .bind(&paid_on)
                .bind(now)
                .fetch_one(&mut *conn)
                .await?
            });
            record_entry(
                tx,
                allotment.id,
                "payment",
                *amount_fen,
                after,
                request_id,
                purpose.trim(),
                &actor.name,
            )
            .await?;
            receipt(
                id,
                request_id,
                "paid",
                &allotment,
                after,
                *amount_fen,
                payee.trim(),
                purpose.trim(),
                &paid_on,
            )
        }
        TreasuryRequest::Refund {
            request_id,
            payment_request_id,
            target,
            amount_fen,
            purpose,
            paid_on,
        } => {
            // The allotment the money returns to, locked before the payment refunded is read.
            let allotment = match payment_request_id {
                Some(payment_request_id) => {
                    let allotment_id: Option<i64> = on_tx!(tx, |conn| {
                        sqlx::query_scalar(
                            "SELECT p.allotment_id FROM treasury_requests t \
                             JOIN payments p ON p.id = t.payment_id \
                             WHERE t.jurisdiction_code = $1 AND t.request_id = $2",
                        )
                        .bind(jurisdiction)
                        .bind(payment_request_id)
                        .fetch_optional(&mut *conn)
                        .await?
                    });
                    let allotment_id = allotment_id.ok_or_else(|| {
                        Error::NotFound(format!("原支付请求“{payment_request_id}”不存在"))
                    })?;
                    lock_allotment(tx, allotment_id).await?
                }
                None => target_allotment(tx, jurisdiction, target).await?,
            };
            if let Some(outcome) = replay_after_lock(tx, jurisdiction, request, &digest).await? {
                return Ok(outcome);
            }
            // The payment refunded (id, payee), when named.
            let original = match payment_request_id {
                Some(payment_request_id) => {
                    let found: Option<(i64, i64, i64, i64, String)> = on_tx!(tx, |conn| {
                        sqlx::query_as(
                            "SELECT p.id, p.allotment_id, p.amount_fen, p.refunded_fen, p.payee \
                             FROM treasury_requests t JOIN payments p ON p.id = t.payment_id \
                             WHERE t.jurisdiction_code = $1 AND t.request_id = $2 \
                             AND p.kind = 'payment'",
                        )
                        .bind(jurisdiction)
                        .bind(payment_request_id)
                        .fetch_optional(&mut *conn)
                        .await?
                    });
                    let (payment_id, allotment_id, paid, refunded, payee) =
                        found.ok_or_else(|| {
                            Error::NotFound(format!("原支付请求“{payment_request_id}”不存在"))
                        })?;
                    if *amount_fen > paid - refunded {
                        return Err(Error::invalid(
                            "amount_fen",
                            "exceeds_payment",
                            format!("退款超出原支付尚未退回的金额（{}分）", paid - refunded),
                        ));
                    }
                    if allotment_id != allotment.id {
                        return Err(Error::Internal("原支付的预算指标不符".to_owned()));
                    }
                    Some((payment_id, payee))
                }
                None => None,
            };
            let after = allotment
                .balances()
                .apply(Movement::Refund(*amount_fen))
                .map_err(|e| ledger_error(e, None))?;
            write_balances(tx, allotment.id, after).await?;
            let paid_on = paid_on.clone().unwrap_or_else(today);
            let payee = original.as_ref().map(|o| o.1.clone()).unwrap_or_default();
            let id: i64 = on_tx!(tx, |conn| {
                if let Some((payment_id, _)) = &original {
                    sqlx::query(
                        "UPDATE payments SET refunded_fen = refunded_fen + $1 WHERE id = $2",
                    )
                    .bind(amount_fen)
                    .bind(payment_id)
                    .execute(&mut *conn)
                    .await?;
                }
                sqlx::query_scalar(
                    "INSERT INTO payments (allotment_id, request_id, kind, amount_fen, refund_of, \
                     payee, purpose, paid_on, created_at) \
                     VALUES ($1, $2, 'refund', $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(allotment.id)
                .bind(request_id)
                .bind(amount_fen)
                .bind(original.as_ref().map(|o| o.0))
                .bind(&payee)
                .bind(purpose.trim())
                .bind(&paid_on)
                .bind(now)
                .fetch_one(&mut *conn)
                .await?
            });
            record_entry(
                tx,
                allotment.id,
                "refund",
                *amount_fen,
                after,
                request_id,
                purpose.trim(),
                &actor.name,
            )
            .await?;
            receipt(
                id,
                request_id,
                "refunded",
                &allotment,
                after,
                *amount_fen,
                &payee,
                purpose.trim(),
                &paid_on,
            )
        }
        TreasuryRequest::Reservation {
            request_id,
            target,
            amount_fen,
            purpose,
        } => {
            let allotment = target_allotment(tx, jurisdiction, target).await?;
            if let Some(outcome) = replay_after_lock(tx, jurisdiction, request, &digest).await? {
                return Ok(outcome);
            }
            if allotment.suspended {
                return Err(Error::AllotmentSuspended(allotment.suspension_reason));
            }
            let after = allotment
                .balances()
                .apply(Movement::Reserve(*amount_fen))
                .map_err(|e| ledger_error(e, None))?;
            write_balances(tx, allotment.id, after).await?;
            let id: i64 = on_tx!(tx, |conn| {
                sqlx::query_scalar(
                    "INSERT INTO reservations (allotment_id, request_id, amount_fen, purpose, \
                     created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(allotment.id)
                .bind(request_id)
                .bind(amount_fen)
                .bind(purpose.trim())
                .bind(now)
                .fetch_one(&mut *conn)
                .await?
            });
            record_entry(
                tx,
                allotment.id,
                "reserve",
                *amount_fen,
                after,
                request_id,
                purpose.trim(),
                &actor.name,
            )
            .await?;
            receipt(
                id,
                request_id,
                "reserved",
                &allotment,
                after,
                *amount_fen,
                "",
                purpose.trim(),
                &today(),
            )
        }
        TreasuryRequest::Release {
            request_id,
            reservation_request_id,
        } => {
            let allotment_id: Option<i64> = on_tx!(tx, |conn| {
                sqlx::query_scalar(
                    "SELECT r.allotment_id FROM reservations r JOIN allotments a ON a.id = r.allotment_id \
                     WHERE a.jurisdiction_code = $1 AND r.request_id = $2",
                )
                .bind(jurisdiction)
                .bind(reservation_request_id)
                .fetch_optional(&mut *conn)
                .await?
            });
            let allotment_id = allotment_id.ok_or_else(|| {
                Error::NotFound(format!("用款计划“{reservation_request_id}”不存在"))
            })?;
            let allotment = lock_allotment(tx, allotment_id).await?;
            if let Some(outcome) = replay_after_lock(tx, jurisdiction, request, &digest).await? {
                return Ok(outcome);
            }
            let (reservation_id, remaining) =
                find_reservation(tx, jurisdiction, reservation_request_id, allotment_id).await?;
            if remaining == 0 {
                return Err(Error::conflict(
                    crate::ConflictCode::AlreadySettled,
                    "该用款计划已全部支付或解冻".to_owned(),
                ));
            }
            let after = allotment
                .balances()
                .apply(Movement::Release(remaining))
                .map_err(|e| ledger_error(e, None))?;
            write_balances(tx, allotment.id, after).await?;
            on_tx!(tx, |conn| {
                sqlx::query(
                    "UPDATE reservations SET released_fen = released_fen + $1 WHERE id = $2",
                )
                .bind(remaining)
                .bind(reservation_id)
                .execute(&mut *conn)
                .await?;
            });
            record_entry(
                tx,
                allotment.id,
                "release",
                remaining,
                after,
                request_id,
                "",
                &actor.name,
            )
            .await?;
            receipt(
                reservation_id,
                request_id,
                "released",
                &allotment,
                after,
                remaining,
                "",
                "",
                &today(),
            )
        }
    };
    let response = serde_json::to_string(&receipt).map_err(|e| Error::Internal(e.to_string()))?;
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO treasury_requests (jurisdiction_code, request_id, kind, digest, response, \
             created_at, payment_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(jurisdiction)
        .bind(request.request_id())
        .bind(request.kind())
        .bind(&digest)
        .bind(&response)
        .bind(now)
        // A refund finds the payment it returns through this record.
        .bind((request.kind() == "payment").then_some(receipt.id))
        .execute(&mut *conn)
        .await?;
    });
    let action = match request {
        TreasuryRequest::Payment { .. } => "treasury.payment",
        TreasuryRequest::Refund { .. } => "treasury.refund",
        TreasuryRequest::Reservation { .. } => "treasury.reservation",
        TreasuryRequest::Release { .. } => "treasury.release",
    };
    append(
        tx,
        AuditEntry::new(&actor.name, action, "allotment", &receipt.allotment_code)
            .in_jurisdiction(Some(jurisdiction))
            .with_details(
                json!({"request_id": receipt.request_id, "amount_fen": receipt.amount_fen}),
            ),
    )
    .await?;
    Ok(Outcome {
        receipt,
        replayed: false,
    })
}

/// The jurisdiction whose treasury the actor acts for (finance users only).
pub(crate) fn treasury_jurisdiction(actor: &Actor) -> Result<String> {
    match (&actor.role, &actor.jurisdiction) {
        (Role::Finance, Some(code)) => Ok(code.clone()),
        _ => Err(Error::Forbidden),
    }
}
