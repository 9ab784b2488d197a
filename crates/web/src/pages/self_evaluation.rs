//! The self-evaluation sheet on one page (项目支出绩效自评表): the budget block from the ledger,
//! one row per approved indicator with its actual value, band for qualitative ones, deviation
//! reason and improvement measure, scores as the rulebook computes them and manual changes with
//! their reasons beside them; the agency saves and submits, finance approves or returns.

use super::{Chrome, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::PageError;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jixiao_core::ledger::format_rate;
use jixiao_core::rulebook::Rulebook;
use jixiao_core::scoring::{QualitativeBand, format_score};
use jixiao_core::target::RowError;
use jixiao_core::{Role, money};
use jixiao_store::{EntryInput, Error, SelfEvaluation, SelfEvaluationInput};
use serde::Deserialize;
use std::collections::HashMap;

/// One row as the page shows it.
struct RowView {
    n: usize,
    level1: String,
    level2: String,
    name: String,
    target: String,
    qualitative: bool,
    points: String,
    computed: String,
    manual: Option<String>,
    missed: bool,
    entry: EntryInput,
    /// The records' value, for an indicator fed from them.
    record: Option<jixiao_store::ComputedValue>,
}

#[derive(Template)]
#[template(path = "self_evaluation.html")]
struct SheetPage {
    chrome: Chrome,
    s: SelfEvaluation,
    rows: Vec<RowView>,
    summary: String,
    /// (name, range) of each qualitative band.
    bands: Vec<(String, String)>,
    row_errors: Vec<RowError>,
    error: Option<String>,
    notice: Option<&'static str>,
    can_edit: bool,
    can_review: bool,
    initial_wan: String,
    full_year_wan: String,
    executed_wan: String,
    execution_points: String,
    execution_rate: String,
    execution_score: String,
    total: String,
    grade: String,
    published_total: Option<String>,
    /// Whether the project's targets and results are public.
    published: bool,
    can_publish: bool,
}

impl SheetPage {
    fn error_at(&self, row: &usize, field: &str) -> Option<&str> {
        self.row_errors
            .iter()
            .find(|e| e.row == *row && e.field == field)
            .map(|e| e.message.as_str())
    }

    fn sheet_errors(&self) -> Vec<&str> {
        self.row_errors
            .iter()
            .filter(|e| e.row == 0)
            .map(|e| e.message.as_str())
            .collect()
    }
}

fn band_range(band: &QualitativeBand) -> String {
    format!("{}%–{}%", band.low_percent, band.high_percent)
}

fn sheet_page(
    session: &jixiao_store::SessionUser,
    s: SelfEvaluation,
    rulebook: Option<Rulebook>,
    typed: Option<(Vec<EntryInput>, String)>,
    row_errors: Vec<RowError>,
    error: Option<String>,
    notice: Option<&'static str>,
) -> SheetPage {
    let role = session.user.role;
    let (entries, summary) = typed.unwrap_or_else(|| {
        (
            s.items
                .iter()
                .map(|i| EntryInput {
                    row_no: i.row_no,
                    actual: i.actual.clone(),
                    band: i.band.clone(),
                    band_percent: i.band_percent.clone(),
                    not_applicable: i.not_applicable,
                    manual_score: i.manual_x100.map(format_score).unwrap_or_default(),
                    manual_reason: i.manual_reason.clone(),
                    deviation_reason: i.deviation_reason.clone(),
                    improvement: i.improvement.clone(),
                    override_reason: i.override_reason.clone(),
                })
                .collect(),
            s.summary.clone(),
        )
    });
    let started = s.id.is_some();
    let rows = s
        .items
        .iter()
        .zip(entries)
        .enumerate()
        .map(|(i, (item, entry))| {
            let op = item.operator();
            RowView {
                n: i + 1,
                level1: item.level1.clone(),
                level2: item.level2.clone(),
                name: item.name.clone(),
                target: if op.is_quantitative() {
                    format!("{}{}{}", op.label(), item.target, item.unit)
                } else {
                    item.target.clone()
                },
                qualitative: !op.is_quantitative(),
                points: format_score(item.points_x100),
                computed: if !started {
                    "—".to_owned()
                } else if item.not_applicable {
                    "不适用".to_owned()
                } else {
                    item.computed_x100.map_or("—".to_owned(), format_score)
                },
                manual: item.manual_x100.map(format_score),
                missed: item.missed,
                entry,
                record: s.computed.iter().find(|c| c.row_no == item.row_no).cloned(),
            }
        })
        .collect();
    let execution = s.execution;
    SheetPage {
        chrome: Chrome::for_session(session, "evaluation"),
        rows,
        summary,
        bands: rulebook
            .map(|r| {
                r.self_evaluation
                    .qualitative_bands
                    .iter()
                    .map(|b| (b.name.clone(), band_range(b)))
                    .collect()
            })
            .unwrap_or_default(),
        row_errors,
        error,
        notice,
        can_edit: role == Role::Agency && s.editable(),
        can_review: role == Role::Finance && s.state == "submitted",
        initial_wan: money::format_wan(s.budget.initial_fen),
        full_year_wan: money::format_wan(s.budget.full_year_fen),
        executed_wan: money::format_wan(s.budget.executed_fen),
        execution_points: execution.map_or("—".to_owned(), |e| format_score(e.points_x100)),
        execution_rate: if s.budget.full_year_fen > 0 {
            format_rate(jixiao_core::scoring::execution_rate_bp(&s.budget))
        } else {
            "—".to_owned()
        },
        execution_score: execution.map_or("—".to_owned(), |e| format_score(e.score_x100)),
        total: s.total_x100.map_or("—".to_owned(), format_score),
        grade: s.grade.clone().unwrap_or_else(|| "—".to_owned()),
        published_total: s.published_total_x100.map(format_score),
        published: false,
        can_publish: role == Role::Finance && s.state == "approved",
        s,
    }
}

async fn rulebook_of(state: &AppState, s: &SelfEvaluation) -> Option<Rulebook> {
    state
        .store
        .rulebook_by_id(s.rulebook_id)
        .await
        .ok()
        .and_then(|r| r.rulebook().ok())
}

/// `GET /projects/{id}/self-evaluation`.
pub async fn show(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Query(notice): Query<super::Notice>,
) -> Result<Response, PageError> {
    let sheet = state.store.self_evaluation(&session.actor(), id).await?;
    let rulebook = rulebook_of(&state, &sheet).await;
    let notice = match notice.done.as_deref() {
        Some("saved") => Some("已保存，得分已按规则重新计算。"),
        Some("submitted") => Some("已报送财政部门审核。"),
        Some("reviewed") => Some("已审核。"),
        Some("published") => Some("公开设置已更新。"),
        _ => None,
    };
    let published = state.store.is_published(id).await?;
    let mut page = sheet_page(&session, sheet, rulebook, None, Vec::new(), None, notice);
    page.published = published;
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "self_evaluation_print.html")]
struct PrintPage {
    chrome: Chrome,
    s: SelfEvaluation,
    department: String,
    rows: Vec<RowView>,
    /// The last rows, printed on one page with the total, the signatures and the seal.
    last_rows: Vec<RowView>,
    summary: String,
    initial_wan: String,
    full_year_wan: String,
    executed_wan: String,
    execution_points: String,
    execution_rate: String,
    execution_score: String,
    total: String,
    grade: String,
}

