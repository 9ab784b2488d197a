//! Dynamic monitoring over the API (decision 0035): screenings (the registry's triggers, or a
//! department's list as the body), clues (listed in scope, recorded by hand, dismissed),
//! monitoring cases (opened from a clue, their steps on the kernel, the work list with overdue
//! cases, the board by township) and each case's versioned plan, and a household's yearly income. Refusals are
//! structured: the kernel's (wrong role 403, wrong state or stale version 409) and the rulebook's
//! (`notice_too_short`, `notice_running`, `elimination_too_early`, `no_measure_done`,
//! `income_not_above_line` in a 422's details).

use super::ApiJson;
use super::openapi::ErrorBody;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, Error};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use jixiao_core::assistance::registry::IncomeRecord;
use jixiao_store::{
    Clue, ClueInput, PlanInput, RiskCaseFile, RiskCaseInput, RiskCaseView, RiskPlan, RiskStepInput,
    ScreeningOutcome, TownshipLine,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// What to screen.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ScreeningRequest {
    /// A township code; none: the whole jurisdiction.
    pub township: Option<String>,
    /// The income year screened (against the year before); default: last year.
    pub year: Option<i32>,
}

fn last_year(business_date: chrono::NaiveDate) -> i32 {
    use chrono::Datelike;
    business_date.year() - 1
}

/// Run the rulebook's monitoring triggers over the registry (县帮扶办): income under the line,
/// a sharp drop against last year, self-paid spending above the share or the amount. Returns
/// the run and the clues raised or added to (a household's live clue takes the new reasons).
#[utoipa::path(post, path = "/api/v1/screenings", tag = "assistance", security(("bearer" = [])),
    request_body = ScreeningRequest,
    responses((status = 201, body = ScreeningOutcome), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn screen(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(request): ApiJson<ScreeningRequest>,
) -> Result<(StatusCode, Json<ScreeningOutcome>), ApiError> {
    let outcome = state
        .store
        .run_screening(
            &session.actor(),
            request.township.as_deref(),
            request
                .year
                .unwrap_or_else(|| last_year(session.business_date)),
            session.business_date,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(outcome)))
}

/// Which department's list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// The department (`medical_insurance`, `disabled_persons` … or 医保, 残联 …).
    pub department: String,
    /// The income year its amounts are compared with (default: last year).
    pub year: Option<i32>,
}

/// Match a department's list (证件号码; 姓名, 事由, 日期, 金额（元） when given) against the
/// registry by ID number and raise clues: a medical list's self-paid amounts through the
/// spending trigger, any other list for every person found. A list with a bad row is refused
/// whole (422 with every problem by cell).
#[utoipa::path(post, path = "/api/v1/screenings/department-list", tag = "assistance",
    security(("bearer" = [])), params(ListQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "The .xlsx or .csv list"),
    responses((status = 201, body = ScreeningOutcome), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn screen_list(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(query): Query<ListQuery>,
    body: Bytes,
) -> Result<(StatusCode, Json<ScreeningOutcome>), ApiError> {
    let (rows, errors) = read_department_list(&state, body).await?;
    let outcome = state
        .store
        .screen_department_list(
            &session.actor(),
            &query.department,
            &rows,
            &errors,
            query
                .year
                .unwrap_or_else(|| last_year(session.business_date)),
            session.business_date,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(outcome)))
}

/// Reads a department's list on the parse queue.
pub(crate) async fn read_department_list(
    state: &AppState,
    body: Bytes,
) -> Result<
    (
        Vec<jixiao_store::DepartmentRow>,
        Vec<jixiao_core::assistance::export::RowError>,
    ),
    Error,
> {
    if body.is_empty() {
        return Err(Error::invalid(
            "file",
            "empty_file",
            "请上传部门名单（.xlsx 或 .csv）",
        ));
    }
    let today = jixiao_core::time::today();
    let list = state
        .parses
        .run(move || jixiao_interop::department_list::read(&body, today).map_err(|e| e.to_string()))
        .await?
        .map_err(|message| Error::invalid("file", "unreadable_file", message))?;
    let rows = list
        .lines
        .into_iter()
        .map(|l| jixiao_store::DepartmentRow {
            row: l.row,
            id_number: l.id_number,
            id_cell: l.id_cell,
            policy: l.policy,
            policy_cell: l.policy_cell,
            from: l.from,
            to: l.to,
            amount_fen: l.amount_fen,
        })
        .collect();
    Ok((rows, list.errors))
}

