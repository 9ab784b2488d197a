//! The programmes of the seed over the API (issue 19 item 5, decision 0045): 扶贫专岗/公益性岗位
//! posts charged to a project, their holders (a holder outside the rulebook's ages is a 422 with
//! the detail code `holder_age`, nothing stored) and each holder's monthly attendance and pay.
//! Left-behind children's files, their "12345" activities and the compliance of each child and
//! school over a period. Clean-courtyard inspection rounds and scores. Health screening
//! campaigns, appointments and results (a serious one raises a clue 因病). Work records, the
//! ground of employment introduction letters. Kept by the county office, townships and villages in their area
//! (`KeepProgrammes`).

use super::ApiJson;
use super::openapi::ErrorBody;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, Error};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use jixiao_core::time;
use jixiao_store::{
    AppointmentInput, Campaign, CampaignFile, CampaignInput, Child, ChildActivityInput, ChildFile,
    ChildInput, ChildrenCompliance, CourtyardRound, CourtyardRoundFile, CourtyardRoundInput,
    CourtyardScoreInput, HolderInput, Post, PostFile, PostInput, PostMonthInput,
    ScreeningResultInput, WorkRecord, WorkRecordInput,
};
use serde::Deserialize;
use utoipa::IntoParams;

/// Filter by year.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// The year; none: every year.
    pub year: Option<i32>,
}

/// The 公益性岗位 posts in the caller's area, newest year first.
#[utoipa::path(get, path = "/api/v1/posts", tag = "assistance", security(("bearer" = [])),
    params(YearQuery),
    responses((status = 200, body = Vec<Post>), (status = 403, body = ErrorBody)))]
pub async fn posts(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(query): Query<YearQuery>,
) -> Result<Json<Vec<Post>>, ApiError> {
    Ok(Json(state.store.posts(&session.actor(), query.year).await?))
}

