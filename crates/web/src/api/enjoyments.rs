//! A department's list of who enjoys its policies over the API (body: the .xlsx or .csv file):
//! planned by default, stored with `dry_run=false` when no row has a problem.

use super::openapi::ErrorBody;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, Error};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use jixiao_interop::enjoyment_list;
use jixiao_store::{EnjoymentImport, EnjoymentRow};
use serde::Deserialize;
use utoipa::IntoParams;

/// How to import.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EnjoymentQuery {
    /// Report what would change and store nothing (default `true`).
    pub dry_run: Option<bool>,
    /// The department (`civil_affairs`, `medical_insurance` … or 民政, 医保 …); a department's
    /// own users record their own and need not say.
    pub department: Option<String>,
}

/// Reads a list on the parse queue into the store's rows and the problems by cell.
pub(crate) async fn read_list(
    state: &AppState,
    body: Bytes,
) -> Result<
    (
        Vec<EnjoymentRow>,
        Vec<jixiao_core::assistance::export::RowError>,
    ),
    Error,
> {
    if body.is_empty() {
        return Err(Error::invalid(
            "file",
            "empty_file",
            "请上传享受政策名单（.xlsx 或 .csv）",
        ));
    }
    let list = state
        .parses
        .run(move || enjoyment_list::read(&body).map_err(|e| e.to_string()))
        .await?
        .map_err(|message| Error::invalid("file", "unreadable_file", message))?;
    let rows = list
        .lines
        .into_iter()
        .map(|l| EnjoymentRow {
            row: l.row,
            id_number: l.id_number,
            id_cell: l.id_cell,
            policy: l.policy,
            policy_cell: l.policy_cell,
            from: l.from,
            to: l.to,
            amount_fen: l.amount_fen,
        })
        .collect();
    Ok((rows, list.errors))
}

/// Import a department's list of who enjoys its policies (证件号码, 姓名, 政策, 起始日期, 截止日期,
/// 金额（元）). People not in the registry are counted and skipped.
#[utoipa::path(post, path = "/api/v1/enjoyments/import", tag = "assistance",
    security(("bearer" = [])), params(EnjoymentQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "The .xlsx or .csv list"),
    responses((status = 200, body = EnjoymentImport), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(query): Query<EnjoymentQuery>,
    body: Bytes,
) -> Result<Json<EnjoymentImport>, ApiError> {
    let (rows, errors) = read_list(&state, body).await?;
    Ok(Json(
        state
            .store
            .import_enjoyments(
                &session.actor(),
                query.department.as_deref(),
                &rows,
                &errors,
                query.dry_run.unwrap_or(true),
            )
            .await?,
    ))
}
