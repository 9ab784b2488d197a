//! The vocabulary of the target review: every finding code, its severity and the finding itself.
//! The codes are part of the API (`snake_case` in JSON); add new ones, never rename old ones.

use serde::{Deserialize, Serialize};

/// What a finding is about. The JSON form is the `snake_case` name, e.g. `vague_value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingCode {
    /// A value of adjectives or verbs with nothing to check against (明显提升 on a rate).
    VagueValue,
    /// A number stuck on an idea that cannot be counted (维护社会稳定 ≥95%).
    PseudoQuantified,
    /// A number with no comparison (10辆, 100%).
    MissingOperator,
    /// A number with no unit (180, ≥85, 250万).
    MissingUnit,
    /// `>=` or `<=` typed in ASCII instead of `≥` `≤`.
    AsciiOperator,
    /// `≤` on something where more is better, or `≥` where less is better.
    WrongDirection,
    /// A unit that does not fit what the indicator counts (people in 个, fees in 个).
    UnitMismatch,
    /// A value that cannot happen (≥100% or 120% on a rate).
    ImpossibleValue,
    /// The name states one figure and the value another.
    NameValueConflict,
    /// Left-overs of a template (指标1:, ≥**%, ★, XX, footnote marks).
    TemplateResidue,
    /// A row with nothing in it.
    EmptyRow,
    /// No satisfaction indicator on a project that serves people.
    SatisfactionMissing,
    /// A satisfaction indicator that is not a percentage.
    SatisfactionNotRate,
    /// A satisfaction indicator filed outside the satisfaction level.
    SatisfactionMisplaced,
    /// Points that do not add up to the rulebook's total.
    WeightsTotal,
    /// The overall or the annual goal is not stated.
    GoalMissing,
    /// The overall and the annual goal are the same text.
    GoalIdentical,
    /// A goal copied from another year.
    GoalStale,
    /// A goal that only names the activity, with nothing to check.
    GoalRestatesActivity,
    /// A level-1 or level-2 indicator that is not in the rulebook's tree.
    LevelNonstandard,
    /// A cost indicator larger than the whole amount requested.
    CostExceedsBudget,
    /// Cost indicators that do not reconcile with the amount requested.
    BudgetMismatch,
}

impl FindingCode {
    /// Every code, in the order findings of one row are reported.
    pub const ALL: [FindingCode; 22] = [
        FindingCode::VagueValue,
        FindingCode::PseudoQuantified,
        FindingCode::MissingOperator,
        FindingCode::MissingUnit,
        FindingCode::AsciiOperator,
        FindingCode::WrongDirection,
        FindingCode::UnitMismatch,
        FindingCode::ImpossibleValue,
        FindingCode::NameValueConflict,
        FindingCode::TemplateResidue,
        FindingCode::EmptyRow,
        FindingCode::SatisfactionMissing,
        FindingCode::SatisfactionNotRate,
        FindingCode::SatisfactionMisplaced,
        FindingCode::WeightsTotal,
        FindingCode::GoalMissing,
        FindingCode::GoalIdentical,
        FindingCode::GoalStale,
        FindingCode::GoalRestatesActivity,
        FindingCode::LevelNonstandard,
        FindingCode::CostExceedsBudget,
        FindingCode::BudgetMismatch,
    ];

