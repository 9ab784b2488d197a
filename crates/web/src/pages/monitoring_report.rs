//! The monitoring report page (the agency fills one row per approved indicator; the budget block
//! comes from the ledger), finance's review of it, and the alert page with the decision history
//! and the forms to propose (agency) and confirm or decline (finance).

use super::{Chrome, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::PageError;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jixiao_core::ledger::format_rate;
use jixiao_core::monitoring::{ACTIONS, CAUSES, OUTLOOKS};
use jixiao_core::target::RowError;
use jixiao_core::{Role, money, time};
use jixiao_store::{AlertDetail, Error, MonitoringReport, ProposalInput, ReportEntry};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "monitoring_report.html")]
struct ReportPage {
    chrome: Chrome,
    r: MonitoringReport,
    entries: Vec<ReportEntry>,
    row_errors: Vec<RowError>,
    error: Option<String>,
    notice: Option<&'static str>,
    can_edit: bool,
    can_review: bool,
    limit_wan: String,
    spent_wan: String,
    rate: String,
    time_progress: String,
    progress: String,
    outlooks: &'static [&'static str],
    causes: &'static [&'static str],
}

impl ReportPage {
    fn error_at(&self, row: &usize, field: &str) -> Option<&str> {
        self.row_errors
            .iter()
            .find(|e| e.row == *row && e.field == field)
            .map(|e| e.message.as_str())
    }
}

fn report_page(
    session: &jixiao_store::SessionUser,
    report: MonitoringReport,
    entries: Option<Vec<ReportEntry>>,
    row_errors: Vec<RowError>,
    error: Option<String>,
    notice: Option<&'static str>,
) -> ReportPage {
    let role = session.user.role;
    ReportPage {
        chrome: Chrome::for_session(session, "monitoring"),
        entries: entries.unwrap_or_else(|| report.rows.iter().map(|r| r.entry.clone()).collect()),
        row_errors,
        error,
        notice,
        can_edit: role == Role::Agency && report.editable(),
        can_review: role == Role::Finance && report.state == "submitted",
        limit_wan: money::format_wan(report.limit_fen),
        spent_wan: money::format_wan(report.spent_fen),
        rate: format_rate(report.execution_bp),
        time_progress: format_rate(report.time_progress_bp),
        progress: report.progress_bp.map_or("—".to_owned(), format_rate),
        outlooks: &OUTLOOKS,
        causes: &CAUSES,
        r: report,
    }
}

/// `GET /monitoring/{id}/reports/{project_id}`.
pub async fn show(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path((id, project_id)): Path<(i64, i64)>,
    axum::extract::Query(notice): axum::extract::Query<super::Notice>,
) -> Result<Response, PageError> {
    let report = state
        .store
        .monitoring_report(&session.actor(), id, project_id)
        .await?;
    let notice = match notice.done.as_deref() {
        Some("saved") => Some("已保存。"),
        Some("submitted") => Some("已报送财政部门。"),
        Some("reviewed") => Some("已审核。"),
        _ => None,
    };
    Ok(render(
        StatusCode::OK,
        &report_page(&session, report, None, Vec::new(), None, notice),
    ))
}

/// The entries of the form: `version`, `intent` (save or submit), and per row
/// `reached_N`, `expected_N`, `outlook_N`, `cause_N`, `explanation_N`, `measures_N` and, for an
/// indicator fed from records, `override_reason_N`.
fn entries_of(form: &HashMap<String, String>, rows: usize) -> Vec<ReportEntry> {
    let field = |name: &str, n: usize| {
        form.get(&format!("{name}_{n}"))
            .cloned()
            .unwrap_or_default()
    };
    (1..=rows)
        .map(|n| ReportEntry {
            row_no: n as i32,
            reached: field("reached", n),
            expected: field("expected", n),
            outlook: field("outlook", n),
            cause: field("cause", n),
            explanation: field("explanation", n),
            measures: field("measures", n),
            override_reason: field("override_reason", n),
        })
        .collect()
}

