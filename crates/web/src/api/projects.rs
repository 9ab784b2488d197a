//! Projects over the API: the library, target sheets, the gate, review, queues and figures.

use super::ApiJson;
use super::openapi::ErrorBody;
pub use super::project_types::*;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, Error};
use crate::read_database::{ReadAnswer, read_answer};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use jixiao_core::project::{PreAssessment, ProjectState, TargetGrade};
use jixiao_core::target::IndicatorInput;
use jixiao_core::{ValidationErrors, indicator_library};
use jixiao_store::{Decision, ProjectFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

fn invalid(field: &str, code: &str, message: impl Into<String>) -> ApiError {
    let mut errors = ValidationErrors::default();
    errors.add(field, code, message);
    ApiError(Error::Invalid(errors))
}

/// Record a project (agency users).
#[utoipa::path(post, path = "/api/v1/projects", tag = "projects", security(("bearer" = [])),
    request_body = ProjectRequest,
    responses((status = 201, body = ProjectView), (status = 403, body = ErrorBody),
        (status = 422, description = "Field problems in `details`", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(request): ApiJson<ProjectRequest>,
) -> Result<(StatusCode, Json<ProjectView>), ApiError> {
    let year = request
        .year
        .ok_or_else(|| invalid("year", "required", "请填写预算年度"))?;
    let project = state
        .store
        .create_project(
            &session.actor(),
            request.agency.as_deref(),
            &request.input(year),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(ProjectView::from(&project))))
}

/// Edit a draft or returned project; `version` is required.
#[utoipa::path(put, path = "/api/v1/projects/{id}", tag = "projects", security(("bearer" = [])),
    request_body = ProjectRequest, params(("id" = i64, Path)),
    responses((status = 200, body = ProjectView), (status = 404, body = ErrorBody),
        (status = 409, description = "Stale version or not editable", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<ProjectRequest>,
) -> Result<Json<ProjectView>, ApiError> {
    let version = request.version.ok_or_else(|| {
        invalid(
            "version",
            "required",
            "请提供读取时的 version，以免覆盖他人修改",
        )
    })?;
    let actor = session.actor();
    let year = state.store.project(&actor, id).await?.year;
    let project = state
        .store
        .update_project(&actor, id, version, &request.input(year))
        .await?;
    Ok(Json(ProjectView::from(&project)))
}

/// List filters.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// A jurisdiction the caller sees (six digits): its projects and those below it.
    pub jurisdiction: Option<String>,
    /// Budget year.
    pub year: Option<i32>,
    /// Agency code.
    pub agency: Option<String>,
    /// `draft`, `submitted`, `returned`, `approved`.
    pub state: Option<String>,
    /// Category code.
    pub category: Option<String>,
    /// Part of the name or code.
    pub q: Option<String>,
    /// `true`: only projects whose working target sheet has findings of the automatic review.
    pub target_findings: Option<bool>,
    /// Page from 1.
    pub page: Option<i64>,
    /// Rows per page (default 50, at most 500).
    pub per_page: Option<i64>,
}

/// A page of projects with totals.
#[derive(Serialize, ToSchema)]
pub struct ProjectListView {
    /// Matching projects in all; with `total_capped`, the cap the count stopped at.
    pub total: i64,
    /// Their requested amounts, fen (absent with `total_capped`: not summed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_fen: Option<i64>,
    /// Their approved amounts, fen (absent with `total_capped`: not summed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_fen: Option<i64>,
    /// True when a name search over a scope wider than a city's matched more projects than it
    /// counts (5,000): `total` is that cap, the amounts are absent, and only the first `total`
    /// matches are paged. Narrow the list to a city or a county, or to an agency code, for
    /// exact totals.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub total_capped: bool,
    /// When the totals were summed (RFC 3339), when they come from the rollups that a list over
    /// several jurisdictions reads (rebuilt every minute); absent when counted with the rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub totals_as_of: Option<String>,
    /// This page.
    pub page: i64,
    /// Pages in all.
    pub pages: i64,
    /// The projects.
    pub projects: Vec<ProjectView>,
}

/// Projects the caller may see, filtered, paged, with totals.
#[utoipa::path(get, path = "/api/v1/projects", tag = "projects", security(("bearer" = [])),
    params(ListQuery), responses((status = 200, body = ProjectListView), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(query): Query<ListQuery>,
) -> Result<ReadAnswer<ProjectListView>, ApiError> {
    let project_state = match query.state.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(code) => Some(ProjectState::parse(code).ok_or_else(|| {
            invalid(
                "state",
                "unknown_state",
                format!("未知状态“{code}”，可选 draft、submitted、returned、approved"),
            )
        })?),
    };
    let filter = ProjectFilter {
        jurisdiction: query.jurisdiction.filter(|j| !j.is_empty()),
        year: query.year,
        agency_code: query.agency.filter(|a| !a.is_empty()),
        state: project_state,
        category: query.category.filter(|c| !c.is_empty()),
        search: query.q,
        with_target_findings: query.target_findings.unwrap_or(false),
    };
    let page = state
        .reads
        .projects(
            &session.actor(),
            &filter,
            query.page.unwrap_or(1),
            query.per_page.unwrap_or(50),
        )
        .await?;
    Ok(read_answer(ProjectListView {
        total: page.total,
        requested_fen: (!page.total_capped).then_some(page.requested_fen),
        approved_fen: (!page.total_capped).then_some(page.approved_fen),
        total_capped: page.total_capped,
        totals_as_of: page.totals_as_of.map(jixiao_core::time::to_rfc3339),
        page: page.page,
        pages: page.pages(),
        projects: page.projects.iter().map(ProjectView::from).collect(),
    }))
}

