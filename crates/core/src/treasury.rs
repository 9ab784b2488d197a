//! Requests from the treasury payment system (国库集中支付): payments, refunds, reservations and
//! releases, each with the sender's `request_id`. Their content digest tells a replay (same id,
//! same content) from a conflict (same id, other content).

use crate::token;
use serde::{Deserialize, Serialize};

/// Which allotment a request is for: a project id, or an allotment or project code.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Target {
    /// The project's id.
    pub project_id: Option<i64>,
    /// The allotment code (`ZB-…`) or the project code.
    pub code: Option<String>,
}

/// One request from the treasury system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TreasuryRequest {
    /// Pay from available money, or from a reservation.
    Payment {
        /// The sender's id for this request.
        request_id: String,
        /// Which allotment.
        #[serde(flatten)]
        target: Target,
        /// Amount in fen.
        amount_fen: i64,
        /// Payee (收款人).
        #[serde(default)]
        payee: String,
        /// Purpose (用途).
        #[serde(default)]
        purpose: String,
        /// Date paid (YYYY-MM-DD); today when absent.
        #[serde(default)]
        paid_on: Option<String>,
        /// Pay against this earlier reservation request.
        #[serde(default)]
        reservation_request_id: Option<String>,
    },
    /// Give back (part of) an earlier payment, or money paid from an allotment.
    Refund {
        /// The sender's id for this request.
        request_id: String,
        /// The request id of the payment refunded, when known…
        #[serde(default)]
        payment_request_id: Option<String>,
        /// …else the allotment it goes back to.
        #[serde(flatten)]
        target: Target,
        /// Amount in fen.
        amount_fen: i64,
        /// Why.
        #[serde(default)]
        purpose: String,
        /// Date (YYYY-MM-DD); today when absent.
        #[serde(default)]
        paid_on: Option<String>,
    },
    /// Freeze money (用款计划).
    Reservation {
        /// The sender's id for this request.
        request_id: String,
        /// Which allotment.
        #[serde(flatten)]
        target: Target,
        /// Amount in fen.
        amount_fen: i64,
        /// Purpose.
        #[serde(default)]
        purpose: String,
    },
    /// Release what a reservation has not paid.
    Release {
        /// The sender's id for this request.
        request_id: String,
        /// The reservation's request id.
        reservation_request_id: String,
    },
}

impl TreasuryRequest {
    /// The sender's request id.
    pub fn request_id(&self) -> &str {
        match self {
            TreasuryRequest::Payment { request_id, .. }
            | TreasuryRequest::Refund { request_id, .. }
            | TreasuryRequest::Reservation { request_id, .. }
            | TreasuryRequest::Release { request_id, .. } => request_id,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            TreasuryRequest::Payment { .. } => "payment",
            TreasuryRequest::Refund { .. } => "refund",
            TreasuryRequest::Reservation { .. } => "reservation",
            TreasuryRequest::Release { .. } => "release",
        }
    }

    /// What identifies the content: the same request sent again has the same digest.
    pub fn digest(&self) -> String {
        token::digest(&serde_json::to_string(self).unwrap_or_default())
    }
}