/// `POST /monitoring/{id}/reports/{project_id}` (agency): save, and with `intent=submit` also
/// submit.
pub async fn save(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path((id, project_id)): Path<(i64, i64)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let actor = session.actor();
    let report = state
        .store
        .monitoring_report(&actor, id, project_id)
        .await?;
    let entries = entries_of(&form, report.rows.len());
    let version: i32 = form
        .get("version")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let submit = form.get("intent").map(String::as_str) == Some("submit");
    let result = match state
        .store
        .save_monitoring_report(&actor, id, project_id, version, &entries)
        .await
    {
        Ok(saved) if submit => {
            state
                .store
                .submit_monitoring_report(&actor, id, project_id, saved.version)
                .await
        }
        other => other,
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!(
            "/monitoring/{id}/reports/{project_id}?done={}",
            if submit { "submitted" } else { "saved" }
        ))
        .into_response()),
        Err(Error::InvalidReport(rows)) => {
            // Show the report as it now stands (a save may have gone through before a refused
            // submission), with what was typed and the errors beside the rows.
            let current = state
                .store
                .monitoring_report(&actor, id, project_id)
                .await?;
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &report_page(
                    &session,
                    current,
                    Some(entries),
                    rows,
                    Some("监控报告有误，请按提示修改后再保存或报送。".to_owned()),
                    None,
                ),
            ))
        }
        Err(e) if e.is_conflict() => Ok(render(
            StatusCode::CONFLICT,
            &report_page(
                &session,
                report,
                Some(entries),
                Vec::new(),
                Some(e.to_string()),
                None,
            ),
        )),
        Err(other) => Err(other.into()),
    }
}

/// Finance's review form.
#[derive(Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    comment: String,
}

/// `POST /monitoring/{id}/reports/{project_id}/review` (finance).
pub async fn review(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path((id, project_id)): Path<(i64, i64)>,
    Form(form): Form<ReviewForm>,
) -> Result<Response, PageError> {
    let actor = session.actor();
    match state
        .store
        .review_monitoring_report(
            &actor,
            id,
            project_id,
            form.action == "approve",
            &form.comment,
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/monitoring/{id}/reports/{project_id}?done=reviewed"
        ))
        .into_response()),
        Err(e) if super::shown_inline(&e) => {
            let report = state
                .store
                .monitoring_report(&actor, id, project_id)
                .await?;
            let status = super::inline_status(&e);
            Ok(render(
                status,
                &report_page(
                    &session,
                    report,
                    None,
                    Vec::new(),
                    Some(e.user_message()),
                    None,
                ),
            ))
        }
        Err(other) => Err(other.into()),
    }
}

struct DecisionRow {
    action: &'static str,
    comment: String,
    recover_wan: String,
    revise_targets: bool,
    status: &'static str,
    proposed: String,
    decided: String,
    decision_comment: String,
}

#[derive(Template)]
#[template(path = "alert.html")]
struct AlertPage {
    chrome: Chrome,
    d: AlertDetail,
    level_label: &'static str,
    status_label: &'static str,
    reasons: Vec<String>,
    rate: String,
    progress: String,
    decisions: Vec<DecisionRow>,
    can_propose: bool,
    can_decide: bool,
    /// Finance may turn the alert's findings into a rectification item.
    can_raise: bool,
    actions: &'static [(&'static str, &'static str)],
    error: Option<String>,
    notice: Option<&'static str>,
}

