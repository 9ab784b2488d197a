//! Admin pages for users: the list, creating one, disabling, enabling, resetting a password and
//! requiring a password change at the next login.

use super::{Chrome, Notice, error_for, form_refusal, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::PageError;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jixiao_core::user::NewUser;
use jixiao_core::{FieldError, Role};
use jixiao_store::{Agency, Jurisdiction, SessionUser, User};
use serde::Deserialize;

/// The add-user form as posted (and as shown again after an error; the password is not).
#[derive(Deserialize, Default)]
pub struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    jurisdiction: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    password: String,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    chrome: Chrome,
    notice: Option<&'static str>,
    errors: Vec<FieldError>,
    form: UserForm,
    roles: Vec<(&'static str, &'static str)>,
    deployment_wide: bool,
    jurisdictions: Vec<Jurisdiction>,
    agencies: Vec<Agency>,
    users: Vec<User>,
}

impl UsersPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

fn notice_text(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "created" => Some("已创建用户。"),
        "disabled" => Some("已停用该用户，其登录会话已结束。"),
        "enabled" => Some("已启用该用户。"),
        "password" => Some("已重置密码。该用户需用新密码重新登录，登录后须先修改密码。"),
        "must_change" => Some("已要求该用户修改密码：其下次访问时须先修改密码才能继续使用系统。"),
        _ => None,
    }
}

async fn page(
    state: &AppState,
    session: &SessionUser,
    status: StatusCode,
    notice: Option<&'static str>,
    errors: Vec<FieldError>,
    mut form: UserForm,
) -> Result<Response, PageError> {
    let actor = session.actor();
    form.password.clear();
    if form.role.is_empty() {
        form.role = Role::Agency.as_str().to_owned();
    }
    if form.jurisdiction.is_empty() {
        form.jurisdiction = state
            .store
            .default_jurisdiction()
            .await?
            .unwrap_or_default();
    }
    let page = UsersPage {
        chrome: Chrome::for_session(session, "users"),
        notice,
        errors,
        form,
        roles: Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
        deployment_wide: actor.jurisdiction.is_none(),
        jurisdictions: state.store.visible_jurisdictions(&actor).await?,
        agencies: state.store.agencies(&actor).await?,
        users: state.store.users(&actor).await?,
    };
    Ok(render(status, &page))
}

/// `GET /admin/users`.
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
        UserForm::default(),
    )
    .await
}

/// `POST /admin/users`.
pub async fn create(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Form(form): Form<UserForm>,
) -> Result<Response, PageError> {
    let new = NewUser {
        username: form.username.trim().to_owned(),
        display_name: form.display_name.clone(),
        role: form.role.clone(),
        jurisdiction: Some(form.jurisdiction.trim().to_owned()).filter(|j| !j.is_empty()),
        agency_code: Some(form.agency.trim().to_owned()).filter(|a| !a.is_empty()),
        password: form.password.clone(),
        area_code: None,
        sector: None,
    };
    match state.store.add_user(&session.actor(), &new).await {
        Ok(_) => Ok(Redirect::to("/admin/users?done=created").into_response()),
        Err(error) => {
            let (status, errors) = form_refusal(error, "username")?;
            page(&state, &session, status, None, errors, form).await
        }
    }
}

/// `POST /admin/users/{username}/disable`.
pub async fn disable(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(username): Path<String>,
) -> Result<Response, PageError> {
    state
        .store
        .set_user_disabled(&session.actor(), &username, true)
        .await?;
    Ok(Redirect::to("/admin/users?done=disabled").into_response())
}

/// `POST /admin/users/{username}/enable`.
pub async fn enable(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(username): Path<String>,
) -> Result<Response, PageError> {
    state
        .store
        .set_user_disabled(&session.actor(), &username, false)
        .await?;
    Ok(Redirect::to("/admin/users?done=enabled").into_response())
}

/// The reset-password form.
#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
}

/// `POST /admin/users/{username}/password`.
pub async fn reset_password(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(username): Path<String>,
    Form(form): Form<PasswordForm>,
) -> Result<Response, PageError> {
    state
        .store
        .reset_password(&session.actor(), &username, &form.password)
        .await?;
    Ok(Redirect::to("/admin/users?done=password").into_response())
}

/// `POST /admin/users/{username}/require-password-change`.
pub async fn require_password_change(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(username): Path<String>,
) -> Result<Response, PageError> {
    state
        .store
        .require_password_change(&session.actor(), &username)
        .await?;
    Ok(Redirect::to("/admin/users?done=must_change").into_response())
}
