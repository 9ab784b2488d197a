//! Text at the edge: every request's path segments, query string and form fields are checked
//! for control characters before any handler (or the session lookup) sees them; one found is a
//! 422 naming the field — `invalid_text` on the API, a Chinese page elsewhere. JSON bodies are
//! checked the same way by `ApiJson` as they are read. Files in multipart uploads are the
//! intake's concern; the other fields of an upload form are numbers read strictly.

use crate::auth::is_api;
use crate::csrf::MAX_FORM_BYTES;
use crate::error::{ApiError, Error, PageError};
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jixiao_core::text::{self, TextFault};

/// The largest form body read here (the same as the CSRF guard's).
/// Refuses a request whose path, query or form carries a control character.
pub(crate) async fn guard(request: Request, next: Next) -> Response {
    let api = is_api(request.uri().path());
    let refuse = |fault: TextFault| {
        let error = Error::Invalid(fault.into_errors());
        if api {
            ApiError(error).into_response()
        } else {
            PageError(error).into_response()
        }
    };
    if let Err(fault) = check_uri(request.uri()) {
        return refuse(fault);
    }
    let form = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
        let error = Error::BadRequest {
            code: "body_too_large",
            message: "提交的内容过大".to_owned(),
        };
        return if api {
            ApiError(error).into_response()
        } else {
            PageError(error).into_response()
        };
    };
    if let Err(fault) = check_form(&bytes, true) {
        return refuse(fault);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Checks the path, segment by segment once decoded, and the query string's names and values.
fn check_uri(uri: &axum::http::Uri) -> Result<(), TextFault> {
    for segment in uri.path().split('/') {
        let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
        if let Some(character) = text::forbidden_char(&decoded, false) {
            return Err(TextFault {
                field: "path".to_owned(),
                character,
            });
        }
    }
    match uri.query() {
        Some(query) => check_form(query.as_bytes(), false),
        None => Ok(()),
    }
}

/// Checks `name=value&…` pairs; `line_breaks` admits tab and line breaks in values (form
/// fields may be paragraphs; query parameters may not).
fn check_form(bytes: &[u8], line_breaks: bool) -> Result<(), TextFault> {
    // Not a well-formed form: its extractor refuses it later, with its own message.
    let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes) else {
        return Ok(());
    };
    text::check_pairs(
        pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        line_breaks,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_queries_and_forms_are_checked_once_decoded() {
        let uri = |s: &str| s.parse::<axum::http::Uri>().expect("uri");
        assert!(check_uri(&uri("/projects?q=%E4%B9%90%E9%99%B5&year=2019")).is_ok());
        let fault = check_uri(&uri("/projects?q=%00")).expect_err("NUL");
        assert_eq!((fault.field.as_str(), fault.character), ("q", '\0'));
        let fault = check_uri(&uri("/api/v1/users/a%00b/disable")).expect_err("NUL");
        assert_eq!(fault.field, "path");
        assert!(
            check_uri(&uri("/projects?q=a%0Ab")).is_err(),
            "no line breaks in a query"
        );
        assert!(check_form(b"comment=%E7%AC%AC%0A%E4%BA%8C", true).is_ok());
        let fault = check_form(b"_csrf=x&payee=a%07b", true).expect_err("BEL");
        assert_eq!(fault.field, "payee");
    }
}