async fn alert_page(
    state: &AppState,
    session: &jixiao_store::SessionUser,
    id: i64,
    status: StatusCode,
    error: Option<String>,
    notice: Option<&'static str>,
) -> Result<Response, PageError> {
    let d = state.store.alert(&session.actor(), id).await?;
    let role = session.user.role;
    let decisions = d
        .decisions
        .iter()
        .map(|x| DecisionRow {
            action: x.action_label(),
            comment: x.comment.clone(),
            recover_wan: money::format_wan(x.recover_fen),
            revise_targets: x.revise_targets,
            status: x.status_label(),
            proposed: format!("{} {}", x.proposed_by, time::display(x.proposed_at)),
            decided: match (&x.decided_by, x.decided_at) {
                (Some(by), Some(at)) => format!("{by} {}", time::display(at)),
                _ => String::new(),
            },
            decision_comment: x.decision_comment.clone(),
        })
        .collect();
    let page = AlertPage {
        chrome: Chrome::for_session(session, "monitoring"),
        level_label: d.alert.level_label(),
        status_label: d.alert.status_label(),
        reasons: d.alert.reasons(),
        rate: format_rate(d.alert.execution_bp),
        progress: d.alert.progress_bp.map_or("—".to_owned(), format_rate),
        decisions,
        can_propose: role == Role::Agency && d.alert.level == "red" && d.alert.status == "open",
        can_decide: role == Role::Finance && d.alert.status == "proposed",
        can_raise: role == Role::Finance,
        actions: &ACTIONS,
        error,
        notice,
        d,
    };
    Ok(render(status, &page))
}

/// `GET /alerts/{id}`.
pub async fn alert(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    axum::extract::Query(notice): axum::extract::Query<super::Notice>,
) -> Result<Response, PageError> {
    let notice = match notice.done.as_deref() {
        Some("proposed") => Some("处置意见已提交财政部门确认。"),
        Some("decided") => Some("已办理。"),
        _ => None,
    };
    alert_page(&state, &session, id, StatusCode::OK, None, notice).await
}

/// The problem finance raises from an alert.
#[derive(Deserialize)]
pub struct RaiseForm {
    #[serde(default)]
    problem: String,
}

/// `POST /alerts/{id}/rectification` (finance): a problem found by monitoring becomes a
/// rectification item for the project's agency.
pub async fn raise(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<RaiseForm>,
) -> Result<Response, PageError> {
    let actor = session.actor();
    let d = state.store.alert(&actor, id).await?;
    match state
        .store
        .raise_rectification(&actor, d.alert.project_id, &form.problem, Some(id))
        .await
    {
        Ok(_) => Ok(Redirect::to("/rectifications").into_response()),
        Err(e @ Error::Invalid(_)) => {
            alert_page(
                &state,
                &session,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(super::refusal_message(&e)),
                None,
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

/// The agency's proposal form.
#[derive(Deserialize)]
pub struct ProposeForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    recover: String,
    #[serde(default)]
    revise_targets: Option<String>,
}

async fn refusal(
    state: &AppState,
    session: &jixiao_store::SessionUser,
    id: i64,
    error: Error,
) -> Result<Response, PageError> {
    let status = match &error {
        Error::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        e if e.is_conflict() => StatusCode::CONFLICT,
        Error::InsufficientFunds { .. } => StatusCode::CONFLICT,
        _ => return Err(error.into()),
    };
    let message = super::refusal_message(&error);
    alert_page(state, session, id, status, Some(message), None).await
}

/// `POST /alerts/{id}/propose` (agency).
pub async fn propose(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<ProposeForm>,
) -> Result<Response, PageError> {
    let recover_fen = if form.recover.trim().is_empty() {
        0
    } else {
        match money::parse_wan(&form.recover) {
            Ok(fen) => fen,
            Err(e) => {
                let error = Error::invalid("recover", "invalid_amount", format!("收回金额：{e}"));
                return refusal(&state, &session, id, error).await;
            }
        }
    };
    let input = ProposalInput {
        action: form.action,
        comment: form.comment,
        recover_fen,
        revise_targets: form.revise_targets.is_some(),
    };
    match state
        .store
        .propose_decision(&session.actor(), id, &input)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/alerts/{id}?done=proposed")).into_response()),
        Err(e) => refusal(&state, &session, id, e).await,
    }
}

/// `POST /alerts/{id}/decide` (finance).
pub async fn decide(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<ReviewForm>,
) -> Result<Response, PageError> {
    match state
        .store
        .decide_alert(
            &session.actor(),
            id,
            form.action == "confirm",
            &form.comment,
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/alerts/{id}?done=decided")).into_response()),
        Err(e) => refusal(&state, &session, id, e).await,
    }
}
