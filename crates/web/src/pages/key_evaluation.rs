//! Key-evaluation pages (重点评价): the list with the coverage of key projects and the drawn
//! institutions waiting to be commissioned (finance); one evaluation with the framework — the
//! institution scores it, finance confirms the final score and problems or returns it — and the
//! rectification list where agencies answer and finance checks items off.

use super::{Chrome, refusal_message, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::PageError;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jixiao_core::key_evaluation::ScoreEntry;
use jixiao_core::scoring::format_score;
use jixiao_core::target::RowError;
use jixiao_core::{Role, money};
use jixiao_store::{
    Assignment, ConfirmInput, CoverageLine, Error, KeyEvaluation, KeyEvaluationDetail,
    Rectification,
};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "key_evaluations.html")]
struct ListPage {
    chrome: Chrome,
    year: i32,
    evaluations: Vec<(KeyEvaluation, String, String)>,
    coverage: Vec<(CoverageLine, String)>,
    waiting: Vec<Assignment>,
    is_finance: bool,
    /// Whether the user may open the rectification list (institutions see their evaluations only).
    reads_rectifications: bool,
    error: Option<String>,
}

/// The year of the coverage view.
#[derive(Debug, Deserialize, Default)]
pub struct YearQuery {
    year: Option<i32>,
}

