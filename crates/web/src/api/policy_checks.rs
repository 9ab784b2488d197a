//! The coverage check (政策落实核查) over the API: the county office starts a run over the
//! jurisdiction or one township; readers see a run's counts and findings within their scope
//! (村: its village; 乡镇: its villages; 行业部门: its department's findings). People are named by
//! store ids; ID numbers never appear.

use super::ApiJson;
use super::openapi::ErrorBody;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use jixiao_store::{FindingFilter, PolicyCheckSummary, PolicyFinding};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// What to check.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RunRequest {
    /// A township code: only its households are checked (ID numbers are still compared over the
    /// whole jurisdiction). None: the whole jurisdiction.
    pub township: Option<String>,
    /// The day checked, `YYYY-MM-DD` (default: today).
    #[schema(value_type = Option<String>, format = Date)]
    pub as_of: Option<NaiveDate>,
}

/// The run started.
#[derive(Serialize, ToSchema)]
pub struct RunCreated {
    /// The run's id.
    pub id: i64,
}

/// Run the coverage check (县帮扶办) and store its findings; a finding an earlier run gave and
/// this one does not is closed.
#[utoipa::path(post, path = "/api/v1/policy-checks", tag = "assistance", security(("bearer" = [])),
    request_body = RunRequest,
    responses((status = 201, body = RunCreated), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn run(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(request): ApiJson<RunRequest>,
) -> Result<(StatusCode, Json<RunCreated>), ApiError> {
    let as_of = request.as_of.unwrap_or(session.business_date);
    let id = state
        .store
        .run_policy_check(&session.actor(), request.township.as_deref(), as_of)
        .await?;
    Ok((StatusCode::CREATED, Json(RunCreated { id })))
}

/// A run with its findings counted by township, rule, kind and department (open, closed,
/// accepted), within the caller's scope. Another jurisdiction's run is "not found".
#[utoipa::path(get, path = "/api/v1/policy-checks/{id}", tag = "assistance",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Run id")),
    responses((status = 200, body = PolicyCheckSummary), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<PolicyCheckSummary>, ApiError> {
    Ok(Json(state.store.policy_check(&session.actor(), id).await?))
}

/// Which findings of a run.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FindingQuery {
    /// A rule code.
    pub rule: Option<String>,
    /// A township code.
    pub township: Option<String>,
    /// A village code.
    pub village: Option<String>,
    /// The answering department's code (`civil_affairs`, `medical_insurance` …).
    pub department: Option<String>,
    /// `should_enjoy`, `wrongly_enjoys`, `data_conflict` or `rule_error`.
    pub kind: Option<String>,
    /// `open`, `closed` or `accepted`.
    pub status: Option<String>,
    /// Page from 1.
    pub page: Option<i64>,
    /// Rows per page (1–200, default 50).
    pub per_page: Option<i64>,
}

/// A page of findings.
#[derive(Serialize, ToSchema)]
pub struct FindingPage {
    /// Findings in scope that match.
    pub total: i64,
    /// This page.
    pub page: i64,
    /// The findings.
    pub findings: Vec<PolicyFinding>,
}

/// A run's findings within the caller's scope: those it found that no later run has seen again,
/// and those it closed.
#[utoipa::path(get, path = "/api/v1/policy-checks/{id}/findings", tag = "assistance",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Run id"), FindingQuery),
    responses((status = 200, body = FindingPage), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn findings(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Query(query): Query<FindingQuery>,
) -> Result<Json<FindingPage>, ApiError> {
    let page = query.page.unwrap_or(1).max(1);
    let filter = FindingFilter {
        rule: query.rule,
        township: query.township,
        village: query.village,
        department: query.department,
        status: query.status,
        kind: query.kind,
    };
    let (findings, total) = state
        .store
        .policy_check_findings(
            &session.actor(),
            id,
            &filter,
            page,
            query.per_page.unwrap_or(50),
        )
        .await?;
    Ok(Json(FindingPage {
        total,
        page,
        findings,
    }))
}
