//! The rectification of coverage-check findings (核查问题整改) over the API: the county office
//! assigns a run's open findings with a deadline; the village, township or department answers a
//! finding in its scope; the county office accepts or sends it back. Refusals are the kernel's
//! (wrong role 403, wrong state or stale version 409).

use super::ApiJson;
use super::openapi::ErrorBody;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;
use axum::Json;
use axum::extract::{Path, State};
use chrono::NaiveDate;
use jixiao_store::FindingCase;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The deadline of an assignment.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingAssignRequest {
    /// `YYYY-MM-DD`, not before today.
    #[schema(value_type = String, format = Date)]
    pub deadline: NaiveDate,
}

/// How many findings were assigned.
#[derive(Serialize, ToSchema)]
pub struct Assigned {
    /// Findings assigned now (those assigned before are not counted again).
    pub assigned: usize,
}

/// Assign every open, unassigned finding of a run to its village or department (县帮扶办).
#[utoipa::path(post, path = "/api/v1/policy-checks/{id}/assign", tag = "assistance",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Run id")),
    request_body = FindingAssignRequest,
    responses((status = 200, body = Assigned), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn assign(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<FindingAssignRequest>,
) -> Result<Json<Assigned>, ApiError> {
    let assigned = state
        .store
        .assign_findings(
            &session.actor(),
            id,
            request.deadline,
            session.business_date,
        )
        .await?;
    Ok(Json(Assigned { assigned }))
}

/// A finding with its rectification, within the caller's scope.
#[utoipa::path(get, path = "/api/v1/findings/{id}", tag = "assistance",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Finding id")),
    responses((status = 200, body = FindingCase), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<FindingCase>, ApiError> {
    Ok(Json(state.store.finding_case(&session.actor(), id).await?))
}

/// What was done about a finding.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingAnswerRequest {
    /// The rectification's version as read.
    pub version: i32,
    /// What was done (up to 2,000 characters).
    pub answer: String,
    /// The evidence (documents, numbers, where kept).
    #[serde(default)]
    pub evidence: String,
}

/// Answer an assigned finding (村, 乡镇, 行业部门 within their scope).
#[utoipa::path(post, path = "/api/v1/findings/{id}/answer", tag = "assistance",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Finding id")),
    request_body = FindingAnswerRequest,
    responses((status = 200, body = FindingCase), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn answer(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<FindingAnswerRequest>,
) -> Result<Json<FindingCase>, ApiError> {
    Ok(Json(
        state
            .store
            .answer_finding(
                &session.actor(),
                id,
                request.version,
                &request.answer,
                &request.evidence,
            )
            .await?,
    ))
}

/// The county office's review of an answer.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingReviewRequest {
    /// Accept the explanation (the finding is settled) or send it back.
    pub accept: bool,
    /// Required when sending back.
    #[serde(default)]
    pub comment: String,
}

/// Accept an answered finding or send it back (县帮扶办).
#[utoipa::path(post, path = "/api/v1/findings/{id}/review", tag = "assistance",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Finding id")),
    request_body = FindingReviewRequest,
    responses((status = 200, body = FindingCase), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<FindingReviewRequest>,
) -> Result<Json<FindingCase>, ApiError> {
    Ok(Json(
        state
            .store
            .review_finding(&session.actor(), id, request.accept, &request.comment)
            .await?,
    ))
}
