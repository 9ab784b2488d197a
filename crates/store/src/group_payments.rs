//! The set-based path of group commit for plain payments (from available money, the common
//! case): a group's request ids and allotments are read with one query each, the core ledger
//! arithmetic runs in memory in arrival order, and payments, ledger entries, receipts and audit
//! records are written with multi-row statements. Same rules and same rows as one-by-one.

use crate::allotments::{Allotment, SELECT_ALLOTMENT};
use crate::audit::append_many;
use crate::treasury::{Outcome, Receipt, check_request, today};
use crate::tx::Tx;
use crate::{Error, Result};
use jixiao_core::audit::AuditEntry;
use jixiao_core::ledger::{Balances, Movement};
use jixiao_core::treasury::TreasuryRequest;
use jixiao_core::{Actor, time};
use serde_json::json;
use sqlx::QueryBuilder;
use std::collections::HashMap;

/// Where one request's answer comes from.
enum Slot {
    /// Answered already.
    Done(Result<Outcome>),
    /// A repeat of the planned payment with this position, sent earlier in the same group.
    RepeatOf(usize),
    /// The planned payment with this position.
    Planned(usize),
}

/// A payment ready to write.
struct Planned {
    allotment_id: i64,
    request_id: String,
    digest: String,
    amount: i64,
    payee: String,
    purpose: String,
    paid_on: String,
    after: Balances,
}

/// Whether a request can take the set-based path.
pub(crate) fn is_plain_payment(request: &TreasuryRequest) -> bool {
    matches!(
        request,
        TreasuryRequest::Payment {
            reservation_request_id: None,
            ..
        }
    )
}

