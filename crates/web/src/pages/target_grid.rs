//! The target sheet grid: goals and every indicator row on one page. Rows are added one at a
//! time or from the indicator library without losing what is typed; a bad row comes back with
//! the entries and its error beside it; "save and submit" runs the gate. The automatic review
//! (智能预审) shows beside each row as the page is drawn and, with the page's script, as the user
//! types; it never blocks a save — only submission is gated on its errors.

use super::projects::display_rulebook;
use super::{Chrome, Notice, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::PageError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use jixiao_core::indicator_library;
use jixiao_core::money;
use jixiao_core::target::{IndicatorInput, MAX_ROWS, Operator};
use jixiao_core::target_review::{Finding, FindingCode};
use jixiao_store::{Error, SessionUser};
use serde::Serialize;
use std::collections::BTreeMap;

/// Blank rows offered below the filled ones.
const SPARE_ROWS: usize = 3;

struct GridRow {
    input: IndicatorInput,
    op: String,
    errors: Vec<String>,
    review: Vec<ReviewNote>,
}

/// A finding of the automatic review as the grid shows it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ReviewNote {
    /// `error` or `warning` (the CSS class).
    severity: &'static str,
    /// 错误 or 提示 and the finding's name, e.g. 错误·指标值不可考核.
    label: String,
    /// What to write instead.
    message: String,
}

impl ReviewNote {
    fn of(finding: &Finding) -> ReviewNote {
        ReviewNote {
            severity: finding.severity.as_str(),
            label: format!("{}·{}", finding.severity.label(), finding.code.label()),
            message: finding.message.clone(),
        }
    }
}

/// The review of the sheet as typed: notes by row (from 1, in the order given) and for the
/// sheet, and a one-line summary.
#[derive(Default)]
struct GridReview {
    by_row: BTreeMap<usize, Vec<ReviewNote>>,
    sheet: Vec<ReviewNote>,
    summary: String,
}

impl GridReview {
    fn of(findings: &[Finding]) -> GridReview {
        let mut review = GridReview::default();
        for finding in findings {
            let note = ReviewNote::of(finding);
            match finding.row {
                Some(row) => review.by_row.entry(row).or_default().push(note),
                None => review.sheet.push(note),
            }
        }
        let errors = findings.iter().filter(|f| f.is_error()).count();
        let warnings = findings.len() - errors;
        review.summary = if findings.is_empty() {
            "智能预审：未发现问题。".to_owned()
        } else {
            format!(
                "智能预审：{errors}个错误（提交审核前须修改），{warnings}个提示。草稿可照常保存。"
            )
        };
        review
    }
}

#[derive(Template)]
#[template(path = "target.html")]
struct TargetPage {
    chrome: Chrome,
    project_id: i64,
    project_name: String,
    agency_name: String,
    year: i32,
    requested_wan: String,
    version: i32,
    notice: Option<String>,
    sheet_errors: Vec<String>,
    findings: Vec<String>,
    review_summary: String,
    review_sheet: Vec<ReviewNote>,
    overall_goal: String,
    annual_goal: String,
    rows: Vec<GridRow>,
    level1s: Vec<String>,
    level2s: Vec<(String, Vec<String>)>,
    ops: Vec<(&'static str, &'static str)>,
    templates: Vec<(&'static str, &'static str)>,
}

/// What the grid holds: goals and rows as typed.
struct Entries {
    version: i32,
    overall_goal: String,
    annual_goal: String,
    rows: Vec<IndicatorInput>,
}

fn is_blank(row: &IndicatorInput) -> bool {
    *row == IndicatorInput::default()
        || [
            &row.level1,
            &row.level2,
            &row.name,
            &row.op,
            &row.value,
            &row.unit,
            &row.points,
        ]
        .iter()
        .all(|f| f.trim().is_empty())
}

