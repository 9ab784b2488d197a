//! The one error type of the web layer and how it becomes a response: a structured JSON error
//! under `/api/`, a readable Chinese page elsewhere. SQL and internal details never leak; they
//! are logged instead.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jixiao_core::ValidationErrors;
use jixiao_store::StoreError;
use serde_json::json;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No valid session or token.
    #[error("请先登录")]
    Unauthenticated,
    /// Signed in, but the role may not do this.
    #[error("无权访问此功能")]
    Forbidden,
    /// A form arrived without the right CSRF token.
    #[error("表单已失效或来源不明，请返回刷新页面后重试")]
    Csrf,
    /// Nothing here (or not visible to this user).
    #[error("{0}")]
    NotFound(String),
    /// The document changed since the user read it.
    #[error("{0}")]
    StaleVersion(String),
    /// The action does not apply in the document's state.
    #[error("{0}")]
    InvalidTransition(String),
    /// Separation of duties: another person must take this step.
    #[error("{0}")]
    DutySeparation(String),
    /// What the request would create exists already.
    #[error("{0}")]
    Duplicate(String),
    /// Conflicts with stored data.
    #[error("{0}")]
    Conflict(String),
    /// Input with field-level problems.
    #[error("{0}")]
    Invalid(ValidationErrors),
    /// The target sheet has rows that can never be right.
    #[error("绩效目标表有误，未保存")]
    InvalidRows(Vec<jixiao_core::target::RowError>),
    /// The monitoring report has rows that can never be right.
    #[error("监控报告有误，未保存")]
    InvalidReport(Vec<jixiao_core::target::RowError>),
    /// The self-evaluation sheet has rows that cannot be scored.
    #[error("绩效自评表有误，未保存")]
    InvalidEvaluation(Vec<jixiao_core::target::RowError>),
    /// Too few pool members are eligible for a draw.
    #[error("{0}")]
    DrawTooFew(jixiao_core::draw::TooFew),
    /// The gate stays shut.
    #[error("未通过绩效目标审核关口，项目仍为草稿")]
    GateFailed(Vec<jixiao_core::gate::Finding>),
    /// More than is available.
    #[error("可用指标不足，当前可用{}元", jixiao_core::money::format_yuan(*available))]
    InsufficientFunds {
        /// Available, fen.
        available: i64,
    },
    /// Payments suspended.
    #[error("该预算指标已暂停支付：{0}")]
    AllotmentSuspended(String),
    /// Request id reused for other content.
    #[error("请求编号已用于内容不同的另一笔请求")]
    RequestConflict,
    /// A request that cannot be read.
    #[error("{message}")]
    BadRequest {
        /// Machine-readable code.
        code: &'static str,
        /// Chinese message.
        message: String,
    },
    /// Too many attempts: the message says when to retry.
    #[error("{message}")]
    Throttled {
        /// Chinese message.
        message: String,
        /// Seconds until an attempt is allowed again (`Retry-After`).
        retry_after_seconds: i64,
    },
    /// Account disabled.
    #[error("该账号已停用，请联系系统管理员")]
    Disabled,
    /// The user must change their password before anything else.
    #[error("请先修改密码：系统管理员已要求您修改密码，修改前只能修改密码或退出登录")]
    PasswordChangeRequired,
    /// Unknown username or wrong password.
    #[error("用户名或密码错误")]
    BadCredentials,
    /// Too many files are being parsed; try again shortly.
    #[error("系统繁忙，正在处理其他用户上传的文件，请稍后再试")]
    Busy,
    /// Anything else; details go to the log only.
    #[error("系统内部错误，请稍后再试")]
    Internal(String),
}