/// Applies plain payments of one jurisdiction in order inside `tx`; one result per request.
pub(crate) async fn apply_payments(
    tx: &mut Tx,
    actor: &Actor,
    jurisdiction: &str,
    requests: &[&TreasuryRequest],
) -> Result<Vec<Result<Outcome>>> {
    let mut slots: Vec<Slot> = Vec::with_capacity(requests.len());
    let digests: Vec<String> = requests.iter().map(|r| r.digest()).collect();

    // The allotments named, locked in id order (PostgreSQL) so writers never deadlock.
    let mut project_ids = Vec::new();
    let mut codes = Vec::new();
    for request in requests {
        if let TreasuryRequest::Payment { target, .. } = request {
            match (&target.project_id, &target.code) {
                (Some(id), _) => project_ids.push(*id),
                (None, Some(code)) => codes.push(code.clone()),
                (None, None) => {}
            }
        }
    }
    let lock = if tx.is_postgres() {
        " ORDER BY id FOR UPDATE"
    } else {
        " ORDER BY id"
    };
    // One indexed read per way of naming an allotment (an OR across them would scan).
    let mut allotments: Vec<Allotment> = Vec::new();
    if !project_ids.is_empty() {
        let found: Vec<Allotment> = if let Tx::Postgres(t) = tx {
            // One text whatever the count (an IN list would be a statement per size).
            let conn: &mut sqlx::PgConnection = &mut *t;
            // Constants only: the select list and the lock clause.
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{SELECT_ALLOTMENT} WHERE jurisdiction_code = $1 AND project_id = ANY($2){lock}"
            )))
            .bind(jurisdiction)
            .bind(&project_ids)
            .fetch_all(&mut *conn)
            .await?
        } else {
            on_tx!(tx, |conn| {
                let mut query =
                    QueryBuilder::new(format!("{SELECT_ALLOTMENT} WHERE jurisdiction_code = "));
                query
                    .push_bind(jurisdiction.to_owned())
                    .push(" AND project_id IN (");
                let mut list = query.separated(", ");
                for id in &project_ids {
                    list.push_bind(*id);
                }
                query.push(")").push(lock);
                query.build_query_as().fetch_all(&mut *conn).await?
            })
        };
        allotments.extend(found);
    }
    if !codes.is_empty() {
        let found: Vec<Allotment> = on_tx!(tx, |conn| {
            let mut query = QueryBuilder::new(format!(
                "{SELECT_ALLOTMENT} WHERE id IN (SELECT id FROM allotments WHERE jurisdiction_code = "
            ));
            query
                .push_bind(jurisdiction.to_owned())
                .push(" AND code IN (");
            let mut list = query.separated(", ");
            for code in &codes {
                list.push_bind(code.clone());
            }
            query.push(") UNION SELECT a.id FROM projects p JOIN allotments a ON a.project_id = p.id WHERE p.jurisdiction_code = ");
            query
                .push_bind(jurisdiction.to_owned())
                .push(" AND p.code IN (");
            let mut list = query.separated(", ");
            for code in &codes {
                list.push_bind(code.clone());
            }
            query.push("))").push(lock);
            query.build_query_as().fetch_all(&mut *conn).await?
        });
        for allotment in found {
            if !allotments.iter().any(|a| a.id == allotment.id) {
                allotments.push(allotment);
            }
        }
    }
    // Requests seen before, read once the allotments are locked: a writer that waited for
    // another's commit then sees the request ids that commit stored.
    let ids: Vec<String> = requests.iter().map(|r| r.request_id().to_owned()).collect();
    let seen: Vec<(String, String, String)> = if let Tx::Postgres(t) = tx {
        let conn: &mut sqlx::PgConnection = &mut *t;
        // One key lookup per id: with `request_id = ANY($2)` a plan made while the table was
        // small read the jurisdiction's every request and filtered (8–11 ms at 8,000 rows).
        sqlx::query_as(
            "SELECT t.request_id, t.digest, t.response FROM unnest($2::TEXT[]) AS r (id) \
             CROSS JOIN LATERAL (SELECT request_id, digest, response FROM treasury_requests \
             WHERE jurisdiction_code = $1 AND request_id = r.id LIMIT 1) AS t",
        )
        .bind(jurisdiction)
        .bind(&ids)
        .fetch_all(&mut *conn)
        .await?
    } else {
        on_tx!(tx, |conn| {
            let mut query = QueryBuilder::new(
                "SELECT request_id, digest, response FROM treasury_requests WHERE jurisdiction_code = ",
            );
            query
                .push_bind(jurisdiction.to_owned())
                .push(" AND request_id IN (");
            let mut list = query.separated(", ");
            for id in &ids {
                list.push_bind(id.clone());
            }
            query.push(")");
            query.build_query_as().fetch_all(&mut *conn).await?
        })
    };
    let seen: HashMap<String, (String, String)> =
        seen.into_iter().map(|(id, d, r)| (id, (d, r))).collect();

    let project_codes: HashMap<i64, String> = if codes.is_empty() {
        HashMap::new()
    } else {
        let rows: Vec<(i64, String)> = on_tx!(tx, |conn| {
            let mut query = QueryBuilder::new("SELECT id, code FROM projects WHERE id IN (");
            let mut list = query.separated(", ");
            list.push_bind(-1_i64);
            for a in &allotments {
                list.push_bind(a.project_id);
            }
            query.push(")");
            query.build_query_as().fetch_all(&mut *conn).await?
        });
        rows.into_iter().collect()
    };
    let mut balances: HashMap<i64, (Allotment, Balances)> = allotments
        .into_iter()
        .map(|a| (a.id, (a.clone(), a.balances())))
        .collect();

    // In arrival order, in memory.
    let mut planned: Vec<Planned> = Vec::new();
    let mut new_in_group: HashMap<String, usize> = HashMap::new();
    for (index, request) in requests.iter().enumerate() {
        let TreasuryRequest::Payment {
            request_id,
            target,
            amount_fen,
            payee,
            purpose,
            paid_on,
            ..
        } = request
        else {
            slots.push(Slot::Done(Err(Error::Internal("不是支付请求".to_owned()))));
            continue;
        };
        if let Err(e) = check_request(request) {
            slots.push(Slot::Done(Err(e)));
            continue;
        }
        if let Some((digest, response)) = seen.get(request_id) {
            slots.push(Slot::Done(if *digest == digests[index] {
                serde_json::from_str::<Receipt>(response)
                    .map(|receipt| Outcome {
                        receipt,
                        replayed: true,
                    })
                    .map_err(|e| Error::Internal(e.to_string()))
            } else {
                Err(Error::RequestConflict)
            }));
            continue;
        }
        if let Some(&first) = new_in_group.get(request_id) {
            slots.push(if planned[first].digest == digests[index] {
                Slot::RepeatOf(first)
            } else {
                Slot::Done(Err(Error::RequestConflict))
            });
            continue;
        }
        let found = balances
            .values_mut()
            .find(|(a, _)| match (&target.project_id, &target.code) {
                (Some(id), _) => a.project_id == *id,
                (None, Some(code)) => {
                    &a.code == code || project_codes.get(&a.project_id) == Some(code)
                }
                (None, None) => false,
            });
        let Some((allotment, current)) = found else {
            slots.push(Slot::Done(Err(crate::treasury_lookup::no_allotment(
                target,
            ))));
            continue;
        };
        if allotment.suspended {
            slots.push(Slot::Done(Err(Error::AllotmentSuspended(
                allotment.suspension_reason.clone(),
            ))));
            continue;
        }
        match current.apply(Movement::Pay(*amount_fen)) {
            Err(e) => slots.push(Slot::Done(Err(crate::allotments::ledger_error(e, None)))),
            Ok(after) => {
                *current = after;
                new_in_group.insert(request_id.clone(), planned.len());
                slots.push(Slot::Planned(planned.len()));
                planned.push(Planned {
                    allotment_id: allotment.id,
                    request_id: request_id.clone(),
                    digest: digests[index].clone(),
                    amount: *amount_fen,
                    payee: payee.trim().to_owned(),
                    purpose: purpose.trim().to_owned(),
                    paid_on: paid_on.clone().unwrap_or_else(today),
                    after,
                });
            }
        }
    }

    if !planned.is_empty() {
        let now = time::now();
        // Payments, with their ids.
        let ids: Vec<(i64, String)> = if let Tx::Postgres(t) = tx {
            insert_payments_pg(&mut *t, &planned, now).await?
        } else {
            on_tx!(tx, |conn| {
                let mut query = QueryBuilder::new(
                    "INSERT INTO payments (allotment_id, request_id, kind, amount_fen, payee, purpose, \
                 paid_on, created_at) ",
                );
                query.push_values(&planned, |mut row, p| {
                    row.push_bind(p.allotment_id)
                        .push_bind(p.request_id.clone())
                        .push_bind("payment")
                        .push_bind(p.amount)
                        .push_bind(p.payee.clone())
                        .push_bind(p.purpose.clone())
                        .push_bind(p.paid_on.clone())
                        .push_bind(now);
                });
                query.push(" RETURNING id, request_id");
                query.build_query_as().fetch_all(&mut *conn).await?
            })
        };
        let payment_ids: HashMap<String, i64> = ids.into_iter().map(|(id, r)| (r, id)).collect();
        let mut receipts = Vec::with_capacity(planned.len());
        for p in &planned {
            let (allotment, _) = &balances[&p.allotment_id];
            receipts.push(Receipt {
                id: payment_ids.get(&p.request_id).copied().unwrap_or_default(),
                request_id: p.request_id.clone(),
                status: "paid".to_owned(),
                project_id: allotment.project_id,
                allotment_code: allotment.code.clone(),
                amount_fen: p.amount,
                payee: p.payee.clone(),
                purpose: p.purpose.clone(),
                paid_on: p.paid_on.clone(),
                limit_fen: p.after.limit,
                frozen_fen: p.after.frozen,
                used_fen: p.after.used,
                available_fen: p.after.available(),
            });
        }
        let responses: Vec<String> = receipts
            .iter()
            .map(|r| serde_json::to_string(r).unwrap_or_default())
            .collect();
        let touched: Vec<(i64, Balances)> = balances
            .iter()
            .filter(|(_, (a, b))| a.balances() != *b)
            .map(|(id, (_, b))| (*id, *b))
            .collect();
        if let Tx::Postgres(t) = tx {
            let rows = Written {
                planned: &planned,
                responses: &responses,
                payment_ids: &payment_ids,
                touched: &touched,
            };
            write_rest_pg(&mut *t, actor, jurisdiction, &rows, now).await?;
        } else {
            on_tx!(tx, |conn| {
                let mut query = QueryBuilder::new(
                    "INSERT INTO ledger_entries (allotment_id, kind, amount_fen, limit_after, \
                 frozen_after, used_after, reference, reason, actor, at) ",
                );
                query.push_values(&planned, |mut row, p| {
                    row.push_bind(p.allotment_id)
                        .push_bind("payment")
                        .push_bind(p.amount)
                        .push_bind(p.after.limit)
                        .push_bind(p.after.frozen)
                        .push_bind(p.after.used)
                        .push_bind(p.request_id.clone())
                        .push_bind(p.purpose.clone())
                        .push_bind(actor.name.clone())
                        .push_bind(now);
                });
                query.build().execute(&mut *conn).await?;
                let mut query = QueryBuilder::new(
                    "INSERT INTO treasury_requests (jurisdiction_code, request_id, kind, digest, \
                 response, created_at, payment_id) ",
                );
                query.push_values(planned.iter().zip(&responses), |mut row, (p, response)| {
                    row.push_bind(jurisdiction.to_owned())
                        .push_bind(p.request_id.clone())
                        .push_bind("payment")
                        .push_bind(p.digest.clone())
                        .push_bind(response.clone())
                        .push_bind(now)
                        .push_bind(payment_ids.get(&p.request_id).copied());
                });
                query.build().execute(&mut *conn).await?;
                // New balances for every allotment touched, in one statement.
                let mut query = QueryBuilder::new("UPDATE allotments SET updated_at = ");
                query.push_bind(now).push(", used_fen = CASE id");
                for (id, b) in &touched {
                    query
                        .push(" WHEN ")
                        .push_bind(*id)
                        .push(" THEN ")
                        .push_bind(b.used);
                }
                query.push(" ELSE used_fen END WHERE id IN (");
                let mut list = query.separated(", ");
                for (id, _) in &touched {
                    list.push_bind(*id);
                }
                query.push(")");
                query.build().execute(&mut *conn).await?;
            });
        }
        let entries: Vec<AuditEntry> = receipts
            .iter()
            .map(|r| {
                AuditEntry::new(
                    &actor.name,
                    "treasury.payment",
                    "allotment",
                    &r.allotment_code,
                )
                .in_jurisdiction(Some(jurisdiction))
                .with_details(json!({"request_id": r.request_id, "amount_fen": r.amount_fen}))
            })
            .collect();
        append_many(tx, entries).await?;
        return Ok(finish(slots, &receipts));
    }
    Ok(finish(slots, &[]))
}

