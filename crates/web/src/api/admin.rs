//! Agencies, users and the audit log over the API: what the admin pages do, for scripts.

use super::ApiJson;
use super::openapi::{AgencyView, AuditPageView, AuditRecordView, ErrorBody, UserView};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, Error};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use jixiao_core::agency::NewAgency;
use jixiao_core::user::NewUser;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// Agencies visible to the caller.
#[utoipa::path(get, path = "/api/v1/agencies", tag = "agencies", security(("bearer" = [])),
    responses(
        (status = 200, description = "Departments, each followed by its units", body = Vec<AgencyView>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
    ))]
pub async fn list_agencies(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> Result<Json<Vec<AgencyView>>, ApiError> {
    let agencies = state.store.agencies(&session.actor()).await?;
    Ok(Json(agencies.iter().map(AgencyView::from).collect()))
}

/// A new agency.
#[derive(Deserialize, ToSchema)]
pub struct NewAgencyRequest {
    /// Jurisdiction code; defaults to the deployment's only county-level jurisdiction.
    pub jurisdiction: Option<String>,
    /// Agency code, unique within the jurisdiction.
    pub code: String,
    /// Name.
    pub name: String,
    /// The department's code, for a unit.
    pub parent_code: Option<String>,
    /// The head (第一责任人).
    #[serde(default)]
    pub head: String,
}

/// Add a department or a unit (admin).
#[utoipa::path(post, path = "/api/v1/agencies", tag = "agencies", security(("bearer" = [])),
    request_body = NewAgencyRequest,
    responses(
        (status = 201, description = "Created", body = AgencyView),
        (status = 403, body = ErrorBody), (status = 409, description = "Code taken", body = ErrorBody),
        (status = 422, description = "Field problems in `details`", body = ErrorBody),
    ))]
pub async fn create_agency(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(request): ApiJson<NewAgencyRequest>,
) -> Result<(StatusCode, Json<AgencyView>), ApiError> {
    let jurisdiction = match request.jurisdiction {
        Some(code) => code,
        None => state.store.default_jurisdiction().await?.ok_or_else(|| {
            let mut errors = jixiao_core::ValidationErrors::default();
            errors.add("jurisdiction", "required", "请指定财政区划");
            Error::Invalid(errors)
        })?,
    };
    let agency = state
        .store
        .add_agency(
            &session.actor(),
            &NewAgency {
                jurisdiction,
                code: request.code,
                name: request.name,
                parent_code: request.parent_code,
                head: request.head,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(AgencyView::from(&agency))))
}

/// Users the caller manages (admin).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = Vec<UserView>), (status = 403, body = ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> Result<Json<Vec<UserView>>, ApiError> {
    let users = state.store.users(&session.actor()).await?;
    Ok(Json(users.iter().map(UserView::from).collect()))
}

/// A new user.
#[derive(Deserialize, ToSchema)]
pub struct NewUserRequest {
    /// Login name.
    pub username: String,
    /// Name shown on pages.
    #[serde(default)]
    pub display_name: String,
    /// `admin`, `finance`, `agency`, `expert`, `institution` or `viewer`.
    pub role: String,
    /// Jurisdiction code; defaults to the deployment's only county-level jurisdiction
    /// (deployment-wide for `admin`).
    pub jurisdiction: Option<String>,
    /// Agency code, for (and only for) `agency` users.
    pub agency: Option<String>,
    /// Initial password (at least 8 characters).
    pub password: String,
}

/// Create a user (admin).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    request_body = NewUserRequest,
    responses(
        (status = 201, body = UserView), (status = 403, body = ErrorBody),
        (status = 409, description = "Username taken", body = ErrorBody),
        (status = 422, description = "Field problems in `details`", body = ErrorBody),
    ))]
pub async fn create_user(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(request): ApiJson<NewUserRequest>,
) -> Result<(StatusCode, Json<UserView>), ApiError> {
    let jurisdiction = match request.jurisdiction {
        Some(code) => Some(code),
        None if request.role == "admin" => None,
        None => state.store.default_jurisdiction().await?,
    };
    let user = state
        .store
        .add_user(
            &session.actor(),
            &NewUser {
                username: request.username,
                display_name: request.display_name,
                role: request.role,
                jurisdiction,
                agency_code: request.agency,
                password: request.password,
                area_code: None,
                sector: None,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(UserView::from(&user))))
}

/// Disable a user; their sessions end at once (admin).
#[utoipa::path(post, path = "/api/v1/users/{username}/disable", tag = "users",
    security(("bearer" = [])), params(("username" = String, Path, description = "Login name")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn disable_user(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(username): Path<String>,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .set_user_disabled(&session.actor(), &username, true)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A password set by an administrator.
#[derive(Deserialize, ToSchema)]
pub struct PasswordResetRequest {
    /// The new password (8 to 128 characters). The user must change it at the next login.
    pub password: String,
}

/// Reset a user's password (admin): their sessions end, and they must change the password
/// (which the administrator knows) before doing anything else.
#[utoipa::path(post, path = "/api/v1/users/{username}/password", tag = "users",
    security(("bearer" = [])), params(("username" = String, Path, description = "Login name")),
    request_body = PasswordResetRequest,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "Password too short or too long (`weak_password`)", body = ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(username): Path<String>,
    ApiJson(request): ApiJson<PasswordResetRequest>,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .reset_password(&session.actor(), &username, &request.password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Require a user to change their password (admin): from their next request on, pages lead only
/// to the change-password page and the API answers 403 `password_change_required`, until they
/// have changed it.
#[utoipa::path(post, path = "/api/v1/users/{username}/require-password-change", tag = "users",
    security(("bearer" = [])), params(("username" = String, Path, description = "Login name")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn require_password_change(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(username): Path<String>,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .require_password_change(&session.actor(), &username)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Audit log filters.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Exact actor name.
    pub actor: Option<String>,
    /// Entity kind, e.g. `session`, `user`, `project`, `allotment`, `alert` (every kind the log
    /// records, with its Chinese name, is listed in the `对象类型` filter of `/admin/audit`).
    pub entity: Option<String>,
    /// From this day (YYYY-MM-DD, Beijing time).
    pub from: Option<String>,
    /// To this day inclusive (YYYY-MM-DD, Beijing time).
    pub to: Option<String>,
    /// Page number from 1 (100 records a page).
    pub page: Option<i64>,
}

/// The audit log, newest first (admin).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("bearer" = [])),
    params(AuditQuery),
    responses((status = 200, body = AuditPageView), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn audit_log(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(query): Query<AuditQuery>,
) -> Result<Json<AuditPageView>, ApiError> {
    let text = |t: &Option<String>| t.clone().unwrap_or_default();
    let filter = crate::pages::audit_filter(
        &text(&query.actor),
        &text(&query.entity),
        &text(&query.from),
        &text(&query.to),
    )
    .map_err(Error::Invalid)?;
    let page = state
        .store
        .audit_log(&session.actor(), &filter, query.page.unwrap_or(1), 100)
        .await?;
    Ok(Json(AuditPageView {
        total: page.total,
        page: page.page,
        pages: page.pages(),
        records: page.records.iter().map(AuditRecordView::from).collect(),
    }))
}
