//! The dashboard: a year's projects and money under performance management, by state and by
//! department, with a bar chart drawn on the server. Agency users see their own tree.

use super::projects::years;
use super::{Chrome, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::charts::horizontal_bars;
use crate::error::PageError;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jixiao_core::money;
use jixiao_store::Tally;
use serde::Deserialize;

struct TallyRow {
    key: String,
    label: String,
    projects: i64,
    requested: String,
    approved: String,
}

impl From<&Tally> for TallyRow {
    fn from(t: &Tally) -> Self {
        TallyRow {
            key: t.key.clone(),
            label: t.label.clone(),
            projects: t.projects,
            requested: money::format_wan(t.requested_fen),
            approved: money::format_wan(t.approved_fen),
        }
    }
}

struct ExecRow {
    key: String,
    label: String,
    limit: String,
    used: String,
    rate: String,
}

impl From<&jixiao_store::ExecutionRow> for ExecRow {
    fn from(r: &jixiao_store::ExecutionRow) -> Self {
        ExecRow {
            key: r.key.clone(),
            label: r.label.clone(),
            limit: money::format_wan(r.limit_fen),
            used: money::format_wan(r.used_fen),
            rate: jixiao_core::ledger::format_rate(r.rate_bp()),
        }
    }
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    year: i32,
    years: Vec<i32>,
    covered_projects: i64,
    covered_wan: String,
    all_projects: i64,
    all_requested_wan: String,
    by_state: Vec<TallyRow>,
    by_department: Vec<TallyRow>,
    chart: String,
    execution: Vec<ExecRow>,
    exec_total: ExecRow,
    exec_chart: String,
}

/// The year asked for.
#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<String>,
}

/// `GET /dashboard`.
pub async fn show(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Query(query): Query<YearQuery>,
) -> Result<Response, PageError> {
    let years = years(&state, &session).await?;
    let actor = session.actor();
    let asked = query.year.and_then(|y| y.trim().parse::<i32>().ok());
    // Without a year asked for: the newest year that has projects.
    let (year, figures) = match asked {
        Some(year) => (year, state.store.year_figures(&actor, year).await?),
        None => {
            let mut found = None;
            for year in &years {
                let figures = state.store.year_figures(&actor, *year).await?;
                if figures.by_state.iter().any(|t| t.projects > 0) {
                    found = Some((*year, figures));
                    break;
                }
            }
            match found {
                Some(found) => found,
                None => {
                    let year = years.first().copied().unwrap_or(2020);
                    (year, state.store.year_figures(&actor, year).await?)
                }
            }
        }
    };
    let mut departments = figures.by_department.clone();
    departments.sort_by(|a, b| {
        b.approved_fen
            .cmp(&a.approved_fen)
            .then(b.requested_fen.cmp(&a.requested_fen))
    });
    let bars: Vec<(String, i64, String)> = departments
        .iter()
        .take(15)
        .map(|t| {
            (
                t.label.clone(),
                t.approved_fen,
                format!("{} 万元", money::format_wan(t.approved_fen)),
            )
        })
        .collect();
    let (execution, exec_total) = state.store.execution_by_department(&actor, year).await?;
    let rate_bars: Vec<(String, i64, String)> = execution
        .iter()
        .filter(|e| e.limit_fen > 0)
        .take(20)
        .map(|e| {
            (
                e.label.clone(),
                e.rate_bp(),
                jixiao_core::ledger::format_rate(e.rate_bp()),
            )
        })
        .collect();
    let view = DashboardPage {
        chrome: Chrome::for_session(&session, "dashboard"),
        year,
        years,
        covered_projects: figures.covered.projects,
        covered_wan: money::format_wan(figures.covered.approved_fen),
        all_projects: figures.by_state.iter().map(|t| t.projects).sum(),
        all_requested_wan: money::format_wan(
            figures.by_state.iter().map(|t| t.requested_fen).sum(),
        ),
        by_state: figures.by_state.iter().map(TallyRow::from).collect(),
        by_department: figures.by_department.iter().map(TallyRow::from).collect(),
        chart: horizontal_bars("各部门批复金额（万元，前15位）", &bars),
        exec_chart: crate::charts::horizontal_bars_to("各部门预算执行率", &rate_bars, 10_000),
        execution: execution.iter().map(ExecRow::from).collect(),
        exec_total: ExecRow::from(&exec_total),
    };
    Ok(render(StatusCode::OK, &view))
}
