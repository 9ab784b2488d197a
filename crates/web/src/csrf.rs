//! CSRF protection for every page form: a state-changing request made with the session cookie
//! must carry the session's token in its `_csrf` field. The login form, sent before a session
//! exists, is paired with a token in its own cookie instead (double submit).

use crate::AppState;
use crate::auth::LOGIN_CSRF_COOKIE;
use crate::error::{Error, PageError};
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::Method;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use jixiao_core::token::constant_time_eq;
use jixiao_store::SessionUser;

/// The largest form body accepted.
pub(crate) const MAX_FORM_BYTES: usize = 1 << 20;

/// The name of the hidden form field carrying the token.
pub(crate) const FIELD: &str = "_csrf";

pub(crate) async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let multipart = content_type.starts_with("multipart/form-data");
    // An upload may carry a file up to the configured limit, plus the form's other fields.
    let limit = if multipart {
        state.upload_body_limit()
    } else {
        MAX_FORM_BYTES
    };
    let Ok(bytes) = to_bytes(body, limit).await else {
        return PageError(Error::BadRequest {
            code: "body_too_large",
            message: if multipart {
                format!(
                    "上传的文件超过上限（{} MB），未作任何处理",
                    state.upload_limit_bytes / (1024 * 1024)
                )
            } else {
                "提交的内容过大".to_owned()
            },
        })
        .into_response();
    };
    let sent = if multipart {
        multipart_field(&content_type, &bytes, FIELD).await
    } else {
        let fields: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        fields
            .into_iter()
            .find(|(name, _)| name == FIELD)
            .map(|(_, value)| value)
    };
    let sent = sent.as_deref();
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
            PageError(Error::Unauthenticated).into_response()
        }
        _ => PageError(Error::Csrf).into_response(),
    }
}

/// The text of the field `name` of a multipart form (the token field comes before the file, so
/// reading stops there). The body is already within the upload limit, so the form is parsed
/// without a limit of its own: axum's `Multipart` extractor would apply its 2 MB default here
/// and refuse a legitimate larger upload as a forged form.
async fn multipart_field(
    content_type: &str,
    bytes: &axum::body::Bytes,
    name: &str,
) -> Option<String> {
    let boundary = multer::parse_boundary(content_type).ok()?;
    let body =
        futures_util::stream::once(std::future::ready(Ok::<_, std::io::Error>(bytes.clone())));
    let mut form = multer::Multipart::new(body, boundary);
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}