async fn list_page(
    state: &AppState,
    session: &jixiao_store::SessionUser,
    year: i32,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, PageError> {
    let actor = session.actor();
    let all = state.store.key_evaluations(&actor).await?;
    let is_finance = session.user.role == Role::Finance;
    let (coverage, waiting) = if is_finance {
        let coverage = state
            .store
            .evaluation_coverage(&actor, year)
            .await?
            .into_iter()
            .map(|c| {
                let wan = money::format_wan(c.approved_fen);
                (c, wan)
            })
            .collect();
        let commissioned: Vec<i64> = all.iter().map(|e| e.assignment_id).collect();
        let waiting = state
            .store
            .assignments(&actor)
            .await?
            .into_iter()
            .filter(|a| {
                a.purpose == "key_evaluation"
                    && a.status == "accepted"
                    && !commissioned.contains(&a.id)
            })
            .collect();
        (coverage, waiting)
    } else {
        (Vec::new(), Vec::new())
    };
    let evaluations = all
        .into_iter()
        .map(|e| {
            let wan = money::format_wan(e.approved_fen);
            let score = e
                .final_x100
                .or(e.total_x100)
                .map_or("—".to_owned(), format_score);
            (e, wan, score)
        })
        .collect();
    Ok(render(
        status,
        &ListPage {
            chrome: Chrome::for_session(session, "key_evaluations"),
            year,
            evaluations,
            coverage,
            waiting,
            is_finance,
            reads_rectifications: session.user.role.can(jixiao_core::Capability::ReadProjects),
            error,
        },
    ))
}

/// `GET /evaluations?year=Y`.
pub async fn list(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Query(query): Query<YearQuery>,
) -> Result<Response, PageError> {
    list_page(
        &state,
        &session,
        query.year.unwrap_or(2019),
        StatusCode::OK,
        None,
    )
    .await
}

/// The commission form.
#[derive(Deserialize)]
pub struct CommissionForm {
    assignment_id: i64,
}

/// `POST /evaluations` (finance, or a department): commission the drawn institution.
pub async fn commission(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Form(form): Form<CommissionForm>,
) -> Result<Response, PageError> {
    match state
        .store
        .commission_evaluation(&session.actor(), form.assignment_id)
        .await
    {
        Ok(e) => Ok(Redirect::to(&format!("/evaluations/{}", e.id)).into_response()),
        Err(e) if super::shown_inline(&e) => {
            list_page(
                &state,
                &session,
                2019,
                StatusCode::CONFLICT,
                Some(refusal_message(&e)),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

struct ItemRow {
    n: usize,
    level1: String,
    level2: String,
    level3: String,
    points: u32,
    explanation: String,
    check_points: String,
    standard: String,
    score: String,
    finding: String,
}

#[derive(Template)]
#[template(path = "key_evaluation.html")]
struct DetailPage {
    chrome: Chrome,
    d: KeyEvaluationDetail,
    rows: Vec<ItemRow>,
    summary: String,
    total: String,
    final_score: String,
    problems: Vec<String>,
    row_errors: Vec<RowError>,
    error: Option<String>,
    can_score: bool,
    can_confirm: bool,
    /// Whether the user may open the rectification list.
    reads_rectifications: bool,
}

impl DetailPage {
    fn summary_error(&self) -> Option<&str> {
        self.row_errors
            .iter()
            .find(|e| e.row == 0)
            .map(|e| e.message.as_str())
    }

    fn error_at(&self, row: &usize) -> Option<&str> {
        self.row_errors
            .iter()
            .find(|e| e.row == *row)
            .map(|e| e.message.as_str())
    }
}

fn detail_page(
    session: &jixiao_store::SessionUser,
    d: KeyEvaluationDetail,
    typed: Option<(Vec<ScoreEntry>, String)>,
    row_errors: Vec<RowError>,
    error: Option<String>,
) -> DetailPage {
    let e = &d.evaluation;
    let editable = matches!(e.state.as_str(), "commissioned" | "returned");
    let (entries, summary) = typed.unwrap_or_else(|| (Vec::new(), e.summary.clone()));
    let rows = d
        .items
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let typed = entries
                .iter()
                .find(|x| usize::try_from(x.item_no).ok() == Some(i + 1));
            ItemRow {
                n: i + 1,
                level1: s.item.level1.clone(),
                level2: s.item.level2.clone(),
                level3: s.item.level3.clone(),
                points: s.item.points,
                explanation: s.item.explanation.clone(),
                check_points: s.item.check_points.clone(),
                standard: s.item.standard.clone(),
                score: typed.map_or_else(
                    || s.score_x100.map(format_score).unwrap_or_default(),
                    |t| t.score.clone(),
                ),
                finding: typed.map_or_else(|| s.finding.clone(), |t| t.finding.clone()),
            }
        })
        .collect();
    DetailPage {
        chrome: Chrome::for_session(session, "key_evaluations"),
        total: e.total_x100.map_or("—".to_owned(), format_score),
        final_score: e.final_x100.map_or("—".to_owned(), format_score),
        problems: e.problem_list().to_vec(),
        can_score: session.user.role == Role::Institution && editable,
        can_confirm: session.user.role == Role::Finance && e.state == "submitted",
        reads_rectifications: session.user.role.can(jixiao_core::Capability::ReadProjects),
        rows,
        summary,
        row_errors,
        error,
        d,
    }
}

/// `GET /evaluations/{id}`.
pub async fn show(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let d = state.store.key_evaluation(&session.actor(), id).await?;
    Ok(render(
        StatusCode::OK,
        &detail_page(&session, d, None, Vec::new(), None),
    ))
}

/// `POST /evaluations/{id}` (institution): save scores, and with `intent=submit` submit.
pub async fn save(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let actor = session.actor();
    let current = state.store.key_evaluation(&actor, id).await?;
    let entries: Vec<ScoreEntry> = (1..=current.items.len())
        .map(|n| ScoreEntry {
            item_no: i32::try_from(n).unwrap_or(i32::MAX),
            score: form.get(&format!("score_{n}")).cloned().unwrap_or_default(),
            finding: form
                .get(&format!("finding_{n}"))
                .cloned()
                .unwrap_or_default(),
        })
        .collect();
    let summary = form.get("summary").cloned().unwrap_or_default();
    let version = form
        .get("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(-1);
    let submit = form.get("intent").map(String::as_str) == Some("submit");
    let result = match state
        .store
        .save_key_evaluation(&actor, id, version, &entries, &summary)
        .await
    {
        Ok(saved) if submit => {
            state
                .store
                .submit_key_evaluation(&actor, id, saved.evaluation.version)
                .await
        }
        other => other,
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/evaluations/{id}")).into_response()),
        Err(e) if e.is_conflict() || matches!(e, Error::InvalidEvaluation(_)) => {
            let (status, rows, message) = match e {
                Error::InvalidEvaluation(rows) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    rows,
                    "评分有误，请按提示修改。".to_owned(),
                ),
                other => (StatusCode::CONFLICT, Vec::new(), other.user_message()),
            };
            let d = state.store.key_evaluation(&actor, id).await?;
            Ok(render(
                status,
                &detail_page(&session, d, Some((entries, summary)), rows, Some(message)),
            ))
        }
        Err(other) => Err(other.into()),
    }
}

/// Finance's confirmation or return.
#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    final_score: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    problems: String,
    #[serde(default)]
    comment: String,
}

/// `POST /evaluations/{id}/confirm` (finance).
pub async fn confirm(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, PageError> {
    let actor = session.actor();
    let result = if form.action == "return" {
        state
            .store
            .return_key_evaluation(&actor, id, &form.comment)
            .await
    } else {
        let input = ConfirmInput {
            final_score: form.final_score.clone(),
            reason: form.reason.clone(),
            problems: form.problems.lines().map(str::to_owned).collect(),
        };
        state.store.confirm_key_evaluation(&actor, id, &input).await
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/evaluations/{id}")).into_response()),
        Err(e) if super::shown_inline(&e) => {
            let status = super::inline_status(&e);
            let d = state.store.key_evaluation(&actor, id).await?;
            Ok(render(
                status,
                &detail_page(&session, d, None, Vec::new(), Some(refusal_message(&e))),
            ))
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "rectifications.html")]
struct RectificationsPage {
    chrome: Chrome,
    items: Vec<Rectification>,
    is_agency: bool,
    is_finance: bool,
    error: Option<String>,
}

async fn rectifications_page(
    state: &AppState,
    session: &jixiao_store::SessionUser,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, PageError> {
    let items = state.store.rectifications(&session.actor(), None).await?;
    Ok(render(
        status,
        &RectificationsPage {
            chrome: Chrome::for_session(session, "key_evaluations"),
            items,
            is_agency: session.user.role == Role::Agency,
            is_finance: session.user.role == Role::Finance,
            error,
        },
    ))
}

/// `GET /rectifications`.
pub async fn rectifications(
    State(state): State<AppState>,
    PageUser(session): PageUser,
) -> Result<Response, PageError> {
    rectifications_page(&state, &session, StatusCode::OK, None).await
}

/// An answer or a check.
#[derive(Deserialize)]
pub struct ItemForm {
    #[serde(default)]
    version: i32,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    comment: String,
}

/// `POST /rectifications/{id}` (agency answers; finance closes or sends back).
pub async fn act(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<ItemForm>,
) -> Result<Response, PageError> {
    let actor = session.actor();
    let result = match session.user.role {
        Role::Agency => {
            state
                .store
                .answer_rectification(&actor, id, form.version, &form.answer)
                .await
        }
        _ => {
            state
                .store
                .check_rectification(&actor, id, form.action == "close", &form.comment)
                .await
        }
    };
    match result {
        Ok(_) => Ok(Redirect::to("/rectifications").into_response()),
        Err(e) if super::shown_inline(&e) => {
            let status = super::inline_status(&e);
            rectifications_page(&state, &session, status, Some(refusal_message(&e))).await
        }
        Err(other) => Err(other.into()),
    }
}
