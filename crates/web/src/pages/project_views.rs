//! What project pages show, formatted for reading: money in 万元, states, steps and categories
//! by name, target sheets as rows.

use jixiao_core::money;
use jixiao_core::rulebook::Rulebook;
use jixiao_core::target::{TargetSheet, format_points};
use jixiao_store::Project;

/// A project as a list row.
pub struct ProjectRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub agency_name: String,
    pub category: String,
    pub requested_wan: String,
    pub approved_wan: String,
    pub state: String,
    /// The automatic review of the working target sheet: 2个错误 1个提示, 无, or — (never
    /// reviewed).
    pub review: String,
    /// Whether a finding blocks submission.
    pub review_blocks: bool,
}

impl ProjectRow {
    pub fn new(project: &Project, rulebook: Option<&Rulebook>) -> ProjectRow {
        let state = match (&project.review_step, rulebook) {
            (Some(step), Some(rulebook)) => {
                format!("{}（{}）", project.state_label(), rulebook.step_name(step))
            }
            _ => project.state_label().to_owned(),
        };
        ProjectRow {
            id: project.id,
            code: project.code.clone(),
            name: project.name.clone(),
            agency_name: project.agency_name.clone(),
            category: category_name(rulebook, &project.category),
            requested_wan: money::format_wan(project.requested_fen),
            approved_wan: project
                .approved_fen
                .map(money::format_wan)
                .unwrap_or_default(),
            state,
            review: match (project.target_review_errors, project.target_review_warnings) {
                (None, _) => "—".to_owned(),
                (Some(0), None | Some(0)) => "无".to_owned(),
                (Some(0), Some(w)) => format!("{w}个提示"),
                (Some(e), None | Some(0)) => format!("{e}个错误"),
                (Some(e), Some(w)) => format!("{e}个错误 {w}个提示"),
            },
            review_blocks: project.target_review_errors.unwrap_or(0) > 0,
        }
    }
}

/// A category's name from the rulebook (its code when unknown).
pub fn category_name(rulebook: Option<&Rulebook>, code: &str) -> String {
    rulebook
        .and_then(|r| r.category(code))
        .map_or_else(|| code.to_owned(), |c| c.name.clone())
}

/// One indicator as read.
pub struct IndicatorRowView {
    pub level1: String,
    pub level2: String,
    pub name: String,
    pub op: &'static str,
    pub value: String,
    pub unit: String,
    pub points: String,
    pub value_basis: String,
}

/// A target sheet as read.
pub struct SheetView {
    pub overall_goal: String,
    pub annual_goal: String,
    pub rows: Vec<IndicatorRowView>,
}

impl From<&TargetSheet> for SheetView {
    fn from(sheet: &TargetSheet) -> Self {
        SheetView {
            overall_goal: sheet.overall_goal.clone(),
            annual_goal: sheet.annual_goal.clone(),
            rows: sheet
                .indicators
                .iter()
                .map(|i| IndicatorRowView {
                    level1: i.level1.clone(),
                    level2: i.level2.clone(),
                    name: i.name.clone(),
                    op: i.op.label(),
                    value: i.value.clone(),
                    unit: i.unit.clone(),
                    points: format_points(i.points_x100),
                    value_basis: i.value_basis.clone(),
                })
                .collect(),
        }
    }
}
