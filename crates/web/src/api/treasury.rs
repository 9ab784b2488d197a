//! The treasury interconnection (数据贯通) over the API: allotments with their ledgers, payments,
//! refunds, reservations and releases — single or in batches of up to 10,000 — exactly once per
//! `request_id`; plus movements, suspension and execution for finance.

use super::ApiJson;
use super::openapi::ErrorBody;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use jixiao_core::ValidationErrors;
use jixiao_core::ledger::{execution_rate_bp, format_rate};
use jixiao_store::{
    AdjustmentKind, Allotment, ExecutionRow, LedgerEntry, Outcome, PaymentFilter, PaymentRow,
    Receipt, StoreError, Target, TreasuryRequest,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The most items one batch may carry.
pub const MAX_BATCH: usize = 10_000;

/// An allotment's balances.
#[derive(Serialize, ToSchema)]
pub struct AllotmentView {
    /// Allotment code.
    pub code: String,
    /// 指标文号.
    pub document_number: String,
    /// Year.
    pub year: i32,
    /// Limit, fen.
    pub limit_fen: i64,
    /// Frozen, fen.
    pub frozen_fen: i64,
    /// Used, fen.
    pub used_fen: i64,
    /// Available, fen.
    pub available_fen: i64,
    /// Execution rate, e.g. `90.00%`.
    pub execution_rate: String,
    /// Payments refused while true.
    pub suspended: bool,
    /// Why.
    pub suspension_reason: String,
}

impl From<&Allotment> for AllotmentView {
    fn from(a: &Allotment) -> Self {
        AllotmentView {
            code: a.code.clone(),
            document_number: a.document_number.clone(),
            year: a.year,
            limit_fen: a.limit_fen,
            frozen_fen: a.frozen_fen,
            used_fen: a.used_fen,
            available_fen: a.balances().available(),
            execution_rate: format_rate(execution_rate_bp(a.used_fen, a.limit_fen)),
            suspended: a.suspended,
            suspension_reason: a.suspension_reason.clone(),
        }
    }
}

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

/// A payment request from the treasury system.
#[derive(Deserialize, ToSchema, Clone)]
pub struct PaymentRequest {
    /// The sender's unique id for this request (1–64 characters).
    pub request_id: String,
    /// The project paid for…
    pub project_id: Option<i64>,
    /// …or its allotment or project code.
    pub code: Option<String>,
    /// Amount in fen.
    pub amount_fen: i64,
    /// Payee.
    #[serde(default)]
    pub payee: String,
    /// Purpose.
    #[serde(default)]
    pub purpose: String,
    /// Date paid (YYYY-MM-DD), today by default.
    pub paid_on: Option<String>,
    /// Pay against this earlier reservation.
    pub reservation_request_id: Option<String>,
}

impl From<PaymentRequest> for TreasuryRequest {
    fn from(r: PaymentRequest) -> Self {
        TreasuryRequest::Payment {
            request_id: r.request_id,
            target: Target {
                project_id: r.project_id,
                code: r.code,
            },
            amount_fen: r.amount_fen,
            payee: r.payee,
            purpose: r.purpose,
            paid_on: r.paid_on,
            reservation_request_id: r.reservation_request_id,
        }
    }
}

/// A refund of (part of) an earlier payment, or to an allotment.
#[derive(Deserialize, ToSchema)]
pub struct RefundRequest {
    /// The sender's unique id for this request.
    pub request_id: String,
    /// The request id of the payment refunded, when known…
    pub payment_request_id: Option<String>,
    /// …else the project…
    pub project_id: Option<i64>,
    /// …or allotment or project code the money returns to.
    pub code: Option<String>,
    /// Amount in fen.
    pub amount_fen: i64,
    /// Why.
    #[serde(default)]
    pub purpose: String,
    /// Date (YYYY-MM-DD).
    pub paid_on: Option<String>,
}

/// A reservation (用款计划) freezing money.
#[derive(Deserialize, ToSchema)]
pub struct ReservationRequest {
    /// The sender's unique id for this request.
    pub request_id: String,
    /// The project…
    pub project_id: Option<i64>,
    /// …or its allotment or project code.
    pub code: Option<String>,
    /// Amount in fen.
    pub amount_fen: i64,
    /// Purpose.
    #[serde(default)]
    pub purpose: String,
}

/// The release of a reservation's unpaid rest.
#[derive(Deserialize, ToSchema)]
pub struct ReleaseRequest {
    /// The sender's unique id for this request.
    pub request_id: String,
    /// The reservation's request id.
    pub reservation_request_id: String,
}

/// What an accepted request did (also returned again, unchanged, for a replay).
#[derive(Serialize, ToSchema)]
pub struct ReceiptView {
    /// Payment, refund or reservation id.
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
    /// Date.
    pub paid_on: String,
    /// Limit after, fen.
    pub limit_fen: i64,
    /// Frozen after, fen.
    pub frozen_fen: i64,
    /// Used after, fen.
    pub used_fen: i64,
    /// Available after, fen.
    pub available_fen: i64,
}

impl From<Receipt> for ReceiptView {
    fn from(r: Receipt) -> Self {
        ReceiptView {
            id: r.id,
            request_id: r.request_id,
            status: r.status,
            project_id: r.project_id,
            allotment_code: r.allotment_code,
            amount_fen: r.amount_fen,
            payee: r.payee,
            purpose: r.purpose,
            paid_on: r.paid_on,
            limit_fen: r.limit_fen,
            frozen_fen: r.frozen_fen,
            used_fen: r.used_fen,
            available_fen: r.available_fen,
        }
    }
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

/// Up to 10,000 payments.
#[derive(Deserialize, ToSchema)]
pub struct PaymentBatch {
    /// The payments, processed in order.
    pub items: Vec<PaymentRequest>,
}

/// Up to 10,000 treasury requests of any kind.
#[derive(Deserialize, ToSchema)]
pub struct TreasuryBatch {
    /// Each with `"type"`: `payment`, `refund`, `reservation` or `release`, and that request's fields.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<TreasuryRequest>,
}

/// One item's result.
#[derive(Serialize, ToSchema)]
pub struct ItemResult {
    /// Position in the batch, from 0.
    pub index: usize,
    /// The status the item would have had alone (201, 200 for a replay, 409, 404, 422 …).
    pub status: u16,
    /// The receipt, when accepted.
    pub receipt: Option<ReceiptView>,
    /// The error, when refused.
    #[schema(value_type = Option<Object>)]
    pub error: Option<serde_json::Value>,
}

/// Per-item results.
#[derive(Serialize, ToSchema)]
pub struct BatchResult {
    /// Accepted now.
    pub accepted: usize,
    /// Replays of earlier requests.
    pub replayed: usize,
    /// Refused.
    pub refused: usize,
    /// One result per item, in order.
    pub results: Vec<ItemResult>,
}

fn item_results(outcomes: Vec<Result<Outcome, StoreError>>) -> BatchResult {
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
                let error = AppError::from(error);
                result.results.push(ItemResult {
                    index,
                    status: error.status().as_u16(),
                    receipt: None,
                    error: Some(error.body()["error"].clone()),
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
        return Err(ApiError(AppError::Invalid(errors)));
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

/// Payment list filters.
#[derive(Deserialize, IntoParams)]
pub struct PaymentQuery {
    /// Allotment year.
    pub year: Option<i32>,
    /// Agency code.
    pub agency: Option<String>,
    /// Project id.
    pub project_id: Option<i64>,
    /// `payment` or `refund`.
    pub kind: Option<String>,
    /// From date (YYYY-MM-DD).
    pub from: Option<String>,
    /// To date (YYYY-MM-DD).
    pub to: Option<String>,
    /// Page from 1.
    pub page: Option<i64>,
}

/// A page of payments.
#[derive(Serialize, ToSchema)]
pub struct PaymentListView {
    /// Matching rows.
    pub total: i64,
    /// Paid minus refunded over them, fen.
    pub net_fen: i64,
    /// This page.
    pub page: i64,
    /// Pages.
    pub pages: i64,
    /// Rows.
    #[schema(value_type = Vec<Object>)]
    pub payments: Vec<PaymentRow>,
}

/// Payments and refunds the caller may see.
#[utoipa::path(get, path = "/api/v1/payments", tag = "treasury", security(("bearer" = [])),
    params(PaymentQuery), responses((status = 200, body = PaymentListView)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(q): Query<PaymentQuery>,
) -> Result<Json<PaymentListView>, ApiError> {
    let filter = PaymentFilter {
        year: q.year,
        agency_code: q.agency.filter(|a| !a.is_empty()),
        project_id: q.project_id,
        kind: q.kind.filter(|k| !k.is_empty()),
        from: q.from.filter(|f| !f.is_empty()),
        to: q.to.filter(|t| !t.is_empty()),
    };
    let page = state
        .store
        .payments(&session.actor(), &filter, q.page.unwrap_or(1), 100)
        .await?;
    Ok(Json(PaymentListView {
        total: page.total,
        net_fen: page.net_fen,
        page: page.page,
        pages: page.pages(),
        payments: page.rows,
    }))
}

/// A movement on an allotment.
#[derive(Deserialize, ToSchema)]
pub struct AdjustRequest {
    /// `increase` (追加), `decrease` (调减), `recovery` (收回) or `transfer` (调剂).
    pub kind: String,
    /// Amount in fen.
    pub amount_fen: i64,
    /// Why (required).
    pub reason: String,
    /// For a transfer: the receiving project.
    pub to_project_id: Option<i64>,
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
                ApiError(AppError::Invalid(errors))
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
            return Err(ApiError(AppError::Invalid(errors)));
        }
    };
    let allotment = state
        .store
        .adjust_allotment(&actor, id, kind, r.amount_fen, &r.reason)
        .await?;
    Ok(Json(AllotmentView::from(&allotment)))
}

/// A suspension.
#[derive(Deserialize, ToSchema)]
pub struct SuspendRequest {
    /// `true` to suspend, `false` to lift.
    pub suspended: bool,
    /// Why.
    #[serde(default)]
    pub reason: String,
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

/// Execution of one department or the total.
#[derive(Serialize, ToSchema)]
pub struct ExecutionView {
    /// Department code (empty for the total).
    pub agency: String,
    /// Name.
    pub name: String,
    /// Limit, fen.
    pub limit_fen: i64,
    /// Used, fen.
    pub used_fen: i64,
    /// Rate, e.g. `87.52%`.
    pub execution_rate: String,
}

impl From<&ExecutionRow> for ExecutionView {
    fn from(r: &ExecutionRow) -> Self {
        ExecutionView {
            agency: r.key.clone(),
            name: r.label.clone(),
            limit_fen: r.limit_fen,
            used_fen: r.used_fen,
            execution_rate: format_rate(r.rate_bp()),
        }
    }
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