/// Inserts the payments on PostgreSQL as arrays, in order: one statement text whatever the
/// group's size, so it is parsed and planned once per connection.
async fn insert_payments_pg(
    conn: &mut sqlx::PgConnection,
    planned: &[Planned],
    now: i64,
) -> Result<Vec<(i64, String)>> {
    let text = |f: fn(&Planned) -> String| planned.iter().map(f).collect::<Vec<_>>();
    Ok(sqlx::query_as(
        "INSERT INTO payments (allotment_id, request_id, kind, amount_fen, payee, purpose, \
         paid_on, created_at) \
         SELECT u.allotment_id, u.request_id, 'payment', u.amount_fen, u.payee, u.purpose, \
         u.paid_on, $7 \
         FROM unnest($1::BIGINT[], $2::TEXT[], $3::BIGINT[], $4::TEXT[], $5::TEXT[], \
         $6::TEXT[]) WITH ORDINALITY \
         AS u (allotment_id, request_id, amount_fen, payee, purpose, paid_on, n) \
         ORDER BY u.n RETURNING id, request_id",
    )
    .bind(planned.iter().map(|p| p.allotment_id).collect::<Vec<_>>())
    .bind(text(|p| p.request_id.clone()))
    .bind(planned.iter().map(|p| p.amount).collect::<Vec<_>>())
    .bind(text(|p| p.payee.clone()))
    .bind(text(|p| p.purpose.clone()))
    .bind(text(|p| p.paid_on.clone()))
    .bind(now)
    .fetch_all(&mut *conn)
    .await?)
}

