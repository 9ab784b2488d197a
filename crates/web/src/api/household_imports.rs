//! The national system's person export over the API: a file in (.xlsx, or CSV in UTF-8/GBK) as
//! a dry run that says what would change and every problem by its cell, or stored when nothing
//! is wrong; and the registry out in the same layout. Files are read on the parse queue.

use super::openapi::ErrorBody;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, Error};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use jixiao_interop::household_export;
use jixiao_store::HouseholdImport;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// How to import.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Report what would change and store nothing (default `true`: storing is asked for).
    pub dry_run: Option<bool>,
    /// The date of the data (joins and departures happen on it); defaults to today.
    #[param(value_type = Option<String>, format = Date)]
    pub as_of: Option<NaiveDate>,
}

/// What an import did or would do, with what the file's header said.
#[derive(Serialize, ToSchema)]
pub struct HouseholdImportView {
    /// The outcome.
    #[serde(flatten)]
    pub outcome: HouseholdImport,
    /// The header's row, from 1.
    pub header_row: u32,
    /// Known columns the file lacks (read as empty).
    pub missing_columns: Vec<String>,
    /// Columns kept as read but not used by the registry.
    pub kept_columns: Vec<String>,
}

/// Reads a person export on the parse queue; a file that cannot be read at all is a 422.
pub(crate) async fn read_export(
    state: &AppState,
    body: Bytes,
    as_of: NaiveDate,
) -> Result<household_export::ExportFile, Error> {
    if body.is_empty() {
        return Err(Error::invalid(
            "file",
            "empty_file",
            "请上传人员信息表（.xlsx 或 .csv）",
        ));
    }
    state
        .parses
        .run(move || household_export::read(&body, as_of).map_err(|e| e.to_string()))
        .await?
        .map_err(|message| Error::invalid("file", "unreadable_file", message))
}

/// Import the national system's person export (body: the .xlsx or .csv file). With
/// `dry_run=true` (the default) nothing is stored; otherwise the file is stored in one
/// transaction when no row has a problem, else refused (422) with every problem by its cell.
#[utoipa::path(post, path = "/api/v1/households/import", tag = "assistance",
    security(("bearer" = [])), params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "The .xlsx or .csv file"),
    responses((status = 200, body = HouseholdImportView), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(query): Query<ImportQuery>,
    body: Bytes,
) -> Result<Json<HouseholdImportView>, ApiError> {
    let as_of = query.as_of.unwrap_or(session.business_date);
    let file = read_export(&state, body, as_of).await?;
    let outcome = state
        .store
        .import_households(
            &session.actor(),
            &file.households,
            &file.errors,
            as_of,
            query.dry_run.unwrap_or(true),
        )
        .await?;
    Ok(Json(HouseholdImportView {
        outcome,
        header_row: file.header_row,
        missing_columns: file
            .missing_columns
            .iter()
            .map(|c| (*c).to_owned())
            .collect(),
        kept_columns: file.kept_columns,
    }))
}

/// Which households to export.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// A township or village code: only households below it.
    pub area: Option<String>,
    /// The date of the data; defaults to today.
    #[param(value_type = Option<String>, format = Date)]
    pub as_of: Option<NaiveDate>,
}

/// The registry in the national person-export layout (.xlsx; full ID numbers, as the national
/// system's own export has them; written to the audit log).
#[utoipa::path(get, path = "/api/v1/households/export.xlsx", tag = "assistance",
    security(("bearer" = [])), params(ExportQuery),
    responses((status = 200, description = "The workbook",
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(query): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    Ok(export_response(
        &state,
        &session.actor(),
        query.area,
        query.as_of.unwrap_or(session.business_date),
    )
    .await?)
}

/// The export as a download (shared by the API and the page).
pub(crate) async fn export_response(
    state: &AppState,
    actor: &jixiao_core::Actor,
    area: Option<String>,
    as_of: NaiveDate,
) -> Result<Response, Error> {
    let area = area.filter(|a| !a.trim().is_empty());
    let households = state
        .store
        .export_households(actor, area.as_deref(), as_of)
        .await?;
    let subtitle = format!("数据日期：{as_of}");
    let bytes = state
        .parses
        .run(move || {
            household_export::write_xlsx(&households, "防返贫监测信息系统 人员信息表", &subtitle)
        })
        .await?
        .map_err(|e| Error::Internal(format!("household export: {e}")))?;
    Ok(crate::pages::exports::attachment(
        axum::body::Body::from(bytes),
        "households.xlsx",
        "帮扶对象人员信息",
    ))
}
