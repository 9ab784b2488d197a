//! The year's evaluation page (绩效评价与结果应用): self-evaluation coverage and the grade
//! distribution, the list of projects with their scores, and the results application — the
//! rulebook's proposals for next year's continuing projects, finance's decisions and the money
//! cut (调减低效资金) with the list behind it.

use super::{Chrome, refusal_message, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::PageError;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jixiao_core::scoring::format_score;
use jixiao_core::{Role, money};
use jixiao_store::{
    Adjustment, AdjustmentDecision, SelfEvaluationLine, self_evaluation_state_label,
};
use serde::Deserialize;

/// Filters of the page.
#[derive(Debug, Deserialize, Default)]
pub struct EvaluationQuery {
    year: Option<i32>,
    #[serde(default)]
    grade: String,
    done: Option<String>,
}

struct Line {
    project_id: i64,
    code: String,
    name: String,
    agency_name: String,
    approved_wan: String,
    state: &'static str,
    total: String,
    grade: String,
    imported: bool,
}

struct ProposalRow {
    a: Adjustment,
    base_wan: String,
    proposed_wan: String,
    cut_wan: String,
    score: String,
}

#[derive(Template)]
#[template(path = "evaluation.html")]
struct EvaluationPage {
    chrome: Chrome,
    year: i32,
    years: Vec<i32>,
    grade: String,
    approved: usize,
    evaluated: usize,
    grades: Vec<(String, usize, String)>,
    lines: Vec<Line>,
    shown: usize,
    matching: usize,
    proposals: Vec<ProposalRow>,
    cut_wan: String,
    cut_projects: i64,
    can_decide: bool,
    error: Option<String>,
    notice: Option<&'static str>,
}

/// Lines shown at most (the rest by filtering).
const SHOWN: usize = 200;

async fn page(
    state: &AppState,
    session: &jixiao_store::SessionUser,
    query: EvaluationQuery,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, PageError> {
    let actor = session.actor();
    let year = match query.year {
        Some(year) => year,
        None => {
            state
                .store
                .latest_evaluation_year(&session.actor(), 2019)
                .await?
        }
    };
    let all = state.store.self_evaluation_lines(&actor, year).await?;
    let evaluated = all
        .iter()
        .filter(|l| matches!(l.state.as_deref(), Some("submitted" | "approved")))
        .count();
    let mut grades: Vec<(String, usize, String)> = ["优", "良", "中", "差"]
        .iter()
        .map(|g| {
            let n = all
                .iter()
                .filter(|l| l.grade.as_deref() == Some(*g))
                .count();
            let share = if all.is_empty() {
                "—".to_owned()
            } else {
                format!("{:.1}%", n as f64 * 100.0 / all.len() as f64)
            };
            ((*g).to_owned(), n, share)
        })
        .collect();
    grades.retain(|(_, n, _)| *n > 0 || !all.is_empty());
    let matching: Vec<&SelfEvaluationLine> = all
        .iter()
        .filter(|l| query.grade.is_empty() || l.grade.as_deref() == Some(query.grade.as_str()))
        .collect();
    let lines = matching
        .iter()
        .take(SHOWN)
        .map(|l| Line {
            project_id: l.project_id,
            code: l.code.clone(),
            name: l.name.clone(),
            agency_name: l.agency_name.clone(),
            approved_wan: money::format_wan(l.approved_fen),
            state: self_evaluation_state_label(l.state.as_deref().unwrap_or("not_started")),
            total: l.total_x100.map_or("—".to_owned(), format_score),
            grade: l.grade.clone().unwrap_or_else(|| "—".to_owned()),
            imported: l.source.as_deref() == Some("import"),
        })
        .collect();
    let proposals = state
        .store
        .adjustments(&actor, year)
        .await?
        .into_iter()
        .map(|a| ProposalRow {
            base_wan: money::format_wan(a.base_fen),
            proposed_wan: money::format_wan(a.proposed_cut_fen),
            cut_wan: money::format_wan(a.cut_fen),
            score: format_score(a.score_x100),
            a,
        })
        .collect();
    let cuts = state.store.cuts(&actor, year).await?;
    let notice = match query.done.as_deref() {
        Some("proposed") => Some("已按规则生成结果应用建议。"),
        Some("decided") => Some("已记录结果应用决定。"),
        _ => None,
    };
    Ok(render(
        status,
        &EvaluationPage {
            chrome: Chrome::for_session(session, "evaluation"),
            year,
            years: super::projects::years(state, session).await?,
            grade: query.grade.clone(),
            approved: all.len(),
            evaluated,
            grades,
            shown: lines_len(matching.len()),
            matching: matching.len(),
            lines,
            proposals,
            cut_wan: money::format_wan(cuts.amount_fen),
            cut_projects: cuts.projects,
            can_decide: session.user.role == Role::Finance,
            error,
            notice,
        },
    ))
}

fn lines_len(matching: usize) -> usize {
    matching.min(SHOWN)
}

/// `GET /evaluation?year=Y&grade=G`.
pub async fn show(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Query(query): Query<EvaluationQuery>,
) -> Result<Response, PageError> {
    page(&state, &session, query, StatusCode::OK, None).await
}

/// The propose form.
#[derive(Deserialize)]
pub struct ProposeForm {
    year: i32,
}

/// `POST /evaluation/propose` (finance).
pub async fn propose(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Form(form): Form<ProposeForm>,
) -> Result<Response, PageError> {
    match state
        .store
        .propose_adjustments(&session.actor(), form.year)
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/evaluation?year={}&done=proposed", form.year)).into_response(),
        ),
        Err(e) => Err(e.into()),
    }
}

/// A decision as the form sends it.
#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    cut_wan: String,
    #[serde(default)]
    reason: String,
}

/// `POST /results/{id}/decide` (finance).
pub async fn decide(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, PageError> {
    let actor = session.actor();
    let current = state.store.adjustment(&actor, id).await?;
    let decision = match form.decision.as_str() {
        "accept" => Ok(AdjustmentDecision::Accept),
        "change" => money::parse_wan(&form.cut_wan)
            .map(|cut_fen| AdjustmentDecision::Change {
                cut_fen,
                reason: form.reason.clone(),
            })
            .map_err(|_| "调减金额应为万元数，最多六位小数".to_owned()),
        "reject" => Ok(AdjustmentDecision::Reject {
            reason: form.reason.clone(),
        }),
        _ => Err("请选择采纳、调整或不采纳".to_owned()),
    };
    let query = EvaluationQuery {
        year: Some(current.year),
        ..EvaluationQuery::default()
    };
    let decision = match decision {
        Ok(decision) => decision,
        Err(message) => {
            return page(
                &state,
                &session,
                query,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(message),
            )
            .await;
        }
    };
    match state.store.decide_adjustment(&actor, id, &decision).await {
        Ok(decided) => Ok(
            Redirect::to(&format!("/evaluation?year={}&done=decided", decided.year))
                .into_response(),
        ),
        Err(e) if super::shown_inline(&e) => {
            let status = super::inline_status(&e);
            page(&state, &session, query, status, Some(refusal_message(&e))).await
        }
        Err(other) => Err(other.into()),
    }
}
