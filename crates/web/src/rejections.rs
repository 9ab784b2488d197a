//! Requests that axum's own extractors refuse — a path segment that is not a number, a query or
//! form field of the wrong type, a body of the wrong kind or size — are answered by the library in
//! plain English text. This layer turns every such answer into the house error: a Chinese page,
//! or the API's structured error, naming the parameter where it can. The library's words go to
//! the log only.

use crate::error::{ApiError, Error, PageError};
use axum::body::to_bytes;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jixiao_core::ValidationErrors;

/// The largest refusal text read back (axum's are a line or two).
const MAX_REFUSAL_BYTES: usize = 16 * 1024;

/// Rewrites plain-text client errors (only the extractors answer in plain text) in the house
/// style, keeping their status.
pub(crate) async fn translate(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    let plain = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !status.is_client_error() || !plain {
        return response;
    }
    let text = to_bytes(response.into_body(), MAX_REFUSAL_BYTES)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    tracing::debug!(%status, refusal = %text, "request refused by an extractor");
    let error = house_error(status, &text);
    let mut answer = if api {
        ApiError(error).into_response()
    } else {
        PageError(error).into_response()
    };
    if answer.status().is_client_error() {
        *answer.status_mut() = status;
    }
    answer
}

/// The house error for an extractor's refusal.
fn house_error(status: StatusCode, text: &str) -> Error {
    if let Some(detail) = text.strip_prefix("Invalid URL: ") {
        let value = between_backticks(detail).unwrap_or_default();
        return Error::BadRequest {
            code: "invalid_path",
            message: if value.is_empty() {
                "访问地址有误，请从页面上的链接进入".to_owned()
            } else {
                format!("访问地址有误：“{value}”不是有效的编号")
            },
        };
    }
    if let Some(detail) = text.strip_prefix("Failed to deserialize query string: ") {
        return Error::BadRequest {
            code: "invalid_query",
            message: match field_of(detail) {
                Some(field) => format!("查询参数“{field}”的值无效"),
                None => "查询参数有误".to_owned(),
            },
        };
    }
    if let Some(detail) = text
        .strip_prefix("Failed to deserialize form body: ")
        .or_else(|| text.strip_prefix("Failed to deserialize form: "))
    {
        let field = field_of(detail).unwrap_or_else(|| "form".to_owned());
        let mut errors = ValidationErrors::default();
        errors.add(
            &field,
            "invalid",
            format!("表单字段“{field}”缺失或取值无效，请返回检查后重新提交"),
        );
        return Error::Invalid(errors);
    }
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => Error::BadRequest {
            code: "body_too_large",
            message: "提交的内容过大".to_owned(),
        },
        StatusCode::UNSUPPORTED_MEDIA_TYPE => Error::BadRequest {
            code: "unsupported_media_type",
            message: "请求内容的格式不受支持（表单请用 application/x-www-form-urlencoded 或 \
                      multipart/form-data，接口请用 application/json）"
                .to_owned(),
        },
        StatusCode::METHOD_NOT_ALLOWED => Error::BadRequest {
            code: "method_not_allowed",
            message: "该地址不支持此请求方法".to_owned(),
        },
        _ => Error::BadRequest {
            code: "bad_request",
            message: "请求无法识别，请返回页面后重试".to_owned(),
        },
    }
}

/// The first text between backticks.
fn between_backticks(text: &str) -> Option<&str> {
    let start = text.find('`')? + 1;
    let len = text[start..].find('`')?;
    Some(&text[start..start + len])
}

/// The field a deserialisation error names: `year: invalid digit…` or ``missing field `year` ``.
fn field_of(detail: &str) -> Option<String> {
    let is_name = |s: &str| {
        !s.is_empty()
            && s.len() <= 64
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '[' | ']'))
    };
    if let Some((path, _)) = detail.split_once(": ")
        && is_name(path)
    {
        return Some(path.to_owned());
    }
    if let Some(rest) = detail.find("missing field ").map(|i| &detail[i..])
        && let Some(name) = between_backticks(rest)
        && is_name(name)
    {
        return Some(name.to_owned());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_the_parameter_in_chinese() {
        let path = house_error(
            StatusCode::BAD_REQUEST,
            "Invalid URL: Cannot parse `abc` to a `i64`",
        );
        assert_eq!(path.to_string(), "访问地址有误：“abc”不是有效的编号");
        let query = house_error(
            StatusCode::BAD_REQUEST,
            "Failed to deserialize query string: year: invalid digit found in string",
        );
        assert_eq!(query.to_string(), "查询参数“year”的值无效");
        let form = house_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Failed to deserialize form body: missing field `version`",
        );
        assert_eq!(form.code(), "invalid_input");
        assert!(matches!(&form, Error::Invalid(e) if e.0[0].field == "version"));
        let other = house_error(StatusCode::BAD_REQUEST, "Invalid `boundary`");
        assert!(!other.to_string().is_ascii());
    }
}
