//! In-year monitoring over the API: rounds (finance), reports (agencies), evaluation into alerts,
//! decisions on red alerts (agency proposes, finance confirms) and deadline enforcement.

use super::ApiJson;
use super::openapi::ErrorBody;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, Error};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use jixiao_store::{
    Alert, AlertDetail, Evaluation, MonitoringReport, ProposalInput, ReportEntry, ReportLine,
    RoundInput,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A round to open.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RoundRequest {
    /// Budget year.
    pub year: i32,
    /// Cut-off, YYYY-MM-DD.
    pub cutoff: String,
    /// Reports due by, YYYY-MM-DD.
    pub due: String,
    /// `all` or `selected`.
    pub scope: String,
    /// With `selected`: project ids.
    #[serde(default)]
    pub project_ids: Vec<i64>,
}

/// The id of what was created.
#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    /// Id.
    pub id: i64,
}

/// A report's entries.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReportRequest {
    /// The version read (optimistic locking).
    pub version: i32,
    /// One entry per indicator row: `row_no`, `reached`, `expected`, `outlook` (能/不能/不确定),
    /// `cause`, `explanation`, `measures`, and `override_reason` for an indicator fed from
    /// records whose `reached` differs from the computed value (a bound row left empty takes
    /// the computed value).
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<ReportEntry>,
}

/// A version, for submitting.
#[derive(Debug, Deserialize, ToSchema)]
pub struct VersionRequest {
    /// The version read.
    pub version: i32,
}

/// Finance's review of a report or of a proposal.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FinanceReviewRequest {
    /// `approve`/`return` for a report; `confirm`/`reject` for a decision.
    pub action: String,
    /// Required when returning or rejecting.
    #[serde(default)]
    pub comment: String,
}

/// A proposal or a confirmation on an alert: agencies send `action` = continue|adjust|cancel
/// with `comment` (and for adjust `recover_fen` and/or `revise_targets`); finance sends
/// `action` = confirm|reject.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionRequest {
    /// continue | adjust | cancel (agency), confirm | reject (finance).
    pub action: String,
    /// Explanation.
    #[serde(default)]
    pub comment: String,
    /// Money to give back, fen (adjust).
    #[serde(default)]
    pub recover_fen: i64,
    /// Whether the targets will be revised (adjust).
    #[serde(default)]
    pub revise_targets: bool,
}

/// An alert as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertView {
    /// Alert id.
    pub id: i64,
    /// Project.
    pub project_id: i64,
    /// Project code.
    pub project_code: String,
    /// red | yellow.
    pub level: String,
    /// Why, in Chinese.
    pub reasons: Vec<String>,
    /// Execution at the cut-off, basis points.
    pub execution_bp: i64,
    /// Indicator progress, basis points.
    pub progress_bp: Option<i64>,
    /// Raised on.
    pub raised_on: String,
    /// Decision deadline (red).
    pub deadline: Option<String>,
    /// open | proposed | decided.
    pub status: String,
    /// Whether payments were stopped.
    pub suspended: bool,
}

impl From<&Alert> for AlertView {
    fn from(a: &Alert) -> AlertView {
        AlertView {
            id: a.id,
            project_id: a.project_id,
            project_code: a.project_code.clone(),
            level: a.level.clone(),
            reasons: a.reasons(),
            execution_bp: a.execution_bp,
            progress_bp: a.progress_bp,
            raised_on: a.raised_on.clone(),
            deadline: a.deadline.clone(),
            status: a.status.clone(),
            suspended: a.suspended,
        }
    }
}

/// A business date, for training runs (defaults to the business date of the caller's jurisdiction).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOf {
    /// YYYY-MM-DD.
    pub as_of: Option<String>,
}

pub(super) fn as_of(query: &AsOf, business_date: NaiveDate) -> Result<NaiveDate, ApiError> {
    match &query.as_of {
        None => Ok(business_date),
        Some(text) => NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
            ApiError(Error::BadRequest {
                code: "invalid_date",
                message: "as_of 应为 YYYY-MM-DD 格式的日期".to_owned(),
            })
        }),
    }
}