/// Problems to show: beside rows (from 1), or above the grid.
#[derive(Default)]
struct Problems {
    by_row: BTreeMap<usize, Vec<String>>,
    sheet: Vec<String>,
    findings: Vec<String>,
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    session: &SessionUser,
    id: i64,
    status: StatusCode,
    notice: Option<String>,
    entries: Entries,
    problems: Problems,
    spare: usize,
) -> Result<Response, PageError> {
    let actor = session.actor();
    let project = state.store.project(&actor, id).await?;
    let rulebook = display_rulebook(state, session, project.year).await;
    // The review shows what it can; a jurisdiction without a rulebook shows none.
    let mut review = match state
        .store
        .review_typed_sheet(
            &actor,
            id,
            &entries.overall_goal,
            &entries.annual_goal,
            &entries.rows,
        )
        .await
    {
        Ok(done) => GridReview::of(&done.findings),
        Err(error) => {
            tracing::warn!(%error, project = id, "target review not shown");
            GridReview::default()
        }
    };
    let mut rows: Vec<GridRow> = entries
        .rows
        .into_iter()
        .enumerate()
        .map(|(index, input)| GridRow {
            review: review.by_row.remove(&(index + 1)).unwrap_or_default(),
            op: Operator::parse(&input.op)
                .map_or_else(|| input.op.clone(), |o| o.as_str().to_owned()),
            errors: problems
                .by_row
                .get(&(index + 1))
                .cloned()
                .unwrap_or_default(),
            input,
        })
        .collect();
    for _ in 0..spare {
        rows.push(GridRow {
            input: IndicatorInput::default(),
            op: String::new(),
            errors: Vec::new(),
            review: Vec::new(),
        });
    }
    let view = TargetPage {
        chrome: Chrome::for_session(session, "projects"),
        project_id: id,
        project_name: project.name.clone(),
        agency_name: project.agency_name.clone(),
        year: project.year,
        requested_wan: money::format_wan(project.requested_fen),
        version: entries.version,
        notice,
        sheet_errors: problems.sheet,
        findings: problems.findings,
        review_summary: review.summary,
        review_sheet: review.sheet,
        overall_goal: entries.overall_goal,
        annual_goal: entries.annual_goal,
        rows,
        level1s: rulebook
            .as_ref()
            .map(|r| r.indicator_tree.iter().map(|l| l.level1.clone()).collect())
            .unwrap_or_default(),
        level2s: rulebook
            .as_ref()
            .map(|r| {
                r.indicator_tree
                    .iter()
                    .map(|l| (l.level1.clone(), l.level2.clone()))
                    .collect()
            })
            .unwrap_or_default(),
        ops: Operator::ALL
            .iter()
            .map(|o| (o.as_str(), o.label()))
            .collect(),
        templates: indicator_library::TEMPLATES
            .iter()
            .map(|t| (t.key, t.name))
            .collect(),
    };
    Ok(render(status, &view))
}

/// `GET /projects/{id}/target`.
pub async fn show(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Query(notice): Query<Notice>,
) -> Result<Response, PageError> {
    let detail = state.store.project_detail(&session.actor(), id).await?;
    if session.user.role != jixiao_core::Role::Agency || !detail.project.state().editable() {
        return Ok(Redirect::to(&format!("/projects/{id}")).into_response());
    }
    let notice = match notice.done.as_deref() {
        Some("created") => Some("项目已建立，请填报绩效目标。".to_owned()),
        Some("saved") => Some("绩效目标已保存。".to_owned()),
        Some("uploaded") => Some("已从Excel导入并保存绩效目标表，请核对后提交审核。".to_owned()),
        _ => None,
    };
    let entries = Entries {
        version: detail.project.version,
        overall_goal: detail.target.overall_goal.clone(),
        annual_goal: detail.target.annual_goal.clone(),
        rows: detail
            .target
            .indicators
            .iter()
            .map(|i| i.to_input())
            .collect(),
    };
    let spare = if entries.rows.len() < 3 {
        5 - entries.rows.len()
    } else {
        SPARE_ROWS
    };
    page(
        &state,
        &session,
        id,
        StatusCode::OK,
        notice,
        entries,
        Problems::default(),
        spare,
    )
    .await
}

/// Reads the posted grid: `rN_field` names, rows in order, deleted and blank rows dropped.
/// Also returns the action, the chosen template, how many rows the page showed and the form
/// index of each row kept.
fn read_form(fields: &[(String, String)]) -> (Entries, String, String, usize, Vec<usize>) {
    let mut rows: BTreeMap<usize, IndicatorInput> = BTreeMap::new();
    let mut deleted: Vec<usize> = Vec::new();
    let (mut version, mut overall, mut annual, mut action, mut template) = (
        0,
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    );
    for (name, value) in fields {
        match name.as_str() {
            "version" => version = value.trim().parse().unwrap_or(0),
            "overall_goal" => overall.clone_from(value),
            "annual_goal" => annual.clone_from(value),
            "action" => action.clone_from(value),
            "template" => template.clone_from(value),
            _ => {
                let Some((index, field)) = name
                    .strip_prefix('r')
                    .and_then(|rest| rest.split_once('_'))
                    .and_then(|(i, f)| i.parse::<usize>().ok().map(|i| (i, f)))
                else {
                    continue;
                };
                if index >= MAX_ROWS * 2 {
                    continue;
                }
                let row = rows.entry(index).or_default();
                let value = value.clone();
                match field {
                    "level1" => row.level1 = value,
                    "level2" => row.level2 = value,
                    "name" => row.name = value,
                    "op" => row.op = value,
                    "value" => row.value = value,
                    "unit" => row.unit = value,
                    "points" => row.points = value,
                    "value_basis" => row.value_basis = value,
                    "explanation" => row.explanation = value,
                    "data_source" => row.data_source = value,
                    "delete" => deleted.push(index),
                    _ => {}
                }
            }
        }
    }
    let shown = rows.keys().next_back().map_or(0, |last| last + 1);
    let (kept, rows): (Vec<usize>, Vec<IndicatorInput>) = rows
        .into_iter()
        .filter(|(index, row)| !deleted.contains(index) && !is_blank(row))
        .unzip();
    (
        Entries {
            version,
            overall_goal: overall,
            annual_goal: annual,
            rows,
        },
        action,
        template,
        shown,
        kept,
    )
}

