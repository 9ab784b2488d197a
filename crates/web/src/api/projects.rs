//! Projects over the API: the library, target sheets, the gate, review, queues and figures.

use super::ApiJson;
use super::openapi::ErrorBody;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use jixiao_core::project::{PreAssessment, ProjectInput, ProjectState, TargetGrade};
use jixiao_core::target::{IndicatorInput, TargetSheet, format_points};
use jixiao_core::{ValidationErrors, indicator_library};
use jixiao_store::{Decision, Project, ProjectDetail, ProjectFilter, ReviewRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

fn invalid(field: &str, code: &str, message: impl Into<String>) -> ApiError {
    let mut errors = ValidationErrors::default();
    errors.add(field, code, message);
    ApiError(AppError::Invalid(errors))
}

/// A project.
#[derive(Serialize, ToSchema)]
pub struct ProjectView {
    /// Id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Budget year.
    pub year: i32,
    /// Agency code.
    pub agency: String,
    /// Agency name.
    pub agency_name: String,
    /// Name.
    pub name: String,
    /// Category code.
    pub category: String,
    /// New (not continuing).
    pub is_new: bool,
    /// The code of the earlier project a continuing one continues.
    pub previous_project: Option<String>,
    /// Period.
    pub start_year: i32,
    /// Period end.
    pub end_year: i32,
    /// Requested, in fen.
    pub requested_fen: i64,
    /// 上级财政拨款, fen.
    pub funding_superior_fen: i64,
    /// 本级财政拨款, fen.
    pub funding_local_fen: i64,
    /// 其他资金, fen.
    pub funding_other_fen: i64,
    /// 立项依据.
    pub basis: String,
    /// 必要性.
    pub necessity: String,
    /// 项目负责人.
    pub person_in_charge: String,
    /// Serves people directly.
    pub serves_people: bool,
    /// `support`, `support_after_adjustment` or `reject`.
    pub pre_assessment: Option<String>,
    /// `draft`, `submitted`, `returned` or `approved`.
    pub state: String,
    /// The current review step while submitted (`department`, `budget`, `performance` …).
    pub review_step: Option<String>,
    /// 优/良/中/差.
    pub target_grade: Option<String>,
    /// Approved, in fen.
    pub approved_fen: Option<i64>,
    /// Why approved differs from requested.
    pub approval_reason: String,
    /// Send back with edits (optimistic lock).
    pub version: i32,
}

impl From<&Project> for ProjectView {
    fn from(p: &Project) -> Self {
        ProjectView {
            id: p.id,
            code: p.code.clone(),
            year: p.year,
            agency: p.agency_code.clone(),
            agency_name: p.agency_name.clone(),
            name: p.name.clone(),
            category: p.category.clone(),
            is_new: p.is_new,
            previous_project: p.previous_project_code.clone(),
            start_year: p.start_year,
            end_year: p.end_year,
            requested_fen: p.requested_fen,
            funding_superior_fen: p.funding_superior_fen,
            funding_local_fen: p.funding_local_fen,
            funding_other_fen: p.funding_other_fen,
            basis: p.basis.clone(),
            necessity: p.necessity.clone(),
            person_in_charge: p.person_in_charge.clone(),
            serves_people: p.serves_people,
            pre_assessment: p.pre_assessment.clone(),
            state: p.state.clone(),
            review_step: p.review_step.clone(),
            target_grade: p.target_grade.clone(),
            approved_fen: p.approved_fen,
            approval_reason: p.approval_reason.clone(),
            version: p.version,
        }
    }
}

/// One indicator row.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct IndicatorView {
    /// 一级指标.
    pub level1: String,
    /// 二级指标.
    pub level2: String,
    /// 三级指标.
    pub name: String,
    /// `>=`, `<=`, `=` or `qualitative`.
    pub op: String,
    /// Target value (a number for quantitative indicators; text for qualitative).
    pub value: String,
    /// Unit.
    pub unit: String,
    /// Points, e.g. `15` or `12.5`.
    pub points: String,
    /// 指标值设定依据.
    pub value_basis: String,
    /// 指标解释.
    pub explanation: String,
    /// 数据来源.
    pub data_source: String,
}

