//! Dynamic monitoring's case pages: the work list of the township and the county office (cases by
//! state, the late ones marked), a case's page (its pipeline, every step, the step form with only
//! the steps the user's role may take now, and the plan 一户一策 with its measures), and the
//! printable public notice with minimised fields (head's name, village, household size, type —
//! no ID number, no health).

use super::{Chrome, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{Error, PageError};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use jixiao_core::Capability;
use jixiao_core::assistance::monitoring::{EliminationMethod, MeasureKind, MeasureStatus};
use jixiao_core::workflow::{self, RiskCase, RiskCaseAction, RiskCaseState};
use jixiao_store::{MeasureInput, PlanInput, RiskCaseFile, RiskCaseView, RiskStepInput};
use serde::Deserialize;

/// A state with its cases counted and how many are late.
struct StateCount {
    code: &'static str,
    label: &'static str,
    cases: usize,
    overdue: usize,
}

#[derive(Template)]
#[template(path = "risk_cases.html")]
struct WorkList {
    chrome: Chrome,
    counts: Vec<StateCount>,
    cases: Vec<(RiskCaseView, Option<String>)>,
    overdue: usize,
    state: String,
    /// The board by township, the total last.
    board: Vec<jixiao_store::TownshipLine>,
    /// The day the board and the time limits count to.
    today: chrono::NaiveDate,
    /// Whether the board carries the month's visits (a reader of visits).
    visits_shown: bool,
    /// The month of the day, as the visits' header names it (本月 = 2020年8月).
    month_label: String,
}

/// The work list's filter.
#[derive(Deserialize)]
pub struct WorkListQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    overdue: Option<String>,
}

/// `GET /risk-cases`: the work list.
pub async fn list(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Query(query): Query<WorkListQuery>,
) -> Result<Response, PageError> {
    let today = session.business_date;
    let all = state
        .store
        .risk_cases(&session.actor(), None, today)
        .await?;
    let board = state.store.township_board(&session.actor(), today).await?;
    let counts = RiskCaseState::ALL
        .iter()
        .map(|s| StateCount {
            code: s.as_str(),
            label: s.label(),
            cases: all.iter().filter(|(c, _)| c.state == s.as_str()).count(),
            overdue: all
                .iter()
                .filter(|(c, o)| c.state == s.as_str() && o.is_some())
                .count(),
        })
        .filter(|c| c.cases > 0)
        .collect();
    let overdue = all.iter().filter(|(_, o)| o.is_some()).count();
    let cases = all
        .into_iter()
        .filter(|(c, o)| {
            (query.state.is_empty() || c.state == query.state)
                && (query.overdue.is_none() || o.is_some())
        })
        // Late first, then by state in workflow order.
        .collect::<Vec<_>>();
    let mut cases = cases;
    cases.sort_by_key(|(c, o)| {
        (
            o.is_none(),
            RiskCaseState::ALL
                .iter()
                .position(|s| s.as_str() == c.state),
            c.id,
        )
    });
    let page = WorkList {
        chrome: Chrome::for_session(&session, "risk"),
        counts,
        cases,
        overdue,
        state: query.state,
        board,
        today,
        visits_shown: session.user.role.can(Capability::ReadVisits),
        month_label: format!("{}年{}月", today.year(), today.month()),
    };
    Ok(render(StatusCode::OK, &page))
}

/// A step the user may take now.
struct StepChoice {
    code: &'static str,
    label: &'static str,
}