/// `POST /projects/{id}/target`.
pub async fn submit(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (mut entries, action, template, shown, _) = read_form(&fields);
    match action.as_str() {
        "add_row" => {
            // One more row than the page showed (deleted rows go, typed ones stay).
            let spare = (shown + 1).saturating_sub(entries.rows.len()).max(1);
            return page(
                &state,
                &session,
                id,
                StatusCode::OK,
                None,
                entries,
                Problems::default(),
                spare,
            )
            .await;
        }
        "add_template" => {
            let notice = match indicator_library::template(&template) {
                Some(found) => {
                    let added = found.rows();
                    let count = added.len();
                    entries.rows.extend(added);
                    Some(format!(
                        "已从指标库添加“{}”{count}行，请核对指标值后保存（尚未保存）。",
                        found.name
                    ))
                }
                None => Some("请选择指标库模板。".to_owned()),
            };
            return page(
                &state,
                &session,
                id,
                StatusCode::OK,
                notice,
                entries,
                Problems::default(),
                SPARE_ROWS,
            )
            .await;
        }
        _ => {}
    }
    let actor = session.actor();
    let saved = state
        .store
        .save_target(
            &actor,
            id,
            entries.version,
            &entries.overall_goal,
            &entries.annual_goal,
            &entries.rows,
        )
        .await;
    let version = match saved {
        Ok(version) => version,
        Err(Error::InvalidRows(errors)) => {
            let mut problems = Problems::default();
            for error in errors {
                if error.row == 0 {
                    problems.sheet.push(error.message);
                } else {
                    problems.sheet.push(error.message.clone());
                    problems
                        .by_row
                        .entry(error.row)
                        .or_default()
                        .push(error.message);
                }
            }
            return page(
                &state,
                &session,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                entries,
                problems,
                SPARE_ROWS,
            )
            .await;
        }
        Err(Error::Conflict { message, .. }) => {
            let problems = Problems {
                sheet: vec![message],
                ..Problems::default()
            };
            return page(
                &state,
                &session,
                id,
                StatusCode::CONFLICT,
                None,
                entries,
                problems,
                SPARE_ROWS,
            )
            .await;
        }
        Err(other) => return Err(other.into()),
    };
    if action != "submit" {
        return Ok(Redirect::to(&format!("/projects/{id}/target?done=saved")).into_response());
    }
    match state.store.submit_project(&actor, id, version).await {
        Ok(_) => Ok(Redirect::to(&format!("/projects/{id}?done=submitted")).into_response()),
        Err(Error::GateFailed(findings)) => {
            let mut problems = Problems::default();
            for finding in findings {
                // The review's findings already show beside their rows as review notes.
                let from_review = FindingCode::parse(finding.code).is_some();
                if let Some(row) = finding.row.filter(|_| !from_review) {
                    problems
                        .by_row
                        .entry(row)
                        .or_default()
                        .push(finding.message.clone());
                }
                problems.findings.push(finding.message);
            }
            entries.version = version;
            page(
                &state,
                &session,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                entries,
                problems,
                SPARE_ROWS,
            )
            .await
        }
        Err(other) => super::project_page::refused(&state, &session, id, other).await,
    }
}

/// The live review's answer: a summary, the sheet's notes, and the notes of each row keyed by
/// the row's index in the form (`r{index}_…`), so the page can put them beside the right row.
#[derive(Serialize)]
struct LiveReview {
    summary: String,
    blocks_submission: bool,
    sheet: Vec<ReviewNote>,
    rows: BTreeMap<usize, Vec<ReviewNote>>,
}

/// `POST /projects/{id}/target/review`: reviews the grid as typed (the same form the grid posts)
/// and answers JSON for the page's script. Stores nothing; anyone who may see the project may
/// ask.
pub async fn live_review(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (entries, _, _, _, kept) = read_form(&fields);
    let review = state
        .store
        .review_typed_sheet(
            &session.actor(),
            id,
            &entries.overall_goal,
            &entries.annual_goal,
            &entries.rows,
        )
        .await?;
    let mut grid = GridReview::of(&review.findings);
    let rows = std::mem::take(&mut grid.by_row)
        .into_iter()
        .filter_map(|(row, notes)| kept.get(row - 1).map(|index| (*index, notes)))
        .collect();
    Ok(Json(LiveReview {
        blocks_submission: review.errors().next().is_some(),
        summary: grid.summary,
        sheet: grid.sheet,
        rows,
    })
    .into_response())
}
