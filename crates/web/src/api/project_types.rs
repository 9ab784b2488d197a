//! The shapes of projects on the API: what is returned and what is sent.

use jixiao_core::project::ProjectInput;
use jixiao_core::target::{IndicatorInput, TargetSheet, format_points};
use jixiao_store::{Project, ProjectDetail, ReviewRecord};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A project.
#[derive(Serialize, ToSchema)]
pub struct ProjectView {
    /// Id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Budget year.
    pub year: i32,
    /// Agency code.
    pub agency: String,
    /// Agency name.
    pub agency_name: String,
    /// Name.
    pub name: String,
    /// Category code.
    pub category: String,
    /// New (not continuing).
    pub is_new: bool,
    /// The code of the earlier project a continuing one continues.
    pub previous_project: Option<String>,
    /// Period.
    pub start_year: i32,
    /// Period end.
    pub end_year: i32,
    /// Requested, in fen.
    pub requested_fen: i64,
    /// 上级财政拨款, fen.
    pub funding_superior_fen: i64,
    /// 本级财政拨款, fen.
    pub funding_local_fen: i64,
    /// 其他资金, fen.
    pub funding_other_fen: i64,
    /// 立项依据.
    pub basis: String,
    /// 必要性.
    pub necessity: String,
    /// 项目负责人.
    pub person_in_charge: String,
    /// Serves people directly.
    pub serves_people: bool,
    /// `support`, `support_after_adjustment` or `reject`.
    pub pre_assessment: Option<String>,
    /// `draft`, `submitted`, `returned` or `approved`.
    pub state: String,
    /// The current review step while submitted (`department`, `budget`, `performance` …).
    pub review_step: Option<String>,
    /// 优/良/中/差.
    pub target_grade: Option<String>,
    /// Approved, in fen.
    pub approved_fen: Option<i64>,
    /// Why approved differs from requested.
    pub approval_reason: String,
    /// When the approved amount differs from what the targets were made for: the amount, in fen,
    /// the agency must adjust its targets to (按批复金额调整绩效目标), until a sheet made for it is
    /// approved.
    pub targets_adjust_fen: Option<i64>,
    /// Send back with edits (optimistic lock).
    pub version: i32,
    /// The automatic review (智能预审) of the working target sheet as last saved: findings that
    /// block submission (absent when the sheet was never reviewed).
    pub target_review_errors: Option<i32>,
    /// … and findings that only inform.
    pub target_review_warnings: Option<i32>,
}

impl From<&Project> for ProjectView {
    fn from(p: &Project) -> Self {
        ProjectView {
            id: p.id,
            code: p.code.clone(),
            year: p.year,
            agency: p.agency_code.clone(),
            agency_name: p.agency_name.clone(),
            name: p.name.clone(),
            category: p.category.clone(),
            is_new: p.is_new,
            previous_project: p.previous_project_code.clone(),
            start_year: p.start_year,
            end_year: p.end_year,
            requested_fen: p.requested_fen,
            funding_superior_fen: p.funding_superior_fen,
            funding_local_fen: p.funding_local_fen,
            funding_other_fen: p.funding_other_fen,
            basis: p.basis.clone(),
            necessity: p.necessity.clone(),
            person_in_charge: p.person_in_charge.clone(),
            serves_people: p.serves_people,
            pre_assessment: p.pre_assessment.clone(),
            state: p.state.clone(),
            review_step: p.review_step.clone(),
            target_grade: p.target_grade.clone(),
            approved_fen: p.approved_fen,
            approval_reason: p.approval_reason.clone(),
            targets_adjust_fen: p.targets_adjust_fen,
            version: p.version,
            target_review_errors: p.target_review_errors,
            target_review_warnings: p.target_review_warnings,
        }
    }
}

/// One indicator row.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct IndicatorView {
    /// 一级指标.
    pub level1: String,
    /// 二级指标.
    pub level2: String,
    /// 三级指标.
    pub name: String,
    /// `>=`, `<=`, `=` or `qualitative`.
    pub op: String,
    /// Target value (a number for quantitative indicators; text for qualitative).
    pub value: String,
    /// Unit.
    pub unit: String,
    /// Points, e.g. `15` or `12.5`.
    pub points: String,
    /// 指标值设定依据.
    pub value_basis: String,
    /// 指标解释.
    pub explanation: String,
    /// 数据来源.
    pub data_source: String,
    /// For an indicator fed from records: its measure and computed value (read only).
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub binding: Option<BindingView>,
}

/// An indicator's binding to a count over the assistance records, and its value.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
pub struct BindingView {
    /// The indicator's row (from 1).
    pub row_no: i32,
    /// The measure's code (`households_with_measures`, `households_with_measure:employment` …).
    pub measure: String,
    /// The measure as users read it.
    pub label: String,
    /// The computed value on `as_of`.
    pub value: i64,
    /// Its unit (户 or 人).
    pub unit: String,
    /// The day counted to (`YYYY-MM-DD`), from 1 January of its year.
    pub as_of: String,
    /// The page listing the records that make the value.
    pub source: String,
    /// The same list in the API.
    pub records: String,
}

impl From<&jixiao_store::ComputedValue> for BindingView {
    fn from(c: &jixiao_store::ComputedValue) -> Self {
        BindingView {
            row_no: c.row_no,
            measure: c.measure.clone(),
            label: c.label.clone(),
            value: c.value,
            unit: c.unit.clone(),
            as_of: c.as_of.to_string(),
            source: c.source.clone(),
            records: c
                .source
                .replacen("/projects/", "/api/v1/projects/", 1)
                .replacen("/indicators/", "/indicator-bindings/", 1),
        }
    }
}