/// One project with its target sheet and review trail.
#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "projects", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = ProjectDetailView), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ProjectDetailView>, ApiError> {
    let actor = session.actor();
    let detail = state.store.project_detail(&actor, id).await?;
    let mut view = ProjectDetailView::from(&detail);
    let as_of =
        super::indicator_bindings::as_of_in_year(session.business_date, detail.project.year);
    for value in state.store.bound_values(&actor, id, as_of).await? {
        if let Some(row) = usize::try_from(value.row_no)
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| view.target.indicators.get_mut(i))
        {
            row.binding = Some(BindingView::from(&value));
        }
    }
    Ok(Json(view))
}

/// A target sheet to save.
#[derive(Deserialize, ToSchema)]
pub struct TargetRequest {
    /// The project version read (required: a stale one gets 409).
    pub version: Option<i32>,
    /// 总体目标.
    #[serde(default)]
    pub overall_goal: String,
    /// 年度目标.
    #[serde(default)]
    pub annual_goal: String,
    /// The rows.
    #[serde(default)]
    pub indicators: Vec<IndicatorView>,
}

/// The project's new version.
#[derive(Serialize, ToSchema)]
pub struct VersionView {
    /// Send this with the next change.
    pub version: i32,
}

/// Save the working target sheet of a draft or returned project.
#[utoipa::path(put, path = "/api/v1/projects/{id}/target", tag = "projects", security(("bearer" = [])),
    request_body = TargetRequest, params(("id" = i64, Path)),
    responses((status = 200, body = VersionView), (status = 404, body = ErrorBody),
        (status = 409, description = "Stale version or not editable", body = ErrorBody),
        (status = 422, description = "Row problems: `details` = [{row, field, message}]", body = ErrorBody)))]
pub async fn save_target(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<TargetRequest>,
) -> Result<Json<VersionView>, ApiError> {
    let version = request.version.ok_or_else(|| {
        invalid(
            "version",
            "required",
            "请提供读取时的 version，以免覆盖他人修改",
        )
    })?;
    let rows: Vec<IndicatorInput> = request
        .indicators
        .into_iter()
        .map(IndicatorInput::from)
        .collect();
    let version = state
        .store
        .save_target(
            &session.actor(),
            id,
            version,
            &request.overall_goal,
            &request.annual_goal,
            &rows,
        )
        .await?;
    Ok(Json(VersionView { version }))
}

