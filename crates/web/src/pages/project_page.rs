//! One project's page: its facts, target sheet (and the approved one during a revision), review
//! trail, and the actions open to the viewer — submit, revise, record the ex-ante assessment,
//! decide the review step.

use super::project_views::{SheetView, category_name};
use super::projects::display_rulebook;
use super::{Chrome, Notice, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::PageError;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jixiao_core::project::{PreAssessment, ProjectState, TargetGrade};
use jixiao_core::rulebook::{DEPARTMENT_STEP, Rulebook};
use jixiao_core::{Role, money, time};
use jixiao_store::{Decision, Error, Project, SessionUser};
use serde::Deserialize;

struct AllotmentBox {
    code: String,
    document_number: String,
    limit: String,
    frozen: String,
    used: String,
    available: String,
    rate: String,
    suspended: bool,
    suspension_reason: String,
}

struct LedgerRow {
    at: String,
    kind: &'static str,
    amount: String,
    limit: String,
    frozen: String,
    used: String,
    reference: String,
    reason: String,
    actor: String,
}

struct ReviewRow {
    at: String,
    step: String,
    action: &'static str,
    actor: String,
    grade: String,
    approved: String,
    comment: String,
}

#[derive(Template)]
#[template(path = "project.html")]
struct ProjectPage {
    chrome: Chrome,
    p: Project,
    state_label: &'static str,
    notice: Option<&'static str>,
    error: Option<String>,
    findings: Vec<String>,
    category: String,
    requested_wan: String,
    requested_wan_exact: String,
    superior_wan: String,
    local_wan: String,
    other_wan: String,
    approved_wan: Option<String>,
    step: String,
    pre_assessment: String,
    sheet: SheetView,
    approved_sheet: Option<SheetView>,
    approved_revision: i32,
    revising: bool,
    reviews: Vec<ReviewRow>,
    can_edit: bool,
    can_revise: bool,
    can_pre_assess: bool,
    can_review: bool,
    grades: bool,
    last_step: bool,
    allotment: Option<AllotmentBox>,
    ledger: Vec<LedgerRow>,
    can_manage_allotment: bool,
    /// The agency's earlier rectification items not closed (整改未完成).
    unrectified: Vec<jixiao_store::Rectification>,
    /// Targets to adjust to an approved amount other than the request (decision 0043).
    adjust: Option<TargetsToAdjust>,
    /// Indicators fed from records (decision 0046).
    feeds: super::indicator_records::Feeds,
}

/// The notice of targets to adjust: the approved amount, the amount the targets were made for,
/// and the cost indicators that no longer reconcile with the money.
struct TargetsToAdjust {
    approved_wan: String,
    made_for_wan: String,
    /// Not yet started (the agency must 发起目标调整), rather than under way.
    pending: bool,
    /// (row, indicator, message) of each cost finding against the approved amount.
    costs: Vec<(String, String, String)>,
}

fn notice_text(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "updated" => Some("已保存项目信息。"),
        "submitted" => Some("已通过绩效目标审核关口，项目已提交审核。"),
        "reviewed" => Some("已提交审核意见。"),
        "revised" => Some("已发起目标调整，请修改绩效目标后重新提交审核。"),
        "assessed" => Some("已记录事前绩效评估结论。"),
        "adjusted" => Some("已记录预算指标调整。"),
        "suspended" => Some("已暂停该预算指标的支付。"),
        "resumed" => Some("已恢复该预算指标的支付。"),
        _ => None,
    }
}

/// Whether `session` may decide the project's current step.
fn may_review(session: &SessionUser, project: &Project) -> bool {
    match project.review_step.as_deref() {
        Some(DEPARTMENT_STEP) => {
            session.user.role == Role::Agency
                && session.user.agency_id.is_some()
                && session.user.agency_id == project.agency_parent_id
        }
        Some(_) => session.user.role == Role::Finance,
        None => false,
    }
}

