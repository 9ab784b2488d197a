//! The one error type of the web layer and how it becomes a response: a structured JSON error
//! under `/api/`, a readable Chinese page elsewhere. SQL and internal details never leak; they
//! are logged instead.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

pub use jixiao_store::Error;

/// The error as the API returns it: its status, `{"error": {"code", "message", "details"}}`,
/// and `Retry-After` when throttled. Internal details go to the log, never to the client.
pub fn api_response(error: Error) -> Response {
    if error.is_internal() {
        tracing::error!(detail = %error, "internal error");
    }
    let mut response = (status(&error), Json(body(&error))).into_response();
    if let Error::Throttled {
        retry_after_seconds,
        ..
    } = &error
    {
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            (*retry_after_seconds).into(),
        );
    }
    response
}

/// The HTTP status of an error.
pub fn status(error: &Error) -> StatusCode {
    StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// `{"error": {"code", "message", "details"}}`.
pub fn body(error: &Error) -> serde_json::Value {
    json!({"error": {
        "code": error.code(),
        "message": error.user_message(),
        "details": error.details(),
    }})
}

/// An error on the JSON API.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl<E: Into<Error>> From<E> for ApiError {
    fn from(error: E) -> Self {
        ApiError(error.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        api_response(self.0)
    }
}

/// An error on a page: a Chinese message page, or the login page when not signed in.
#[derive(Debug)]
pub struct PageError(pub Error);

impl<E: Into<Error>> From<E> for PageError {
    fn from(error: E) -> Self {
        PageError(error.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self.0 {
            Error::Unauthenticated => Redirect::to("/login").into_response(),
            error => {
                if error.is_internal() {
                    tracing::error!(detail = %error, "internal error");
                }
                crate::pages::message_page(status(&error), "操作未完成", &error.user_message())
            }
        }
    }
}
