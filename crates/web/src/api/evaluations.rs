//! Key evaluations and rectification over the API: commissioning a drawn institution, the
//! institution's scores and report, finance's confirmation or return, the coverage of key
//! projects; rectification items answered by agencies and checked by finance.

use super::ApiJson;
use super::monitoring::VersionRequest;
use super::openapi::ErrorBody;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, Error};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use jixiao_core::key_evaluation::ScoreEntry;
use jixiao_store::{ConfirmInput, CoverageLine, KeyEvaluation, KeyEvaluationDetail, Rectification};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Key evaluations the caller may see.
#[utoipa::path(get, path = "/api/v1/evaluations", tag = "evaluation", security(("bearer" = [])),
    responses((status = 200, body = Vec<Object>)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> Result<Json<Vec<KeyEvaluation>>, ApiError> {
    Ok(Json(state.store.key_evaluations(&session.actor()).await?))
}

/// One key evaluation with its framework, scores and expert reviews.
#[utoipa::path(get, path = "/api/v1/evaluations/{id}", tag = "evaluation", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<KeyEvaluationDetail>, ApiError> {
    Ok(Json(
        state.store.key_evaluation(&session.actor(), id).await?,
    ))
}

/// A year.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// Budget year.
    pub year: Option<i32>,
}

/// Key projects of a year and whether each had a key evaluation within the window.
#[utoipa::path(get, path = "/api/v1/evaluations/coverage", tag = "evaluation", security(("bearer" = [])),
    params(YearQuery), responses((status = 200, body = Vec<Object>)))]
pub async fn coverage(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(query): Query<YearQuery>,
) -> Result<Json<Vec<CoverageLine>>, ApiError> {
    let year = query.year.ok_or_else(|| {
        ApiError(Error::BadRequest {
            code: "year_required",
            message: "请指定年度 year".to_owned(),
        })
    })?;
    Ok(Json(
        state
            .store
            .evaluation_coverage(&session.actor(), year)
            .await?,
    ))
}

/// Which drawn institution to commission.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CommissionRequest {
    /// The institution's accepted key-evaluation assignment.
    pub assignment_id: i64,
}

/// Commission the institution of an accepted key-evaluation assignment (finance: 财政评价; the
/// project's department: 部门评价).
#[utoipa::path(post, path = "/api/v1/evaluations", tag = "evaluation", security(("bearer" = [])),
    request_body = CommissionRequest,
    responses((status = 201, body = Object), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn commission(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(request): ApiJson<CommissionRequest>,
) -> Result<(StatusCode, Json<KeyEvaluation>), ApiError> {
    let created = state
        .store
        .commission_evaluation(&session.actor(), request.assignment_id)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// The institution's scores and report conclusion.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ScoresRequest {
    /// The version read.
    pub version: i32,
    /// One entry per framework item: `item_no`, `score`, `finding`.
    #[schema(value_type = Vec<Object>)]
    pub entries: Vec<ScoreEntry>,
    /// 评价结论.
    pub summary: String,
}

/// Save the institution's scores (institution).
#[utoipa::path(put, path = "/api/v1/evaluations/{id}", tag = "evaluation", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ScoresRequest,
    responses((status = 200, body = Object), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<ScoresRequest>,
) -> Result<Json<KeyEvaluationDetail>, ApiError> {
    Ok(Json(
        state
            .store
            .save_key_evaluation(
                &session.actor(),
                id,
                request.version,
                &request.entries,
                &request.summary,
            )
            .await?,
    ))
}

/// Submit the report to finance (institution).
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/submit", tag = "evaluation", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = VersionRequest,
    responses((status = 200, body = Object), (status = 409, body = ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<VersionRequest>,
) -> Result<Json<KeyEvaluationDetail>, ApiError> {
    Ok(Json(
        state
            .store
            .submit_key_evaluation(&session.actor(), id, request.version)
            .await?,
    ))
}

/// Confirm the final score, grade and problems (finance); each problem becomes a
/// rectification item for the project's agency.
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/confirm", tag = "evaluation", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ConfirmInput,
    responses((status = 200, body = Object), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn confirm(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ConfirmInput>,
) -> Result<Json<KeyEvaluationDetail>, ApiError> {
    Ok(Json(
        state
            .store
            .confirm_key_evaluation(&session.actor(), id, &input)
            .await?,
    ))
}

/// A comment.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CommentRequest {
    /// Why.
    #[serde(default)]
    pub comment: String,
}

/// Return the report to the institution (finance).
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/return", tag = "evaluation", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = CommentRequest,
    responses((status = 200, body = Object), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn send_back(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<CommentRequest>,
) -> Result<Json<KeyEvaluationDetail>, ApiError> {
    Ok(Json(
        state
            .store
            .return_key_evaluation(&session.actor(), id, &request.comment)
            .await?,
    ))
}

/// Rectification items (agencies see their own).
#[utoipa::path(get, path = "/api/v1/rectifications", tag = "evaluation", security(("bearer" = [])),
    params(YearQuery), responses((status = 200, body = Vec<Object>)))]
pub async fn rectifications(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(query): Query<YearQuery>,
) -> Result<Json<Vec<Rectification>>, ApiError> {
    Ok(Json(
        state
            .store
            .rectifications(&session.actor(), query.year)
            .await?,
    ))
}

/// A problem found by monitoring.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RaiseRequest {
    /// The project.
    pub project_id: i64,
    /// The problem.
    pub problem: String,
    /// The alert it came from.
    #[serde(default)]
    pub alert_id: Option<i64>,
}