/// Open a monitoring round (finance).
#[utoipa::path(post, path = "/api/v1/monitoring-rounds", tag = "monitoring", security(("bearer" = [])),
    request_body = RoundRequest, responses((status = 201, body = Created), (status = 409, description = "A round with the same cut-off exists", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn open_round(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(request): ApiJson<RoundRequest>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let round = state
        .store
        .open_monitoring_round(
            &session.actor(),
            &RoundInput {
                year: request.year,
                cutoff: request.cutoff,
                due: request.due,
                scope: request.scope,
                project_ids: request.project_ids,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: round.id })))
}

/// Rounds the caller may see.
#[utoipa::path(get, path = "/api/v1/monitoring-rounds", tag = "monitoring", security(("bearer" = [])),
    responses((status = 200, body = Vec<Object>)))]
pub async fn rounds(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> Result<Json<Vec<jixiao_store::MonitoringRound>>, ApiError> {
    Ok(Json(
        state
            .store
            .monitoring_rounds(&session.actor(), None)
            .await?,
    ))
}

/// A round's projects with execution at the cut-off and alert state.
#[utoipa::path(get, path = "/api/v1/monitoring-rounds/{id}/reports", tag = "monitoring", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = Vec<Object>), (status = 404, body = ErrorBody)))]
pub async fn lines(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<ReportLine>>, ApiError> {
    Ok(Json(state.store.round_lines(&session.actor(), id).await?))
}

/// A project's report in a round.
#[utoipa::path(get, path = "/api/v1/monitoring-rounds/{id}/reports/{project_id}", tag = "monitoring", security(("bearer" = [])),
    params(("id" = i64, Path), ("project_id" = i64, Path)), responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path((id, project_id)): Path<(i64, i64)>,
) -> Result<Json<MonitoringReport>, ApiError> {
    Ok(Json(
        state
            .store
            .monitoring_report(&session.actor(), id, project_id)
            .await?,
    ))
}

/// Save a report's entries (agency).
#[utoipa::path(put, path = "/api/v1/monitoring-rounds/{id}/reports/{project_id}", tag = "monitoring", security(("bearer" = [])),
    params(("id" = i64, Path), ("project_id" = i64, Path)), request_body = ReportRequest,
    responses((status = 200, body = Object), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, description = "Rows with problems, in details", body = ErrorBody)))]
pub async fn save_report(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path((id, project_id)): Path<(i64, i64)>,
    ApiJson(request): ApiJson<ReportRequest>,
) -> Result<Json<MonitoringReport>, ApiError> {
    Ok(Json(
        state
            .store
            .save_monitoring_report(
                &session.actor(),
                id,
                project_id,
                request.version,
                &request.rows,
            )
            .await?,
    ))
}

/// Submit a report to finance (agency).
#[utoipa::path(post, path = "/api/v1/monitoring-rounds/{id}/reports/{project_id}/submit", tag = "monitoring", security(("bearer" = [])),
    params(("id" = i64, Path), ("project_id" = i64, Path)), request_body = VersionRequest,
    responses((status = 200, body = Object), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn submit_report(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path((id, project_id)): Path<(i64, i64)>,
    ApiJson(request): ApiJson<VersionRequest>,
) -> Result<Json<MonitoringReport>, ApiError> {
    Ok(Json(
        state
            .store
            .submit_monitoring_report(&session.actor(), id, project_id, request.version)
            .await?,
    ))
}

/// Approve or return a submitted report (finance).
#[utoipa::path(post, path = "/api/v1/monitoring-rounds/{id}/reports/{project_id}/review", tag = "monitoring", security(("bearer" = [])),
    params(("id" = i64, Path), ("project_id" = i64, Path)), request_body = FinanceReviewRequest,
    responses((status = 200, body = Object), (status = 409, body = ErrorBody)))]
