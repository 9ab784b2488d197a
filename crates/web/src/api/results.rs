//! Results application (结果应用) over the API: the rulebook's proposals for next year's
//! continuing projects, finance's decisions, and the year's money cut (调减低效资金).

use super::ApiJson;
use super::openapi::ErrorBody;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;
use axum::Json;
use axum::extract::{Path, Query, State};
use jixiao_store::{Adjustment, AdjustmentDecision, Cuts};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The evaluated year.
#[derive(Debug, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// The year whose evaluations are applied (to the following year's budget).
    pub year: i32,
}

/// Proposals and decisions of a year.
#[derive(Debug, Serialize)]
pub struct ResultsView {
    /// The evaluated year.
    pub year: i32,
    /// Proposals with their decisions and amounts.
    pub proposals: Vec<Adjustment>,
    /// Money cut by the decisions.
    pub cuts: Cuts,
}

/// The year's proposals and decisions with amounts (agencies see their own).
#[utoipa::path(get, path = "/api/v1/results-application", tag = "evaluation", security(("bearer" = [])),
    params(YearQuery), responses((status = 200, body = Object)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(query): Query<YearQuery>,
) -> Result<Json<ResultsView>, ApiError> {
    let actor = session.actor();
    let proposals = state.store.adjustments(&actor, query.year).await?;
    let cuts = state.store.cuts(&actor, query.year).await?;
    Ok(Json(ResultsView {
        year: query.year,
        proposals,
        cuts,
    }))
}

/// How many proposals were made.
#[derive(Debug, Serialize, ToSchema)]
pub struct Proposed {
    /// Count.
    pub proposed: usize,
}

/// Make the rulebook's proposals for the year's evaluated projects (finance).
#[utoipa::path(post, path = "/api/v1/results-application/propose", tag = "evaluation", security(("bearer" = [])),
    request_body = YearQuery, responses((status = 200, body = Proposed), (status = 403, body = ErrorBody)))]
pub async fn propose(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(request): ApiJson<YearQuery>,
) -> Result<Json<Proposed>, ApiError> {
    Ok(Json(Proposed {
        proposed: state
            .store
            .propose_adjustments(&session.actor(), request.year)
            .await?,
    }))
}

/// Decide on a proposal (finance): `{"decision": "accept"}`, `{"decision": "change",
/// "cut_fen": N, "reason": "…"}` or `{"decision": "reject", "reason": "…"}`.
#[utoipa::path(post, path = "/api/v1/results-application/{id}/decision", tag = "evaluation", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = AdjustmentDecision,
    responses((status = 200, body = Object), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(decision): ApiJson<AdjustmentDecision>,
) -> Result<Json<Adjustment>, ApiError> {
    Ok(Json(
        state
            .store
            .decide_adjustment(&session.actor(), id, &decision)
            .await?,
    ))
}

/// The year's money cut through results application: `{"amount_fen", "projects"}`.
#[utoipa::path(get, path = "/api/v1/stats/cuts", tag = "evaluation", security(("bearer" = [])),
    params(YearQuery), responses((status = 200, body = Object)))]
pub async fn cuts(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(query): Query<YearQuery>,
) -> Result<Json<Cuts>, ApiError> {
    Ok(Json(state.store.cuts(&session.actor(), query.year).await?))
}
