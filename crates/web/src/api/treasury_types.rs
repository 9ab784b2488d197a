//! The shapes of the treasury interconnection on the API: what is sent and what comes back.

use jixiao_core::ledger::{execution_rate_bp, format_rate};
use jixiao_store::{Allotment, ExecutionRow, PaymentRow, Receipt, Target, TreasuryRequest};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

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

/// Payment list filters.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
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

/// A suspension.
#[derive(Deserialize, ToSchema)]
pub struct SuspendRequest {
    /// `true` to suspend, `false` to lift.
    pub suspended: bool,
    /// Why.
    #[serde(default)]
    pub reason: String,
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
