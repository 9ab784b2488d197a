//! The treasury interconnection (数据贯通) over the API: allotments with their ledgers, payments,
//! refunds, reservations and releases — single or in batches of up to 10,000 — exactly once per
//! `request_id`; plus movements, suspension and execution for finance.

use super::ApiJson;
use super::openapi::ErrorBody;
pub use super::treasury_types::*;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, Error};
use crate::read_database::{ReadAnswer, read_answer};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use jixiao_core::ValidationErrors;
use jixiao_store::{AdjustmentKind, LedgerEntry, Outcome, PaymentFilter, Target, TreasuryRequest};

/// The most items one batch may carry.
pub const MAX_BATCH: usize = 10_000;

/// A project's allotment.
#[utoipa::path(get, path = "/api/v1/projects/{id}/allotment", tag = "treasury", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = AllotmentView), (status = 404, body = ErrorBody)))]
pub async fn allotment(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<AllotmentView>, ApiError> {
    let allotment = state.store.project_allotment(&session.actor(), id).await?;
    Ok(Json(AllotmentView::from(&allotment)))
}

/// A project's allotment ledger, oldest first.
#[utoipa::path(get, path = "/api/v1/projects/{id}/ledger", tag = "treasury", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = Vec<Object>), (status = 404, body = ErrorBody)))]
pub async fn ledger(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<LedgerEntry>>, ApiError> {
    Ok(Json(
        state.store.allotment_ledger(&session.actor(), id).await?,
    ))
}

async fn single(
    state: &AppState,
    session: &jixiao_store::SessionUser,
    request: TreasuryRequest,
) -> Result<(StatusCode, Json<ReceiptView>), ApiError> {
    let outcome = state.treasury.submit(&session.actor(), request).await?;
    let status = if outcome.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(ReceiptView::from(outcome.receipt))))
}

/// Pay against a project's allotment: 201 when paid, 200 with the same body for a replay.
#[utoipa::path(post, path = "/api/v1/payments", tag = "treasury", security(("bearer" = [])),
    request_body = PaymentRequest,
    responses((status = 201, body = ReceiptView), (status = 200, description = "Replay: the original receipt", body = ReceiptView),
        (status = 409, description = "`insufficient_funds` (details: available_fen), `allotment_suspended` (details: reason) or `request_id_conflict`", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn pay(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(request): ApiJson<PaymentRequest>,
) -> Result<(StatusCode, Json<ReceiptView>), ApiError> {
    single(&state, &session, request.into()).await
}

/// Refund (part of) an earlier payment.
#[utoipa::path(post, path = "/api/v1/refunds", tag = "treasury", security(("bearer" = [])),
    request_body = RefundRequest, responses((status = 201, body = ReceiptView), (status = 200, body = ReceiptView), (status = 409, body = ErrorBody)))]
pub async fn refund(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(r): ApiJson<RefundRequest>,
) -> Result<(StatusCode, Json<ReceiptView>), ApiError> {
    let request = TreasuryRequest::Refund {
        request_id: r.request_id,
        payment_request_id: r.payment_request_id,
        target: Target {
            project_id: r.project_id,
            code: r.code,
        },
        amount_fen: r.amount_fen,
        purpose: r.purpose,
        paid_on: r.paid_on,
    };
    single(&state, &session, request).await
}

/// Freeze money for a spending plan.
#[utoipa::path(post, path = "/api/v1/reservations", tag = "treasury", security(("bearer" = [])),
    request_body = ReservationRequest, responses((status = 201, body = ReceiptView), (status = 200, body = ReceiptView), (status = 409, body = ErrorBody)))]
pub async fn reserve(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(r): ApiJson<ReservationRequest>,
) -> Result<(StatusCode, Json<ReceiptView>), ApiError> {
    let request = TreasuryRequest::Reservation {
        request_id: r.request_id,
        target: Target {
            project_id: r.project_id,
            code: r.code,
        },
        amount_fen: r.amount_fen,
        purpose: r.purpose,
    };
    single(&state, &session, request).await
}

/// Release what a reservation has not paid.
#[utoipa::path(post, path = "/api/v1/reservations/release", tag = "treasury", security(("bearer" = [])),
    request_body = ReleaseRequest, responses((status = 201, body = ReceiptView), (status = 200, body = ReceiptView), (status = 409, body = ErrorBody)))]
pub async fn release(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(r): ApiJson<ReleaseRequest>,
) -> Result<(StatusCode, Json<ReceiptView>), ApiError> {
    let request = TreasuryRequest::Release {
        request_id: r.request_id,
        reservation_request_id: r.reservation_request_id,
    };
    single(&state, &session, request).await
}

fn item_results(outcomes: Vec<Result<Outcome, Error>>) -> BatchResult {
    let mut result = BatchResult {
        accepted: 0,
        replayed: 0,
        refused: 0,
        results: Vec::with_capacity(outcomes.len()),
    };
    for (index, outcome) in outcomes.into_iter().enumerate() {
        match outcome {
            Ok(outcome) => {
                if outcome.replayed {
                    result.replayed += 1
                } else {
                    result.accepted += 1
                }
                result.results.push(ItemResult {
                    index,
                    status: if outcome.replayed { 200 } else { 201 },
                    receipt: Some(ReceiptView::from(outcome.receipt)),
                    error: None,
                });
            }
            Err(error) => {
                result.refused += 1;
                let error = error;
                result.results.push(ItemResult {
                    index,
                    status: error.status(),
                    receipt: None,
                    error: Some(crate::error::body(&error)["error"].clone()),
                });
            }
        }
    }
    result
}

