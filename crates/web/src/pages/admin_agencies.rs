//! Admin pages for agencies: the list, the form to add one, and changing a head.

use super::{Chrome, Notice, error_for, form_refusal, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::PageError;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jixiao_core::FieldError;
use jixiao_core::agency::NewAgency;
use jixiao_store::{Agency, Jurisdiction};
use serde::Deserialize;

/// The add-agency form as posted (and as shown again after an error).
#[derive(Deserialize, Default)]
pub struct AgencyForm {
    #[serde(default)]
    jurisdiction: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    parent_code: String,
    #[serde(default)]
    head: String,
}

#[derive(Template)]
#[template(path = "agencies.html")]
struct AgenciesPage {
    chrome: Chrome,
    notice: Option<&'static str>,
    errors: Vec<FieldError>,
    form: AgencyForm,
    jurisdictions: Vec<Jurisdiction>,
    agencies: Vec<Agency>,
}

impl AgenciesPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

fn notice_text(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "created" => Some("已新增部门单位。"),
        "head" => Some("已更新第一责任人。"),
        _ => None,
    }
}

async fn page(
    state: &AppState,
    session: &jixiao_store::SessionUser,
    status: StatusCode,
    notice: Option<&'static str>,
    errors: Vec<FieldError>,
    mut form: AgencyForm,
) -> Result<Response, PageError> {
    let actor = session.actor();
    let jurisdictions = state.store.visible_jurisdictions(&actor).await?;
    if form.jurisdiction.is_empty() {
        form.jurisdiction = state
            .store
            .default_jurisdiction()
            .await?
            .unwrap_or_default();
    }
    let page = AgenciesPage {
        chrome: Chrome::for_session(session, "agencies"),
        notice,
        errors,
        form,
        jurisdictions,
        agencies: state.store.agencies(&actor).await?,
    };
    Ok(render(status, &page))
}

/// `GET /admin/agencies`.
pub async fn list(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Query(notice): Query<Notice>,
) -> Result<Response, PageError> {
    let notice = notice_text(notice.done.as_deref());
    page(
        &state,
        &session,
        StatusCode::OK,
        notice,
        Vec::new(),
        AgencyForm::default(),
    )
    .await
}

/// `POST /admin/agencies`.
pub async fn create(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Form(form): Form<AgencyForm>,
) -> Result<Response, PageError> {
    let new = NewAgency {
        jurisdiction: form.jurisdiction.trim().to_owned(),
        code: form.code.trim().to_owned(),
        name: form.name.clone(),
        parent_code: Some(form.parent_code.trim().to_owned()).filter(|c| !c.is_empty()),
        head: form.head.clone(),
    };
    match state.store.add_agency(&session.actor(), &new).await {
        Ok(_) => Ok(Redirect::to("/admin/agencies?done=created").into_response()),
        Err(error) => {
            let (status, errors) = form_refusal(error, "code")?;
            page(&state, &session, status, None, errors, form).await
        }
    }
}

/// The head form.
#[derive(Deserialize)]
pub struct HeadForm {
    #[serde(default)]
    head: String,
}

/// `POST /admin/agencies/{id}/head`.
pub async fn set_head(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<HeadForm>,
) -> Result<Response, PageError> {
    state
        .store
        .set_agency_head(&session.actor(), id, &form.head)
        .await?;
    Ok(Redirect::to("/admin/agencies?done=head").into_response())
}