/// Raise a rectification item from monitoring (finance).
#[utoipa::path(post, path = "/api/v1/rectifications", tag = "evaluation", security(("bearer" = [])),
    request_body = RaiseRequest,
    responses((status = 201, body = Object), (status = 422, body = ErrorBody)))]
pub async fn raise(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(request): ApiJson<RaiseRequest>,
) -> Result<(StatusCode, Json<Rectification>), ApiError> {
    let item = state
        .store
        .raise_rectification(
            &session.actor(),
            request.project_id,
            &request.problem,
            request.alert_id,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(item)))
}

/// The agency's answer.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AnswerRequest {
    /// The version read.
    pub version: i32,
    /// What was done.
    pub answer: String,
}

/// Answer an item with what was done (agency).
#[utoipa::path(post, path = "/api/v1/rectifications/{id}/answer", tag = "evaluation", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = AnswerRequest,
    responses((status = 200, body = Object), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn answer(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<AnswerRequest>,
) -> Result<Json<Rectification>, ApiError> {
    Ok(Json(
        state
            .store
            .answer_rectification(&session.actor(), id, request.version, &request.answer)
            .await?,
    ))
}

/// Finance's check.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CheckRequest {
    /// `close` (销号) or `send_back`.
    pub action: String,
    /// Required when sending back.
    #[serde(default)]
    pub comment: String,
}

/// Check an answered item off, or send it back (finance).
#[utoipa::path(post, path = "/api/v1/rectifications/{id}/check", tag = "evaluation", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = CheckRequest,
    responses((status = 200, body = Object), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn check(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<CheckRequest>,
) -> Result<Json<Rectification>, ApiError> {
    let close = match request.action.as_str() {
        "close" => true,
        "send_back" => false,
        _ => {
            return Err(ApiError(Error::BadRequest {
                code: "invalid_action",
                message: "action 应为 close 或 send_back".to_owned(),
            }));
        }
    };
    Ok(Json(
        state
            .store
            .check_rectification(&session.actor(), id, close, &request.comment)
            .await?,
    ))
}

/// Flags on a project.
#[derive(Debug, Serialize)]
pub struct Flags {
    /// Its agency's earlier items not yet closed.
    pub unrectified: Vec<Rectification>,
}

/// Flags on a project: its agency's earlier rectification items not yet closed.
#[utoipa::path(get, path = "/api/v1/projects/{id}/flags", tag = "evaluation", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn flags(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Flags>, ApiError> {
    Ok(Json(Flags {
        unrectified: state.store.unrectified_before(&session.actor(), id).await?,
    }))
}
