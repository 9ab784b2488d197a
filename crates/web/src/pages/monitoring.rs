//! Monitoring pages: the rounds (finance opens one), a round's overview with traffic lights by
//! agency and project and execution against time progress, and finance's evaluate and enforce
//! actions. The report form and alert pages are in `monitoring_report.rs`.

use super::{Chrome, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::charts;
use crate::error::PageError;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use jixiao_core::ledger::format_rate;
use jixiao_core::monitoring::time_progress_bp;
use jixiao_core::{Role, money};
use jixiao_store::{Error, MonitoringRound, ReportLine, RoundInput};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "monitoring.html")]
struct RoundsPage {
    chrome: Chrome,
    rounds: Vec<MonitoringRound>,
    can_open: bool,
    form: OpenForm,
    error: Option<String>,
}

/// The form to open a round.
#[derive(Deserialize, Default)]
pub struct OpenForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    cutoff: String,
    #[serde(default)]
    due: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    project_codes: String,
}

async fn rounds_page(
    state: &AppState,
    session: &jixiao_store::SessionUser,
    status: StatusCode,
    form: OpenForm,
    error: Option<String>,
) -> Result<Response, PageError> {
    let rounds = state
        .store
        .monitoring_rounds(&session.actor(), None)
        .await?;
    Ok(render(
        status,
        &RoundsPage {
            chrome: Chrome::for_session(session, "monitoring"),
            rounds,
            can_open: session.user.role == Role::Finance,
            form,
            error,
        },
    ))
}

/// `GET /monitoring`.
pub async fn list(
    State(state): State<AppState>,
    PageUser(session): PageUser,
) -> Result<Response, PageError> {
    let form = OpenForm {
        scope: "all".to_owned(),
        ..OpenForm::default()
    };
    rounds_page(&state, &session, StatusCode::OK, form, None).await
}

