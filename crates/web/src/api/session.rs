//! `POST /api/v1/session` (log in), `DELETE /api/v1/session` (log out), `GET /api/v1/me`, and
//! `POST /api/v1/me/password` (change one's own password).

use super::ApiJson;
use super::openapi::{ErrorBody, UserView};
use crate::AppState;
use crate::auth::ApiUser;
use crate::client_address::ClientAddress;
use crate::error::{ApiError, Error};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use jixiao_store::{LoginRefusal, PasswordChange, SessionKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Credentials.
#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    /// Login name.
    pub username: String,
    /// Password.
    pub password: String,
}

/// A new API session.
#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer TOKEN` on every other call. Valid for 12 hours.
    pub token: String,
    /// The signed-in user.
    pub user: UserView,
}

/// Log in and get a bearer token.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = LoginResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Unknown user or wrong password (`bad_credentials`)", body = ErrorBody),
        (status = 403, description = "Account disabled (`account_disabled`)", body = ErrorBody),
        (status = 422, description = "A control character in a field (`invalid_text`) or a body of the wrong shape", body = ErrorBody),
        (status = 429, description = "Too many failed attempts (`too_many_attempts`); `Retry-After` says in how many seconds to try again", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let outcome = state
        .store
        .login_from(
            &request.username,
            &request.password,
            SessionKind::Api,
            &state.throttle,
            &address,
        )
        .await?;
    match outcome {
        Ok(login) => Ok(Json(LoginResponse {
            token: login.token,
            user: UserView::from(&login.user),
        })),
        Err(LoginRefusal::Throttled(throttle)) => Err(ApiError(Error::Throttled {
            message: throttle.message(),
            retry_after_seconds: throttle.retry_after_seconds(),
        })),
        Err(LoginRefusal::Disabled) => Err(ApiError(Error::Disabled)),
        Err(LoginRefusal::BadCredentials) => Err(ApiError(Error::BadCredentials)),
    }
}

/// End this session; the token stops working.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", security(("bearer" = [])),
    responses(
        (status = 204, description = "Logged out"),
        (status = 401, description = "No valid token", body = ErrorBody),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> Result<StatusCode, ApiError> {
    state.store.logout(&session).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user, role and agency.
#[utoipa::path(get, path = "/api/v1/me", tag = "session", security(("bearer" = [])),
    responses(
        (status = 200, description = "The user", body = UserView),
        (status = 401, description = "No valid token", body = ErrorBody),
    ))]
pub async fn me(ApiUser(session): ApiUser) -> Json<UserView> {
    Json(UserView::from(&session.user))
}

/// A user's own password change.
#[derive(Deserialize, ToSchema)]
pub struct PasswordChangeRequest {
    /// The password in use now.
    pub current_password: String,
    /// The new password: 8 to 128 characters, not the current one.
    pub new_password: String,
}

/// Change your own password. The current password is checked as at login, and wrong ones count
/// towards the same throttle. On success the user's other sessions (browsers and API tokens)
/// end, this token stays valid, and a required change is done.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "session", security(("bearer" = [])),
    request_body = PasswordChangeRequest,
    responses(
        (status = 204, description = "Changed; the user's other sessions have ended"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 409, description = "The password was changed or reset meanwhile; nothing changed", body = ErrorBody),
        (status = 422, description = "Nothing changed: `current_password` wrong (`wrong_password`) or empty (`required`), `new_password` too short or too long (`weak_password`) or the current one (`same_as_current`); each in `details`", body = ErrorBody),
        (status = 429, description = "Too many wrong passwords for this user or address (`too_many_attempts`, shared with login); `Retry-After` says in how many seconds to try again", body = ErrorBody),
    ))]
pub async fn change_password(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    ApiUser(session): ApiUser,
    ApiJson(request): ApiJson<PasswordChangeRequest>,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .change_own_password(
            &session,
            PasswordChange {
                current: &request.current_password,
                new: &request.new_password,
                again: None,
            },
            &state.throttle,
            &address,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