/// Filter by status or state.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    /// Clues: `open`, `in_case`, `closed` or `dismissed`; cases: a state code of
    /// docs/workflow.md (`monitored` …).
    pub status: Option<String>,
}

/// The clues within the caller's scope, newest first (an open application past its acceptance
/// day, or an open clue past the days to measures, is `overdue`).
#[utoipa::path(get, path = "/api/v1/clues", tag = "assistance", security(("bearer" = [])),
    params(StatusQuery),
    responses((status = 200, body = Vec<Clue>), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn clues(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(query): Query<StatusQuery>,
) -> Result<Json<Vec<Clue>>, ApiError> {
    Ok(Json(
        state
            .store
            .clues(
                &session.actor(),
                query.status.as_deref(),
                session.business_date,
            )
            .await?,
    ))
}

/// Record a clue by hand: a household's application (the signed consent on file), a cadre's
/// visit or the hotline. A household with a live clue gets the reason added to it.
#[utoipa::path(post, path = "/api/v1/clues", tag = "assistance", security(("bearer" = [])),
    request_body = ClueInput,
    responses((status = 201, body = Clue), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record_clue(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(input): ApiJson<ClueInput>,
) -> Result<(StatusCode, Json<Clue>), ApiError> {
    let clue = state
        .store
        .record_clue(&session.actor(), &input, session.business_date)
        .await?;
    Ok((StatusCode::CREATED, Json(clue)))
}

/// Why a clue is dismissed.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DismissRequest {
    /// The reason (required).
    pub note: String,
}

/// Dismiss an open clue (不予立案) with the reason.
#[utoipa::path(post, path = "/api/v1/clues/{id}/dismiss", tag = "assistance",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Clue id")),
    request_body = DismissRequest,
    responses((status = 200, body = Clue), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn dismiss_clue(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<DismissRequest>,
) -> Result<Json<Clue>, ApiError> {
    Ok(Json(
        state
            .store
            .dismiss_clue(&session.actor(), id, &request.note, session.business_date)
            .await?,
    ))
}

/// A line of the work list.
#[derive(Serialize, ToSchema)]
pub struct RiskCaseLine {
    /// The case.
    pub case: RiskCaseView,
    /// Why it is late, if it is.
    pub overdue: Option<String>,
}

/// The work list: the cases within the caller's scope, each with why it is late, if it is.
#[utoipa::path(get, path = "/api/v1/risk-cases", tag = "assistance", security(("bearer" = [])),
    params(StatusQuery),
    responses((status = 200, body = Vec<RiskCaseLine>), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn cases(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(query): Query<StatusQuery>,
) -> Result<Json<Vec<RiskCaseLine>>, ApiError> {
    let lines = state
        .store
        .risk_cases(
            &session.actor(),
            query.status.as_deref(),
            session.business_date,
        )
        .await?;
    Ok(Json(
        lines
            .into_iter()
            .map(|(case, overdue)| RiskCaseLine { case, overdue })
            .collect(),
    ))
}

/// The monitoring board by township: clues waiting (and overdue), cases in identification,
/// monitored, in elimination and eliminated, the measures of the current plans (and those
/// carried out) and the cases late with their measures, on the business date; the total last.
#[utoipa::path(get, path = "/api/v1/risk-cases/by-township", tag = "assistance",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<TownshipLine>), (status = 403, body = ErrorBody)))]
pub async fn by_township(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> Result<Json<Vec<TownshipLine>>, ApiError> {
    Ok(Json(
        state
            .store
            .township_board(&session.actor(), session.business_date)
            .await?,
    ))
}

/// Open a monitoring case from an open clue: the type and one to five risk kinds.
#[utoipa::path(post, path = "/api/v1/risk-cases", tag = "assistance", security(("bearer" = [])),
    request_body = RiskCaseInput,
    responses((status = 201, body = RiskCaseFile), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn open_case(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(input): ApiJson<RiskCaseInput>,
) -> Result<(StatusCode, Json<RiskCaseFile>), ApiError> {
    let file = state
        .store
        .open_risk_case(&session.actor(), &input, session.business_date)
        .await?;
    Ok((StatusCode::CREATED, Json(file)))
}

/// A case with its clue, every step and its current plan.
#[utoipa::path(get, path = "/api/v1/risk-cases/{id}", tag = "assistance",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, body = RiskCaseFile), (status = 404, body = ErrorBody)))]
pub async fn case(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<RiskCaseFile>, ApiError> {
    Ok(Json(
        state
            .store
            .risk_case(&session.actor(), id, session.business_date)
            .await?,
    ))
}

/// Take a step of a case (which role may take which step: docs/workflow.md).
#[utoipa::path(post, path = "/api/v1/risk-cases/{id}/steps", tag = "assistance",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Case id")),
    request_body = RiskStepInput,
    responses((status = 200, body = RiskCaseFile), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn step(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<RiskStepInput>,
) -> Result<Json<RiskCaseFile>, ApiError> {
    Ok(Json(
        state
            .store
            .take_risk_case_step(&session.actor(), id, &input, session.business_date)
            .await?,
    ))
}

/// Which version of a plan.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanQuery {
    /// A version; default: the current one.
    pub version: Option<i32>,
}

/// A case's plan (一户一策): its measures and what is wrong with it.
#[utoipa::path(get, path = "/api/v1/risk-cases/{id}/plan", tag = "assistance",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Case id"), PlanQuery),
    responses((status = 200, body = RiskPlan), (status = 404, body = ErrorBody)))]
pub async fn plan(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Query(query): Query<PlanQuery>,
) -> Result<Json<RiskPlan>, ApiError> {
    Ok(Json(
        state
            .store
            .risk_plan(&session.actor(), id, query.version)
            .await?,
    ))
}

/// Save a new version of a case's plan with all its measures.
#[utoipa::path(post, path = "/api/v1/risk-cases/{id}/plan", tag = "assistance",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Case id")),
    request_body = PlanInput,
    responses((status = 200, body = RiskPlan), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn save_plan(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<PlanInput>,
) -> Result<Json<RiskPlan>, ApiError> {
    Ok(Json(
        state
            .store
            .save_risk_plan(&session.actor(), id, &input, session.business_date)
            .await?,
    ))
}

/// A household's income of a year, fen.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncomeRequest {
    /// 工资性收入.
    #[serde(default)]
    pub wage_fen: i64,
    /// 生产经营性收入 (net).
    #[serde(default)]
    pub business_fen: i64,
    /// 财产性收入.
    #[serde(default)]
    pub property_fen: i64,
    /// 转移性收入.
    #[serde(default)]
    pub transfer_fen: i64,
    /// 合规自付支出 (mostly medical).
    #[serde(default)]
    pub self_paid_fen: i64,
}

/// The per-capita income computed.
#[derive(Serialize, ToSchema)]
pub struct IncomeRecorded {
    /// 人均纯收入, fen.
    pub per_capita_fen: i64,
}

/// Record a household's income of a year (replacing that year's record).
#[utoipa::path(put, path = "/api/v1/households/{id}/incomes/{year}", tag = "assistance",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Household id"),
        ("year" = i32, Path, description = "Year")),
    request_body = IncomeRequest,
    responses((status = 200, body = IncomeRecorded), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record_income(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path((id, year)): Path<(i64, i32)>,
    ApiJson(request): ApiJson<IncomeRequest>,
) -> Result<Json<IncomeRecorded>, ApiError> {
    let income = IncomeRecord {
        wage: request.wage_fen,
        business: request.business_fen,
        property: request.property_fen,
        transfer: request.transfer_fen,
        compliant_spending: request.self_paid_fen,
        recorded_per_capita: None,
    };
    let per_capita_fen = state
        .store
        .record_household_income(&session.actor(), id, year, &income)
        .await?;
    Ok(Json(IncomeRecorded { per_capita_fen }))
}
