//! Publication over the API: finance chooses which projects' targets and results are public;
//! anyone, without logging in, reads what is published.

use super::ApiJson;
use super::openapi::ErrorBody;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, Error};
use axum::Json;
use axum::extract::{Path, Query, State};
use jixiao_store::{PublicProject, PublicProjectDetail};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Projects to publish or withdraw.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PublishRequest {
    /// Project ids (approved projects of the caller's jurisdiction).
    pub project_ids: Vec<i64>,
    /// `true` to publish, `false` to withdraw.
    pub published: bool,
}

/// How many changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct Changed {
    /// Count.
    pub changed: usize,
}

/// Publish or withdraw projects' targets and results (finance).
#[utoipa::path(post, path = "/api/v1/publications", tag = "evaluation", security(("bearer" = [])),
    request_body = PublishRequest,
    responses((status = 200, body = Changed), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn publish(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(request): ApiJson<PublishRequest>,
) -> Result<Json<Changed>, ApiError> {
    Ok(Json(Changed {
        changed: state
            .store
            .set_published(&session.actor(), &request.project_ids, request.published)
            .await?,
    }))
}

/// A year.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// Budget year.
    pub year: Option<i32>,
}

/// Published projects with their results (no login).
#[utoipa::path(get, path = "/api/v1/public/projects", tag = "evaluation",
    params(YearQuery), responses((status = 200, body = Vec<Object>)))]
pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<YearQuery>,
) -> Result<Json<Vec<PublicProject>>, ApiError> {
    let jurisdiction = state
        .store
        .default_jurisdiction()
        .await?
        .ok_or_else(|| ApiError(Error::NotFound("尚未设置财政区划".to_owned())))?;
    Ok(Json(
        state
            .store
            .public_projects(&jurisdiction, query.year)
            .await?,
    ))
}

/// One published project with its approved targets (no login); unpublished ones are 404.
#[utoipa::path(get, path = "/api/v1/public/projects/{id}", tag = "evaluation",
    params(("id" = i64, Path)), responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<PublicProjectDetail>, ApiError> {
    state
        .store
        .public_project(id)
        .await
        .map(Json)
        .map_err(|e: Error| ApiError(e))
}
