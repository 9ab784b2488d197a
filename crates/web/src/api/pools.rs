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
    /// An institution's staff who may act as evaluators.
    pub staff: Vec<String>,
}

impl From<&PoolMember> for MemberView {
    fn from(m: &PoolMember) -> MemberView {
        MemberView {
            id: m.id,
            name: m.name.clone(),
            category: m.category.clone(),
            fields: m.fields().to_vec(),
            employer: m.employer.clone(),
            employer_agency_id: m.employer_agency_id,
            id_number_masked: m.id_number_masked.clone(),
            status: m.status.clone(),
            suspended_until: m.suspended_until.clone(),
            staff: m.staff().to_vec(),
        }
    }
}

/// Filters of a registry.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
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
    request_body = MemberInput, responses((status = 201, body = MemberView), (status = 422, body = ErrorBody)))]
pub async fn add_expert(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(input): ApiJson<MemberInput>,
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
    request_body = MemberInput, responses((status = 201, body = MemberView), (status = 422, body = ErrorBody)))]
pub async fn add_institution(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(input): ApiJson<MemberInput>,
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

/// Draw members for a job on a project (finance).
#[utoipa::path(post, path = "/api/v1/draws", tag = "pools", security(("bearer" = [])),
    request_body = DrawInput,
    responses((status = 201, body = DrawView),
        (status = 422, description = "`too_few_eligible` with needed, eligible and the exclusions in details", body = ErrorBody)))]
pub async fn draw(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(input): ApiJson<DrawInput>,
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

/// Assignments: an expert's or institution's own; all of the jurisdiction's for finance.
#[utoipa::path(get, path = "/api/v1/assignments", tag = "pools", security(("bearer" = [])),
    responses((status = 200, body = Vec<jixiao_store::Assignment>)))]
pub async fn assignments(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> Result<Json<Vec<jixiao_store::Assignment>>, ApiError> {
    Ok(Json(state.store.assignments(&session.actor()).await?))
}

/// A decline's reason.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DeclineRequest {
    /// Why (e.g. a conflict the draw could not know).
    pub reason: String,
}

/// Accept an invitation (the member).
#[utoipa::path(post, path = "/api/v1/assignments/{id}/accept", tag = "pools", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = jixiao_store::Assignment), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<jixiao_store::Assignment>, ApiError> {
    Ok(Json(
        state
            .store
            .answer_assignment(&session.actor(), id, true, "")
            .await?,
    ))
}

/// Decline an invitation (the member): the next backup is called in.
#[utoipa::path(post, path = "/api/v1/assignments/{id}/decline", tag = "pools", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = DeclineRequest,
    responses((status = 200, body = jixiao_store::Assignment), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn decline(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<DeclineRequest>,
) -> Result<Json<jixiao_store::Assignment>, ApiError> {
    Ok(Json(
        state
            .store
            .answer_assignment(&session.actor(), id, false, &request.reason)
            .await?,
    ))
}

/// Submit the review (the member).
#[utoipa::path(post, path = "/api/v1/assignments/{id}/review", tag = "pools", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = jixiao_store::ReviewInput,
    responses((status = 200, body = jixiao_store::Assignment), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<jixiao_store::ReviewInput>,
) -> Result<Json<jixiao_store::Assignment>, ApiError> {
    Ok(Json(
        state
            .store
            .submit_review(&session.actor(), id, &input)
            .await?,
    ))
}

/// Rate a finished job (finance); answers with the member's standing.
#[utoipa::path(post, path = "/api/v1/assignments/{id}/rating", tag = "pools", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = jixiao_store::RatingInput,
    responses((status = 200, body = jixiao_store::Standing), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn rate(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<jixiao_store::RatingInput>,
) -> Result<Json<jixiao_store::Standing>, ApiError> {
    Ok(Json(
        state
            .store
            .rate_assignment(&session.actor(), id, &input)
            .await?,
    ))
}

/// Which ratings a standing covers.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StandingsQuery {
    /// The rulebook's window up to this date (YYYY-MM-DD, default today).
    pub as_of: Option<String>,
    /// Or one calendar year (the yearly rating of institutions).
    pub year: Option<i32>,
}

/// Members' average ratings over the rulebook's window (or a year); `flagged` when below the bar.
#[utoipa::path(get, path = "/api/v1/pool-standings", tag = "pools", security(("bearer" = [])),
    params(StandingsQuery), responses((status = 200, body = Vec<jixiao_store::Standing>)))]
pub async fn standings(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(query): Query<StandingsQuery>,
) -> Result<Json<Vec<jixiao_store::Standing>>, ApiError> {
    let actor = session.actor();
    if let Some(year) = query.year {
        return Ok(Json(state.store.standings_for_year(&actor, year).await?));
    }
    let as_of = super::monitoring::as_of(
        &super::monitoring::AsOf { as_of: query.as_of },
        session.business_date,
    )?;
    Ok(Json(state.store.standings(&actor, as_of).await?))
}

/// A member's new status.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StatusRequest {
    /// active | suspended | removed.
    pub status: String,
    /// End of a suspension, YYYY-MM-DD.
    #[serde(default)]
    pub until: Option<String>,
    /// Why (required to suspend or remove).
    #[serde(default)]
    pub reason: String,
}

/// Suspend, remove (a recorded decision) or reinstate a member (finance).
#[utoipa::path(post, path = "/api/v1/pool-members/{id}/status", tag = "pools", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = StatusRequest,
    responses((status = 200, body = MemberView), (status = 422, body = ErrorBody)))]
pub async fn set_status(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<StatusRequest>,
) -> Result<Json<MemberView>, ApiError> {
    let member = state
        .store
        .set_member_status(
            &session.actor(),
            id,
            &request.status,
            request.until.as_deref(),
            &request.reason,
        )
        .await?;
    Ok(Json(MemberView::from(&member)))
}

/// The account that acts for a member.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AccountRequest {
    /// An expert or institution user.
    pub username: String,
}

/// Link a member to its account (finance).
#[utoipa::path(post, path = "/api/v1/pool-members/{id}/account", tag = "pools", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = AccountRequest,
    responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn link_account(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<AccountRequest>,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .link_member_account(&session.actor(), id, &request.username)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Record a complaint's handling (finance); a substantiated one suspends the member.
#[utoipa::path(post, path = "/api/v1/pool-members/{id}/complaints", tag = "pools", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = jixiao_store::Complaint,
    responses((status = 201, body = MemberView), (status = 422, body = ErrorBody)))]
pub async fn add_complaint(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<jixiao_store::Complaint>,
) -> Result<(StatusCode, Json<MemberView>), ApiError> {
    let member = state
        .store
        .record_complaint(&session.actor(), id, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(MemberView::from(&member))))
}

/// A member's complaint history.
#[utoipa::path(get, path = "/api/v1/pool-members/{id}/complaints", tag = "pools", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = Vec<jixiao_store::Complaint>), (status = 404, body = ErrorBody)))]
pub async fn complaints(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<jixiao_store::Complaint>>, ApiError> {
    Ok(Json(state.store.complaints(&session.actor(), id).await?))
}