/// An optional version for state changes.
#[derive(Deserialize, ToSchema, Default)]
pub struct OptionalVersionRequest {
    /// The version read; when given, a stale one gets 409.
    pub version: Option<i32>,
}

/// The optional `{"version": N}` body of a state change; an empty body gives `None`.
fn optional_version(body: &[u8]) -> Result<Option<i32>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice::<OptionalVersionRequest>(body)
        .map(|b| b.version)
        .map_err(|_| {
            ApiError(Error::BadRequest {
                code: "malformed_json",
                message: "请求体不是有效的 JSON".to_owned(),
            })
        })
}

async fn current_version(
    state: &AppState,
    session: &jixiao_store::SessionUser,
    id: i64,
    given: Option<i32>,
) -> Result<i32, ApiError> {
    match given {
        Some(version) => Ok(version),
        None => Ok(state.store.project(&session.actor(), id).await?.version),
    }
}

/// Submit: runs the gate; on failure 422 `gate_failed` with one detail per finding.
#[utoipa::path(post, path = "/api/v1/projects/{id}/submit", tag = "projects", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body(content = OptionalVersionRequest, description = "optional"),
    responses((status = 200, body = ProjectView),
        (status = 422, description = "`gate_failed`: details = [{code, message, row}]", body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Json<ProjectView>, ApiError> {
    let given = optional_version(&body)?;
    let version = current_version(&state, &session, id, given).await?;
    let project = state
        .store
        .submit_project(&session.actor(), id, version)
        .await?;
    Ok(Json(ProjectView::from(&project)))
}

/// A review decision.
#[derive(Deserialize, ToSchema)]
pub struct ProjectReviewRequest {
    /// `approve` or `return`.
    pub decision: String,
    /// Comment (required to return).
    #[serde(default)]
    pub comment: String,
    /// On the last step: the approved amount in fen (defaults to the request).
    pub approved_fen: Option<i64>,
    /// Why the approved amount differs from the request.
    #[serde(default)]
    pub reason: String,
    /// Where the step grades targets: 优, 良, 中 or 差.
    pub grade: Option<String>,
    /// The version read (optional).
    pub version: Option<i32>,
}

/// Decide the current review step; the last step approves with the money.
#[utoipa::path(post, path = "/api/v1/projects/{id}/review", tag = "projects", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ProjectReviewRequest,
    responses((status = 200, body = ProjectView), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<ProjectReviewRequest>,
) -> Result<Json<ProjectView>, ApiError> {
    let grade =
        match request.grade.as_deref().filter(|g| !g.is_empty()) {
            None => None,
            Some(text) => Some(TargetGrade::parse(text).ok_or_else(|| {
                invalid("grade", "unknown_grade", "目标等级应为 优、良、中 或 差")
            })?),
        };
    let decision = match request.decision.as_str() {
        "approve" => Decision::Approve {
            grade,
            approved_fen: request.approved_fen,
            reason: request.reason.clone(),
            comment: request.comment.clone(),
        },
        "return" => Decision::Return {
            comment: request.comment.clone(),
        },
        other => {
            return Err(invalid(
                "decision",
                "unknown_decision",
                format!("未知的审核意见“{other}”，应为 approve 或 return"),
            ));
        }
    };
    let version = current_version(&state, &session, id, request.version).await?;
    let project = state
        .store
        .review_project(&session.actor(), id, version, &decision)
        .await?;
    Ok(Json(ProjectView::from(&project)))
}

/// An ex-ante assessment conclusion.
#[derive(Deserialize, ToSchema)]
pub struct PreAssessmentRequest {
    /// `support`, `support_after_adjustment` or `reject` (or 支持/调整后支持/不予支持).
    pub conclusion: String,
    /// The assessment's opinion.
    #[serde(default)]
    pub note: String,
    /// The version read (optional).
    pub version: Option<i32>,
}

/// Record the ex-ante assessment (事前绩效评估).
#[utoipa::path(post, path = "/api/v1/projects/{id}/pre-assessment", tag = "projects", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = PreAssessmentRequest,
    responses((status = 200, body = ProjectView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn pre_assessment(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<PreAssessmentRequest>,
) -> Result<Json<ProjectView>, ApiError> {
    let conclusion = PreAssessment::parse(&request.conclusion).ok_or_else(|| {
        invalid(
            "conclusion",
            "unknown_conclusion",
            "评估结论应为 支持、调整后支持 或 不予支持",
        )
    })?;
    let version = current_version(&state, &session, id, request.version).await?;
    let project = state
        .store
        .set_pre_assessment(&session.actor(), id, version, conclusion, &request.note)
        .await?;
    Ok(Json(ProjectView::from(&project)))
}

/// Start a revision of an approved project's targets.
#[utoipa::path(post, path = "/api/v1/projects/{id}/revise", tag = "projects", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body(content = OptionalVersionRequest, description = "optional"),
    responses((status = 200, body = ProjectView), (status = 409, body = ErrorBody)))]
pub async fn revise(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Json<ProjectView>, ApiError> {
    let given = optional_version(&body)?;
    let version = current_version(&state, &session, id, given).await?;
    let project = state
        .store
        .revise_project(&session.actor(), id, version)
        .await?;
    Ok(Json(ProjectView::from(&project)))
}

/// What waits for the caller (待我处理).
#[utoipa::path(get, path = "/api/v1/queue", tag = "projects", security(("bearer" = [])),
    responses((status = 200, body = Vec<ProjectView>)))]
pub async fn queue(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> Result<Json<Vec<ProjectView>>, ApiError> {
    let projects = state.store.my_queue(&session.actor(), 200).await?;
    Ok(Json(projects.iter().map(ProjectView::from).collect()))
}

/// A year.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// Budget year.
    pub year: i32,
}

/// Approved projects under performance management.
#[derive(Serialize, ToSchema)]
pub struct CoverageView {
    /// How many.
    pub projects: i64,
    /// Their approved money, fen.
    pub amount_fen: i64,
}

/// Projects and money under performance management in a year.
#[utoipa::path(get, path = "/api/v1/stats/coverage", tag = "projects", security(("bearer" = [])),
    params(YearQuery), responses((status = 200, body = CoverageView)))]
