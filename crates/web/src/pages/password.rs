//! The change-password page every signed-in user reaches from the header: the current password
//! and the new one twice. A user who must change their password is sent here from every page.

use super::{Chrome, Notice, error_for, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::client_address::ClientAddress;
use crate::error::PageError;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::header::RETRY_AFTER;
use axum::response::{IntoResponse, Redirect, Response};
use jixiao_core::FieldError;
use jixiao_store::{Error, PasswordChange, SessionUser};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    chrome: Chrome,
    notice: Option<&'static str>,
    required: bool,
    refusal: Option<String>,
    errors: Vec<FieldError>,
}

impl PasswordPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

/// The form as posted. Missing fields read as empty; no password is ever shown again.
#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password_again: String,
}

fn page(
    session: &SessionUser,
    status: StatusCode,
    notice: Option<&'static str>,
    refusal: Option<String>,
    errors: Vec<FieldError>,
) -> Response {
    let view = PasswordPage {
        chrome: Chrome::for_session(session, "password"),
        notice,
        required: session.user.must_change_password,
        refusal,
        errors,
    };
    render(status, &view)
}

/// `GET /password`.
pub async fn show(PageUser(session): PageUser, Query(notice): Query<Notice>) -> Response {
    let notice = match notice.done.as_deref() {
        Some("changed") => Some(
            "密码已修改。您在其他浏览器或程序中的登录会话（包括接口令牌）已全部结束，当前会话保持登录。",
        ),
        _ => None,
    };
    page(&session, StatusCode::OK, notice, None, Vec::new())
}

/// `POST /password`.
pub async fn submit(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    PageUser(session): PageUser,
    Form(form): Form<PasswordForm>,
) -> Result<Response, PageError> {
    let change = PasswordChange {
        current: &form.current_password,
        new: &form.new_password,
        again: Some(&form.new_password_again),
    };
    let outcome = state
        .store
        .change_own_password(&session, change, &state.throttle, &address)
        .await;
    Ok(match outcome {
        Ok(()) => Redirect::to("/password?done=changed").into_response(),
        Err(Error::Invalid(errors)) => page(
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some("密码未修改：请按提示修改后重新提交。".to_owned()),
            errors.0,
        ),
        Err(Error::Throttled {
            message,
            retry_after_seconds,
        }) => {
            let mut response = page(
                &session,
                StatusCode::TOO_MANY_REQUESTS,
                None,
                Some(message),
                Vec::new(),
            );
            response
                .headers_mut()
                .insert(RETRY_AFTER, retry_after_seconds.into());
            response
        }
        Err(Error::Conflict { message, .. }) => page(
            &session,
            StatusCode::CONFLICT,
            None,
            Some(message),
            Vec::new(),
        ),
        Err(other) => return Err(other.into()),
    })
}
