//! Indicators fed from records over the API (issue 19 item 6, decision 0046): the measures an
//! output indicator may be bound to, a project's bindings with their computed values, binding and
//! unbinding a row (the project's agency or the finance bureau; audited), and the records that
//! make a value. Refusals: `unknown_measure`, `no_such_row`, `not_a_quantitative_output`,
//! `unit_does_not_fit` in a 422's details.

use super::ApiJson;
use super::openapi::ErrorBody;
use super::project_types::BindingView;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, Error};
use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::NaiveDate;
use jixiao_core::indicator_binding::RecordMeasure;
use jixiao_store::BoundRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The day a project's bound values count to: the business date, kept within the project's
/// year (a past year counts to its 31 December, a future one to its 1 January).
pub(crate) fn as_of_in_year(business_date: NaiveDate, year: i32) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(business_date);
    let last = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(business_date);
    business_date.clamp(first, last)
}

/// A measure an indicator may be bound to.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureView {
    /// The code to send.
    pub code: String,
    /// As users read it.
    pub label: String,
    /// The units an indicator bound to it may have.
    pub units: Vec<String>,
}

/// Every measure an output indicator may be bound to.
pub(crate) fn measures() -> Vec<MeasureView> {
    RecordMeasure::all()
        .into_iter()
        .map(|m| MeasureView {
            code: m.code(),
            label: m.label(),
            units: m
                .counted()
                .units()
                .iter()
                .map(|u| (*u).to_owned())
                .collect(),
        })
        .collect()
}

/// A project's bindings.
#[derive(Debug, Serialize, ToSchema)]
pub struct BindingsView {
    /// The bound rows with their values on `as_of`.
    pub bindings: Vec<BindingView>,
    /// The measures a row may be bound to.
    pub measures: Vec<MeasureView>,
}

/// The day to count to.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// `YYYY-MM-DD`; default: the business date within the project's year.
    pub as_of: Option<String>,
}

fn as_of_for(query: &AsOfQuery, business_date: NaiveDate, year: i32) -> Result<NaiveDate, Error> {
    match query.as_of.as_deref().map(str::trim) {
        None | Some("") => Ok(as_of_in_year(business_date, year)),
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| Error::invalid("as_of", "invalid_date", "日期格式应为YYYY-MM-DD")),
    }
}

async fn bindings_view(
    state: &AppState,
    session: &jixiao_store::SessionUser,
    id: i64,
    query: &AsOfQuery,
) -> Result<BindingsView, ApiError> {
    let actor = session.actor();
    let project = state.store.project(&actor, id).await?;
    let as_of = as_of_for(query, session.business_date, project.year)?;
    let values = state.store.bound_values(&actor, id, as_of).await?;
    Ok(BindingsView {
        bindings: values.iter().map(BindingView::from).collect(),
        measures: measures(),
    })
}

/// A project's indicators fed from records, with the values computed on `as_of`, and the
/// measures a row may be bound to.
#[utoipa::path(get, path = "/api/v1/projects/{id}/indicator-bindings", tag = "assistance",
    security(("bearer" = [])), params(("id" = i64, Path), AsOfQuery),
    responses((status = 200, body = BindingsView), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Query(query): Query<AsOfQuery>,
) -> Result<Json<BindingsView>, ApiError> {
    Ok(Json(bindings_view(&state, &session, id, &query).await?))
}

/// A row to bind.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BindRequest {
    /// The indicator's row in the working target sheet (from 1).
    pub row_no: i32,
    /// The measure's code (see `measures` in the list).
    pub measure: String,
}

/// Bind an output indicator to a count over the records (the project's agency or the finance
/// bureau). A quantitative 产出指标 in a fitting unit only; a bound row is rebound.
#[utoipa::path(post, path = "/api/v1/projects/{id}/indicator-bindings", tag = "assistance",
    security(("bearer" = [])), params(("id" = i64, Path)), request_body = BindRequest,
    responses((status = 200, body = BindingsView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn bind(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<BindRequest>,
) -> Result<Json<BindingsView>, ApiError> {
    state
        .store
        .bind_indicator(&session.actor(), id, request.row_no, &request.measure)
        .await?;
    Ok(Json(
        bindings_view(&state, &session, id, &AsOfQuery { as_of: None }).await?,
    ))
}

/// Remove a row's binding (as binding). A row not bound is a 404.
#[utoipa::path(delete, path = "/api/v1/projects/{id}/indicator-bindings/{row_no}",
    tag = "assistance", security(("bearer" = [])),
    params(("id" = i64, Path), ("row_no" = i32, Path)),
    responses((status = 200, body = BindingsView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn unbind(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path((id, row_no)): Path<(i64, i32)>,
) -> Result<Json<BindingsView>, ApiError> {
    state
        .store
        .unbind_indicator(&session.actor(), id, row_no)
        .await?;
    Ok(Json(
        bindings_view(&state, &session, id, &AsOfQuery { as_of: None }).await?,
    ))
}

/// The records behind a bound value.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordsView {
    /// The row.
    pub row_no: i32,
    /// The measure's code.
    pub measure: String,
    /// The measure as users read it.
    pub label: String,
    /// The day counted to.
    pub as_of: String,
    /// How many (the computed value).
    pub count: usize,
    /// The households, the householder shortened to the surname.
    #[schema(value_type = Vec<Object>)]
    pub records: Vec<BoundRecord>,
}

/// The records that make a bound indicator's value on `as_of`.
#[utoipa::path(get, path = "/api/v1/projects/{id}/indicator-bindings/{row_no}/records",
    tag = "assistance", security(("bearer" = [])),
    params(("id" = i64, Path), ("row_no" = i32, Path), AsOfQuery),
    responses((status = 200, body = RecordsView), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn records(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path((id, row_no)): Path<(i64, i32)>,
    Query(query): Query<AsOfQuery>,
) -> Result<Json<RecordsView>, ApiError> {
    let actor = session.actor();
    let project = state.store.project(&actor, id).await?;
    let as_of = as_of_for(&query, session.business_date, project.year)?;
    let (binding, records) = state.store.bound_records(&actor, id, row_no, as_of).await?;
    Ok(Json(RecordsView {
        row_no,
        measure: binding.measure.code(),
        label: binding.measure.label(),
        as_of: as_of.to_string(),
        count: records.len(),
        records,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_day_stays_within_the_projects_year() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("a day");
        assert_eq!(as_of_in_year(day(2020, 6, 30), 2020), day(2020, 6, 30));
        assert_eq!(as_of_in_year(day(2021, 3, 1), 2020), day(2020, 12, 31));
        assert_eq!(as_of_in_year(day(2019, 3, 1), 2020), day(2020, 1, 1));
    }
}