pub async fn coverage(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(query): Query<YearQuery>,
) -> Result<ReadAnswer<CoverageView>, ApiError> {
    let figures = state
        .reads
        .year_figures(&session.actor(), query.year)
        .await?;
    Ok(read_answer(CoverageView {
        projects: figures.covered.projects,
        amount_fen: figures.covered.approved_fen,
    }))
}

/// A template of the indicator library.
#[derive(Serialize, ToSchema)]
pub struct TemplateView {
    /// Key.
    pub key: String,
    /// Name.
    pub name: String,
    /// Rows.
    pub indicators: Vec<IndicatorView>,
}

/// The indicator library's templates.
#[utoipa::path(get, path = "/api/v1/indicator-library", tag = "projects", security(("bearer" = [])),
    responses((status = 200, body = Vec<TemplateView>)))]
pub async fn library(ApiUser(_): ApiUser) -> Json<Vec<TemplateView>> {
    Json(
        indicator_library::TEMPLATES
            .iter()
            .map(|t| TemplateView {
                key: t.key.to_owned(),
                name: t.name.to_owned(),
                indicators: t
                    .rows()
                    .into_iter()
                    .map(|r| IndicatorView {
                        level1: r.level1,
                        level2: r.level2,
                        name: r.name,
                        op: r.op,
                        value: r.value,
                        unit: r.unit,
                        points: r.points,
                        value_basis: r.value_basis,
                        explanation: r.explanation,
                        data_source: r.data_source,
                        binding: None,
                    })
                    .collect(),
            })
            .collect(),
    )
}
