//! A published self-evaluation table beside the rulebook's recomputation: item by item and in
//! total, with the consistency findings (points, scores above points, totals that are not the sum
//! of their items, met targets given less than their points, scores that differ from the rules).

use crate::self_evaluation_xlsx::{SelfEvaluationTable, TableError};
use jixiao_core::scoring::{Finding, ItemInput, ScoringRules, SheetScore, format_score};
use jixiao_core::target::{Operator, RowError};
use serde::Serialize;

/// One line of the comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComparedItem {
    /// Sheet row.
    pub row: u32,
    /// 一级指标.
    pub level1: String,
    /// 三级指标.
    pub name: String,
    /// 年度指标值 as read (operator, value, unit).
    pub target: String,
    /// 实际完成值 as read.
    pub actual: String,
    /// 分值.
    pub points: String,
    /// The table's 得分.
    pub published: Option<String>,
    /// Ours.
    pub computed: String,
    /// Whether they agree.
    pub agrees: bool,
}

/// The table beside our recomputation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comparison {
    /// 项目名称.
    pub project: String,
    /// 主管部门.
    pub department: String,
    /// 实施单位.
    pub implementing_unit: String,
    /// The rulebook used (its short name).
    pub rulebook: String,
    /// The rulebook used as users read it: `预算执行率20分规则（execution-20）`.
    pub rulebook_title: String,
    /// The table's 总分.
    pub total_published: Option<String>,
    /// Ours.
    pub total_computed: String,
    /// Grade by ours.
    pub grade: String,
    /// Budget execution, then each indicator.
    pub items: Vec<ComparedItem>,
    /// Consistency findings.
    pub findings: Vec<Finding>,
    /// Our scores (for storing).
    #[serde(skip)]
    pub scored: SheetScore,
}

fn finding(code: &str, row: Option<usize>, message: String) -> Finding {
    Finding {
        code: code.to_owned(),
        row,
        message,
    }
}

/// 实际完成值 as read, with the target's unit for a number.
fn actual_shown(input: &ItemInput) -> String {
    if input.op == Operator::Qualitative.as_str() || input.actual.is_empty() {
        format!("“{}”", input.actual)
    } else {
        format!("{}{}", input.actual, input.unit)
    }
}