pub async fn review_report(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path((id, project_id)): Path<(i64, i64)>,
    ApiJson(request): ApiJson<FinanceReviewRequest>,
) -> Result<Json<MonitoringReport>, ApiError> {
    let approve = match request.action.as_str() {
        "approve" => true,
        "return" => false,
        _ => return Err(bad_action("approve 或 return")),
    };
    Ok(Json(
        state
            .store
            .review_monitoring_report(&session.actor(), id, project_id, approve, &request.comment)
            .await?,
    ))
}

fn bad_action(expected: &str) -> ApiError {
    ApiError(Error::BadRequest {
        code: "invalid_action",
        message: format!("action 应为 {expected}"),
    })
}

/// Evaluate the round: compute alerts as of today (or `as_of`) (finance).
#[utoipa::path(post, path = "/api/v1/monitoring-rounds/{id}/evaluate", tag = "monitoring", security(("bearer" = [])),
    params(("id" = i64, Path), AsOf), responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn evaluate(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Query(query): Query<AsOf>,
) -> Result<Json<Evaluation>, ApiError> {
    let as_of = as_of(&query, session.business_date)?;
    Ok(Json(
        state
            .store
            .evaluate_round(&session.actor(), id, as_of)
            .await?,
    ))
}

/// The round's alerts, red first.
#[utoipa::path(get, path = "/api/v1/monitoring-rounds/{id}/alerts", tag = "monitoring", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = Vec<AlertView>), (status = 404, body = ErrorBody)))]
pub async fn alerts(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<AlertView>>, ApiError> {
    let alerts = state.store.round_alerts(&session.actor(), id).await?;
    Ok(Json(alerts.iter().map(AlertView::from).collect()))
}

/// Apply decision deadlines as of a business date (finance): undecided red alerts past their
/// deadline stop the project's payments.
#[utoipa::path(post, path = "/api/v1/monitoring-rounds/{id}/enforce", tag = "monitoring", security(("bearer" = [])),
    params(("id" = i64, Path), AsOf), responses((status = 200, body = Object)))]
pub async fn enforce(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Query(query): Query<AsOf>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let as_of = as_of(&query, session.business_date)?;
    let suspended = state
        .store
        .enforce_alert_deadlines(&session.actor(), Some(id), as_of)
        .await?;
    Ok(Json(serde_json::json!({ "suspended_alerts": suspended })))
}

/// An alert with its decision history.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertDetailView {
    /// The alert.
    pub alert: AlertView,
    /// Decisions, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub decisions: Vec<jixiao_store::AlertDecision>,
}

impl From<AlertDetail> for AlertDetailView {
    fn from(d: AlertDetail) -> AlertDetailView {
        AlertDetailView {
            alert: AlertView::from(&d.alert),
            decisions: d.decisions,
        }
    }
}

/// An alert and its decisions.
#[utoipa::path(get, path = "/api/v1/alerts/{id}", tag = "monitoring", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = AlertDetailView), (status = 404, body = ErrorBody)))]
pub async fn alert(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<AlertDetailView>, ApiError> {
    Ok(Json(state.store.alert(&session.actor(), id).await?.into()))
}

/// Propose (agency) or confirm/reject (finance) a decision on a red alert.
#[utoipa::path(post, path = "/api/v1/alerts/{id}/decision", tag = "monitoring", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = DecisionRequest,
    responses((status = 200, body = AlertDetailView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn decision(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<DecisionRequest>,
) -> Result<Json<AlertDetailView>, ApiError> {
    let actor = session.actor();
    let detail = match (actor.role, request.action.as_str()) {
        (jixiao_core::Role::Finance, "confirm" | "reject") => {
            state
                .store
                .decide_alert(&actor, id, request.action == "confirm", &request.comment)
                .await?
        }
        (jixiao_core::Role::Finance, _) => return Err(bad_action("confirm 或 reject")),
        (_, "confirm" | "reject") => return Err(ApiError(Error::Forbidden)),
        _ => {
            state
                .store
                .propose_decision(
                    &actor,
                    id,
                    &ProposalInput {
                        action: request.action,
                        comment: request.comment,
                        recover_fen: request.recover_fen,
                        revise_targets: request.revise_targets,
                    },
                )
                .await?
        }
    };
    Ok(Json(detail.into()))
}