/// `POST /monitoring` (finance): opens a round.
pub async fn open(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Form(form): Form<OpenForm>,
) -> Result<Response, PageError> {
    let actor = session.actor();
    let mut project_ids = Vec::new();
    for code in form
        .project_codes
        .split([',', '，', '\n', ' ', '、'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        match state.store.project_id_by_code(&actor, code).await {
            Ok(id) => project_ids.push(id),
            Err(e) => {
                return rounds_page(
                    &state,
                    &session,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    form,
                    Some(e.to_string()),
                )
                .await;
            }
        }
    }
    let Ok(year) = form.year.trim().parse::<i32>() else {
        return rounds_page(
            &state,
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            form,
            Some("请填写监控年度，如 2020".to_owned()),
        )
        .await;
    };
    let input = RoundInput {
        year,
        cutoff: form.cutoff.clone(),
        due: form.due.clone(),
        scope: form.scope.clone(),
        project_ids,
    };
    match state.store.open_monitoring_round(&actor, &input).await {
        Ok(round) => Ok(Redirect::to(&format!("/monitoring/{}", round.id)).into_response()),
        Err(e) if super::shown_inline(&e) => {
            let status = super::inline_status(&e);
            let message = super::refusal_message(&e);
            rounds_page(&state, &session, status, form, Some(message)).await
        }
        Err(other) => Err(other.into()),
    }
}

/// One project's line as the overview shows it.
pub(crate) struct Line {
    pub light: &'static str,
    pub light_label: &'static str,
    pub project_id: i64,
    pub code: String,
    pub name: String,
    pub agency: String,
    pub state: &'static str,
    pub limit_wan: String,
    pub spent_wan: String,
    pub rate: String,
    pub alert_id: Option<i64>,
    pub alert_status: String,
}

fn light(line: &ReportLine) -> (&'static str, &'static str) {
    match line.alert_level.as_deref() {
        Some("red") => ("red", "红灯"),
        Some("yellow") => ("yellow", "黄灯"),
        _ => ("green", "绿灯"),
    }
}

/// Traffic lights of one agency.
struct AgencyLights {
    name: String,
    projects: usize,
    red: usize,
    yellow: usize,
    green: usize,
    limit_fen: i64,
    spent_fen: i64,
}

#[derive(Template)]
#[template(path = "monitoring_round.html")]
struct RoundPage {
    chrome: Chrome,
    round: MonitoringRound,
    lines: Vec<Line>,
    agencies: Vec<(AgencyLights, String)>,
    chart: String,
    time_progress: String,
    counts: [usize; 6],
    is_finance: bool,
    today: String,
    notice: Option<String>,
}

/// `GET /monitoring/{id}`.
pub async fn show(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    axum::extract::Query(notice): axum::extract::Query<super::Notice>,
) -> Result<Response, PageError> {
    let actor = session.actor();
    let round = state.store.monitoring_round(&actor, id).await?;
    let raw = state.store.round_lines(&actor, id).await?;
    let time_bp = NaiveDate::parse_from_str(&round.cutoff, "%Y-%m-%d")
        .map(time_progress_bp)
        .unwrap_or(0);
    let mut agencies: Vec<AgencyLights> = Vec::new();
    let mut counts = [0usize; 6];
    for line in &raw {
        let (colour, _) = light(line);
        counts[0] += 1;
        if matches!(line.state.as_str(), "submitted" | "approved") {
            counts[1] += 1;
        }
        match colour {
            "red" => counts[2] += 1,
            "yellow" => counts[3] += 1,
            _ => counts[4] += 1,
        }
        if line.alert_suspended == Some(true) {
            counts[5] += 1;
        }
        let entry = match agencies.iter_mut().find(|a| a.name == line.agency_name) {
            Some(entry) => entry,
            None => {
                agencies.push(AgencyLights {
                    name: line.agency_name.clone(),
                    projects: 0,
                    red: 0,
                    yellow: 0,
                    green: 0,
                    limit_fen: 0,
                    spent_fen: 0,
                });
                let last = agencies.len() - 1;
                &mut agencies[last]
            }
        };
        entry.projects += 1;
        entry.limit_fen += line.limit_fen;
        entry.spent_fen += line.spent_fen;
        match colour {
            "red" => entry.red += 1,
            "yellow" => entry.yellow += 1,
            _ => entry.green += 1,
        }
    }
    let bars: Vec<(String, i64, String)> = agencies
        .iter()
        .map(|a| {
            let bp = jixiao_core::ledger::execution_rate_bp(a.spent_fen, a.limit_fen);
            (a.name.clone(), bp, format_rate(bp))
        })
        .collect();
    let chart = charts::bars_against_mark(
        &format!(
            "截至{}各部门单位预算执行率（竖线为时间进度{}）",
            round.cutoff,
            format_rate(time_bp)
        ),
        &bars,
        10_000,
        time_bp,
    );
    let lines = raw
        .iter()
        .map(|l| {
            let (light, light_label) = light(l);
            Line {
                light,
                light_label,
                project_id: l.project_id,
                code: l.project_code.clone(),
                name: l.project_name.clone(),
                agency: l.agency_name.clone(),
                state: l.state_label(),
                limit_wan: money::format_wan(l.limit_fen),
                spent_wan: money::format_wan(l.spent_fen),
                rate: format_rate(l.execution_bp()),
                alert_id: l.alert_id,
                alert_status: l
                    .alert_status
                    .as_deref()
                    .map_or_else(String::new, |status| {
                        jixiao_store::alert_status_label(
                            status,
                            l.alert_level.as_deref().unwrap_or(""),
                            l.alert_suspended == Some(true),
                        )
                        .to_owned()
                    }),
            }
        })
        .collect();
    let agencies = agencies
        .into_iter()
        .map(|a| {
            let rate = format_rate(jixiao_core::ledger::execution_rate_bp(
                a.spent_fen,
                a.limit_fen,
            ));
            (a, rate)
        })
        .collect();
    let notice = match notice.done.as_deref() {
        Some("evaluated") => Some("已按规则重新计算预警。".to_owned()),
        Some("enforced") => {
            Some("已按处置期限检查：逾期未处置的红色预警项目已暂停支付。".to_owned())
        }
        _ => None,
    };
    Ok(render(
        StatusCode::OK,
        &RoundPage {
            chrome: Chrome::for_session(&session, "monitoring"),
            round,
            lines,
            agencies,
            chart,
            time_progress: format_rate(time_bp),
            counts,
            is_finance: session.user.role == Role::Finance,
            today: session.business_date.format("%Y-%m-%d").to_string(),
            notice,
        },
    ))
}

/// The business date of an evaluate or enforce form.
#[derive(Deserialize)]
pub struct AsOfForm {
    #[serde(default)]
    as_of: String,
}

fn as_of(form: &AsOfForm, business_date: NaiveDate) -> Result<NaiveDate, PageError> {
    if form.as_of.trim().is_empty() {
        return Ok(business_date);
    }
    NaiveDate::parse_from_str(form.as_of.trim(), "%Y-%m-%d").map_err(|_| {
        PageError::from(Error::invalid(
            "as_of",
            "invalid_date",
            "业务日期格式应为 YYYY-MM-DD",
        ))
    })
}

/// `POST /monitoring/{id}/evaluate` (finance).
pub async fn evaluate(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<AsOfForm>,
) -> Result<Response, PageError> {
    let date = as_of(&form, session.business_date)?;
    state
        .store
        .evaluate_round(&session.actor(), id, date)
        .await?;
    Ok(Redirect::to(&format!("/monitoring/{id}?done=evaluated")).into_response())
}

/// `POST /monitoring/{id}/enforce` (finance).
pub async fn enforce(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<AsOfForm>,
) -> Result<Response, PageError> {
    let date = as_of(&form, session.business_date)?;
    state
        .store
        .enforce_alert_deadlines(&session.actor(), Some(id), date)
        .await?;
    Ok(Redirect::to(&format!("/monitoring/{id}?done=enforced")).into_response())
}