impl From<IndicatorView> for IndicatorInput {
    fn from(v: IndicatorView) -> Self {
        IndicatorInput {
            level1: v.level1,
            level2: v.level2,
            name: v.name,
            op: v.op,
            value: v.value,
            unit: v.unit,
            points: v.points,
            value_basis: v.value_basis,
            explanation: v.explanation,
            data_source: v.data_source,
        }
    }
}

/// A target sheet.
#[derive(Serialize, ToSchema)]
pub struct TargetView {
    /// 总体目标.
    pub overall_goal: String,
    /// 年度目标.
    pub annual_goal: String,
    /// Rows in order.
    pub indicators: Vec<IndicatorView>,
}

impl From<&TargetSheet> for TargetView {
    fn from(sheet: &TargetSheet) -> Self {
        TargetView {
            overall_goal: sheet.overall_goal.clone(),
            annual_goal: sheet.annual_goal.clone(),
            indicators: sheet
                .indicators
                .iter()
                .map(|i| IndicatorView {
                    level1: i.level1.clone(),
                    level2: i.level2.clone(),
                    name: i.name.clone(),
                    op: i.op.as_str().to_owned(),
                    value: i.value.clone(),
                    unit: i.unit.clone(),
                    points: format_points(i.points_x100),
                    value_basis: i.value_basis.clone(),
                    explanation: i.explanation.clone(),
                    data_source: i.data_source.clone(),
                    binding: None,
                })
                .collect(),
        }
    }
}

/// One step of the review trail.
#[derive(Serialize, ToSchema)]
pub struct ReviewView {
    /// Step code (`agency` for submissions).
    pub step: String,
    /// `submit`, `approve`, `return`, `revise`.
    pub action: String,
    /// Comment.
    pub comment: String,
    /// Grade given.
    pub grade: Option<String>,
    /// Approved amount, fen.
    pub approved_fen: Option<i64>,
    /// Who.
    pub actor: String,
    /// When (RFC 3339).
    pub at: String,
}

impl From<&ReviewRecord> for ReviewView {
    fn from(r: &ReviewRecord) -> Self {
        ReviewView {
            step: r.step.clone(),
            action: r.action.clone(),
            comment: r.comment.clone(),
            grade: r.grade.clone(),
            approved_fen: r.approved_fen,
            actor: r.actor.clone(),
            at: jixiao_core::time::to_rfc3339(r.at),
        }
    }
}

/// A project with its target sheet and trail.
#[derive(Serialize, ToSchema)]
pub struct ProjectDetailView {
    /// The project.
    #[serde(flatten)]
    pub project: ProjectView,
    /// The working target sheet.
    pub target: TargetView,
    /// The approved sheet while a revision is worked on.
    pub approved_target: Option<TargetView>,
    /// Review trail, oldest first.
    pub reviews: Vec<ReviewView>,
}

impl From<&ProjectDetail> for ProjectDetailView {
    fn from(d: &ProjectDetail) -> Self {
        ProjectDetailView {
            project: ProjectView::from(&d.project),
            target: TargetView::from(&d.target),
            approved_target: d.approved_target.as_ref().map(TargetView::from),
            reviews: d.reviews.iter().map(ReviewView::from).collect(),
        }
    }
}

/// A new project, or the fields of an edit.
#[derive(Deserialize, ToSchema)]
pub struct ProjectRequest {
    /// Budget year.
    pub year: Option<i32>,
    /// Agency code (own agency by default; or a unit under it).
    pub agency: Option<String>,
    /// Name.
    pub name: String,
    /// Category code from the rulebook (`personnel`, `operation`, `specific` …).
    pub category: String,
    /// Requested amount in fen.
    pub requested_fen: i64,
    /// New project (default true).
    pub is_new: Option<bool>,
    /// For a continuing project (`is_new: false`): the code of the earlier year's project.
    pub previous_project: Option<String>,
    /// Period start (defaults to the year).
    pub start_year: Option<i32>,
    /// Period end (defaults to the year).
    pub end_year: Option<i32>,
    /// 上级财政拨款 in fen.
    #[serde(default)]
    pub funding_superior_fen: i64,
    /// 本级财政拨款 in fen (defaults to the whole request when no source is given).
    #[serde(default)]
    pub funding_local_fen: i64,
    /// 其他资金 in fen.
    #[serde(default)]
    pub funding_other_fen: i64,
    /// 立项依据.
    #[serde(default)]
    pub basis: String,
    /// 必要性.
    #[serde(default)]
    pub necessity: String,
    /// 项目负责人.
    #[serde(default)]
    pub person_in_charge: String,
    /// Serves people directly (default true).
    pub serves_people: Option<bool>,
    /// For edits: the version read.
    pub version: Option<i32>,
}

impl ProjectRequest {
    pub(crate) fn input(&self, year: i32) -> ProjectInput {
        ProjectInput {
            year,
            name: self.name.clone(),
            category: self.category.clone(),
            is_new: self.is_new.unwrap_or(true),
            previous_project: self
                .previous_project
                .clone()
                .filter(|c| !c.trim().is_empty()),
            start_year: self.start_year.unwrap_or(year),
            end_year: self.end_year.unwrap_or(year),
            requested_fen: self.requested_fen,
            funding_superior_fen: self.funding_superior_fen,
            funding_local_fen: self.funding_local_fen,
            funding_other_fen: self.funding_other_fen,
            basis: self.basis.clone(),
            necessity: self.necessity.clone(),
            person_in_charge: self.person_in_charge.clone(),
            serves_people: self.serves_people.unwrap_or(true),
        }
    }
}