impl From<IndicatorView> for IndicatorInput {
    fn from(v: IndicatorView) -> Self {
        IndicatorInput {
            level1: v.level1,
            level2: v.level2,
            name: v.name,
            op: v.op,
            value: v.value,
            unit: v.unit,
            points: v.points,
            value_basis: v.value_basis,
            explanation: v.explanation,
            data_source: v.data_source,
        }
    }
}

/// A target sheet.
#[derive(Serialize, ToSchema)]
pub struct TargetView {
    /// 总体目标.
    pub overall_goal: String,
    /// 年度目标.
    pub annual_goal: String,
    /// Rows in order.
    pub indicators: Vec<IndicatorView>,
}

impl From<&TargetSheet> for TargetView {
    fn from(sheet: &TargetSheet) -> Self {
        TargetView {
            overall_goal: sheet.overall_goal.clone(),
            annual_goal: sheet.annual_goal.clone(),
            indicators: sheet
                .indicators
                .iter()
                .map(|i| IndicatorView {
                    level1: i.level1.clone(),
                    level2: i.level2.clone(),
                    name: i.name.clone(),
                    op: i.op.as_str().to_owned(),
                    value: i.value.clone(),
                    unit: i.unit.clone(),
                    points: format_points(i.points_x100),
                    value_basis: i.value_basis.clone(),
                    explanation: i.explanation.clone(),
                    data_source: i.data_source.clone(),
                })
                .collect(),
        }
    }
}

/// One step of the review trail.
#[derive(Serialize, ToSchema)]
pub struct ReviewView {
    /// Step code (`agency` for submissions).
    pub step: String,
    /// `submit`, `approve`, `return`, `revise`.
    pub action: String,
    /// Comment.
    pub comment: String,
    /// Grade given.
    pub grade: Option<String>,
    /// Approved amount, fen.
    pub approved_fen: Option<i64>,
    /// Who.
    pub actor: String,
    /// When (RFC 3339).
    pub at: String,
}

impl From<&ReviewRecord> for ReviewView {
    fn from(r: &ReviewRecord) -> Self {
        ReviewView {
            step: r.step.clone(),
            action: r.action.clone(),
            comment: r.comment.clone(),
            grade: r.grade.clone(),
            approved_fen: r.approved_fen,
            actor: r.actor.clone(),
            at: jixiao_core::time::to_rfc3339(r.at),
        }
    }
}

/// A project with its target sheet and trail.
#[derive(Serialize, ToSchema)]
pub struct ProjectDetailView {
    /// The project.
    #[serde(flatten)]
    pub project: ProjectView,
    /// The working target sheet.
    pub target: TargetView,
    /// The approved sheet while a revision is worked on.
    pub approved_target: Option<TargetView>,
    /// Review trail, oldest first.
    pub reviews: Vec<ReviewView>,
}

impl From<&ProjectDetail> for ProjectDetailView {
    fn from(d: &ProjectDetail) -> Self {
        ProjectDetailView {
            project: ProjectView::from(&d.project),
            target: TargetView::from(&d.target),
            approved_target: d.approved_target.as_ref().map(TargetView::from),
            reviews: d.reviews.iter().map(ReviewView::from).collect(),
        }
    }
}

