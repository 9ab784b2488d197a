//! The expert and institution pools over the API: registries (finance adds, finance and
//! supervisors read), draws with conflict avoidance, and the replay of a stored draw.

use super::ApiJson;
use super::openapi::ErrorBody;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use jixiao_store::{DrawInput, DrawRecord, MemberInput, PoolMember};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A member as the API shows it (identity numbers only masked).
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Title or institution type.
    pub category: String,
    /// Fields of expertise.
    pub fields: Vec<String>,
    /// Employer.
    pub employer: String,
    /// Employer agency id.
    pub employer_agency_id: Option<i64>,
    /// Masked identity number.
    pub id_number_masked: String,
    /// active | suspended | removed.
    pub status: String,
    /// End of a suspension.
    pub suspended_until: Option<String>,
}

impl From<&PoolMember> for MemberView {
    fn from(m: &PoolMember) -> MemberView {
        MemberView {
            id: m.id,
            name: m.name.clone(),
            category: m.category.clone(),
            fields: m.fields(),
            employer: m.employer.clone(),
            employer_agency_id: m.employer_agency_id,
            id_number_masked: m.id_number_masked.clone(),
            status: m.status.clone(),
            suspended_until: m.suspended_until.clone(),
        }
    }
}

/// A new member: `name`, `category`, `fields`, `employer`, `employer_agency_code`, `contact`,
/// `id_number` (stored masked), `qualifications`, `relations` (`agency_code`, `kind` =
/// worked|advised|relative, `until`), `designed_project_codes`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct MemberRequest(pub MemberInput);

/// Filters of a registry.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct MemberQuery {
    /// A field of expertise.
    pub field: Option<String>,
    /// Text in the name or employer.
    pub q: Option<String>,
}

async fn add(
    state: &AppState,
    session: &jixiao_store::SessionUser,
    kind: &str,
    input: MemberInput,
) -> Result<(StatusCode, Json<MemberView>), ApiError> {
    let member = state
        .store
        .add_pool_member(&session.actor(), kind, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(MemberView::from(&member))))
}

async fn list(
    state: &AppState,
    session: &jixiao_store::SessionUser,
    kind: &str,
    query: &MemberQuery,
) -> Result<Json<Vec<MemberView>>, ApiError> {
    let members = state
        .store
        .pool_members(
            &session.actor(),
            kind,
            query.field.as_deref(),
            query.q.as_deref(),
        )
        .await?;
    Ok(Json(members.iter().map(MemberView::from).collect()))
}

/// Add an expert (finance).
#[utoipa::path(post, path = "/api/v1/experts", tag = "pools", security(("bearer" = [])),
    request_body = MemberRequest, responses((status = 201, body = MemberView), (status = 422, body = ErrorBody)))]
pub async fn add_expert(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(MemberRequest(input)): ApiJson<MemberRequest>,
) -> Result<(StatusCode, Json<MemberView>), ApiError> {
    add(&state, &session, "expert", input).await
}

/// The expert pool.
#[utoipa::path(get, path = "/api/v1/experts", tag = "pools", security(("bearer" = [])),
    params(MemberQuery), responses((status = 200, body = Vec<MemberView>)))]
pub async fn experts(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(query): Query<MemberQuery>,
) -> Result<Json<Vec<MemberView>>, ApiError> {
    list(&state, &session, "expert", &query).await
}

/// Add an institution (finance).
#[utoipa::path(post, path = "/api/v1/institutions", tag = "pools", security(("bearer" = [])),
    request_body = MemberRequest, responses((status = 201, body = MemberView), (status = 422, body = ErrorBody)))]
pub async fn add_institution(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(MemberRequest(input)): ApiJson<MemberRequest>,
) -> Result<(StatusCode, Json<MemberView>), ApiError> {
    add(&state, &session, "institution", input).await
}

/// The institution pool.
#[utoipa::path(get, path = "/api/v1/institutions", tag = "pools", security(("bearer" = [])),
    params(MemberQuery), responses((status = 200, body = Vec<MemberView>)))]
pub async fn institutions(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(query): Query<MemberQuery>,
) -> Result<Json<Vec<MemberView>>, ApiError> {
    list(&state, &session, "institution", &query).await
}

/// A draw as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DrawView {
    /// Id.
    pub id: i64,
    /// The seed.
    pub seed: String,
    /// Selected member ids, in order.
    pub selected: Vec<i64>,
    /// Backups, in the order they are called in.
    pub backups: Vec<i64>,
    /// `[{"member_id","name","reason"}]`.
    #[schema(value_type = Vec<Object>)]
    pub excluded: Vec<jixiao_core::draw::Exclusion>,
    /// Eligible member ids.
    pub eligible: Vec<i64>,
    /// SHA-256 of the eligible ids.
    pub eligible_hash: String,
}

impl From<&DrawRecord> for DrawView {
    fn from(d: &DrawRecord) -> DrawView {
        DrawView {
            id: d.id,
            seed: d.seed.clone(),
            selected: d.result.selected.clone(),
            backups: d.result.backups.clone(),
            excluded: d.result.excluded.clone(),
            eligible: d.result.eligible.clone(),
            eligible_hash: d.result.eligible_hash.clone(),
        }
    }
}

/// A draw to make: `kind` (expert|institution), `purpose`, `project_id`, `fields`, `count`,
/// `backups`, `prefer_fewer_jobs`, `as_of`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct DrawRequest(pub DrawInput);

/// Draw members for a job on a project (finance).
#[utoipa::path(post, path = "/api/v1/draws", tag = "pools", security(("bearer" = [])),
    request_body = DrawRequest,
    responses((status = 201, body = DrawView),
        (status = 422, description = "`too_few_eligible` with needed, eligible and the exclusions in details", body = ErrorBody)))]
pub async fn draw(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(DrawRequest(input)): ApiJson<DrawRequest>,
) -> Result<(StatusCode, Json<DrawView>), ApiError> {
    let record = state.store.draw(&session.actor(), &input).await?;
    Ok((StatusCode::CREATED, Json(DrawView::from(&record))))
}

/// A stored draw.
#[utoipa::path(get, path = "/api/v1/draws/{id}", tag = "pools", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = DrawView), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<DrawView>, ApiError> {
    let record = state.store.draw_record(&session.actor(), id).await?;
    Ok(Json(DrawView::from(&record)))
}

/// The replay of a stored draw.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReplayView {
    /// Whether re-running the draw gives the stored result.
    pub matches: bool,
    /// The stored draw.
    pub stored: DrawView,
    /// Selected on replay.
    pub selected: Vec<i64>,
    /// Backups on replay.
    pub backups: Vec<i64>,
}

/// Re-run a stored draw from its record.
#[utoipa::path(get, path = "/api/v1/draws/{id}/replay", tag = "pools", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = ReplayView), (status = 404, body = ErrorBody)))]
pub async fn replay(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ReplayView>, ApiError> {
    let replay = state.store.replay_draw(&session.actor(), id).await?;
    Ok(Json(ReplayView {
        matches: replay.matches,
        stored: DrawView::from(&replay.draw),
        selected: replay.replayed.selected,
        backups: replay.replayed.backups,
    }))
}
