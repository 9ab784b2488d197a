//! Self-evaluation (单位自评) over the API: read, save and submit a project's sheet (agencies),
//! approve or return it (finance), and score a sheet sent in the body without storing it.

use super::ApiJson;
use super::monitoring::{FinanceReviewRequest, VersionRequest};
use super::openapi::ErrorBody;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, Error};
use axum::Json;
use axum::extract::{Path, State};
use jixiao_core::rulebook::Rulebook;
use jixiao_core::scoring::{AtMostRule, BudgetBlock, ItemInput, SheetScore, format_score};
use jixiao_store::{SelfEvaluation, SelfEvaluationInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A stored sheet with its total written out (`"84.44"`).
#[derive(Debug, Serialize)]
pub struct SelfEvaluationView {
    /// The sheet.
    #[serde(flatten)]
    pub sheet: SelfEvaluation,
    /// Total with two decimals.
    pub total: Option<String>,
    /// 未填报/草稿/待审核/被退回/已审核.
    pub state_label: &'static str,
}

impl From<SelfEvaluation> for SelfEvaluationView {
    fn from(sheet: SelfEvaluation) -> SelfEvaluationView {
        SelfEvaluationView {
            total: sheet.total_x100.map(format_score),
            state_label: sheet.state_label(),
            sheet,
        }
    }
}

/// Read a project's self-evaluation (the blank sheet before the first save).
#[utoipa::path(get, path = "/api/v1/projects/{id}/self-evaluation", tag = "evaluation", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody), (status = 409, description = "Not approved", body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<SelfEvaluationView>, ApiError> {
    Ok(Json(
        state
            .store
            .self_evaluation(&session.actor(), id)
            .await?
            .into(),
    ))
}

/// Save the agency's entries as a draft; every item is scored (agency).
#[utoipa::path(put, path = "/api/v1/projects/{id}/self-evaluation", tag = "evaluation", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = SelfEvaluationInput,
    responses((status = 200, body = Object), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, description = "Rows with problems, in details", body = ErrorBody)))]
pub async fn save(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<SelfEvaluationInput>,
) -> Result<Json<SelfEvaluationView>, ApiError> {
    Ok(Json(
        state
            .store
            .save_self_evaluation(&session.actor(), id, &input)
            .await?
            .into(),
    ))
}

/// Submit the sheet to finance (agency; every missed target explained).
#[utoipa::path(post, path = "/api/v1/projects/{id}/self-evaluation/submit", tag = "evaluation", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = VersionRequest,
    responses((status = 200, body = Object), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<VersionRequest>,
) -> Result<Json<SelfEvaluationView>, ApiError> {
    Ok(Json(
        state
            .store
            .submit_self_evaluation(&session.actor(), id, request.version)
            .await?
            .into(),
    ))
}

/// Approve or return a submitted sheet (finance): `action` = approve | return.
#[utoipa::path(post, path = "/api/v1/projects/{id}/self-evaluation/review", tag = "evaluation", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = FinanceReviewRequest,
    responses((status = 200, body = Object), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<FinanceReviewRequest>,
) -> Result<Json<SelfEvaluationView>, ApiError> {
    let approve = match request.action.as_str() {
        "approve" => true,
        "return" => false,
        _ => {
            return Err(ApiError(Error::BadRequest {
                code: "invalid_action",
                message: "action 应为 approve 或 return".to_owned(),
            }));
        }
    };
    Ok(Json(
        state
            .store
            .review_self_evaluation(&session.actor(), id, approve, &request.comment)
            .await?
            .into(),
    ))
}

/// A sheet to score.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ScoreRequest {
    /// A shipped rulebook (`national-default`, `execution-20`); the national default if left out.
    #[serde(default)]
    pub rulebook: Option<String>,
    /// `ratio` or `linear`: the `≤` rule to apply instead of the rulebook's, to compare them.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub at_most_rule: Option<AtMostRule>,
    /// 年初预算数, 全年预算数, 全年执行数 in fen.
    #[schema(value_type = Object)]
    pub budget: BudgetBlock,
    /// Items: `level1`, `level2`, `name`, `op` (>=, <=, =, qualitative), `target`, `unit`,
    /// `points`, `actual`, and for qualitative ones `band` and `band_percent`; optionally
    /// `not_applicable`, `manual_score` with `manual_reason`.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<ItemInput>,
}

/// A scored sheet with its total written out.
#[derive(Debug, Serialize)]
pub struct ScoreView {
    /// The rulebook used.
    pub rulebook: String,
    /// The scores.
    #[serde(flatten)]
    pub score: SheetScore,
    /// Total with two decimals.
    pub total: String,
}

/// Score a sheet without storing it (the same rules as a stored sheet).
#[utoipa::path(post, path = "/api/v1/self-evaluations/score", tag = "evaluation", security(("bearer" = [])),
    request_body = ScoreRequest,
    responses((status = 200, body = Object), (status = 422, body = ErrorBody)))]
pub async fn score(
    ApiUser(_session): ApiUser,
    ApiJson(request): ApiJson<ScoreRequest>,
) -> Result<Json<ScoreView>, ApiError> {
    let name = request.rulebook.as_deref().unwrap_or("national-default");
    let mut rulebook: Rulebook = match Rulebook::shipped(name) {
        Some(Ok(rulebook)) => rulebook,
        Some(Err(e)) => return Err(ApiError(Error::Internal(e.to_string()))),
        None => {
            return Err(ApiError(Error::BadRequest {
                code: "unknown_rulebook",
                message: format!("没有名为“{name}”的规则"),
            }));
        }
    };
    if let Some(rule) = request.at_most_rule {
        rulebook.self_evaluation.at_most_rule = rule;
    }
    let scored =
        jixiao_core::scoring::score(&rulebook.self_evaluation, &request.budget, &request.items)
            .map_err(|rows| ApiError(Error::InvalidEvaluation(rows)))?;
    Ok(Json(ScoreView {
        rulebook: rulebook.name,
        total: format_score(scored.total_x100),
        score: scored,
    }))
}
