//! Rulebooks: every rule that differs between places and years, as data. A rulebook is a TOML
//! document (see `rulebooks/national-default.toml` and `docs/rulebook-format.md`), versioned per
//! jurisdiction and fiscal year by the store.

use crate::money;
use serde::{Deserialize, Serialize};

/// The national default rulebook shipped with Jixiao.
pub const NATIONAL_DEFAULT: &str = include_str!("../../../rulebooks/national-default.toml");

/// The variant with budget execution worth 20 points in self-evaluation.
pub const EXECUTION_20: &str = include_str!("../../../rulebooks/execution-20.toml");

/// The rulebooks shipped with Jixiao, by name.
pub const SHIPPED: [(&str, &str); 2] = [
    ("national-default", NATIONAL_DEFAULT),
    ("execution-20", EXECUTION_20),
];

/// A whole rulebook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rulebook {
    /// Short name, e.g. `national-default`.
    pub name: String,
    /// Title users read.
    pub title: String,
    /// The regulations it follows.
    #[serde(default)]
    pub basis: String,
    /// Project categories.
    pub categories: Vec<Category>,
    /// The indicator tree.
    pub indicator_tree: Vec<Level1>,
    /// The gate before budget review.
    pub gate: GateRules,
    /// Ex-ante assessment.
    pub pre_assessment: PreAssessmentRule,
    /// The review chain.
    pub review: ReviewChain,
    /// In-year monitoring rules (the national defaults when left out).
    #[serde(default)]
    pub monitoring: crate::monitoring::MonitoringRules,
    /// Working days: holidays and exchanged weekend days.
    #[serde(default)]
    pub calendar: crate::calendar::WorkingCalendar,
    /// The expert and institution pools (the national defaults when left out).
    #[serde(default)]
    pub pools: crate::draw::PoolRules,
    /// Self-evaluation scoring and grades (the national defaults when left out).
    #[serde(default)]
    pub self_evaluation: crate::scoring::ScoringRules,
    /// Results application: what each grade does to next year's money.
    #[serde(default)]
    pub results_application: crate::adjustment::AdjustmentRules,
    /// Key evaluation: the framework and which projects are key ones.
    #[serde(default)]
    pub key_evaluation: crate::key_evaluation::KeyEvaluationRules,
    /// The target review (智能预审): severities, word lists, unit tables (the national defaults
    /// when left out).
    #[serde(default)]
    pub target_review: crate::target_review::TargetReviewRules,
}

/// A project category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Code stored with projects.
    pub code: String,
    /// Name users read.
    pub name: String,
}

/// A level-1 indicator and its level-2 indicators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level1 {
    /// e.g. 产出指标.
    pub level1: String,
    /// e.g. 数量指标, 质量指标 …
    pub level2: Vec<String>,
}

/// The gate's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateRules {
    /// The sheet must state an overall goal.
    pub require_overall_goal: bool,
    /// The sheet must state an annual goal.
    #[serde(default)]
    pub require_annual_goal: bool,
    /// The fewest indicators.
    pub min_indicators: u32,
    /// Level-2 indicators that must appear at least once.
    #[serde(default)]
    pub required_level2: Vec<String>,
    /// Level-1 indicators that must appear at least once.
    #[serde(default)]
    pub required_level1: Vec<String>,
    /// The level-1 indicator required when a project serves people.
    #[serde(default)]
    pub satisfaction_level1: Option<String>,
    /// Quantitative indicators need a number and a unit.
    pub quantitative_needs_value_and_unit: bool,
    /// The points of all indicators must add up to this.
    #[serde(default)]
    pub points_total: Option<u32>,
}

/// When an ex-ante assessment is needed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreAssessmentRule {
    /// Requests of at least this many 万元 need one.
    pub threshold_wan: String,
    /// Only new projects (not continuing ones) need one.
    #[serde(default)]
    pub new_projects_only: bool,
}

/// The review chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewChain {
    /// A unit's project is first reviewed by its department.
    pub department_step: bool,
    /// Target grades that block approval.
    #[serde(default)]
    pub blocking_grades: Vec<String>,
    /// Finance review steps, in order; the last one approves.
    pub steps: Vec<ReviewStep>,
    /// Separation of duties: no one person decides two finance steps of one submission (e.g.
    /// 预算科审核 and 绩效科审核 by different people).
    #[serde(default)]
    pub distinct_reviewers: bool,
}

/// One finance review step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewStep {
    /// Stored code, e.g. `budget`.
    pub code: String,
    /// Name users read, e.g. 预算科审核.
    pub name: String,
    /// This step grades the target sheet.
    #[serde(default)]
    pub grades_target: bool,
}

