//! Rulebooks over the API: reading the one in force, loading a new version (admin).

use super::ApiJson;
use super::openapi::ErrorBody;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, Error};
use axum::Json;
use axum::extract::{Query, State};
use jixiao_store::RulebookRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A rulebook version.
#[derive(Serialize, ToSchema)]
pub struct RulebookView {
    /// Id (what decisions point to).
    pub id: i64,
    /// Jurisdiction.
    pub jurisdiction: String,
    /// Year.
    pub year: i32,
    /// Version from 1.
    pub version: i32,
    /// SHA-256 of the text.
    pub digest: String,
    /// The rules.
    #[schema(value_type = Object)]
    pub rules: serde_json::Value,
}

fn view(record: &RulebookRecord) -> Result<RulebookView, ApiError> {
    let rulebook = record.rulebook()?;
    Ok(RulebookView {
        id: record.id,
        jurisdiction: record.jurisdiction_code.clone(),
        year: record.year,
        version: record.version,
        digest: record.digest.clone(),
        rules: serde_json::to_value(&rulebook).map_err(|e| Error::Internal(e.to_string()))?,
    })
}

/// Which rulebook.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RulebookQuery {
    /// Budget year.
    pub year: i32,
    /// Jurisdiction (defaults to the caller's, or the only county-level one).
    pub jurisdiction: Option<String>,
}

pub(super) async fn jurisdiction_of(
    state: &AppState,
    session: &jixiao_store::SessionUser,
    named: Option<String>,
) -> Result<String, ApiError> {
    if let Some(code) = named.filter(|c| !c.is_empty()) {
        return Ok(code);
    }
    if let Some(own) = &session.user.jurisdiction {
        return Ok(own.clone());
    }
    state.store.default_jurisdiction().await?.ok_or_else(|| {
        let mut errors = jixiao_core::ValidationErrors::default();
        errors.add("jurisdiction", "required", "请指定财政区划");
        ApiError(Error::Invalid(errors))
    })
}

/// The rulebook in force for a year.
#[utoipa::path(get, path = "/api/v1/rulebook", tag = "rulebooks", security(("bearer" = [])),
    params(RulebookQuery), responses((status = 200, body = RulebookView), (status = 409, body = ErrorBody)))]
pub async fn in_force(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(query): Query<RulebookQuery>,
) -> Result<Json<RulebookView>, ApiError> {
    let jurisdiction = jurisdiction_of(&state, &session, query.jurisdiction).await?;
    let record = state
        .store
        .rulebook_in_force(&jurisdiction, query.year)
        .await?;
    Ok(Json(view(&record)?))
}

/// A rulebook text to load.
#[derive(Deserialize, ToSchema)]
pub struct LoadRequest {
    /// Budget year.
    pub year: i32,
    /// Jurisdiction (defaults as above).
    pub jurisdiction: Option<String>,
    /// The TOML text.
    pub source: String,
}

/// What loading did.
#[derive(Serialize, ToSchema)]
pub struct LoadView {
    /// Whether a new version was made (false: the text equals the version in force).
    pub created: bool,
    /// The version in force now.
    pub rulebook: RulebookView,
}

/// Load a rulebook (admin): a changed text becomes a new version.
#[utoipa::path(post, path = "/api/v1/rulebooks", tag = "rulebooks", security(("bearer" = [])),
    request_body = LoadRequest,
    responses((status = 200, body = LoadView), (status = 403, body = ErrorBody),
        (status = 422, description = "Not a valid rulebook", body = ErrorBody)))]
pub async fn load(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(request): ApiJson<LoadRequest>,
) -> Result<Json<LoadView>, ApiError> {
    let jurisdiction = jurisdiction_of(&state, &session, request.jurisdiction).await?;
    let loaded = state
        .store
        .load_rulebook(
            &session.actor(),
            &jurisdiction,
            request.year,
            &request.source,
        )
        .await?;
    Ok(Json(LoadView {
        created: loaded.created,
        rulebook: view(&loaded.record)?,
    }))
}