#[derive(Template)]
#[template(path = "risk_case.html")]
struct CasePage {
    chrome: Chrome,
    file: RiskCaseFile,
    pipeline: Vec<(&'static str, bool, bool)>,
    steps: Vec<StepChoice>,
    can_plan: bool,
    blank_rows: Vec<usize>,
    kinds: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
    methods: Vec<(&'static str, &'static str)>,
    projects: Vec<(i64, i32, String)>,
    today: String,
    error: Option<String>,
}

/// The pipeline shown: (label, done, current).
fn pipeline(state: RiskCaseState) -> Vec<(&'static str, bool, bool)> {
    use RiskCaseState::*;
    let order: &[RiskCaseState] = if state.eliminating() || state == Eliminated {
        &[
            EliminationVerifying,
            EliminationComparing,
            EliminationDeliberating,
            EliminationNoticing,
            EliminationCountyReview,
            EliminationAnnouncing,
            Eliminated,
        ]
    } else {
        &[
            Verifying,
            Comparing,
            Deliberating,
            Noticing,
            CountyReview,
            Announcing,
            Monitored,
        ]
    };
    let at = order.iter().position(|s| *s == state);
    order
        .iter()
        .enumerate()
        .map(|(i, s)| (s.label(), at.is_some_and(|a| i < a), at == Some(i)))
        .collect()
}

async fn case_page(
    state: &AppState,
    session: &jixiao_store::SessionUser,
    id: i64,
    error: Option<String>,
) -> Result<CasePage, Error> {
    let actor = session.actor();
    let file = state
        .store
        .risk_case(&actor, id, session.business_date)
        .await?;
    let current = file.case.state();
    let role = session.user.role;
    let acts = role.can(Capability::MonitorRisks);
    let steps = RiskCaseAction::ALL
        .iter()
        .filter(|a| acts && **a != RiskCaseAction::Open)
        .filter(|a| workflow::allows::<RiskCase>(current, **a, role))
        .map(|a| StepChoice {
            code: a.as_str(),
            label: a.label(),
        })
        .collect();
    let can_plan = acts && !current.ended();
    let projects = if can_plan {
        state.store.chargeable_projects(&actor).await?
    } else {
        Vec::new()
    };
    Ok(CasePage {
        chrome: Chrome::for_session(session, "risk"),
        pipeline: pipeline(current),
        blank_rows: (file.plan.measures.len()..file.plan.measures.len() + 2).collect(),
        file,
        steps,
        can_plan,
        kinds: MeasureKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        statuses: MeasureStatus::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        methods: EliminationMethod::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        projects,
        today: session.business_date.to_string(),
        error,
    })
}

/// `GET /risk-cases/{id}`.
pub async fn show(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    Ok(render(
        StatusCode::OK,
        &case_page(&state, &session, id, None).await?,
    ))
}

async fn refused(
    state: &AppState,
    session: &jixiao_store::SessionUser,
    id: i64,
    error: jixiao_store::Error,
) -> Result<Response, PageError> {
    if !super::shown_inline(&error) {
        return Err(error.into());
    }
    let status = super::inline_status(&error);
    let page = case_page(state, session, id, Some(super::refusal_message(&error))).await?;
    Ok(render(status, &page))
}

/// The step form.
#[derive(Deserialize)]
pub struct StepForm {
    action: String,
    version: i32,
    #[serde(default)]
    note: String,
    #[serde(default)]
    documents: String,
    #[serde(default)]
    notice_from: String,
    #[serde(default)]
    notice_to: String,
    #[serde(default)]
    elimination_method: String,
}

fn filled(text: String) -> Option<String> {
    Some(text).filter(|t| !t.trim().is_empty())
}

/// `POST /risk-cases/{id}/steps`.
pub async fn step(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> Result<Response, PageError> {
    let input = RiskStepInput {
        action: form.action,
        version: form.version,
        note: form.note,
        documents: form.documents,
        notice_from: filled(form.notice_from),
        notice_to: filled(form.notice_to),
        elimination_method: filled(form.elimination_method),
    };
    match state
        .store
        .take_risk_case_step(&session.actor(), id, &input, session.business_date)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/risk-cases/{id}")).into_response()),
        Err(e) => refused(&state, &session, id, e).await,
    }
}

/// `POST /risk-cases/{id}/plan`: the form's rows `kind_N`, `description_N`, `unit_N`,
/// `start_N`, `end_N`, `amount_N` (元), `project_N`, `status_N`; a row without a kind is skipped.
pub async fn save_plan(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let mut measures = Vec::new();
    for i in 0..60 {
        let kind = value(&format!("kind_{i}"));
        if kind.is_empty() {
            continue;
        }
        let amount = value(&format!("amount_{i}"));
        let amount_fen = if amount.is_empty() {
            0
        } else {
            match jixiao_core::money::parse_yuan(&amount.replace([',', '，'], "")) {
                Ok(fen) => fen,
                Err(_) => {
                    let e = jixiao_store::Error::invalid(
                        "amount",
                        "invalid_amount",
                        format!("第{}项金额“{amount}”有误", i + 1),
                    );
                    return refused(&state, &session, id, e).await;
                }
            }
        };
        measures.push(MeasureInput {
            kind,
            description: value(&format!("description_{i}")),
            responsible_unit: value(&format!("unit_{i}")),
            start_on: value(&format!("start_{i}")),
            end_on: value(&format!("end_{i}")),
            amount_fen,
            project_id: value(&format!("project_{i}")).parse().ok(),
            status: value(&format!("status_{i}")),
        });
    }
    let input = PlanInput {
        version: value("version").parse().unwrap_or(-1),
        note: value("note"),
        measures,
    };
    match state
        .store
        .save_risk_plan(&session.actor(), id, &input, session.business_date)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/risk-cases/{id}")).into_response()),
        Err(e) => refused(&state, &session, id, e).await,
    }
}

#[derive(Template)]
#[template(path = "risk_notice.html")]
struct NoticePage {
    chrome: Chrome,
    case: RiskCaseView,
    eliminating: bool,
    printed_on: String,
}

/// `GET /risk-cases/{id}/notice`: the public notice (公示) with minimised fields.
pub async fn notice(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let file = state
        .store
        .risk_case(&session.actor(), id, session.business_date)
        .await?;
    let eliminating = file.case.state().eliminating() || file.case.state == "eliminated";
    let page = NoticePage {
        chrome: Chrome::for_session(&session, "risk"),
        case: file.case,
        eliminating,
        printed_on: session.business_date.to_string(),
    };
    Ok(render(StatusCode::OK, &page))
}