    /// The code as stored and sent: `vague_value` …
    pub fn as_str(self) -> &'static str {
        match self {
            FindingCode::VagueValue => "vague_value",
            FindingCode::PseudoQuantified => "pseudo_quantified",
            FindingCode::MissingOperator => "missing_operator",
            FindingCode::MissingUnit => "missing_unit",
            FindingCode::AsciiOperator => "ascii_operator",
            FindingCode::WrongDirection => "wrong_direction",
            FindingCode::UnitMismatch => "unit_mismatch",
            FindingCode::ImpossibleValue => "impossible_value",
            FindingCode::NameValueConflict => "name_value_conflict",
            FindingCode::TemplateResidue => "template_residue",
            FindingCode::EmptyRow => "empty_row",
            FindingCode::SatisfactionMissing => "satisfaction_missing",
            FindingCode::SatisfactionNotRate => "satisfaction_not_rate",
            FindingCode::SatisfactionMisplaced => "satisfaction_misplaced",
            FindingCode::WeightsTotal => "weights_total",
            FindingCode::GoalMissing => "goal_missing",
            FindingCode::GoalIdentical => "goal_identical",
            FindingCode::GoalStale => "goal_stale",
            FindingCode::GoalRestatesActivity => "goal_restates_activity",
            FindingCode::LevelNonstandard => "level_nonstandard",
            FindingCode::CostExceedsBudget => "cost_exceeds_budget",
            FindingCode::BudgetMismatch => "budget_mismatch",
        }
    }

    /// Parses a code as sent.
    pub fn parse(text: &str) -> Option<FindingCode> {
        FindingCode::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// What reviewers call it (for counts by code on pages and in exports).
    pub fn label(self) -> &'static str {
        match self {
            FindingCode::VagueValue => "指标值不可考核",
            FindingCode::PseudoQuantified => "虚假量化",
            FindingCode::MissingOperator => "缺少比较符",
            FindingCode::MissingUnit => "缺少计量单位",
            FindingCode::AsciiOperator => "半角比较符",
            FindingCode::WrongDirection => "指标方向错误",
            FindingCode::UnitMismatch => "计量单位不符",
            FindingCode::ImpossibleValue => "指标值不可能实现",
            FindingCode::NameValueConflict => "名称与指标值矛盾",
            FindingCode::TemplateResidue => "模板残留",
            FindingCode::EmptyRow => "空行",
            FindingCode::SatisfactionMissing => "缺少满意度指标",
            FindingCode::SatisfactionNotRate => "满意度不是比率",
            FindingCode::SatisfactionMisplaced => "满意度归类错误",
            FindingCode::WeightsTotal => "分值合计不符",
            FindingCode::GoalMissing => "缺少绩效目标",
            FindingCode::GoalIdentical => "总体目标与年度目标相同",
            FindingCode::GoalStale => "目标沿用其他年度",
            FindingCode::GoalRestatesActivity => "目标仅复述工作内容",
            FindingCode::LevelNonstandard => "指标层级不规范",
            FindingCode::CostExceedsBudget => "成本超过预算",
            FindingCode::BudgetMismatch => "成本与预算不符",
        }
    }
}

impl std::fmt::Display for FindingCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a finding blocks submission (`error`) or only informs (`warning`); chosen per code by
/// the rulebook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Blocks submission.
    Error,
    /// Shown, does not block.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }

    /// 错误 or 提示.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "提示",
        }
    }
}

/// One thing a finance reviewer would send back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// What it is about.
    pub code: FindingCode,
    /// Whether it blocks submission.
    pub severity: Severity,
    /// The indicator row (from 1, blank rows counted as written), or `None` for the sheet.
    pub row: Option<usize>,
    /// The indicator's name as written (empty for sheet findings).
    pub indicator: String,
    /// Plain Chinese: what is wrong and what to write instead.
    pub message: String,
}

impl Finding {
    /// Whether it blocks submission.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Whether any finding blocks submission.
pub fn blocks_submission(findings: &[Finding]) -> bool {
    findings.iter().any(Finding::is_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_and_serialize_in_snake_case() -> Result<(), serde_json::Error> {
        for code in FindingCode::ALL {
            assert_eq!(FindingCode::parse(code.as_str()), Some(code));
            assert_eq!(serde_json::to_string(&code)?, format!("\"{code}\""));
            assert!(!code.label().is_empty());
        }
        assert_eq!(FindingCode::parse("nothing"), None);
        assert_eq!(serde_json::to_string(&Severity::Warning)?, "\"warning\"");
        Ok(())
    }
}
