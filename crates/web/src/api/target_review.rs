//! The target review (智能预审) over the API: a target sheet as written, sent in the body, is
//! read by `jixiao_core::target_review` under the rulebook in force for the caller's
//! jurisdiction and year, and every finding is answered at once. Nothing is stored.

use super::ApiJson;
use super::openapi::ErrorBody;
use super::rulebooks::jurisdiction_of;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, Error};
use axum::Json;
use axum::extract::State;
use jixiao_core::ValidationErrors;
use jixiao_core::target_review::{
    Finding, IndicatorUnderReview, SheetUnderReview, blocks_submission,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The most indicator rows one request may carry.
pub const MAX_ROWS: usize = 500;

/// A target sheet as written.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct TargetReviewRequest {
    /// Budget year: picks the rulebook in force for the caller's jurisdiction (default: the
    /// latest fiscal year of the jurisdiction); a goal naming another year is stale.
    pub year: Option<i32>,
    /// The amount requested, in fen, for the cost checks.
    pub amount_fen: Option<i64>,
    /// The project's name (a goal that only repeats it restates the activity).
    pub project_name: String,
    /// Whether the project serves people (satisfaction then required); judged from the words if
    /// left out.
    pub serves_people: Option<bool>,
    /// 总体目标 (中长期目标).
    pub overall_goal: String,
    /// 年度目标.
    pub annual_goal: String,
    /// Last year's annual goal, if known (a copy of it is stale).
    pub last_year_annual_goal: Option<String>,
    /// The indicator rows in order, at most 500 (blank rows count).
    pub indicators: Vec<TargetReviewIndicator>,
}

/// One indicator row, every cell as text as written.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct TargetReviewIndicator {
    /// 一级指标 (empty: the row above's, as in a merged cell).
    pub level1: String,
    /// 二级指标 (empty: the row above's).
    pub level2: String,
    /// 三级指标, the indicator's name.
    pub name: String,
    /// The value as written: `≥90%`, `10辆`, `明显提升` …
    pub value: String,
    /// Points, as a number or a text (`"20"`), at most two decimals.
    pub points: Option<PointsCell>,
    /// The operator, if the sheet has a column for it (`>=`, `≥`, `定性` …).
    pub op: Option<String>,
    /// The unit, if the sheet has a column for it.
    pub unit: Option<String>,
}

/// Points as a number or as text.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum PointsCell {
    /// `20`, `12.5`.
    Number(f64),
    /// `"20"`, `"12.5"`, or empty.
    Text(String),
}

impl TargetReviewRequest {
    /// The core's sheet, or the rows whose points cannot be read.
    fn into_sheet(self, year: i32) -> Result<SheetUnderReview, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut indicators = Vec::with_capacity(self.indicators.len());
        for (i, row) in self.indicators.into_iter().enumerate() {
            let text = match &row.points {
                None => String::new(),
                Some(PointsCell::Number(n)) => n.to_string(),
                Some(PointsCell::Text(t)) => t.trim().to_owned(),
            };
            let points_x100 = if text.is_empty() {
                None
            } else if let Some(x100) = jixiao_core::target::parse_points(&text) {
                Some(x100)
            } else {
                errors.add(
                    &format!("indicators[{i}].points"),
                    "invalid_points",
                    format!("第{}行分值“{text}”应为最多两位小数的非负数", i + 1),
                );
                None
            };
            indicators.push(IndicatorUnderReview {
                level1: row.level1,
                level2: row.level2,
                name: row.name,
                value: row.value,
                points_x100,
                op: row.op,
                unit: row.unit,
            });
        }
        if !errors.0.is_empty() {
            return Err(errors);
        }
        Ok(SheetUnderReview {
            year,
            amount_fen: self.amount_fen,
            amount_approved: false,
            project_name: self.project_name,
            serves_people: self.serves_people,
            overall_goal: self.overall_goal,
            annual_goal: self.annual_goal,
            last_year_annual_goal: self.last_year_annual_goal,
            indicators,
        })
    }
}

/// One finding.
#[derive(Debug, Serialize, ToSchema)]
pub struct TargetReviewFinding {
    /// The finding code (see the operation's description for the vocabulary).
    pub code: String,
    /// `error` (blocks submission) or `warning` (shown only), by the rulebook's choice.
    pub severity: String,
    /// The indicator row from 1 as sent (blank rows counted), or null for the whole sheet.
    pub row: Option<usize>,
    /// The indicator's name as written (empty for sheet findings).
    pub indicator: String,
    /// Plain Chinese: what is wrong and what to write instead.
    pub message: String,
}

impl From<Finding> for TargetReviewFinding {
    fn from(finding: Finding) -> Self {
        TargetReviewFinding {
            code: finding.code.as_str().to_owned(),
            severity: finding.severity.as_str().to_owned(),
            row: finding.row,
            indicator: finding.indicator,
            message: finding.message,
        }
    }
}

