//! Finding what a treasury request names: the allotment (by project id, allotment code or project
//! code, one indexed read each), an earlier reservation with what remains of it, and every
//! allotment a group of requests names, locked in id order.

use crate::allotments::{Allotment, lock_allotment};
use crate::tx::Tx;
use crate::{Error, Result};
use jixiao_core::treasury::{Target, TreasuryRequest};
use sqlx::QueryBuilder;

/// The allotment a request targets, within the jurisdiction, locked.
pub(crate) async fn target_allotment(
    tx: &mut Tx,
    jurisdiction: &str,
    target: &Target,
) -> Result<Allotment> {
    let code = target.code.clone().unwrap_or_default();
    // One indexed lookup per way of naming it: project id, allotment code, project code.
    let id: Option<i64> =
        on_tx!(tx, |conn| {
            match target.project_id {
                Some(project_id) => sqlx::query_scalar(
                    "SELECT id FROM allotments WHERE project_id = $1 AND jurisdiction_code = $2",
                )
                .bind(project_id)
                .bind(jurisdiction)
                .fetch_optional(&mut *conn)
                .await?,
                None => {
                    let by_code: Option<i64> = sqlx::query_scalar(
                        "SELECT id FROM allotments WHERE jurisdiction_code = $1 AND code = $2",
                    )
                    .bind(jurisdiction)
                    .bind(&code)
                    .fetch_optional(&mut *conn)
                    .await?;
                    match by_code {
                        Some(id) => Some(id),
                        None => sqlx::query_scalar(
                            "SELECT a.id FROM projects p JOIN allotments a ON a.project_id = p.id \
                             WHERE p.jurisdiction_code = $1 AND p.code = $2 \
                             AND a.jurisdiction_code = $1",
                        )
                        .bind(jurisdiction)
                        .bind(&code)
                        .fetch_optional(&mut *conn)
                        .await?,
                    }
                }
            }
        });
    let id = id.ok_or_else(|| no_allotment(target))?;
    lock_allotment(tx, id).await
}

/// The refusal when a request names no allotment of the jurisdiction.
pub(crate) fn no_allotment(target: &Target) -> Error {
    let code = target.code.clone().unwrap_or_default();
    Error::NotFound(match (&target.project_id, code.is_empty()) {
        (Some(project), true) => format!("项目{project}没有预算指标（未批复或不存在）"),
        _ => format!("预算指标或项目“{code}”不存在"),
    })
}

/// A reservation by its request id on `allotment_id`: its id and what remains of it.
pub(crate) async fn find_reservation(
    tx: &mut Tx,
    jurisdiction: &str,
    request_id: &str,
    allotment_id: i64,
) -> Result<(i64, i64)> {
    let found: Option<(i64, i64, i64, i64, i64)> = on_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT r.id, r.allotment_id, r.amount_fen, r.paid_fen, r.released_fen FROM reservations r \
             JOIN allotments a ON a.id = r.allotment_id \
             WHERE a.jurisdiction_code = $1 AND r.request_id = $2",
        )
        .bind(jurisdiction)
        .bind(request_id)
        .fetch_optional(&mut *conn)
        .await?
    });
    match found {
        Some((id, allotment, amount, paid, released)) if allotment == allotment_id => {
            Ok((id, amount - paid - released))
        }
        Some(_) => Err(Error::invalid(
            "reservation_request_id",
            "other_allotment",
            "该用款计划不属于本预算指标",
        )),
        None => Err(Error::NotFound(format!("用款计划“{request_id}”不存在"))),
    }
}

/// Locks every allotment the requests name, in id order, before any of them is applied one by
/// one (PostgreSQL; SQLite holds the write lock already). Each request then only takes locks it
/// holds, and the audit head after them: every treasury transaction locks allotments in id
/// order before the audit head, so two servers' groups wait for each other instead of
/// deadlocking. What names nothing is left to the request's own refusal.
pub(crate) async fn lock_allotments_of(
    tx: &mut Tx,
    jurisdiction: &str,
    requests: &[TreasuryRequest],
) -> Result<()> {
    let Tx::Postgres(conn) = tx else {
        return Ok(());
    };
    let (mut projects, mut codes, mut payments, mut reservations) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for request in requests {
        let target = match request {
            TreasuryRequest::Payment { target, .. }
            | TreasuryRequest::Reservation { target, .. } => Some(target),
            TreasuryRequest::Refund {
                payment_request_id: Some(paid),
                ..
            } => {
                payments.push(paid.clone());
                None
            }
            TreasuryRequest::Refund { target, .. } => Some(target),
            TreasuryRequest::Release {
                reservation_request_id,
                ..
            } => {
                reservations.push(reservation_request_id.clone());
                None
            }
        };
        if let TreasuryRequest::Payment {
            reservation_request_id: Some(reserved),
            ..
        } = request
        {
            reservations.push(reserved.clone());
        }
        match target.map(|t| (t.project_id, t.code.clone())) {
            Some((Some(project), _)) => projects.push(project),
            Some((None, Some(code))) => codes.push(code),
            _ => {}
        }
    }
    // One indexed read per way of naming an allotment, united; the rows locked in id order.
    let mut query = QueryBuilder::<sqlx::Postgres>::new(
        "SELECT id FROM allotments WHERE id IN (SELECT id FROM allotments WHERE jurisdiction_code = ",
    );
    query
        .push_bind(jurisdiction.to_owned())
        .push(" AND project_id = ANY(");
    query
        .push_bind(projects)
        .push(") UNION SELECT id FROM allotments WHERE jurisdiction_code = ");
    query
        .push_bind(jurisdiction.to_owned())
        .push(" AND code = ANY(");
    query.push_bind(codes.clone()).push(
        ") UNION SELECT a.id FROM projects p JOIN allotments a ON a.project_id = p.id \
         WHERE p.jurisdiction_code = ",
    );
    query
        .push_bind(jurisdiction.to_owned())
        .push(" AND p.code = ANY(");
    query.push_bind(codes).push(
        ") UNION SELECT p.allotment_id FROM treasury_requests t JOIN payments p \
         ON p.id = t.payment_id WHERE t.jurisdiction_code = ",
    );
    query
        .push_bind(jurisdiction.to_owned())
        .push(" AND t.request_id = ANY(");
    query.push_bind(payments).push(
        ") UNION SELECT r.allotment_id FROM reservations r JOIN allotments a \
         ON a.id = r.allotment_id WHERE a.jurisdiction_code = ",
    );
    query
        .push_bind(jurisdiction.to_owned())
        .push(" AND r.request_id = ANY(");
    query
        .push_bind(reservations)
        .push(")) ORDER BY id FOR UPDATE");
    let _: Vec<i64> = query.build_query_scalar().fetch_all(&mut **conn).await?;
    Ok(())
}
