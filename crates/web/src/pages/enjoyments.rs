//! The page where a department (or the county office for one) imports its list of who enjoys
//! its policies: a dry run that counts new, already recorded and not-in-registry rows and names
//! every problem by its cell, then the import.

use super::{Chrome, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{Error, PageError};
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use jixiao_core::Role;
use jixiao_core::assistance::registry::Department;
use jixiao_store::EnjoymentImport;

#[derive(Template)]
#[template(path = "enjoyments_import.html")]
struct ImportPage {
    chrome: Chrome,
    choose_department: bool,
    departments: Vec<(&'static str, &'static str)>,
    department: String,
    file_name: String,
    dry_run: bool,
    error: Option<String>,
    outcome: Option<EnjoymentImport>,
}

fn page(session: &jixiao_store::SessionUser) -> ImportPage {
    ImportPage {
        chrome: Chrome::for_session(session, "households"),
        choose_department: session.user.role != Role::Sector,
        departments: Department::ALL
            .iter()
            .map(|d| (d.as_str(), d.label()))
            .collect(),
        department: String::new(),
        file_name: String::new(),
        dry_run: true,
        error: None,
        outcome: None,
    }
}

/// `GET /enjoyments/import`.
pub async fn form(PageUser(session): PageUser) -> Response {
    render(StatusCode::OK, &page(&session))
}

/// `POST /enjoyments/import` (multipart: `_csrf`, `file`, `department`, `mode`).
pub async fn import(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let bad = || {
        PageError(Error::BadRequest {
            code: "bad_upload",
            message: "上传的内容不完整或超过大小上限，请重新选择文件上传".to_owned(),
        })
    };
    let mut view = page(&session);
    let mut file = axum::body::Bytes::new();
    let mut mode = String::new();
    while let Some(field) = form.next_field().await.map_err(|_| bad())? {
        match field.name() {
            Some("file") => {
                view.file_name = field
                    .file_name()
                    .unwrap_or("")
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(100)
                    .collect();
                file = field.bytes().await.map_err(|_| bad())?;
            }
            Some("department") => view.department = field.text().await.map_err(|_| bad())?,
            Some("mode") => mode = field.text().await.map_err(|_| bad())?,
            _ => {}
        }
    }
    view.dry_run = mode != "store";
    let (rows, errors) = match crate::api::read_list(&state, file).await {
        Ok(read) => read,
        Err(e) if super::shown_inline(&e) => {
            view.error = Some(super::refusal_message(&e));
            return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &view));
        }
        Err(other) => return Err(other.into()),
    };
    let actor = session.actor();
    let department = Some(view.department.trim()).filter(|d| !d.is_empty());
    let plan = state
        .store
        .import_enjoyments(&actor, department, &rows, &errors, true)
        .await;
    let mut outcome = match plan {
        Ok(plan) => plan,
        Err(e) if super::shown_inline(&e) => {
            view.error = Some(super::refusal_message(&e));
            return Ok(render(super::inline_status(&e), &view));
        }
        Err(other) => return Err(other.into()),
    };
    if !view.dry_run && outcome.errors.is_empty() {
        outcome = state
            .store
            .import_enjoyments(&actor, department, &rows, &errors, false)
            .await?;
    }
    let status = if outcome.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    view.outcome = Some(outcome);
    Ok(render(status, &view))
}
