//! The `[target_review]` section of a rulebook: severities, word lists, unit tables and thresholds
//! of the target review, with the national defaults. Every list may be replaced by a province;
//! what a rulebook leaves out keeps its default.

use super::findings::{FindingCode, Severity};
use crate::rulebook::Level1;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What an indicator counts or measures, recognised from its name, and the units that fit it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectKind {
    /// Short key; `rate` (percentages and their cap of 100%) and `time` (deadlines in words) carry
    /// meaning, others are free.
    pub kind: String,
    /// What users read, e.g. 人数.
    pub label: String,
    /// Words in an indicator name that mean this object; `A+B` needs both words.
    pub name_words: Vec<String>,
    /// Units that fit it (without 万/亿: `万元` fits when `元` is listed).
    pub units: Vec<String>,
    /// A value to suggest in messages, e.g. `≥90%`.
    pub example: String,
}

/// The target review's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TargetReviewRules {
    /// Severity of each code; a code left out keeps its default.
    pub severity: BTreeMap<String, Severity>,
    /// On a qualitative indicator, accept a graded change (明显提升, 有效改善) as a statement the
    /// self-evaluation can grade; a bare 提高 or 良好 is vague either way.
    pub graded_qualitative: bool,
    /// Accept 产出 for 产出指标, 社会效益 for 社会效益指标.
    pub accept_short_level_names: bool,
    /// Levels accepted besides the rulebook's tree (e.g. the 2021 成本指标 level).
    pub also_accepted_levels: Vec<Level1>,
    /// Cost reconciliation tolerance, in percent of the amount requested.
    pub budget_tolerance_percent: u32,
    /// A goal with no figure whose words beyond the activity are this short only restates it.
    pub restate_max_chars: u32,
    /// Objects by priority: the first whose words are in a name decides.
    pub objects: Vec<ObjectKind>,
    /// Endings of a name that make it a quality, not a quantity (合规性, 生活状况, 管护机制): the
    /// name's other words (资金, 人员) do not make it count money or people.
    pub qualitative_heads: Vec<String>,
    /// Words that make a time indicator's value a deadline (年底前, 每季度末, 按月): `time` objects.
    pub deadline_words: Vec<String>,
    /// Words that alone make no checkable value (提高, 明显, 良好, 长期, 持续 …).
    pub vague_words: Vec<String>,
    /// Degree words that grade a change (明显, 显著, 有效 …).
    pub grade_words: Vec<String>,
    /// Words of change (提高, 改善, 降低 …): a percentage of change needs no rate in the name.
    pub change_words: Vec<String>,
    /// Particles ignored when reading a statement (的, 和 …).
    pub filler_words: Vec<String>,
    /// Ideas that cannot be counted (社会稳定, 获得感 …).
    pub abstract_words: Vec<String>,
    /// Actions whose share may be stated in percent without 率 in the name (发放, 完成 …).
    pub implicit_rate_words: Vec<String>,
    /// Rates that may pass 100% (增长, 控制率 …).
    pub unbounded_rate_words: Vec<String>,
    /// More is better: `≤` is the wrong way (人数, 合格率 …).
    pub more_is_better: Vec<String>,
    /// Less is better: `≥` is the wrong way (成本, 完成时间, 发生率 …).
    pub less_is_better: Vec<String>,
    /// Either way, checked first (控制率, 降低 …).
    pub either_way: Vec<String>,
    /// Words of a satisfaction indicator (满意).
    pub satisfaction_words: Vec<String>,
    /// A money indicator per person, household or unit (人均, 标准 …).
    pub per_unit_words: Vec<String>,
    /// A money indicator for the whole project (总成本, 总投资 …).
    pub total_cost_words: Vec<String>,
    /// Words that show a project serves people (群众, 农户, 学生 …).
    pub served_words: Vec<String>,
    /// Indicators measured without a unit (指数, 系数 …).
    pub unitless_words: Vec<String>,
    /// Marks left from templates or footnotes (★, *, ※ …).
    pub residue_marks: Vec<String>,
    /// Words left from templates (XX, 请填写, 示例 …).
    pub residue_words: Vec<String>,
    /// Numbered labels left before a name (`指标1：`): the label, then a number.
    pub residue_prefixes: Vec<String>,
    /// Words that put an annual goal in another year (明年 …).
    pub stale_words: Vec<String>,
    /// Words that only name an activity in a goal (做好, 开展, 工作 …).
    pub activity_words: Vec<String>,
}

/// Codes that only inform by default.
const WARNINGS: [FindingCode; 6] = [
    FindingCode::AsciiOperator,
    FindingCode::EmptyRow,
    FindingCode::SatisfactionMisplaced,
    FindingCode::GoalIdentical,
    FindingCode::GoalRestatesActivity,
    FindingCode::BudgetMismatch,
];

/// The default severity of a code.
pub fn default_severity(code: FindingCode) -> Severity {
    if WARNINGS.contains(&code) {
        Severity::Warning
    } else {
        Severity::Error
    }
}

impl TargetReviewRules {
    /// The severity the rulebook gives `code`.
    pub fn severity_of(&self, code: FindingCode) -> Severity {
        self.severity
            .get(code.as_str())
            .copied()
            .unwrap_or_else(|| default_severity(code))
    }

    /// What is inconsistent, in Chinese (empty when sound).
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for code in self.severity.keys() {
            if FindingCode::parse(code).is_none() {
                problems.push(format!(
                    "target_review.severity 中的“{code}”不是预审问题代码"
                ));
            }
        }
        for object in &self.objects {
            if object.kind.trim().is_empty() || object.name_words.is_empty() {
                problems.push("target_review.objects 每项需要 kind 和 name_words".to_owned());
            }
            let empty_word = object
                .name_words
                .iter()
                .any(|w| w.split('+').any(|p| p.trim().is_empty()));
            if empty_word {
                problems.push(format!("target_review.objects “{}”含空词", object.kind));
            }
        }
        if self.budget_tolerance_percent > 100 {
            problems.push("target_review.budget_tolerance_percent 应在0至100之间".to_owned());
        }
        problems
    }
}