/// `GET /projects/{id}/self-evaluation/print`: the sheet in the layout of the official form, on
/// A4 with signature and seal areas.
pub async fn print(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let sheet = state.store.self_evaluation(&session.actor(), id).await?;
    let department = super::print_forms::department_of(&state, &session, &sheet.project).await?;
    let page = sheet_page(&session, sheet, None, None, Vec::new(), None, None);
    let (rows, last_rows) = super::print_forms::with_last_rows(page.rows);
    Ok(render(
        StatusCode::OK,
        &PrintPage {
            chrome: page.chrome,
            department,
            rows,
            last_rows,
            summary: page.summary,
            initial_wan: page.initial_wan,
            full_year_wan: page.full_year_wan,
            executed_wan: page.executed_wan,
            execution_points: page.execution_points,
            execution_rate: page.execution_rate,
            execution_score: page.execution_score,
            total: page.total,
            grade: page.grade,
            s: page.s,
        },
    ))
}

/// The publication form.
#[derive(Deserialize)]
pub struct PublishForm {
    #[serde(default)]
    published: String,
}

/// `POST /projects/{id}/publication` (finance): publish or withdraw the project's targets and
/// results on the public page.
pub async fn publish(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<PublishForm>,
) -> Result<Response, PageError> {
    state
        .store
        .set_published(&session.actor(), &[id], form.published == "1")
        .await?;
    Ok(Redirect::to(&format!("/projects/{id}/self-evaluation?done=published")).into_response())
}