impl AppError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden
            | AppError::Csrf
            | AppError::Disabled
            | AppError::DutySeparation(_)
            | AppError::PasswordChangeRequired => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_)
            | AppError::Duplicate(_)
            | AppError::StaleVersion(_)
            | AppError::InvalidTransition(_)
            | AppError::InsufficientFunds { .. }
            | AppError::AllotmentSuspended(_)
            | AppError::RequestConflict => StatusCode::CONFLICT,
            AppError::Invalid(_)
            | AppError::InvalidRows(_)
            | AppError::InvalidReport(_)
            | AppError::InvalidEvaluation(_)
            | AppError::DrawTooFew(_)
            | AppError::GateFailed(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable machine-readable code of the API.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::Csrf => "csrf_failed",
            AppError::NotFound(_) => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::Duplicate(_) => "duplicate",
            AppError::StaleVersion(_) => "stale_version",
            AppError::DutySeparation(_) => "separation_of_duties",
            AppError::InvalidTransition(_) => "invalid_transition",
            AppError::InsufficientFunds { .. } => "insufficient_funds",
            AppError::AllotmentSuspended(_) => "allotment_suspended",
            AppError::RequestConflict => "request_id_conflict",
            AppError::DrawTooFew(_) => "too_few_eligible",
            AppError::Invalid(errors)
                if !errors.0.is_empty()
                    && errors
                        .0
                        .iter()
                        .all(|e| e.code == jixiao_core::text::INVALID_TEXT) =>
            {
                "invalid_text"
            }
            AppError::Invalid(_)
            | AppError::InvalidRows(_)
            | AppError::InvalidReport(_)
            | AppError::InvalidEvaluation(_) => "invalid_input",
            AppError::GateFailed(_) => "gate_failed",
            AppError::BadRequest { code, .. } => code,
            AppError::Throttled { .. } => "too_many_attempts",
            AppError::Disabled => "account_disabled",
            AppError::PasswordChangeRequired => "password_change_required",
            AppError::BadCredentials => "bad_credentials",
            AppError::Busy => "busy",
            AppError::Internal(_) => "internal",
        }
    }

    /// The error as the API returns it.
    pub fn into_api_response(self) -> Response {
        if let AppError::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        let mut response = (self.status(), Json(self.body())).into_response();
        if let AppError::Throttled {
            retry_after_seconds,
            ..
        } = &self
        {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                (*retry_after_seconds).into(),
            );
        }
        response
    }

    /// `{"error": {"code", "message", "details"}}`.
    pub fn body(&self) -> serde_json::Value {
        let details = match self {
            AppError::Invalid(errors) => json!(errors.0),
            AppError::InvalidRows(rows)
            | AppError::InvalidReport(rows)
            | AppError::InvalidEvaluation(rows) => json!(rows),
            AppError::DrawTooFew(error) => jixiao_store::too_few_details(error),
            AppError::GateFailed(findings) => json!(findings),
            AppError::InsufficientFunds { available } => json!([{"available_fen": available}]),
            AppError::AllotmentSuspended(reason) => json!([{"reason": reason}]),
            AppError::Throttled {
                retry_after_seconds,
                ..
            } => json!([{"retry_after_seconds": retry_after_seconds}]),
            _ => json!([]),
        };
        json!({"error": {
            "code": self.code(),
            "message": self.to_string(),
            "details": details,
        }})
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Invalid(errors) => AppError::Invalid(errors),
            StoreError::Forbidden => AppError::Forbidden,
            StoreError::NotFound(message) => AppError::NotFound(message),
            StoreError::Conflict(message) => AppError::Conflict(message),
            StoreError::Duplicate(message) => AppError::Duplicate(message),
            StoreError::StaleVersion(message) => AppError::StaleVersion(message),
            StoreError::DutySeparation(message) => AppError::DutySeparation(message),
            StoreError::InvalidTransition(refusal) => {
                AppError::InvalidTransition(refusal.to_string())
            }
            StoreError::InvalidRows(rows) => AppError::InvalidRows(rows),
            StoreError::InvalidReport(rows) => AppError::InvalidReport(rows),
            StoreError::InvalidEvaluation(rows) => AppError::InvalidEvaluation(rows),
            StoreError::DrawTooFew(error) => AppError::DrawTooFew(error),
            StoreError::GateFailed(findings) => AppError::GateFailed(findings),
            StoreError::InsufficientFunds { available } => {
                AppError::InsufficientFunds { available }
            }
            StoreError::AllotmentSuspended(reason) => AppError::AllotmentSuspended(reason),
            StoreError::RequestConflict => AppError::RequestConflict,
            StoreError::Throttled(throttle) => AppError::Throttled {
                message: StoreError::Throttled(throttle).to_string(),
                retry_after_seconds: throttle.retry_after_seconds(),
            },
            // The last defence: text the database cannot store (a NUL that slipped past the edge)
            // is the request's fault, told as such, not a server error.
            error if error.is_unstorable_text() => {
                tracing::warn!("text refused by the database: {error}");
                let mut errors = ValidationErrors::default();
                errors.add(
                    "text",
                    jixiao_core::text::INVALID_TEXT,
                    "提交的文字中含有无法保存的字符（如空字符 NUL），请删除后重新提交",
                );
                AppError::Invalid(errors)
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// An error on the JSON API.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(error: E) -> Self {
        ApiError(error.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.into_api_response()
    }
}

/// An error on a page: a Chinese message page, or the login page when not signed in.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(error: E) -> Self {
        PageError(error.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self.0 {
            AppError::Unauthenticated => Redirect::to("/login").into_response(),
            error => {
                if let AppError::Internal(detail) = &error {
                    tracing::error!(%detail, "internal error");
                }
                crate::pages::message_page(error.status(), "操作未完成", &error.to_string())
            }
        }
    }
}