/// Recomputes a table by `rules` and compares it with its own scores.
pub fn compare(
    table: &SelfEvaluationTable,
    rules: &ScoringRules,
    rulebook: &str,
) -> Result<Comparison, TableError> {
    let inputs: Vec<ItemInput> = table.items.iter().map(|i| i.input.clone()).collect();
    let scored = jixiao_core::scoring::score(rules, &table.budget, &inputs).map_err(|errors| {
        TableError::Cells(
            errors
                .into_iter()
                .map(|e| {
                    let sheet_row = table
                        .items
                        .get(e.row.wrapping_sub(1))
                        .map_or(0, |i| i.sheet_row as usize);
                    let text = e
                        .message
                        .split_once('：')
                        .map_or(e.message.as_str(), |(_, m)| m)
                        .to_owned();
                    RowError {
                        row: sheet_row,
                        field: e.field,
                        message: format!("第{sheet_row}行：{text}"),
                    }
                })
                .collect(),
        )
    })?;
    let mut findings = scored.findings.clone();
    findings.extend(jixiao_core::scoring::level1_findings(rules, &inputs));
    let mut items = Vec::with_capacity(table.items.len() + 1);
    let rule_points = i64::from(rules.execution_points) * 100;
    if let Some(points) = table.execution_points_x100
        && points != rule_points
    {
        findings.push(finding(
            "execution_points",
            None,
            format!(
                "预算执行率分值为{}分，规则为{}分",
                format_score(points),
                rules.execution_points
            ),
        ));
    }
    items.push(ComparedItem {
        row: 0,
        level1: "预算执行率".to_owned(),
        name: "预算执行率".to_owned(),
        target: "100%".to_owned(),
        actual: format!(
            "{}.{:02}%",
            scored.execution.rate_bp / 100,
            scored.execution.rate_bp % 100
        ),
        points: format_score(scored.execution.points_x100),
        published: table.execution_published_x100.map(format_score),
        computed: format_score(scored.execution.score_x100),
        agrees: table
            .execution_published_x100
            .is_none_or(|p| p == scored.execution.score_x100),
    });
    if let Some(published) = table.execution_published_x100 {
        if published > table.execution_points_x100.unwrap_or(rule_points) {
            findings.push(finding(
                "score_above_points",
                None,
                format!("预算执行率得分{}超过分值", format_score(published)),
            ));
        }
        if published != scored.execution.score_x100 {
            findings.push(finding(
                "item_differs",
                None,
                format!(
                    "预算执行率：表内得分{}，按规则应为{}",
                    format_score(published),
                    format_score(scored.execution.score_x100)
                ),
            ));
        }
    }
    for (item, s) in table.items.iter().zip(&scored.items) {
        let row = item.sheet_row as usize;
        if let Some(published) = item.published_x100 {
            if published > s.points_x100 {
                findings.push(finding(
                    "score_above_points",
                    Some(row),
                    format!(
                        "第{row}行“{}”得分{}超过分值{}",
                        item.input.name,
                        format_score(published),
                        format_score(s.points_x100)
                    ),
                ));
            }
            let met = s.manual_x100.is_none()
                && !s.missed
                && s.computed_x100 == Some(s.effective_points_x100);
            if met && published < s.final_x100 {
                findings.push(finding(
                    "met_target_docked",
                    Some(row),
                    format!(
                        "第{row}行“{}”已完成年度指标（实际完成值{}），表内得分{}低于分值{}，按规则应得满分",
                        item.input.name,
                        actual_shown(&item.input),
                        format_score(published),
                        format_score(s.points_x100)
                    ),
                ));
            } else if published != s.final_x100 {
                findings.push(finding(
                    "item_differs",
                    Some(row),
                    format!(
                        "第{row}行“{}”：表内得分{}，按规则应为{}",
                        item.input.name,
                        format_score(published),
                        format_score(s.final_x100)
                    ),
                ));
            }
        }
        let target = if item.input.op == Operator::Qualitative.as_str() {
            item.input.target.clone()
        } else {
            let op = Operator::parse(&item.input.op).map_or("", |o| o.label());
            format!("{op}{}{}", item.input.target, item.input.unit)
        };
        items.push(ComparedItem {
            row: item.sheet_row,
            level1: item.input.level1.clone(),
            name: item.input.name.clone(),
            target,
            actual: item.input.actual.clone(),
            points: format_score(s.points_x100),
            published: item.published_x100.map(format_score),
            computed: format_score(s.final_x100),
            agrees: item.published_x100.is_none_or(|p| p == s.final_x100),
        });
    }
    if let Some(total) = table.total_published_x100 {
        let parts: Option<i64> = table
            .items
            .iter()
            .map(|i| i.published_x100)
            .chain(std::iter::once(table.execution_published_x100))
            .sum();
        if let Some(sum) = parts
            && sum != total
        {
            findings.push(finding(
                "points_not_sum",
                None,
                format!(
                    "表内总分{}不等于各项得分之和{}",
                    format_score(total),
                    format_score(sum)
                ),
            ));
        }
        if total != scored.total_x100 {
            findings.push(finding(
                "total_differs",
                None,
                format!(
                    "表内总分{}，按规则重算为{}",
                    format_score(total),
                    format_score(scored.total_x100)
                ),
            ));
        }
    }
    Ok(Comparison {
        project: table.project.clone(),
        department: table.department.clone(),
        implementing_unit: table.implementing_unit.clone(),
        rulebook: rulebook.to_owned(),
        rulebook_title: rulebook.to_owned(),
        total_published: table.total_published_x100.map(format_score),
        total_computed: format_score(scored.total_x100),
        grade: scored.grade.clone(),
        items,
        findings,
        scored,
    })
}