async fn batch(
    state: &AppState,
    session: &jixiao_store::SessionUser,
    requests: Vec<TreasuryRequest>,
) -> Result<Json<BatchResult>, ApiError> {
    if requests.is_empty() || requests.len() > MAX_BATCH {
        let mut errors = ValidationErrors::default();
        errors.add("items", "batch_size", format!("每批1至{MAX_BATCH}笔"));
        return Err(ApiError(Error::Invalid(errors)));
    }
    let outcomes = state
        .store
        .treasury_batch(&session.actor(), &requests)
        .await?;
    Ok(Json(item_results(outcomes)))
}

/// Many payments in order; each item gets its own result and one bad item fails no other.
#[utoipa::path(post, path = "/api/v1/payments/batch", tag = "treasury", security(("bearer" = [])),
    request_body = PaymentBatch, responses((status = 200, body = BatchResult), (status = 422, body = ErrorBody)))]
pub async fn pay_batch(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(body): ApiJson<PaymentBatch>,
) -> Result<Json<BatchResult>, ApiError> {
    batch(
        &state,
        &session,
        body.items.into_iter().map(TreasuryRequest::from).collect(),
    )
    .await
}

/// Many treasury requests of any kind, in order.
#[utoipa::path(post, path = "/api/v1/treasury/batch", tag = "treasury", security(("bearer" = [])),
    request_body = TreasuryBatch, responses((status = 200, body = BatchResult), (status = 422, body = ErrorBody)))]
pub async fn treasury_batch(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(body): ApiJson<TreasuryBatch>,
) -> Result<Json<BatchResult>, ApiError> {
    batch(&state, &session, body.items).await
}

/// Payments and refunds the caller may see.
#[utoipa::path(get, path = "/api/v1/payments", tag = "treasury", security(("bearer" = [])),
    params(PaymentQuery), responses((status = 200, body = PaymentListView)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(q): Query<PaymentQuery>,
) -> Result<ReadAnswer<PaymentListView>, ApiError> {
    let filter = PaymentFilter {
        year: q.year,
        agency_code: q.agency.filter(|a| !a.is_empty()),
        project_id: q.project_id,
        kind: q.kind.filter(|k| !k.is_empty()),
        from: q.from.filter(|f| !f.is_empty()),
        to: q.to.filter(|t| !t.is_empty()),
    };
    let page = state
        .reads
        .payments(&session.actor(), &filter, q.page.unwrap_or(1), 100)
        .await?;
    Ok(read_answer(PaymentListView {
        total: page.total,
        net_fen: page.net_fen,
        page: page.page,
        pages: page.pages(),
        payments: page.rows,
    }))
}

/// Record 追加, 调减, 收回 or 调剂 on a project's allotment (finance).
#[utoipa::path(post, path = "/api/v1/projects/{id}/allotment/adjust", tag = "treasury", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = AdjustRequest,
    responses((status = 200, body = AllotmentView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn adjust(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<AdjustRequest>,
) -> Result<Json<AllotmentView>, ApiError> {
    let actor = session.actor();
    let kind = match r.kind.as_str() {
        "increase" => AdjustmentKind::Increase,
        "decrease" => AdjustmentKind::Decrease,
        "recovery" => AdjustmentKind::Recovery,
        "transfer" => {
            let to = r.to_project_id.ok_or_else(|| {
                let mut errors = ValidationErrors::default();
                errors.add("to_project_id", "required", "调剂须指定调入项目");
                ApiError(Error::Invalid(errors))
            })?;
            AdjustmentKind::Transfer {
                to: state.store.project_allotment(&actor, to).await?.id,
            }
        }
        other => {
            let mut errors = ValidationErrors::default();
            errors.add(
                "kind",
                "unknown_kind",
                format!("未知的调整类型“{other}”，应为 increase、decrease、recovery 或 transfer"),
            );
            return Err(ApiError(Error::Invalid(errors)));
        }
    };
    let allotment = state
        .store
        .adjust_allotment(&actor, id, kind, r.amount_fen, &r.reason)
        .await?;
    Ok(Json(AllotmentView::from(&allotment)))
}

/// Suspend payments against a project's allotment, or lift the suspension (finance).
#[utoipa::path(post, path = "/api/v1/projects/{id}/allotment/suspension", tag = "treasury", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = SuspendRequest,
    responses((status = 200, body = AllotmentView), (status = 403, body = ErrorBody)))]
pub async fn suspension(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<SuspendRequest>,
) -> Result<Json<AllotmentView>, ApiError> {
    let allotment = state
        .store
        .set_allotment_suspension(&session.actor(), id, r.suspended, &r.reason)
        .await?;
    Ok(Json(AllotmentView::from(&allotment)))
}

/// The year's budget execution by department, with the total first.
#[utoipa::path(get, path = "/api/v1/stats/execution", tag = "treasury", security(("bearer" = [])),
    params(super::projects::YearQuery), responses((status = 200, body = Vec<ExecutionView>)))]
pub async fn execution(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(q): Query<super::projects::YearQuery>,
) -> Result<Json<Vec<ExecutionView>>, ApiError> {
    let (rows, total) = state
        .store
        .execution_by_department(&session.actor(), q.year)
        .await?;
    let mut out = vec![ExecutionView::from(&total)];
    out.extend(rows.iter().map(ExecutionView::from));
    Ok(Json(out))
}
