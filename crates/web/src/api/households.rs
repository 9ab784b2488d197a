//! The assistance registry over the API: the area tree, households and their people (一户一档),
//! ID numbers masked unless shown on purpose (an audited action).

use super::ApiJson;
use super::openapi::ErrorBody;
use super::rulebooks::jurisdiction_of;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;
use axum::Json;
use axum::extract::{Path, Query, State};
use jixiao_store::{Area, AreaLine, HouseholdFile, HouseholdInput, HouseholdLine};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Which households.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HouseholdQuery {
    /// A township or village code: only households below it.
    pub area: Option<String>,
    /// Page from 1.
    pub page: Option<i64>,
    /// Rows per page (1–200, default 50).
    pub per_page: Option<i64>,
}

/// A page of households.
#[derive(Serialize, ToSchema)]
pub struct HouseholdPage {
    /// Households in scope that match.
    pub total: i64,
    /// This page.
    pub page: i64,
    /// The households, ID numbers masked.
    pub households: Vec<HouseholdLine>,
}

/// Households within the caller's scope (村: its village; 乡镇: its villages; 帮扶责任人: the
/// households it helps; 帮扶办 and 行业部门: the jurisdiction).
#[utoipa::path(get, path = "/api/v1/households", tag = "assistance", security(("bearer" = [])),
    params(HouseholdQuery), responses((status = 200, body = HouseholdPage), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(query): Query<HouseholdQuery>,
) -> Result<Json<HouseholdPage>, ApiError> {
    let page = query.page.unwrap_or(1).max(1);
    let (households, total) = state
        .store
        .households(
            &session.actor(),
            query.area.as_deref(),
            page,
            query.per_page.unwrap_or(50),
        )
        .await?;
    Ok(Json(HouseholdPage {
        total,
        page,
        households,
    }))
}

/// A household's file with everyone who has been a member; the read is audited. Outside the
/// caller's scope it is "not found".
#[utoipa::path(get, path = "/api/v1/households/{id}", tag = "assistance", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Household id")),
    responses((status = 200, body = HouseholdFile), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<HouseholdFile>, ApiError> {
    Ok(Json(state.store.household(&session.actor(), id).await?))
}

/// Record a household with its members (村, 乡镇 within their area; 帮扶办). Identity numbers
/// are checked (check digit, birth date and sex agree), one head, one live household per person.
#[utoipa::path(post, path = "/api/v1/households", tag = "assistance", security(("bearer" = [])),
    request_body = HouseholdInput,
    responses((status = 200, body = HouseholdFile), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(input): ApiJson<HouseholdInput>,
) -> Result<Json<HouseholdFile>, ApiError> {
    let today = session.business_date;
    Ok(Json(
        state
            .store
            .add_household(&session.actor(), &input, today)
            .await?,
    ))
}

/// A full ID number.
#[derive(Serialize, ToSchema)]
pub struct IdNumberView {
    /// The number as recorded.
    pub id_number: String,
}

/// Show one person's full ID number (roles that need it, within scope); written to the audit
/// log every time.
#[utoipa::path(post, path = "/api/v1/people/{id}/id-number", tag = "assistance",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Person id")),
    responses((status = 200, body = IdNumberView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn show_id_number(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<IdNumberView>, ApiError> {
    let id_number = state.store.show_id_number(&session.actor(), id).await?;
    Ok(Json(IdNumberView { id_number }))
}

/// Which jurisdiction's areas.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AreaQuery {
    /// Jurisdiction (defaults to the caller's).
    pub jurisdiction: Option<String>,
}

/// The area tree of a jurisdiction, top-down.
#[utoipa::path(get, path = "/api/v1/areas", tag = "assistance", security(("bearer" = [])),
    params(AreaQuery), responses((status = 200, body = [Area]), (status = 403, body = ErrorBody)))]
pub async fn areas(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(query): Query<AreaQuery>,
) -> Result<Json<Vec<Area>>, ApiError> {
    let jurisdiction = jurisdiction_of(&state, &session, query.jurisdiction).await?;
    Ok(Json(
        state.store.areas(&session.actor(), &jurisdiction).await?,
    ))
}

/// An area file to load.
#[derive(Deserialize, ToSchema)]
pub struct AreaLoad {
    /// Jurisdiction (defaults to the caller's).
    pub jurisdiction: Option<String>,
    /// The lines: code, name, level, parent_code.
    pub lines: Vec<AreaLine>,
}

/// What loading did.
#[derive(Serialize, ToSchema)]
pub struct AreaLoadView {
    /// Areas added.
    pub added: usize,
    /// Areas renamed.
    pub renamed: usize,
}

/// Load areas (administrators): new ones added, known ones renamed; all or nothing.
#[utoipa::path(post, path = "/api/v1/areas", tag = "assistance", security(("bearer" = [])),
    request_body = AreaLoad,
    responses((status = 200, body = AreaLoadView), (status = 422, body = ErrorBody)))]
pub async fn load_areas(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(request): ApiJson<AreaLoad>,
) -> Result<Json<AreaLoadView>, ApiError> {
    let jurisdiction = jurisdiction_of(&state, &session, request.jurisdiction).await?;
    let (added, renamed) = state
        .store
        .load_areas(&session.actor(), &jurisdiction, &request.lines)
        .await?;
    Ok(Json(AreaLoadView { added, renamed }))
}
