//! `ApiJson`: a JSON body extractor whose refusals are the API's structured errors. The body is
//! read as a JSON value, every key and string is checked for control characters (422
//! `invalid_text` naming the field), and only then is it turned into the route's type; a wrong
//! shape is told in Chinese, naming the field and what it should be, never in serde's words.

use crate::error::{ApiError, Error};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use jixiao_core::ValidationErrors;
use serde::de::DeserializeOwned;

/// A JSON request body. Malformed JSON → 400 `malformed_json`; a control character in a text
/// → 422 `invalid_text`; well-formed JSON of the wrong shape → 422 `invalid_input` with one
/// finding per field; a missing content type → 400 `unsupported_media_type`.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(&request) {
            return Err(ApiError(Error::BadRequest {
                code: "unsupported_media_type",
                message: "请求须使用 Content-Type: application/json".to_owned(),
            }));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                ApiError(
                    if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                        Error::bad_request(
                            "body_too_large",
                            format!(
                                "请求体超过接口上限（{} MB），请分批提交",
                                crate::API_BODY_LIMIT_BYTES / (1024 * 1024)
                            ),
                        )
                    } else {
                        Error::bad_request("unreadable_body", "无法读取请求体，请重新提交")
                    },
                )
            })?;
        read(&bytes).map(ApiJson).map_err(ApiError)
    }
}

/// Whether the request says its body is JSON (`application/json` or `application/…+json`).
fn is_json(request: &Request) -> bool {
    let Some(value) = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Reads a body: JSON, free of control characters, of the shape `T`.
pub(crate) fn read<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|error| Error::BadRequest {
            code: "malformed_json",
            message: if error.is_eof() && error.line() <= 1 && error.column() == 0 {
                "请求体为空，应为 JSON".to_owned()
            } else {
                format!(
                    "请求体不是有效的 JSON（第{}行第{}列附近）",
                    error.line(),
                    error.column()
                )
            },
        })?;
    jixiao_core::text::check_json(&value).map_err(|fault| Error::Invalid(fault.into_errors()))?;
    serde_path_to_error::deserialize(value).map_err(|error| {
        let field = error.path().to_string();
        Error::Invalid(shape_error(&field, &error.inner().to_string()))
    })
}

/// A shape error told in Chinese: which field, and what it should be. `field` is the path where
/// deserializing stopped (`.` for the whole body); `detail` is serde's text, read only to tell
/// the kind of error.
fn shape_error(field: &str, detail: &str) -> ValidationErrors {
    let at = |name: &str| -> String {
        match (field, name) {
            (".", "") => "body".to_owned(),
            (".", name) => name.to_owned(),
            (path, "") => path.to_owned(),
            (path, name) => format!("{path}.{name}"),
        }
    };
    let quoted = |text: &str| -> Option<String> {
        let start = text.find('`')? + 1;
        let end = text[start..].find('`')? + start;
        Some(text[start..end].chars().take(64).collect())
    };
    let mut errors = ValidationErrors::default();
    if let Some(rest) = detail.strip_prefix("missing field ") {
        let name = quoted(rest).unwrap_or_default();
        let field = at(&name);
        errors.add(&field, "required", format!("缺少必填字段“{field}”"));
    } else if let Some(rest) = detail.strip_prefix("unknown field ") {
        let name = quoted(rest).unwrap_or_default();
        let field = at(&name);
        errors.add(&field, "unknown_field", format!("不认识的字段“{field}”"));
    } else if let Some(rest) = detail.strip_prefix("unknown variant ") {
        let expected = rest
            .split_once("expected ")
            .map(|(_, e)| expected_variants(e))
            .unwrap_or_default();
        let field = at("");
        errors.add(
            &field,
            "unknown_value",
            format!("“{field}”的取值无效{expected}"),
        );
    } else if detail.starts_with("invalid type") || detail.starts_with("invalid value") {
        let expected = detail
            .rsplit_once("expected ")
            .map(|(_, e)| expected_kind(e))
            .unwrap_or("符合接口文档的值");
        let field = at("");
        errors.add(
            &field,
            "invalid_type",
            format!("“{field}”的值不符合要求，应为{expected}"),
        );
    } else if detail.starts_with("invalid length") {
        let field = at("");
        errors.add(
            &field,
            "invalid_length",
            format!("“{field}”的项数不符合要求"),
        );
    } else {
        let field = at("");
        errors.add(
            &field,
            "invalid_body",
            format!("“{field}”不符合接口文档的要求"),
        );
    }
    errors
}

