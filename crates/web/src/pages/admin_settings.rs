//! The settings page: jurisdictions (names, the tree) and fiscal years.

use super::{Chrome, Notice, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::PageError;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jixiao_core::jurisdiction::NewJurisdiction;
use jixiao_store::{Error, FiscalYear, Jurisdiction, SessionUser};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    chrome: Chrome,
    notice: Option<&'static str>,
    error: Option<String>,
    jurisdictions: Vec<Jurisdiction>,
    years: Vec<FiscalYear>,
}

async fn page(
    state: &AppState,
    session: &SessionUser,
    status: StatusCode,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let actor = session.actor();
    let view = SettingsPage {
        chrome: Chrome::for_session(session, "settings"),
        notice,
        error,
        jurisdictions: state.store.visible_jurisdictions(&actor).await?,
        years: state.store.fiscal_years(&actor).await?,
    };
    Ok(render(status, &view))
}

/// Shows a refused change on the settings page itself, with the reason.
async fn refused(
    state: &AppState,
    session: &SessionUser,
    error: Error,
) -> Result<Response, PageError> {
    let status = match &error {
        Error::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        e if e.is_conflict() => StatusCode::CONFLICT,
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        _ => return Err(error.into()),
    };
    page(state, session, status, None, Some(error.to_string())).await
}

/// `GET /admin/settings`.
pub async fn show(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Query(notice): Query<Notice>,
) -> Result<Response, PageError> {
    let notice = match notice.done.as_deref() {
        Some("jurisdiction") => Some("已新增财政区划。"),
        Some("renamed") => Some("已修改财政区划名称。"),
        Some("business_date") => Some("已设置业务日期。"),
        Some("year") => Some("已设立预算年度。"),
        _ => None,
    };
    page(&state, &session, StatusCode::OK, notice, None).await
}

/// The add-jurisdiction form.
#[derive(Deserialize)]
pub struct JurisdictionForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    parent_code: String,
}

/// `POST /admin/settings/jurisdictions`.
pub async fn add_jurisdiction(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Form(form): Form<JurisdictionForm>,
) -> Result<Response, PageError> {
    let new = NewJurisdiction {
        code: form.code.trim().to_owned(),
        name: form.name,
        parent_code: Some(form.parent_code.trim().to_owned()).filter(|c| !c.is_empty()),
    };
    match state.store.add_jurisdiction(&session.actor(), &new).await {
        Ok(_) => Ok(Redirect::to("/admin/settings?done=jurisdiction").into_response()),
        Err(error) => refused(&state, &session, error).await,
    }
}

/// The rename form.
#[derive(Deserialize)]
pub struct NameForm {
    #[serde(default)]
    name: String,
}

/// `POST /admin/settings/jurisdictions/{code}/name`.
pub async fn rename_jurisdiction(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(code): Path<String>,
    Form(form): Form<NameForm>,
) -> Result<Response, PageError> {
    match state
        .store
        .rename_jurisdiction(&session.actor(), &code, &form.name)
        .await
    {
        Ok(()) => Ok(Redirect::to("/admin/settings?done=renamed").into_response()),
        Err(error) => refused(&state, &session, error).await,
    }
}

/// The business-date form: a date, or empty to follow the calendar.
#[derive(Deserialize)]
pub struct BusinessDateForm {
    #[serde(default)]
    business_date: String,
}

/// `POST /admin/settings/jurisdictions/{code}/business-date`.
pub async fn set_business_date(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(code): Path<String>,
    Form(form): Form<BusinessDateForm>,
) -> Result<Response, PageError> {
    let text = form.business_date.trim();
    let date = if text.is_empty() {
        None
    } else {
        match chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(date) => Some(date),
            Err(_) => {
                let mut errors = jixiao_core::ValidationErrors::default();
                errors.add(
                    "business_date",
                    "invalid_date",
                    format!("业务日期“{text}”不是有效的日期（应为 年-月-日）"),
                );
                return refused(&state, &session, Error::Invalid(errors)).await;
            }
        }
    };
    match state
        .store
        .set_business_date(&session.actor(), &code, date)
        .await
    {
        Ok(()) => Ok(Redirect::to("/admin/settings?done=business_date").into_response()),
        Err(error) => refused(&state, &session, error).await,
    }
}

/// The fiscal-year form.
#[derive(Deserialize)]
pub struct YearForm {
    #[serde(default)]
    jurisdiction: String,
    #[serde(default)]
    year: String,
}

/// `POST /admin/settings/fiscal-years`.
pub async fn add_fiscal_year(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Form(form): Form<YearForm>,
) -> Result<Response, PageError> {
    let Ok(year) = form.year.trim().parse::<i32>() else {
        let error = Error::invalid("year", "not_a_number", "年度应为四位数字，例如 2021");
        return refused(&state, &session, error).await;
    };
    match state
        .store
        .add_fiscal_year(&session.actor(), form.jurisdiction.trim(), year)
        .await
    {
        Ok(()) => Ok(Redirect::to("/admin/settings?done=year").into_response()),
        Err(error) => refused(&state, &session, error).await,
    }
}