/// A new project, or the fields of an edit.
#[derive(Deserialize, ToSchema)]
pub struct ProjectRequest {
    /// Budget year.
    pub year: Option<i32>,
    /// Agency code (own agency by default; or a unit under it).
    pub agency: Option<String>,
    /// Name.
    pub name: String,
    /// Category code from the rulebook (`personnel`, `operation`, `specific` …).
    pub category: String,
    /// Requested amount in fen.
    pub requested_fen: i64,
    /// New project (default true).
    pub is_new: Option<bool>,
    /// For a continuing project (`is_new: false`): the code of the earlier year's project.
    pub previous_project: Option<String>,
    /// Period start (defaults to the year).
    pub start_year: Option<i32>,
    /// Period end (defaults to the year).
    pub end_year: Option<i32>,
    /// 上级财政拨款 in fen.
    #[serde(default)]
    pub funding_superior_fen: i64,
    /// 本级财政拨款 in fen (defaults to the whole request when no source is given).
    #[serde(default)]
    pub funding_local_fen: i64,
    /// 其他资金 in fen.
    #[serde(default)]
    pub funding_other_fen: i64,
    /// 立项依据.
    #[serde(default)]
    pub basis: String,
    /// 必要性.
    #[serde(default)]
    pub necessity: String,
    /// 项目负责人.
    #[serde(default)]
    pub person_in_charge: String,
    /// Serves people directly (default true).
    pub serves_people: Option<bool>,
    /// For edits: the version read.
    pub version: Option<i32>,
}

impl ProjectRequest {
    fn input(&self, year: i32) -> ProjectInput {
        ProjectInput {
            year,
            name: self.name.clone(),
            category: self.category.clone(),
            is_new: self.is_new.unwrap_or(true),
            previous_project: self
                .previous_project
                .clone()
                .filter(|c| !c.trim().is_empty()),
            start_year: self.start_year.unwrap_or(year),
            end_year: self.end_year.unwrap_or(year),
            requested_fen: self.requested_fen,
            funding_superior_fen: self.funding_superior_fen,
            funding_local_fen: self.funding_local_fen,
            funding_other_fen: self.funding_other_fen,
            basis: self.basis.clone(),
            necessity: self.necessity.clone(),
            person_in_charge: self.person_in_charge.clone(),
            serves_people: self.serves_people.unwrap_or(true),
        }
    }
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
pub struct ListQuery {
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
    /// Page from 1.
    pub page: Option<i64>,
    /// Rows per page (default 50, at most 500).
    pub per_page: Option<i64>,
}

/// A page of projects with totals.
#[derive(Serialize, ToSchema)]
pub struct ProjectListView {
    /// Matching projects in all.
    pub total: i64,
    /// Their requested amounts, fen.
    pub requested_fen: i64,
    /// Their approved amounts, fen.
    pub approved_fen: i64,
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
) -> Result<Json<ProjectListView>, ApiError> {
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
        year: query.year,
        agency_code: query.agency.filter(|a| !a.is_empty()),
        state: project_state,
        category: query.category.filter(|c| !c.is_empty()),
        search: query.q,
    };
    let page = state
        .store
        .projects(
            &session.actor(),
            &filter,
            query.page.unwrap_or(1),
            query.per_page.unwrap_or(50),
        )
        .await?;
    Ok(Json(ProjectListView {
        total: page.total,
        requested_fen: page.requested_fen,
        approved_fen: page.approved_fen,
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
    let detail = state.store.project_detail(&session.actor(), id).await?;
    Ok(Json(ProjectDetailView::from(&detail)))
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
pub struct VersionRequest {
    /// The version read; when given, a stale one gets 409.
    pub version: Option<i32>,
}

/// The optional `{"version": N}` body of a state change; an empty body gives `None`.
fn optional_version(body: &[u8]) -> Result<Option<i32>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice::<VersionRequest>(body)
        .map(|b| b.version)
        .map_err(|_| {
            ApiError(AppError::BadRequest {
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
    params(("id" = i64, Path)), request_body(content = VersionRequest, description = "optional"),
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
pub struct ReviewRequest {
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
    params(("id" = i64, Path)), request_body = ReviewRequest,
    responses((status = 200, body = ProjectView), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<ReviewRequest>,
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
    params(("id" = i64, Path)), request_body(content = VersionRequest, description = "optional"),
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
) -> Result<Json<CoverageView>, ApiError> {
    let figures = state
        .store
        .year_figures(&session.actor(), query.year)
        .await?;
    Ok(Json(CoverageView {
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
                    })
                    .collect(),
            })
            .collect(),
    )
}
