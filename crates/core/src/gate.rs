//! The gate (目标关口): a project cannot go on to budget review without a complete, measurable
//! target sheet, and a large new project also needs an ex-ante assessment that supports it.
//! Every finding is reported at once, in plain Chinese, pointing at its row.

use crate::money;
use crate::project::PreAssessment;
use crate::rulebook::Rulebook;
use crate::target::{Operator, TargetSheet};
use serde::Serialize;

/// One reason the gate stays shut.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable code, e.g. `missing_unit`.
    pub code: &'static str,
    /// Plain Chinese, e.g. 第3行：定量指标缺少计量单位.
    pub message: String,
    /// The row (from 1), when the finding is about one.
    pub row: Option<usize>,
}

/// What the gate needs to know about the project besides its sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProjectFacts {
    /// A new project (not continuing).
    pub is_new: bool,
    /// Requested amount in fen.
    pub requested_fen: i64,
    /// Serves people directly.
    pub serves_people: bool,
    /// The ex-ante assessment's conclusion, if one was made.
    pub pre_assessment: Option<PreAssessment>,
}

fn sheet_finding(code: &'static str, message: String) -> Finding {
    Finding {
        code,
        message,
        row: None,
    }
}

fn row_finding(code: &'static str, row: usize, message: &str) -> Finding {
    Finding {
        code,
        message: format!("第{row}行：{message}"),
        row: Some(row),
    }
}

