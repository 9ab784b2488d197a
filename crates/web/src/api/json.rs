//! `ApiJson`: a JSON body extractor whose refusals are the API's structured errors.

use crate::error::{ApiError, AppError};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

/// A JSON request body. Malformed JSON → 400 `malformed_json`; well-formed JSON of the wrong
/// shape → 422 `invalid_body`; a missing content type → 400 `unsupported_media_type`.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(ApiError(match rejection {
                JsonRejection::JsonSyntaxError(_) => AppError::BadRequest {
                    code: "malformed_json",
                    message: "请求体不是有效的 JSON".to_owned(),
                },
                JsonRejection::JsonDataError(error) => {
                    let mut errors = jixiao_core::ValidationErrors::default();
                    errors.add(
                        "body",
                        "invalid_body",
                        format!("请求体字段不符合要求：{}", error.body_text()),
                    );
                    AppError::Invalid(errors)
                }
                JsonRejection::MissingJsonContentType(_) => AppError::BadRequest {
                    code: "unsupported_media_type",
                    message: "请求须使用 Content-Type: application/json".to_owned(),
                },
                _ => AppError::BadRequest {
                    code: "unreadable_body",
                    message: "无法读取请求体".to_owned(),
                },
            })),
        }
    }
}