/// Set up a post in a township or village of the caller's area, charged to a project of the
/// project library for a year.
#[utoipa::path(post, path = "/api/v1/posts", tag = "assistance", security(("bearer" = [])),
    request_body = PostInput,
    responses((status = 201, body = PostFile), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_post(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(input): ApiJson<PostInput>,
) -> Result<(StatusCode, Json<PostFile>), ApiError> {
    let file = state.store.create_post(&session.actor(), &input).await?;
    Ok((StatusCode::CREATED, Json(file)))
}

/// A post with its holders and their months.
#[utoipa::path(get, path = "/api/v1/posts/{id}", tag = "assistance", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Post id")),
    responses((status = 200, body = PostFile), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn post(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<PostFile>, ApiError> {
    Ok(Json(state.store.post(&session.actor(), id).await?))
}

/// Record a holder of a post: a live registry member aged within the rulebook's range on the
/// first day (`holder_age` otherwise), not already on the post over those days.
#[utoipa::path(post, path = "/api/v1/posts/{id}/holders", tag = "assistance",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Post id")),
    request_body = HolderInput,
    responses((status = 201, body = PostFile), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_holder(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<HolderInput>,
) -> Result<(StatusCode, Json<PostFile>), ApiError> {
    let file = state
        .store
        .add_post_holder(&session.actor(), id, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(file)))
}

/// Record (or correct) a holder's month: days on duty and pay (fen, not above the post's
/// monthly pay), within the holder's period.
#[utoipa::path(post, path = "/api/v1/posts/{id}/months", tag = "assistance",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Post id")),
    request_body = PostMonthInput,
    responses((status = 200, body = PostFile), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record_month(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<PostMonthInput>,
) -> Result<Json<PostFile>, ApiError> {
    Ok(Json(
        state
            .store
            .record_post_month(&session.actor(), id, &input)
            .await?,
    ))
}

/// The left-behind children on file in the caller's area, by school.
#[utoipa::path(get, path = "/api/v1/children", tag = "assistance", security(("bearer" = [])),
    responses((status = 200, body = Vec<Child>), (status = 403, body = ErrorBody)))]
pub async fn children(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> Result<Json<Vec<Child>>, ApiError> {
    Ok(Json(state.store.children(&session.actor()).await?))
}

/// Open a child's file in a village of the caller's area (a registry member, or a name and birth
/// date), with the school and the guardian.
#[utoipa::path(post, path = "/api/v1/children", tag = "assistance", security(("bearer" = [])),
    request_body = ChildInput,
    responses((status = 201, body = ChildFile), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn add_child(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(input): ApiJson<ChildInput>,
) -> Result<(StatusCode, Json<ChildFile>), ApiError> {
    let file = state.store.add_child(&session.actor(), &input).await?;
    Ok((StatusCode::CREATED, Json(file)))
}

/// A child's file with the activities recorded.
#[utoipa::path(get, path = "/api/v1/children/{id}", tag = "assistance",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Child id")),
    responses((status = 200, body = ChildFile), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn child(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ChildFile>, ApiError> {
    Ok(Json(state.store.child(&session.actor(), id).await?))
}

/// Record an activity of the "12345" schedule for a child (contact, special class, feedback,
/// home visit, festival activity) on a day not in the future.
#[utoipa::path(post, path = "/api/v1/children/{id}/activities", tag = "assistance",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Child id")),
    request_body = ChildActivityInput,
    responses((status = 201, body = ChildFile), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record_activity(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ChildActivityInput>,
) -> Result<(StatusCode, Json<ChildFile>), ApiError> {
    let file = state
        .store
        .record_child_activity(&session.actor(), id, &input, time::today())
        .await?;
    Ok((StatusCode::CREATED, Json(file)))
}

/// The period of a compliance view.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day, `YYYY-MM-DD` (at most two years after `from`).
    pub to: String,
}

/// Each child's and each school's compliance with the "12345" schedule over a period: what the
/// rulebook owes for the whole days, weeks, months, years and school years in it, and what was
/// recorded; the children behind first.
#[utoipa::path(get, path = "/api/v1/children/compliance", tag = "assistance",
    security(("bearer" = [])), params(PeriodQuery),
    responses((status = 200, body = ChildrenCompliance), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn children_compliance(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(query): Query<PeriodQuery>,
) -> Result<Json<ChildrenCompliance>, ApiError> {
    let day = |field: &str, text: &str| {
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map_err(|_| Error::invalid(field, "invalid_date", "日期格式应为YYYY-MM-DD"))
    };
    let (from, to) = (day("from", &query.from)?, day("to", &query.to)?);
    Ok(Json(
        state
            .store
            .children_compliance(&session.actor(), from, to)
            .await?,
    ))
}

/// The clean-courtyard (洁净庭院) inspection rounds in the caller's area, latest first, with the
/// courtyards scored and passing.
#[utoipa::path(get, path = "/api/v1/courtyards", tag = "assistance", security(("bearer" = [])),
    responses((status = 200, body = Vec<CourtyardRound>), (status = 403, body = ErrorBody)))]
pub async fn courtyard_rounds(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> Result<Json<Vec<CourtyardRound>>, ApiError> {
    Ok(Json(state.store.courtyard_rounds(&session.actor()).await?))
}

/// Record an inspection round over a township or village of the caller's area.
#[utoipa::path(post, path = "/api/v1/courtyards", tag = "assistance", security(("bearer" = [])),
    request_body = CourtyardRoundInput,
    responses((status = 201, body = CourtyardRoundFile), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn add_courtyard_round(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(input): ApiJson<CourtyardRoundInput>,
) -> Result<(StatusCode, Json<CourtyardRoundFile>), ApiError> {
    let file = state
        .store
        .add_courtyard_round(&session.actor(), &input)
        .await?;
    Ok((StatusCode::CREATED, Json(file)))
}

/// A round with every courtyard scored, the passing (compliant) households first, and the
/// rulebook's pass score.
#[utoipa::path(get, path = "/api/v1/courtyards/{id}", tag = "assistance",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Round id")),
    responses((status = 200, body = CourtyardRoundFile), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn courtyard_round(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<CourtyardRoundFile>, ApiError> {
    Ok(Json(
        state.store.courtyard_round(&session.actor(), id).await?,
    ))
}

/// Score a household's courtyard in a round (0–100; a second score corrects the first), with the
/// help given to a household without labour.
#[utoipa::path(post, path = "/api/v1/courtyards/{id}/scores", tag = "assistance",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Round id")),
    request_body = CourtyardScoreInput,
    responses((status = 200, body = CourtyardRoundFile), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn score_courtyard(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<CourtyardScoreInput>,
) -> Result<Json<CourtyardRoundFile>, ApiError> {
    Ok(Json(
        state
            .store
            .score_courtyard(&session.actor(), id, &input)
            .await?,
    ))
}

/// The health screening (健康查体) campaigns in the caller's area, latest first, with the people
/// appointed, screened and found serious.
#[utoipa::path(get, path = "/api/v1/screening-campaigns", tag = "assistance",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<Campaign>), (status = 403, body = ErrorBody)))]
pub async fn campaigns(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> Result<Json<Vec<Campaign>>, ApiError> {
    Ok(Json(
        state.store.screening_campaigns(&session.actor()).await?,
    ))
}

/// Record a screening campaign over a township or village of the caller's area.
#[utoipa::path(post, path = "/api/v1/screening-campaigns", tag = "assistance",
    security(("bearer" = [])), request_body = CampaignInput,
    responses((status = 201, body = CampaignFile), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn add_campaign(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(input): ApiJson<CampaignInput>,
) -> Result<(StatusCode, Json<CampaignFile>), ApiError> {
    let file = state
        .store
        .add_screening_campaign(&session.actor(), &input)
        .await?;
    Ok((StatusCode::CREATED, Json(file)))
}

/// A campaign with its people, their appointments and results.
#[utoipa::path(get, path = "/api/v1/screening-campaigns/{id}", tag = "assistance",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Campaign id")),
    responses((status = 200, body = CampaignFile), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn campaign(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<CampaignFile>, ApiError> {
    Ok(Json(
        state.store.screening_campaign(&session.actor(), id).await?,
    ))
}

/// Make (or move) a registry member's appointment within the campaign's days.
#[utoipa::path(post, path = "/api/v1/screening-campaigns/{id}/appointments", tag = "assistance",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Campaign id")),
    request_body = AppointmentInput,
    responses((status = 200, body = CampaignFile), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn appoint(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AppointmentInput>,
) -> Result<Json<CampaignFile>, ApiError> {
    Ok(Json(
        state
            .store
            .appoint_for_screening(&session.actor(), id, &input)
            .await?,
    ))
}

/// Record an appointed person's result: `normal`, `follow_up` or `serious` — a serious result
/// raises a monitoring clue 因病 for the household (or adds the reason to its live clue).
#[utoipa::path(post, path = "/api/v1/screening-campaigns/{id}/results", tag = "assistance",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Campaign id")),
    request_body = ScreeningResultInput,
    responses((status = 200, body = CampaignFile), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record_result(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ScreeningResultInput>,
) -> Result<Json<CampaignFile>, ApiError> {
    Ok(Json(
        state
            .store
            .record_screening_result(&session.actor(), id, &input, time::today())
            .await?,
    ))
}

/// The work records (就业记录) in the caller's area, newest first, ID numbers masked; each is
/// the ground of an employment introduction letter (printable at `/work-records/{id}/letter`).
#[utoipa::path(get, path = "/api/v1/work-records", tag = "assistance", security(("bearer" = [])),
    responses((status = 200, body = Vec<WorkRecord>), (status = 403, body = ErrorBody)))]
pub async fn work_records(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> Result<Json<Vec<WorkRecord>>, ApiError> {
    Ok(Json(state.store.work_records(&session.actor()).await?))
}

/// Record a registry member's work: employer, position, start, monthly income and transport
/// subsidy (fen).
#[utoipa::path(post, path = "/api/v1/work-records", tag = "assistance", security(("bearer" = [])),
    request_body = WorkRecordInput,
    responses((status = 201, body = WorkRecord), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn add_work_record(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(input): ApiJson<WorkRecordInput>,
) -> Result<(StatusCode, Json<WorkRecord>), ApiError> {
    let record = state
        .store
        .add_work_record(&session.actor(), &input, time::today())
        .await?;
    Ok((StatusCode::CREATED, Json(record)))
}