/// Runs the rulebook's gate. An empty list means the project may be submitted.
pub fn check(rulebook: &Rulebook, sheet: &TargetSheet, project: ProjectFacts) -> Vec<Finding> {
    let rules = &rulebook.gate;
    let mut findings = Vec::new();
    if rules.require_overall_goal && sheet.overall_goal.trim().is_empty() {
        findings.push(sheet_finding("missing_overall_goal", "缺少总体目标".into()));
    }
    if rules.require_annual_goal && sheet.annual_goal.trim().is_empty() {
        findings.push(sheet_finding("missing_annual_goal", "缺少年度目标".into()));
    }
    let count = sheet.indicators.len();
    if count < rules.min_indicators as usize {
        findings.push(sheet_finding(
            "too_few_indicators",
            format!("绩效指标不少于{}个，现有{count}个", rules.min_indicators),
        ));
    }
    for level2 in &rules.required_level2 {
        if !sheet.indicators.iter().any(|i| &i.level2 == level2) {
            findings.push(sheet_finding(
                "missing_required_level2",
                format!("缺少{level2}"),
            ));
        }
    }
    for level1 in &rules.required_level1 {
        if !sheet.indicators.iter().any(|i| &i.level1 == level1) {
            findings.push(sheet_finding(
                "missing_required_level1",
                format!("缺少{level1}"),
            ));
        }
    }
    if let Some(satisfaction) = &rules.satisfaction_level1
        && project.serves_people
        && !sheet.indicators.iter().any(|i| &i.level1 == satisfaction)
    {
        findings.push(sheet_finding(
            "missing_satisfaction",
            format!("项目服务对象为群众，应设置{satisfaction}"),
        ));
    }
    for (code, error) in crate::target::rulebook_row_errors(rulebook, sheet) {
        findings.push(Finding {
            code,
            message: error.message,
            row: Some(error.row),
        });
    }
    for (index, indicator) in sheet.indicators.iter().enumerate() {
        let row = index + 1;
        if indicator.name.is_empty() {
            findings.push(row_finding("missing_name", row, "缺少指标名称"));
        }
        if indicator.op.is_quantitative() && rules.quantitative_needs_value_and_unit {
            if indicator.value.is_empty() {
                findings.push(row_finding("missing_value", row, "定量指标缺少指标值"));
            }
            if indicator.unit.is_empty() {
                findings.push(row_finding("missing_unit", row, "定量指标缺少计量单位"));
            }
        }
        if indicator.op == Operator::Qualitative && indicator.value.is_empty() {
            findings.push(row_finding("missing_value", row, "定性指标缺少目标描述"));
        }
    }
    if let Some(total) = rules.points_total {
        let sum: i64 = sheet.indicators.iter().map(|i| i.points_x100).sum();
        if sum != i64::from(total) * 100 && count > 0 {
            findings.push(sheet_finding(
                "points_total",
                format!(
                    "指标分值合计应为{total}分，现为{}分",
                    crate::target::format_points(sum)
                ),
            ));
        }
    }
    let threshold = rulebook.pre_assessment_threshold_fen();
    let needs_assessment = project.requested_fen >= threshold
        && (project.is_new || !rulebook.pre_assessment.new_projects_only);
    if needs_assessment {
        match project.pre_assessment {
            None => findings.push(sheet_finding(
                "missing_pre_assessment",
                format!(
                    "申报金额达到{}万元，须先开展事前绩效评估",
                    money::format_wan_exact(threshold)
                ),
            )),
            Some(PreAssessment::Reject) => findings.push(sheet_finding(
                "pre_assessment_rejected",
                "事前绩效评估结论为“不予支持”，不能提交".into(),
            )),
            Some(_) => {}
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::Indicator;

    fn indicator(
        level1: &str,
        level2: &str,
        op: Operator,
        value: &str,
        unit: &str,
        points: i64,
    ) -> Indicator {
        Indicator {
            level1: level1.into(),
            level2: level2.into(),
            name: "指标".into(),
            op,
            value: value.into(),
            unit: unit.into(),
            points_x100: points * 100,
            value_basis: String::new(),
            explanation: String::new(),
            data_source: String::new(),
        }
    }

    fn good_sheet() -> TargetSheet {
        TargetSheet {
            overall_goal: "开发扶贫专岗，带动贫困人口就业".into(),
            annual_goal: "全年设置扶贫专岗9个".into(),
            indicators: vec![
                indicator("产出指标", "数量指标", Operator::AtLeast, "9", "个", 40),
                indicator(
                    "效益指标",
                    "社会效益指标",
                    Operator::Qualitative,
                    "明显提升",
                    "",
                    40,
                ),
                indicator(
                    "满意度指标",
                    "服务对象满意度指标",
                    Operator::AtLeast,
                    "90",
                    "%",
                    20,
                ),
            ],
        }
    }

    fn facts() -> ProjectFacts {
        ProjectFacts {
            is_new: true,
            requested_fen: 1_000_000,
            serves_people: true,
            pre_assessment: None,
        }
    }

    fn codes(findings: &[Finding]) -> Vec<&'static str> {
        findings.iter().map(|f| f.code).collect()
    }

    fn rulebook() -> Rulebook {
        Rulebook::national_default().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_complete_sheet_passes() {
        assert!(check(&rulebook(), &good_sheet(), facts()).is_empty());
    }

    #[test]
    fn an_empty_sheet_gets_every_sheet_finding_at_once() {
        let findings = check(&rulebook(), &TargetSheet::default(), facts());
        assert_eq!(
            codes(&findings),
            [
                "missing_overall_goal",
                "missing_annual_goal",
                "too_few_indicators",
                "missing_required_level2",
                "missing_required_level1",
                "missing_satisfaction",
            ]
        );
        assert_eq!(findings[2].message, "绩效指标不少于3个，现有0个");
        assert_eq!(findings[3].message, "缺少数量指标");
        assert_eq!(findings[4].message, "缺少效益指标");
    }

    #[test]
    fn rows_missing_values_or_units_are_named() {
        let mut sheet = good_sheet();
        sheet.indicators[0].unit.clear();
        sheet.indicators[2].value.clear();
        sheet.indicators[1].value.clear();
        sheet.indicators[1].name.clear();
        let findings = check(&rulebook(), &sheet, facts());
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "第1行：定量指标缺少计量单位",
                "第2行：缺少指标名称",
                "第2行：定性指标缺少目标描述",
                "第3行：定量指标缺少指标值",
            ]
        );
        assert_eq!(findings[0].row, Some(1));
    }

    #[test]
    fn satisfaction_is_required_only_where_people_are_served() {
        let mut sheet = good_sheet();
        sheet.indicators[2] = indicator("产出指标", "时效指标", Operator::AtMost, "30", "天", 20);
        assert_eq!(
            codes(&check(&rulebook(), &sheet, facts())),
            ["missing_satisfaction"]
        );
        let internal = ProjectFacts {
            serves_people: false,
            ..facts()
        };
        assert!(check(&rulebook(), &sheet, internal).is_empty());
    }

    #[test]
    fn points_must_add_up_to_the_rulebook_total() {
        let mut sheet = good_sheet();
        sheet.indicators[0].points_x100 = 3550;
        let findings = check(&rulebook(), &sheet, facts());
        assert_eq!(findings[0].message, "指标分值合计应为100分，现为95.5分");
    }

    #[test]
    fn large_new_projects_need_a_supporting_pre_assessment() {
        let big = ProjectFacts {
            requested_fen: 500_000_000,
            ..facts()
        };
        let findings = check(&rulebook(), &good_sheet(), big);
        assert_eq!(
            findings[0].message,
            "申报金额达到500万元，须先开展事前绩效评估"
        );
        for (conclusion, passes) in [
            (PreAssessment::Support, true),
            (PreAssessment::SupportAfterAdjustment, true),
            (PreAssessment::Reject, false),
        ] {
            let assessed = ProjectFacts {
                pre_assessment: Some(conclusion),
                ..big
            };
            assert_eq!(
                check(&rulebook(), &good_sheet(), assessed).is_empty(),
                passes
            );
        }
        let continuing = ProjectFacts {
            is_new: false,
            ..big
        };
        assert!(check(&rulebook(), &good_sheet(), continuing).is_empty());
        let just_below = ProjectFacts {
            requested_fen: 499_999_999,
            ..facts()
        };
        assert!(check(&rulebook(), &good_sheet(), just_below).is_empty());
    }

    #[test]
    fn a_rulebook_can_loosen_the_gate() {
        let mut loose = rulebook();
        loose.gate.min_indicators = 1;
        loose.gate.required_level1.clear();
        loose.gate.points_total = None;
        let sheet = TargetSheet {
            indicators: vec![indicator(
                "产出指标",
                "数量指标",
                Operator::AtLeast,
                "1",
                "个",
                10,
            )],
            ..good_sheet()
        };
        let internal = ProjectFacts {
            serves_people: false,
            ..facts()
        };
        assert!(check(&loose, &sheet, internal).is_empty());
    }
}