/// What serde expected, in words a user reads.
fn expected_kind(expected: &str) -> &'static str {
    let e = expected.trim();
    let integer = [
        "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "usize", "isize",
    ];
    if integer.contains(&e) || e.contains("integer") {
        "整数"
    } else if e == "f32" || e == "f64" || e.contains("number") {
        "数字"
    } else if e.contains("string") || e == "a character" {
        "文本"
    } else if e.contains("boolean") {
        "true 或 false"
    } else if e.contains("sequence") || e.contains("array") {
        "数组"
    } else if e.starts_with("struct") || e.contains("map") || e.starts_with("enum") {
        "对象"
    } else {
        "符合接口文档的值"
    }
}

/// The allowed values of an enum, from serde's list (our own names, safe to show).
fn expected_variants(expected: &str) -> String {
    let names: Vec<&str> = expected
        .split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, name)| name)
        .take(20)
        .collect();
    if names.is_empty() {
        String::new()
    } else {
        format!("，应为 {} 之一", names.join("、"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Item {
        amount_fen: i64,
        kind: Kind,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Kind {
        Payment,
        Refund,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Batch {
        items: Vec<Item>,
    }

    fn refusal(body: &str) -> (String, String, String) {
        match read::<Batch>(body.as_bytes()) {
            Err(Error::Invalid(errors)) => (
                errors.0[0].field.clone(),
                errors.0[0].code.clone(),
                errors.0[0].message.clone(),
            ),
            Err(other) => (other.code().to_owned(), String::new(), other.to_string()),
            Ok(batch) => panic!("accepted {batch:?}"),
        }
    }

    #[test]
    fn shape_errors_name_the_field_in_chinese() {
        let (field, code, message) = refusal(
            r#"{"items": [{"amount_fen": 1, "kind": "payment"}, {"amount_fen": "x", "kind": "refund"}]}"#,
        );
        assert_eq!(
            (field.as_str(), code.as_str()),
            ("items[1].amount_fen", "invalid_type")
        );
        assert_eq!(message, "“items[1].amount_fen”的值不符合要求，应为整数");
        let (field, code, message) = refusal(r#"{"items": [{"kind": "payment"}]}"#);
        assert_eq!(
            (field.as_str(), code.as_str()),
            ("items[0].amount_fen", "required")
        );
        assert_eq!(message, "缺少必填字段“items[0].amount_fen”");
        let (field, _, message) = refusal(r#"{"items": [{"amount_fen": 1, "kind": "gift"}]}"#);
        assert_eq!(field, "items[0].kind");
        assert_eq!(
            message,
            "“items[0].kind”的取值无效，应为 payment、refund 之一"
        );
        let (field, _, message) = refusal(r#"{"items": {}}"#);
        assert_eq!(field, "items");
        assert!(message.ends_with("应为数组"), "{message}");
        let (code, _, message) = refusal(r#"{"items": "#);
        assert_eq!(code, "malformed_json");
        assert!(message.starts_with("请求体不是有效的 JSON"), "{message}");
        let (field, code, message) = refusal("{\"items\": [], \"note\": \"a\\u0000b\"}");
        assert_eq!((field.as_str(), code.as_str()), ("note", "invalid_text"));
        assert!(message.contains("空字符"), "{message}");
    }
}
