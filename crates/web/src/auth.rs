//! Who is asking: the session behind a cookie (pages) or a bearer token (API), and the role
//! guards that routes declare.

use crate::AppState;
use crate::error::{ApiError, Error, PageError};
use axum::extract::{FromRequestParts, OriginalUri, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use jixiao_core::Capability;
use jixiao_store::{SessionKind, SessionUser};

/// The cookie holding a browser's session token.
pub const SESSION_COOKIE: &str = "jixiao_session";
/// The cookie pairing the login form with its CSRF token before a session exists.
pub const LOGIN_CSRF_COOKIE: &str = "jixiao_login_csrf";

/// Whether a request is for the JSON API (errors as JSON, bearer tokens).
pub(crate) fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// Finds the session of a request and keeps it in the request's extensions. The API takes only
/// bearer tokens of API sessions; pages take only the session cookie of web sessions, so a
/// cookie can never authorize an API call that skips CSRF checks.
pub(crate) async fn authenticate(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let api = is_api(parts.uri.path());
    let token = if api {
        bearer(&parts).map(str::to_owned)
    } else {
        CookieJar::from_headers(&parts.headers)
            .get(SESSION_COOKIE)
            .map(|c| c.value().to_owned())
    };
    if let Some(token) = token {
        match state.store.session(&token).await {
            Ok(Some(session)) => {
                let expected = if api {
                    SessionKind::Api
                } else {
                    SessionKind::Web
                };
                if session.kind == expected {
                    if session.user.must_change_password
                        && !open_before_password_change(api, parts.uri.path())
                    {
                        return if api {
                            ApiError(Error::PasswordChangeRequired).into_response()
                        } else {
                            Redirect::to(CHANGE_PASSWORD_PAGE).into_response()
                        };
                    }
                    parts.extensions.insert(session.clone());
                    let response = next.run(Request::from_parts(parts, body)).await;
                    return crate::pages::framed(response, &session);
                }
            }
            Ok(None) => {}
            Err(error) => {
                let error = error;
                return if api {
                    ApiError(error).into_response()
                } else {
                    PageError(error).into_response()
                };
            }
        }
    }
    next.run(Request::from_parts(parts, body)).await
}

/// The page where users change their own password.
pub(crate) const CHANGE_PASSWORD_PAGE: &str = "/password";

/// What a user who must change their password may still reach (decision 0025): on pages the
/// change-password page, logging out and the static assets; on the API the change itself,
/// ending the session, and what answers without a session anyway (logging in, the OpenAPI
/// document, published projects). Everything else is refused until the password is changed.
fn open_before_password_change(api: bool, path: &str) -> bool {
    if api {
        matches!(
            path,
            "/api/v1/me/password" | "/api/v1/session" | "/api/v1/openapi.json"
        ) || path.starts_with("/api/v1/public/")
    } else {
        matches!(path, CHANGE_PASSWORD_PAGE | "/logout" | "/healthz")
            || path.starts_with("/static/")
    }
}

/// The signed-in user of an API call.
#[derive(Debug, Clone)]
pub struct ApiUser(pub SessionUser);

impl<S: Send + Sync> FromRequestParts<S> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<SessionUser>()
            .cloned()
            .map(ApiUser)
            .ok_or(ApiError(Error::Unauthenticated))
    }
}

/// The signed-in user of a page.
#[derive(Debug, Clone)]
pub struct PageUser(pub SessionUser);

impl<S: Send + Sync> FromRequestParts<S> for PageUser {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<SessionUser>()
            .cloned()
            .map(PageUser)
            .ok_or(PageError(Error::Unauthenticated))
    }
}

/// Refuses requests without a session (401, or the login page) or whose role lacks the
/// capability the group of routes needs (403). The capability is read from the one permission
/// table (`jixiao_core::role::PERMISSIONS`); use cases check it again.
pub(crate) async fn require(
    State(capability): State<Capability>,
    request: Request,
    next: Next,
) -> Response {
    // Inside a nested router the URI has lost its prefix; the original one tells API from page.
    let api = match request.extensions().get::<OriginalUri>() {
        Some(original) => is_api(original.path()),
        None => is_api(request.uri().path()),
    };
    let error = match request.extensions().get::<SessionUser>() {
        None => Some(Error::Unauthenticated),
        Some(session) if !session.user.role.can(capability) => Some(Error::Forbidden),
        Some(_) => None,
    };
    match error {
        None => next.run(request).await,
        Some(error) if api => ApiError(error).into_response(),
        Some(error) => PageError(error).into_response(),
    }
}