/// The entries of the form: per row `actual_N`, `band_N`, `band_percent_N`, `na_N`,
/// `manual_score_N`, `manual_reason_N`, `deviation_reason_N`, `improvement_N` and, for an
/// indicator fed from records, `override_reason_N`.
fn entries_of(form: &HashMap<String, String>, rows: usize) -> Vec<EntryInput> {
    let field = |name: &str, n: usize| {
        form.get(&format!("{name}_{n}"))
            .cloned()
            .unwrap_or_default()
    };
    (1..=rows)
        .map(|n| EntryInput {
            row_no: i32::try_from(n).unwrap_or(i32::MAX),
            actual: field("actual", n),
            band: field("band", n),
            band_percent: field("band_percent", n),
            not_applicable: form.contains_key(&format!("na_{n}")),
            manual_score: field("manual_score", n),
            manual_reason: field("manual_reason", n),
            deviation_reason: field("deviation_reason", n),
            improvement: field("improvement", n),
            override_reason: field("override_reason", n),
        })
        .collect()
}

/// `POST /projects/{id}/self-evaluation` (agency): save, and with `intent=submit` also submit.
pub async fn save(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let actor = session.actor();
    let current = state.store.self_evaluation(&actor, id).await?;
    let entries = entries_of(&form, current.items.len());
    let summary = form.get("summary").cloned().unwrap_or_default();
    let input = SelfEvaluationInput {
        version: form
            .get("version")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(-1),
        summary: summary.clone(),
        entries: entries.clone(),
    };
    let submit = form.get("intent").map(String::as_str) == Some("submit");
    let result = match state.store.save_self_evaluation(&actor, id, &input).await {
        Ok(saved) if submit => {
            state
                .store
                .submit_self_evaluation(&actor, id, saved.version)
                .await
        }
        other => other,
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!(
            "/projects/{id}/self-evaluation?done={}",
            if submit { "submitted" } else { "saved" }
        ))
        .into_response()),
        Err(e) if super::shown_inline(&e) || matches!(e, Error::InvalidEvaluation(_)) => {
            let (status, rows, message) = match e {
                Error::InvalidEvaluation(rows) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    rows,
                    "绩效自评表有误，请按提示修改后再保存或报送。".to_owned(),
                ),
                e if e.is_conflict() => (StatusCode::CONFLICT, Vec::new(), e.to_string()),
                other => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Vec::new(),
                    other.user_message(),
                ),
            };
            // Show the sheet as it now stands (a save may have gone through before a refused
            // submission), with what was typed and the errors beside the rows.
            let sheet = state.store.self_evaluation(&actor, id).await?;
            let rulebook = rulebook_of(&state, &sheet).await;
            Ok(render(
                status,
                &sheet_page(
                    &session,
                    sheet,
                    rulebook,
                    Some((entries, summary)),
                    rows,
                    Some(message),
                    None,
                ),
            ))
        }
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

/// `POST /projects/{id}/self-evaluation/review` (finance).
pub async fn review(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<ReviewForm>,
) -> Result<Response, PageError> {
    let actor = session.actor();
    match state
        .store
        .review_self_evaluation(&actor, id, form.action == "approve", &form.comment)
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/projects/{id}/self-evaluation?done=reviewed")).into_response(),
        ),
        Err(e) if super::shown_inline(&e) => {
            let status = super::inline_status(&e);
            let sheet = state.store.self_evaluation(&actor, id).await?;
            let rulebook = rulebook_of(&state, &sheet).await;
            Ok(render(
                status,
                &sheet_page(
                    &session,
                    sheet,
                    rulebook,
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