/// The code of the department review step.
pub const DEPARTMENT_STEP: &str = "department";

/// Why a rulebook was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulebookError {
    /// Not valid TOML or not the expected shape.
    #[error("规则文件格式有误：{0}")]
    Syntax(String),
    /// Well-formed but inconsistent.
    #[error("规则文件内容有误：{0}")]
    Inconsistent(String),
}

impl Rulebook {
    /// Parses and checks a rulebook.
    pub fn parse(text: &str) -> Result<Rulebook, RulebookError> {
        let rulebook: Rulebook =
            toml::from_str(text).map_err(|e| RulebookError::Syntax(e.to_string()))?;
        rulebook.check()?;
        Ok(rulebook)
    }

    /// The shipped national default.
    pub fn national_default() -> Result<Rulebook, RulebookError> {
        Rulebook::parse(NATIONAL_DEFAULT)
    }

    /// A shipped rulebook by name; `None` for an unknown name.
    pub fn shipped(name: &str) -> Option<Result<Rulebook, RulebookError>> {
        SHIPPED
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, text)| Rulebook::parse(text))
    }

    fn check(&self) -> Result<(), RulebookError> {
        let bad = |m: String| Err(RulebookError::Inconsistent(m));
        if self.name.trim().is_empty() {
            return bad("缺少 name".into());
        }
        if self.categories.is_empty() {
            return bad("至少需要一个项目类别".into());
        }
        let mut codes: Vec<&str> = self.categories.iter().map(|c| c.code.as_str()).collect();
        codes.sort_unstable();
        if codes.windows(2).any(|w| w[0] == w[1]) {
            return bad("项目类别代码重复".into());
        }
        if self.indicator_tree.is_empty() {
            return bad("指标体系不能为空".into());
        }
        let mut level2_names: Vec<&str> = Vec::new();
        for level1 in &self.indicator_tree {
            if level1.level2.is_empty() {
                return bad(format!("一级指标“{}”下没有二级指标", level1.level1));
            }
            level2_names.extend(level1.level2.iter().map(String::as_str));
        }
        for name in &self.gate.required_level2 {
            if !level2_names.contains(&name.as_str()) {
                return bad(format!("必设二级指标“{name}”不在指标体系中"));
            }
        }
        for name in self
            .gate
            .required_level1
            .iter()
            .chain(self.gate.satisfaction_level1.iter())
        {
            if self.level1(name).is_none() {
                return bad(format!("必设一级指标“{name}”不在指标体系中"));
            }
        }
        if money::parse_wan(&self.pre_assessment.threshold_wan).is_err() {
            return bad("事前绩效评估金额门槛应为万元数".into());
        }
        if self.review.steps.is_empty() {
            return bad("至少需要一个财政审核环节".into());
        }
        let mut steps: Vec<&str> = self.review.steps.iter().map(|s| s.code.as_str()).collect();
        steps.sort_unstable();
        if steps.windows(2).any(|w| w[0] == w[1]) || steps.contains(&DEPARTMENT_STEP) {
            return bad("审核环节代码重复或使用了保留代码 department".into());
        }
        if let Some(problem) = self.monitoring.problems().into_iter().next() {
            return bad(problem);
        }
        if let Some(problem) = self.self_evaluation.problems().into_iter().next() {
            return bad(problem);
        }
        if let Some(problem) = self.key_evaluation.problems().into_iter().next() {
            return bad(problem);
        }
        if let Some(problem) = self.target_review.problems().into_iter().next() {
            return bad(problem);
        }
        if let Some(problem) = self.pools.problems().into_iter().next() {
            return bad(problem);
        }
        let grades: Vec<&str> = self
            .self_evaluation
            .grades
            .iter()
            .map(|g| g.grade.as_str())
            .collect();
        if let Some(problem) = self
            .results_application
            .problems(&grades)
            .into_iter()
            .next()
        {
            return bad(problem);
        }
        for grade in &self.review.blocking_grades {
            if crate::project::TargetGrade::parse(grade).is_none() {
                return bad(format!("未知的目标等级“{grade}”"));
            }
        }
        Ok(())
    }

    /// The level-1 indicator named `name`.
    pub fn level1(&self, name: &str) -> Option<&Level1> {
        self.indicator_tree.iter().find(|l| l.level1 == name)
    }

    /// Whether `level2` sits under `level1` in the tree.
    pub fn has_level2(&self, level1: &str, level2: &str) -> bool {
        self.level1(level1)
            .is_some_and(|l| l.level2.iter().any(|n| n == level2))
    }

    /// The category with `code`.
    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }

    /// The pre-assessment threshold in fen.
    pub fn pre_assessment_threshold_fen(&self) -> i64 {
        money::parse_wan(&self.pre_assessment.threshold_wan).unwrap_or(i64::MAX)
    }

    /// The finance step named `code`.
    pub fn step(&self, code: &str) -> Option<&ReviewStep> {
        self.review.steps.iter().find(|s| s.code == code)
    }

    /// The name of a review step code, including the department step.
    pub fn step_name(&self, code: &str) -> String {
        if code == DEPARTMENT_STEP {
            "主管部门审核".to_owned()
        } else {
            self.step(code)
                .map_or_else(|| code.to_owned(), |s| s.name.clone())
        }
    }

    /// The first step for a project: its department's for a unit (when the chain has one),
    /// else the first finance step.
    pub fn first_step(&self, project_of_unit: bool) -> &str {
        if project_of_unit && self.review.department_step {
            DEPARTMENT_STEP
        } else {
            self.review.steps.first().map_or("", |s| s.code.as_str())
        }
    }

    /// The step after `code`, or `None` when `code` is the last (approving) step.
    pub fn next_step(&self, code: &str) -> Option<&str> {
        if code == DEPARTMENT_STEP {
            return self.review.steps.first().map(|s| s.code.as_str());
        }
        let position = self.review.steps.iter().position(|s| s.code == code)?;
        self.review.steps.get(position + 1).map(|s| s.code.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_national_default_loads_with_the_domain_defaults() -> Result<(), RulebookError> {
        let rulebook = Rulebook::national_default()?;
        assert_eq!(rulebook.gate.min_indicators, 3);
        assert!(rulebook.has_level2("产出指标", "数量指标"));
        assert!(!rulebook.has_level2("效益指标", "数量指标"));
        assert_eq!(rulebook.pre_assessment_threshold_fen(), 500_000_000);
        assert_eq!(rulebook.first_step(true), DEPARTMENT_STEP);
        assert_eq!(rulebook.first_step(false), "budget");
        assert_eq!(rulebook.next_step(DEPARTMENT_STEP), Some("budget"));
        assert_eq!(rulebook.next_step("budget"), Some("performance"));
        assert_eq!(rulebook.next_step("performance"), None);
        assert_eq!(rulebook.step_name("performance"), "绩效科审核");
        Ok(())
    }

    #[test]
    fn the_shipped_rulebooks_carry_their_scoring_rules() -> Result<(), RulebookError> {
        let national = Rulebook::national_default()?;
        assert_eq!(
            national.self_evaluation,
            crate::scoring::ScoringRules::default()
        );
        assert_eq!(
            national.results_application,
            crate::adjustment::AdjustmentRules::default()
        );
        let variant =
            Rulebook::shipped("execution-20").ok_or(RulebookError::Syntax("missing".into()))??;
        assert_eq!(variant.name, "execution-20");
        assert_eq!(variant.self_evaluation.execution_points, 20);
        assert_eq!(variant.self_evaluation.qualitative_bands[1].low_percent, 50);
        assert!(Rulebook::shipped("nowhere").is_none());
        Ok(())
    }

    #[test]
    fn the_2021_tree_with_cost_as_level_one_loads_too() -> Result<(), RulebookError> {
        let text = NATIONAL_DEFAULT.replace(
            "[[indicator_tree]]\nlevel1 = \"效益指标\"",
            "[[indicator_tree]]\nlevel1 = \"成本指标\"\nlevel2 = [\"经济成本指标\", \"社会成本指标\", \"生态环境成本指标\"]\n\n[[indicator_tree]]\nlevel1 = \"效益指标\"",
        );
        let rulebook = Rulebook::parse(&text)?;
        assert!(rulebook.has_level2("成本指标", "生态环境成本指标"));
        Ok(())
    }

    #[test]
    fn inconsistent_or_malformed_rulebooks_are_refused() {
        let unknown_level = NATIONAL_DEFAULT.replace(
            "required_level2 = [\"数量指标\"]",
            "required_level2 = [\"数目指标\"]",
        );
        assert!(matches!(
            Rulebook::parse(&unknown_level),
            Err(RulebookError::Inconsistent(_))
        ));
        let bad_threshold =
            NATIONAL_DEFAULT.replace("threshold_wan = \"500\"", "threshold_wan = \"五百\"");
        assert!(Rulebook::parse(&bad_threshold).is_err());
        assert!(matches!(
            Rulebook::parse("name = 3"),
            Err(RulebookError::Syntax(_))
        ));
        let typo = NATIONAL_DEFAULT.replace("min_indicators = 3", "min_indicator = 3");
        assert!(matches!(
            Rulebook::parse(&typo),
            Err(RulebookError::Syntax(_))
        ));
    }
}
