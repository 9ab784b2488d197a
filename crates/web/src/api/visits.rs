//! Visits over the API (走访, decision 0044): a visit is sent as one multipart form — the visit
//! as JSON in the part `visit` and each evidence file in a part `evidence` — so a visit and its
//! photos are stored together or not at all; visits listed and read back with their evidence
//! (served by content hash), the month's compliance per helper and per village, and the
//! rectification items the problems became, closed with a note.

use super::ApiJson;
use super::openapi::ErrorBody;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, Error};
use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use jixiao_store::{
    EvidenceFile, RectificationClose, Visit, VisitCompliance, VisitInput, VisitLine,
    VisitRectification,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// The multipart form of a visit.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct VisitUpload {
    /// The visit as JSON text (`VisitInput`: household_id, visited_on, people_met, problems,
    /// actions).
    #[schema(value_type = VisitInput)]
    pub visit: String,
    /// Evidence files (JPEG, PNG, WebP photos or MP4 video), one part each, all named
    /// `evidence`; the type is read from the content, not the name.
    #[schema(value_type = Vec<String>)]
    pub evidence: Vec<Vec<u8>>,
}

fn unreadable_form() -> Error {
    Error::invalid(
        "visit",
        "unreadable_form",
        "走访表单无法读取（或超过上传上限），走访未保存",
    )
}

/// Reads a visit's multipart form: the `visit` part (JSON) and the `evidence` parts.
pub(crate) async fn read_visit_form(
    mut form: Multipart,
) -> Result<(VisitInput, Vec<EvidenceFile>), Error> {
    let mut visit: Option<VisitInput> = None;
    let mut files = Vec::new();
    while let Some(field) = form.next_field().await.map_err(|_| unreadable_form())? {
        match field.name() {
            Some("visit") => {
                let text = field.bytes().await.map_err(|_| unreadable_form())?;
                let input: VisitInput = serde_json::from_slice(&text).map_err(|e| {
                    Error::invalid(
                        "visit",
                        "invalid_json",
                        format!("走访内容不是有效的 JSON：{e}"),
                    )
                })?;
                visit = Some(input);
            }
            Some("evidence") => {
                let file_name = field.file_name().unwrap_or("").to_owned();
                let content = field.bytes().await.map_err(|_| unreadable_form())?;
                files.push(EvidenceFile {
                    file_name,
                    content: content.to_vec(),
                });
            }
            _ => {}
        }
    }
    let visit = visit
        .ok_or_else(|| Error::invalid("visit", "required", "缺少走访内容（表单字段 visit）"))?;
    Ok((visit, files))
}

/// Record a visit with its evidence (multipart: `visit` = the JSON, `evidence` = each file). A
/// helper records visits to households assigned to them, a village or township cadre to those
/// of their area. A wrong file type (read from the content), a file over the rulebook's size,
/// too many files, a control character in a field or an unknown household refuse the whole
/// visit: nothing is stored. Each problem becomes a rectification item with its deadline.
#[utoipa::path(post, path = "/api/v1/visits", tag = "assistance", security(("bearer" = [])),
    request_body(content = VisitUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = Visit), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn record(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    form: Multipart,
) -> Result<(StatusCode, Json<Visit>), ApiError> {
    let (input, files) = read_visit_form(form).await?;
    let visit = state
        .store
        .record_visit(&session.actor(), &input, &files, session.business_date)
        .await?;
    Ok((StatusCode::CREATED, Json(visit)))
}

/// Which visits.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VisitQuery {
    /// A month, `YYYY-MM`.
    pub month: Option<String>,
    /// One household.
    pub household: Option<i64>,
}

/// Visits within the caller's scope, newest first (at most 500).
#[utoipa::path(get, path = "/api/v1/visits", tag = "assistance", security(("bearer" = [])),
    params(VisitQuery),
    responses((status = 200, body = Vec<VisitLine>), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(query): Query<VisitQuery>,
) -> Result<Json<Vec<VisitLine>>, ApiError> {
    Ok(Json(
        state
            .store
            .visits(&session.actor(), query.month.as_deref(), query.household)
            .await?,
    ))
}

/// A visit with its problems (and the rectification items they became) and its evidence.
#[utoipa::path(get, path = "/api/v1/visits/{id}", tag = "assistance", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The visit")),
    responses((status = 200, body = Visit), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Visit>, ApiError> {
    Ok(Json(state.store.visit(&session.actor(), id).await?))
}

/// An evidence file by its SHA-256, when it belongs to a visit within the caller's scope.
#[utoipa::path(get, path = "/api/v1/evidence/{sha256}", tag = "assistance",
    security(("bearer" = [])),
    params(("sha256" = String, Path, description = "The content's SHA-256, hex")),
    responses((status = 200, description = "The file, with its media type",
        content_type = "application/octet-stream"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn evidence(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(sha256): Path<String>,
) -> Result<Response, ApiError> {
    let (media_type, content) = state
        .store
        .visit_evidence(&session.actor(), &sha256)
        .await?;
    Ok(evidence_response(media_type, content))
}

/// An evidence file as served: its media type, never sniffed by the browser, cached privately.
pub(crate) fn evidence_response(media_type: String, content: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, media_type),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (header::CACHE_CONTROL, "private, max-age=86400".to_owned()),
        ],
        content,
    )
        .into_response()
}

/// Which month.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthQuery {
    /// `YYYY-MM`.
    pub month: String,
}

/// The month's visit compliance within the caller's scope: visits due by the rulebook (per
/// household type; a household under monitoring is due more) against visits recorded, per
/// helper and per village (those behind first), with the households behind schedule.
#[utoipa::path(get, path = "/api/v1/visits/compliance", tag = "assistance",
    security(("bearer" = [])), params(MonthQuery),
    responses((status = 200, body = VisitCompliance), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn compliance(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(query): Query<MonthQuery>,
) -> Result<Json<VisitCompliance>, ApiError> {
    Ok(Json(
        state
            .store
            .visit_compliance(&session.actor(), &query.month)
            .await?,
    ))
}

/// Which rectification items.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RectificationQuery {
    /// `open` for the open ones only (default: all).
    pub status: Option<String>,
}

/// Rectification items raised by visits within the caller's scope, open ones first by
/// deadline; `overdue` when open past it.
#[utoipa::path(get, path = "/api/v1/visit-rectifications", tag = "assistance",
    security(("bearer" = [])), params(RectificationQuery),
    responses((status = 200, body = Vec<VisitRectification>), (status = 403, body = ErrorBody)))]
pub async fn rectifications(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(query): Query<RectificationQuery>,
) -> Result<Json<Vec<VisitRectification>>, ApiError> {
    let open_only = query.status.as_deref() == Some("open");
    Ok(Json(
        state
            .store
            .visit_rectifications(&session.actor(), open_only, session.business_date)
            .await?,
    ))
}

/// Close a rectification item with how it was rectified.
#[utoipa::path(post, path = "/api/v1/visit-rectifications/{id}/close", tag = "assistance",
    security(("bearer" = [])), params(("id" = i64, Path, description = "The item")),
    request_body = RectificationClose,
    responses((status = 200, body = VisitRectification), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn close(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<RectificationClose>,
) -> Result<Json<VisitRectification>, ApiError> {
    Ok(Json(
        state
            .store
            .close_visit_rectification(&session.actor(), id, &input, session.business_date)
            .await?,
    ))
}