pub(crate) async fn page(
    state: &AppState,
    session: &SessionUser,
    id: i64,
    status: StatusCode,
    notice: Option<&'static str>,
    error: Option<String>,
    findings: Vec<String>,
) -> Result<Response, PageError> {
    let detail = state.store.project_detail(&session.actor(), id).await?;
    let project = detail.project;
    let rulebook: Option<Rulebook> = match project.rulebook_id {
        Some(rulebook_id) => state
            .store
            .rulebook_by_id(rulebook_id)
            .await
            .ok()
            .and_then(|r| r.rulebook().ok()),
        None => display_rulebook(state, session, project.year).await,
    };
    let step_code = project.review_step.clone().unwrap_or_default();
    let step = match (&project.review_step, &rulebook) {
        (Some(code), Some(r)) => r.step_name(code),
        _ => match project.state() {
            ProjectState::Approved => "已完成审核".to_owned(),
            ProjectState::Returned => "已退回申报单位".to_owned(),
            _ => "申报单位填报中".to_owned(),
        },
    };
    let grades = rulebook
        .as_ref()
        .and_then(|r| r.step(&step_code))
        .is_some_and(|s| s.grades_target);
    let last_step = rulebook
        .as_ref()
        .is_some_and(|r| step_code != DEPARTMENT_STEP && r.next_step(&step_code).is_none());
    let reviews = detail
        .reviews
        .iter()
        .map(|r| ReviewRow {
            at: time::display(r.at),
            step: match (r.step.as_str(), &rulebook) {
                ("agency", _) => "申报单位".to_owned(),
                (code, Some(rb)) => rb.step_name(code),
                (code, None) => code.to_owned(),
            },
            action: r.action_label(),
            actor: r.actor.clone(),
            grade: r.grade.clone().unwrap_or_default(),
            approved: r.approved_fen.map(money::format_wan).unwrap_or_default(),
            comment: r.comment.clone(),
        })
        .collect();
    let is_agency = session.user.role == Role::Agency;
    let actor = session.actor();
    let (allotment, ledger) = match state.store.project_allotment(&actor, id).await {
        Ok(a) => {
            let ledger = state
                .store
                .allotment_ledger(&actor, id)
                .await?
                .iter()
                .map(|e| LedgerRow {
                    at: time::display(e.at),
                    kind: e.kind_label(),
                    amount: money::format_yuan(e.amount_fen),
                    limit: money::format_yuan(e.limit_after),
                    frozen: money::format_yuan(e.frozen_after),
                    used: money::format_yuan(e.used_after),
                    reference: e.reference.clone(),
                    reason: e.reason.clone(),
                    actor: e.actor.clone(),
                })
                .collect();
            let boxed = AllotmentBox {
                code: a.code.clone(),
                document_number: a.document_number.clone(),
                limit: money::format_wan(a.limit_fen),
                frozen: money::format_wan(a.frozen_fen),
                used: money::format_wan(a.used_fen),
                available: money::format_wan(a.balances().available()),
                rate: jixiao_core::ledger::format_rate(jixiao_core::ledger::execution_rate_bp(
                    a.used_fen,
                    a.limit_fen,
                )),
                suspended: a.suspended,
                suspension_reason: a.suspension_reason.clone(),
            };
            (Some(boxed), ledger)
        }
        Err(Error::NotFound(_)) => (None, Vec::new()),
        Err(other) => return Err(other.into()),
    };
    let unrectified = state
        .store
        .unrectified_before(&session.actor(), project.id)
        .await?;
    let adjust = match project.targets_adjust_fen {
        None => None,
        Some(approved) => Some(TargetsToAdjust {
            approved_wan: money::format_wan_exact(approved),
            made_for_wan: money::format_wan_exact(project.requested_fen),
            pending: project.targets_to_adjust(),
            costs: state
                .store
                .costs_out_of_line(&session.actor(), project.id)
                .await?
                .into_iter()
                .map(|f| {
                    (
                        f.row.map(|r| format!("第{r}行")).unwrap_or_default(),
                        f.indicator,
                        f.message,
                    )
                })
                .collect(),
        }),
    };
    let feeds = super::indicator_records::feeds(state, session, &project, &detail.target).await?;
    let view = ProjectPage {
        unrectified,
        adjust,
        feeds,
        chrome: Chrome::for_session(session, "projects"),
        state_label: project.state_label(),
        notice,
        error,
        findings,
        category: category_name(rulebook.as_ref(), &project.category),
        requested_wan: money::format_wan(project.requested_fen),
        requested_wan_exact: money::format_wan_exact(project.requested_fen),
        superior_wan: money::format_wan(project.funding_superior_fen),
        local_wan: money::format_wan(project.funding_local_fen),
        other_wan: money::format_wan(project.funding_other_fen),
        approved_wan: project.approved_fen.map(money::format_wan),
        step,
        pre_assessment: project
            .pre_assessment
            .as_deref()
            .and_then(PreAssessment::parse)
            .map_or_else(
                || "未开展".to_owned(),
                |p| {
                    if project.pre_assessment_note.is_empty() {
                        p.label().to_owned()
                    } else {
                        format!("{}（{}）", p.label(), project.pre_assessment_note)
                    }
                },
            ),
        sheet: SheetView::from(&detail.target),
        approved_sheet: detail.approved_target.as_ref().map(SheetView::from),
        approved_revision: project.approved_revision.unwrap_or(0),
        revising: detail.approved_target.is_some(),
        reviews,
        can_edit: is_agency && project.state().editable(),
        can_revise: is_agency && project.state() == ProjectState::Approved,
        can_pre_assess: (is_agency && project.state().editable())
            || (session.user.role == Role::Finance && project.state() != ProjectState::Approved),
        can_review: may_review(session, &project),
        grades,
        last_step,
        can_manage_allotment: session.user.role == Role::Finance && allotment.is_some(),
        allotment,
        ledger,
        p: project,
    };
    Ok(render(status, &view))
}

