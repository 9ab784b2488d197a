//! CSRF protection for every page form: a state-changing request made with the session cookie
//! must carry the session's token in its `_csrf` field. The login form, sent before a session
//! exists, is paired with a token in its own cookie instead (double submit).

use crate::auth::LOGIN_CSRF_COOKIE;
use crate::error::{AppError, PageError};
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use jixiao_core::token::constant_time_eq;
use jixiao_store::SessionUser;

/// The largest form body accepted.
const MAX_FORM_BYTES: usize = 1 << 20;

/// The name of the hidden form field carrying the token.
pub(crate) const FIELD: &str = "_csrf";

pub(crate) async fn guard(request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
        return PageError(AppError::BadRequest {
            code: "body_too_large",
            message: "提交的内容过大".to_owned(),
        })
        .into_response();
    };
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let sent = fields
        .iter()
        .find(|(name, _)| name == FIELD)
        .map(|(_, value)| value.as_str());
    let expected = if parts.uri.path() == "/login" {
        CookieJar::from_headers(&parts.headers)
            .get(LOGIN_CSRF_COOKIE)
            .map(|c| c.value().to_owned())
    } else {
        parts
            .extensions
            .get::<SessionUser>()
            .map(|s| s.csrf_token.clone())
    };
    match (sent, expected) {
        (Some(sent), Some(expected)) if !sent.is_empty() && constant_time_eq(sent, &expected) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        (_, None) if parts.uri.path() != "/login" => {
            PageError(AppError::Unauthenticated).into_response()
        }
        _ => PageError(AppError::Csrf).into_response(),
    }
}
