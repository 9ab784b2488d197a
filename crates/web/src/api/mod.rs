//! The JSON API under `/api/v1`, for other systems (department budget, treasury payment) and
//! scripts. Bearer tokens from `POST /api/v1/session`; errors always as
//! `{"error": {"code", "message", "details"}}`; described at `/api/v1/openapi.json`.

mod admin;
mod json;
pub mod openapi;
mod session;

use crate::AppState;
use crate::auth::{self, ADMIN, Roles};
use crate::error::{ApiError, AppError};
use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use jixiao_core::Role;

pub(crate) use json::ApiJson;

/// Every signed-in role.
const ANY_ROLE: Roles = Roles(&Role::ALL);
/// Roles that read agencies.
const AGENCY_READERS: Roles = Roles(&[Role::Admin, Role::Finance, Role::Agency, Role::Viewer]);

/// The API routes, relative to `/api/v1`.
pub fn router() -> Router<AppState> {
    let signed_in = Router::new()
        .route("/session", axum::routing::delete(session::delete))
        .route("/me", get(session::me))
        .route_layer(from_fn_with_state(ANY_ROLE, auth::require_roles));
    let readers = Router::new()
        .route("/agencies", get(admin::list_agencies))
        .route_layer(from_fn_with_state(AGENCY_READERS, auth::require_roles));
    let admins = Router::new()
        .route("/agencies", post(admin::create_agency))
        .route("/users", get(admin::list_users).post(admin::create_user))
        .route("/users/{username}/disable", post(admin::disable_user))
        .route("/audit", get(admin::audit_log))
        .route_layer(from_fn_with_state(ADMIN, auth::require_roles));
    Router::new()
        .route("/session", post(session::create))
        .route("/openapi.json", get(openapi::document))
        .merge(signed_in)
        .merge(readers)
        .merge(admins)
        .fallback(not_found)
}

/// Any unknown path under `/api/`.
pub async fn not_found() -> ApiError {
    ApiError(AppError::NotFound("接口不存在".to_owned()))
}