/// `GET /projects/{id}`.
pub async fn show(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Query(notice): Query<Notice>,
) -> Result<Response, PageError> {
    let notice = notice_text(notice.done.as_deref());
    page(
        &state,
        &session,
        id,
        StatusCode::OK,
        notice,
        None,
        Vec::new(),
    )
    .await
}

/// A form carrying only the version read.
#[derive(Deserialize)]
pub struct VersionForm {
    #[serde(default)]
    version: String,
}

fn version_of(text: &str) -> i32 {
    text.trim().parse().unwrap_or(0)
}

/// Shows a refused action on the project page with its reason.
pub(crate) async fn refused(
    state: &AppState,
    session: &SessionUser,
    id: i64,
    error: Error,
) -> Result<Response, PageError> {
    match error {
        Error::GateFailed(findings) => {
            let messages = findings.into_iter().map(|f| f.message).collect();
            page(
                state,
                session,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                None,
                messages,
            )
            .await
        }
        Error::Invalid(errors) => {
            page(
                state,
                session,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(errors.to_string()),
                Vec::new(),
            )
            .await
        }
        Error::Conflict { message, .. } => {
            page(
                state,
                session,
                id,
                StatusCode::CONFLICT,
                None,
                Some(message),
                Vec::new(),
            )
            .await
        }
        other => Err(other.into()),
    }
}

/// `POST /projects/{id}/submit`.
pub async fn submit(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<VersionForm>,
) -> Result<Response, PageError> {
    match state
        .store
        .submit_project(&session.actor(), id, version_of(&form.version))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/projects/{id}?done=submitted")).into_response()),
        Err(error) => refused(&state, &session, id, error).await,
    }
}

/// `POST /projects/{id}/revise`.
pub async fn revise(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<VersionForm>,
) -> Result<Response, PageError> {
    match state
        .store
        .revise_project(&session.actor(), id, version_of(&form.version))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/projects/{id}?done=revised")).into_response()),
        Err(error) => refused(&state, &session, id, error).await,
    }
}

/// The ex-ante assessment form.
#[derive(Deserialize)]
pub struct PreAssessmentForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    conclusion: String,
    #[serde(default)]
    note: String,
}

/// `POST /projects/{id}/pre-assessment`.
pub async fn pre_assessment(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<PreAssessmentForm>,
) -> Result<Response, PageError> {
    let Some(conclusion) = PreAssessment::parse(&form.conclusion) else {
        let error = Error::invalid("conclusion", "unknown_conclusion", "请选择评估结论");
        return refused(&state, &session, id, error).await;
    };
    match state
        .store
        .set_pre_assessment(
            &session.actor(),
            id,
            version_of(&form.version),
            conclusion,
            &form.note,
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/projects/{id}?done=assessed")).into_response()),
        Err(error) => refused(&state, &session, id, error).await,
    }
}

/// The review form.
#[derive(Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    grade: String,
    #[serde(default)]
    approved: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    comment: String,
}

/// `POST /projects/{id}/review`.
pub async fn review(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<ReviewForm>,
) -> Result<Response, PageError> {
    let decision = if form.decision == "return" {
        Decision::Return {
            comment: form.comment.clone(),
        }
    } else {
        let approved_fen = match form.approved.trim() {
            "" => None,
            text => match money::parse_wan(text) {
                Ok(fen) => Some(fen),
                Err(e) => {
                    let error =
                        Error::invalid("approved", "invalid_amount", format!("批复金额：{e}"));
                    return refused(&state, &session, id, error).await;
                }
            },
        };
        Decision::Approve {
            grade: TargetGrade::parse(&form.grade),
            approved_fen,
            reason: form.reason.clone(),
            comment: form.comment.clone(),
        }
    };
    match state
        .store
        .review_project(&session.actor(), id, version_of(&form.version), &decision)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/projects/{id}?done=reviewed")).into_response()),
        Err(error) => refused(&state, &session, id, error).await,
    }
}