/// The rulebook the sheet was reviewed under.
#[derive(Debug, Serialize, ToSchema)]
pub struct TargetReviewRulebook {
    /// Id of the rulebook version.
    pub id: i64,
    /// Jurisdiction.
    pub jurisdiction: String,
    /// Budget year.
    pub year: i32,
    /// Version from 1.
    pub version: i32,
    /// The rulebook's name.
    pub name: String,
}

/// What the review found.
#[derive(Debug, Serialize, ToSchema)]
pub struct TargetReviewView {
    /// Every finding: row findings in row order, then the sheet's.
    pub findings: Vec<TargetReviewFinding>,
    /// Whether any finding is an error (submission would be refused).
    pub blocks_submission: bool,
    /// The rulebook used.
    pub rulebook: TargetReviewRulebook,
}

/// Review a target sheet as written (智能预审), without storing anything.
///
/// The sheet is read under the rulebook in force for the caller's jurisdiction and `year` (by
/// default the latest fiscal year of the jurisdiction). Every finding has a stable `code`;
/// the vocabulary is part of the API (new codes may be added, none renamed):
/// `vague_value` (a value in adjectives or verbs, 明显提升), `pseudo_quantified` (a number on an
/// idea that cannot be counted, 维护社会稳定 ≥95%), `missing_operator` (10辆, 100%),
/// `missing_unit` (180, ≥85), `ascii_operator` (`>=` for ≥), `wrong_direction` (≤ where more
/// is better), `unit_mismatch` (people counted in 个), `impossible_value` (≥100% on a rate),
/// `name_value_conflict` (the name says one figure, the value another), `template_residue`
/// (指标1：, ≥**%, ★), `empty_row`, `satisfaction_missing`, `satisfaction_not_rate`,
/// `satisfaction_misplaced`, `weights_total` (points not adding up to the rulebook's total),
/// `goal_missing`, `goal_identical`, `goal_stale`, `goal_restates_activity`,
/// `level_nonstandard` (a level not in the rulebook's tree), `cost_exceeds_budget`,
/// `budget_mismatch`. `severity` is `error` (blocks submission) or `warning`, as the
/// rulebook's `[target_review.severity]` says. At most 500 indicator rows (422 beyond).
#[utoipa::path(post, path = "/api/v1/target-review", tag = "projects", security(("bearer" = [])),
    request_body = TargetReviewRequest,
    responses((status = 200, body = TargetReviewView),
        (status = 409, description = "No rulebook for the year", body = ErrorBody),
        (status = 422, description = "More than 500 rows, or points that cannot be read", body = ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(request): ApiJson<TargetReviewRequest>,
) -> Result<Json<TargetReviewView>, ApiError> {
    if request.indicators.len() > MAX_ROWS {
        let mut errors = ValidationErrors::default();
        errors.add(
            "indicators",
            "too_many_rows",
            format!(
                "一次最多预审{MAX_ROWS}行指标，本次为{}行：请分批提交",
                request.indicators.len()
            ),
        );
        return Err(ApiError(Error::Invalid(errors)));
    }
    let jurisdiction = jurisdiction_of(&state, &session, None).await?;
    let year = match request.year {
        Some(year) => year,
        None => state
            .store
            .fiscal_years(&session.actor())
            .await?
            .into_iter()
            .filter(|y| y.jurisdiction_code == jurisdiction)
            .map(|y| y.year)
            .max()
            .ok_or_else(|| {
                Error::conflict(
                    jixiao_store::ConflictCode::RulebookMissing,
                    "本区划尚未设立预算年度，请在请求中给出 year",
                )
            })?,
    };
    let record = state.store.rulebook_in_force(&jurisdiction, year).await?;
    let reviewer = jixiao_store::reviewer(&record)?;
    let sheet = request
        .into_sheet(year)
        .map_err(|errors| ApiError(Error::Invalid(errors)))?;
    let findings = reviewer.review(&sheet);
    Ok(Json(TargetReviewView {
        blocks_submission: blocks_submission(&findings),
        findings: findings
            .into_iter()
            .map(TargetReviewFinding::from)
            .collect(),
        rulebook: TargetReviewRulebook {
            id: record.id,
            jurisdiction: record.jurisdiction_code,
            year: record.year,
            version: record.version,
            name: record.name,
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::super::openapi::ApiDoc;
    use jixiao_core::target_review::FindingCode;
    use utoipa::OpenApi;

    #[test]
    fn the_operation_lists_every_finding_code() {
        let document = ApiDoc::openapi();
        let description = document
            .paths
            .paths
            .get("/api/v1/target-review")
            .and_then(|item| item.post.as_ref())
            .and_then(|operation| operation.description.clone())
            .unwrap_or_default();
        for code in FindingCode::ALL {
            assert!(
                description.contains(&format!("`{}`", code.as_str())),
                "{code} is not in the description"
            );
        }
    }
}
