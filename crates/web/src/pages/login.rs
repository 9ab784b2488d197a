//! The login page, login form submission and logout.

use super::{Chrome, render};
use crate::AppState;
use crate::auth::{LOGIN_CSRF_COOKIE, PageUser, SESSION_COOKIE};
use crate::client_address::ClientAddress;
use crate::error::PageError;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use jixiao_core::token;
use jixiao_store::{LoginRefusal, SessionKind, SessionUser};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    username: String,
    error: Option<String>,
}

/// The form as posted. Missing fields read as empty, so a bad post gets a page, not a crash.
#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

fn login_csrf_cookie(value: String) -> Cookie<'static> {
    Cookie::build((LOGIN_CSRF_COOKIE, value))
        .path("/login")
        .http_only(true)
        .same_site(SameSite::Strict)
        .build()
}

/// Renders the login page with a fresh CSRF pairing cookie.
fn login_page(
    jar: CookieJar,
    status: StatusCode,
    username: String,
    error: Option<String>,
) -> Response {
    let csrf = match token::new_secret() {
        Ok(csrf) => csrf,
        Err(e) => return PageError(crate::Error::Internal(e.to_string())).into_response(),
    };
    let page = LoginPage {
        chrome: Chrome::anonymous(csrf.clone()),
        username,
        error,
    };
    (jar.add(login_csrf_cookie(csrf)), render(status, &page)).into_response()
}

/// `GET /login`.
pub async fn form(jar: CookieJar, session: Option<axum::Extension<SessionUser>>) -> Response {
    if session.is_some() {
        return Redirect::to("/").into_response();
    }
    login_page(jar, StatusCode::OK, String::new(), None)
}

/// `POST /login`.
pub async fn submit(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let outcome = state
        .store
        .login_from(
            &form.username,
            &form.password,
            SessionKind::Web,
            &state.throttle,
            &address,
        )
        .await?;
    let username: String = form.username.chars().take(64).collect();
    Ok(match outcome {
        Ok(login) => {
            let cookie = Cookie::build((SESSION_COOKIE, login.token))
                .path("/")
                .http_only(true)
                .same_site(SameSite::Lax)
                .build();
            let jar = jar.add(cookie).remove(login_csrf_cookie(String::new()));
            (jar, Redirect::to("/")).into_response()
        }
        Err(LoginRefusal::Throttled(throttle)) => {
            let mut page = login_page(
                jar,
                StatusCode::TOO_MANY_REQUESTS,
                username,
                Some(throttle.message()),
            );
            page.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                throttle.retry_after_seconds().into(),
            );
            page
        }
        Err(LoginRefusal::Disabled) => login_page(
            jar,
            StatusCode::FORBIDDEN,
            username,
            Some("该账号已停用，请联系系统管理员".to_owned()),
        ),
        Err(LoginRefusal::BadCredentials) => login_page(
            jar,
            StatusCode::UNAUTHORIZED,
            username,
            Some("用户名或密码错误".to_owned()),
        ),
    })
}

/// `POST /logout`.
pub async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    PageUser(session): PageUser,
) -> Result<Response, PageError> {
    state.store.logout(&session).await?;
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/").build());
    Ok((jar, Redirect::to("/login")).into_response())
}
