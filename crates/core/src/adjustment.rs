//! Results application (结果应用): the rulebook's map from an evaluation grade to what happens to
//! the project's money next year, and the proposal it makes for a continuing project.

use serde::{Deserialize, Serialize};

/// What a grade does to next year's request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeAction {
    /// 优 / 良 / 中 / 差.
    pub grade: String,
    /// Code: `priority`, `as_needed`, `cut`, `cancel`.
    pub action: String,
    /// Name users read: 优先保障.
    pub label: String,
    /// Share of next year's request taken away, in percent (100 for `cancel`).
    #[serde(default)]
    pub cut_percent: u32,
}

/// The results-application rules of a rulebook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentRules {
    /// One action per grade.
    pub actions: Vec<GradeAction>,
}

impl Default for AdjustmentRules {
    fn default() -> AdjustmentRules {
        let action = |grade: &str, action: &str, label: &str, cut_percent| GradeAction {
            grade: grade.to_owned(),
            action: action.to_owned(),
            label: label.to_owned(),
            cut_percent,
        };
        AdjustmentRules {
            actions: vec![
                action("优", "priority", "优先保障", 0),
                action("良", "as_needed", "按需安排", 0),
                action("中", "cut", "压减预算", 10),
                action("差", "cancel", "取消或暂停安排", 100),
            ],
        }
    }
}

/// The proposal for next year's continuing project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    /// Action code.
    pub action: String,
    /// What users read.
    pub label: String,
    /// Money to cut from next year's request, in fen.
    pub cut_fen: i64,
}

/// Action codes a rulebook may use.
pub const ACTIONS: [&str; 4] = ["priority", "as_needed", "cut", "cancel"];

impl AdjustmentRules {
    /// What is wrong with these rules, in Chinese.
    pub fn problems(&self, grades: &[&str]) -> Vec<String> {
        let mut problems = Vec::new();
        for grade in grades {
            if !self.actions.iter().any(|a| a.grade == *grade) {
                problems.push(format!("结果应用规则缺少等级“{grade}”"));
            }
        }
        for a in &self.actions {
            if !ACTIONS.contains(&a.action.as_str()) {
                problems.push(format!("未知的结果应用方式“{}”", a.action));
            }
            if a.cut_percent > 100 || (a.action == "cancel" && a.cut_percent != 100) {
                problems.push(format!("等级“{}”的调减比例有误", a.grade));
            }
        }
        problems
    }

    /// The proposal for a grade and next year's request; `None` for a grade without a rule.
    pub fn propose(&self, grade: &str, next_requested_fen: i64) -> Option<Proposal> {
        let action = self.actions.iter().find(|a| a.grade == grade)?;
        let cut = i128::from(next_requested_fen.max(0)) * i128::from(action.cut_percent);
        let cut_fen = i64::try_from((cut + 50) / 100).unwrap_or(i64::MAX);
        Some(Proposal {
            action: action.action.clone(),
            label: action.label.clone(),
            cut_fen,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_cuts_fair_by_ten_percent_and_cancels_poor() {
        let rules = AdjustmentRules::default();
        assert!(rules.problems(&["优", "良", "中", "差"]).is_empty());
        assert_eq!(
            rules.propose("中", 200_000_000).map(|p| p.cut_fen),
            Some(20_000_000)
        );
        let poor = rules.propose("差", 123_456);
        assert_eq!(poor.as_ref().map(|p| p.cut_fen), Some(123_456));
        assert_eq!(poor.map(|p| p.action), Some("cancel".to_owned()));
        assert_eq!(rules.propose("良", 500).map(|p| p.cut_fen), Some(0));
        assert_eq!(rules.propose("甲", 500), None);
        // 10% of 0.05元 rounds half-up to 1 fen.
        assert_eq!(rules.propose("中", 5).map(|p| p.cut_fen), Some(1));
    }

    #[test]
    fn rules_without_a_grade_or_with_odd_shares_are_refused() {
        let mut rules = AdjustmentRules::default();
        rules.actions.pop();
        assert_eq!(rules.problems(&["优", "良", "中", "差"]).len(), 1);
        rules.actions[2].cut_percent = 120;
        assert_eq!(rules.problems(&["优", "良", "中"]).len(), 1);
    }
}