/// What follows the payments of a group: their ledger entries, stored answers and the
/// allotments' new balances.
struct Written<'a> {
    planned: &'a [Planned],
    responses: &'a [String],
    payment_ids: &'a HashMap<String, i64>,
    touched: &'a [(i64, Balances)],
}

/// Writes the ledger entries, the stored answers and the new balances on PostgreSQL in one
/// statement of arrays (one round trip, one plan whatever the group's size).
async fn write_rest_pg(
    conn: &mut sqlx::PgConnection,
    actor: &Actor,
    jurisdiction: &str,
    rows: &Written<'_>,
    now: i64,
) -> Result<()> {
    let planned = rows.planned;
    let text = |f: fn(&Planned) -> String| planned.iter().map(f).collect::<Vec<_>>();
    let number = |f: fn(&Planned) -> i64| planned.iter().map(f).collect::<Vec<_>>();
    sqlx::query(
        "WITH ledger AS (INSERT INTO ledger_entries (allotment_id, kind, amount_fen, \
         limit_after, frozen_after, used_after, reference, reason, actor, at) \
         SELECT u.allotment_id, 'payment', u.amount_fen, u.limit_after, u.frozen_after, \
         u.used_after, u.reference, u.reason, $12, $13 \
         FROM unnest($1::BIGINT[], $2::BIGINT[], $3::BIGINT[], $4::BIGINT[], $5::BIGINT[], \
         $6::TEXT[], $7::TEXT[]) WITH ORDINALITY \
         AS u (allotment_id, amount_fen, limit_after, frozen_after, used_after, reference, \
         reason, n) ORDER BY u.n), \
         answers AS (INSERT INTO treasury_requests (jurisdiction_code, request_id, kind, digest, \
         response, created_at, payment_id) \
         SELECT $14, r.request_id, 'payment', r.digest, r.response, $13, r.payment_id \
         FROM unnest($6::TEXT[], $8::TEXT[], $9::TEXT[], $10::BIGINT[]) \
         AS r (request_id, digest, response, payment_id)) \
         UPDATE allotments a SET used_fen = b.used_fen, updated_at = $13 \
         FROM unnest($11::BIGINT[], $15::BIGINT[]) AS b (id, used_fen) WHERE a.id = b.id",
    )
    .bind(number(|p| p.allotment_id))
    .bind(number(|p| p.amount))
    .bind(number(|p| p.after.limit))
    .bind(number(|p| p.after.frozen))
    .bind(number(|p| p.after.used))
    .bind(text(|p| p.request_id.clone()))
    .bind(text(|p| p.purpose.clone()))
    .bind(text(|p| p.digest.clone()))
    .bind(rows.responses.to_vec())
    .bind(
        planned
            .iter()
            .map(|p| rows.payment_ids.get(&p.request_id).copied())
            .collect::<Vec<_>>(),
    )
    .bind(rows.touched.iter().map(|(id, _)| *id).collect::<Vec<_>>())
    .bind(&actor.name)
    .bind(now)
    .bind(jurisdiction)
    .bind(rows.touched.iter().map(|(_, b)| b.used).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Turns the slots into answers, in request order.
fn finish(slots: Vec<Slot>, receipts: &[Receipt]) -> Vec<Result<Outcome>> {
    slots
        .into_iter()
        .map(|slot| match slot {
            Slot::Done(result) => result,
            Slot::Planned(k) | Slot::RepeatOf(k) => match receipts.get(k) {
                Some(receipt) => Ok(Outcome {
                    receipt: receipt.clone(),
                    replayed: matches!(slot, Slot::RepeatOf(_)),
                }),
                None => Err(Error::Internal("支付未写入".to_owned())),
            },
        })
        .collect()
}
