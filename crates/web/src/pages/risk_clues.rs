//! Dynamic monitoring's clue pages (防返贫监测线索): the clues within the user's scope with the
//! screening form (county office), the form to record a clue by hand (application with the
//! signed consent, cadre's visit, hotline) and, on each open clue, the form that opens a case
//! (type and one to five risk kinds) or dismisses it.

use super::{Chrome, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{Error, PageError};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jixiao_core::Capability;
use jixiao_core::assistance::monitoring::RiskKind;
use jixiao_core::assistance::registry::MonitoringCategory;
use jixiao_store::{Area, Clue, ClueInput, RiskCaseInput};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "clues.html")]
struct CluesPage {
    chrome: Chrome,
    clues: Vec<Clue>,
    townships: Vec<Area>,
    can_screen: bool,
    can_act: bool,
    last_year: i32,
    types: Vec<(&'static str, &'static str)>,
    risks: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    message: Option<String>,
}

async fn page(
    state: &AppState,
    session: &jixiao_store::SessionUser,
    error: Option<String>,
    message: Option<String>,
) -> Result<CluesPage, Error> {
    use chrono::Datelike;
    let actor = session.actor();
    let townships = match &actor.jurisdiction {
        Some(j) if session.user.role.can(Capability::RunScreenings) => state
            .store
            .areas(&actor, j)
            .await?
            .into_iter()
            .filter(|a| a.level == "township")
            .collect(),
        _ => Vec::new(),
    };
    Ok(CluesPage {
        chrome: Chrome::for_session(session, "clues"),
        clues: state
            .store
            .clues(&actor, None, session.business_date)
            .await?,
        townships,
        can_screen: session.user.role.can(Capability::RunScreenings),
        can_act: session.user.role.can(Capability::MonitorRisks),
        last_year: session.business_date.year() - 1,
        types: MonitoringCategory::ALL
            .iter()
            .map(|t| (t.as_str(), t.label()))
            .collect(),
        risks: RiskKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        error,
        message,
    })
}

/// `GET /clues`.
pub async fn list(
    State(state): State<AppState>,
    PageUser(session): PageUser,
) -> Result<Response, PageError> {
    Ok(render(
        StatusCode::OK,
        &page(&state, &session, None, None).await?,
    ))
}

async fn refused(
    state: &AppState,
    session: &jixiao_store::SessionUser,
    error: jixiao_store::Error,
) -> Result<Response, PageError> {
    if !super::shown_inline(&error) {
        return Err(error.into());
    }
    let status = super::inline_status(&error);
    let page = page(state, session, Some(super::refusal_message(&error)), None).await?;
    Ok(render(status, &page))
}

/// The screening form.
#[derive(Deserialize)]
pub struct ScreeningForm {
    #[serde(default)]
    township: String,
    year: i32,
}

/// `POST /screenings`: runs the triggers and shows the clues.
pub async fn screen(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Form(form): Form<ScreeningForm>,
) -> Result<Response, PageError> {
    let township = Some(form.township.trim()).filter(|t| !t.is_empty());
    match state
        .store
        .run_screening(&session.actor(), township, form.year, session.business_date)
        .await
    {
        Ok(outcome) => {
            let message = format!(
                "第{}次筛查：筛查{}户，新增线索{}条，并入已有线索{}条",
                outcome.run.id,
                outcome.run.households,
                outcome.run.clues_new,
                outcome.run.clues_merged
            );
            Ok(render(
                StatusCode::OK,
                &page(&state, &session, None, Some(message)).await?,
            ))
        }
        Err(e) => refused(&state, &session, e).await,
    }
}

/// The form of a clue recorded by hand.
#[derive(Deserialize)]
pub struct ClueForm {
    household_id: i64,
    channel: String,
    message: String,
    #[serde(default)]
    consent_signed: Option<String>,
}

/// `POST /clues`.
pub async fn record(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Form(form): Form<ClueForm>,
) -> Result<Response, PageError> {
    let input = ClueInput {
        household_id: form.household_id,
        channel: form.channel,
        message: form.message,
        consent_signed: form.consent_signed.is_some(),
    };
    match state
        .store
        .record_clue(&session.actor(), &input, session.business_date)
        .await
    {
        Ok(_) => Ok(Redirect::to("/clues").into_response()),
        Err(e) => refused(&state, &session, e).await,
    }
}

/// `POST /clues/{id}/case`: opens a case (the form's pairs: `case_type`, `risk` repeated, `note`).
pub async fn open_case(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let input = RiskCaseInput {
        clue_id: id,
        case_type: value("case_type"),
        risks: pairs
            .iter()
            .filter(|(k, _)| k == "risk")
            .map(|(_, v)| v.clone())
            .collect(),
        note: value("note"),
    };
    match state
        .store
        .open_risk_case(&session.actor(), &input, session.business_date)
        .await
    {
        Ok(file) => Ok(Redirect::to(&format!("/risk-cases/{}", file.case.id)).into_response()),
        Err(e) => refused(&state, &session, e).await,
    }
}

/// The dismissal form.
#[derive(Deserialize)]
pub struct DismissForm {
    #[serde(default)]
    note: String,
}

/// `POST /clues/{id}/dismiss`.
pub async fn dismiss(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<DismissForm>,
) -> Result<Response, PageError> {
    match state
        .store
        .dismiss_clue(&session.actor(), id, &form.note, session.business_date)
        .await
    {
        Ok(_) => Ok(Redirect::to("/clues").into_response()),
        Err(e) => refused(&state, &session, e).await,
    }
}
