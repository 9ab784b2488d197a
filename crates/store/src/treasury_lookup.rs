//! Finding what a treasury request names: the allotment (by project id, allotment code or project
//! code, one indexed read each) and an earlier reservation with what remains of it.

use crate::allotments::{Allotment, lock_allotment};
use crate::tx::Tx;
use crate::{Error, Result};
use jixiao_core::treasury::Target;

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
