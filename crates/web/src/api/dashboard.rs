//! The dashboard's figures over the API (绩效看板数据): the same figures the dashboard page
//! draws, for all the caller may see or for one department.

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::read_database::{ReadAnswer, read_answer};
use axum::extract::{Query, State};
use jixiao_store::Dashboard;
use serde::Deserialize;

/// The year, and a department to drill down to.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardQuery {
    /// Budget year.
    pub year: i32,
    /// A jurisdiction the caller sees (six digits): its dashboard, rows by the levels below it.
    #[serde(default)]
    pub jurisdiction: Option<String>,
    /// A department's agency code: its units and projects only.
    #[serde(default)]
    pub department: Option<String>,
}

/// The year's dashboard: coverage, execution by month against time progress and by agency,
/// alerts by level, grades, money cut through results, rectification progress (and a
/// department's projects when one is asked for). Money in fen, rates in basis points.
#[utoipa::path(get, path = "/api/v1/stats/dashboard", tag = "evaluation", security(("bearer" = [])),
    params(DashboardQuery), responses((status = 200, body = Object)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(query): Query<DashboardQuery>,
) -> Result<ReadAnswer<Dashboard>, ApiError> {
    Ok(read_answer(
        state
            .reads
            .dashboard_of(
                &session.actor(),
                query.year,
                query.jurisdiction.as_deref(),
                query.department.as_deref(),
            )
            .await?,
    ))
}
