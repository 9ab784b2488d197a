//! Projects (项目): what a project is when entered, its states in review, the grade of its
//! target sheet and the conclusion of its ex-ante assessment.

use crate::money;
use crate::rulebook::Rulebook;
use crate::validation::ValidationErrors;
use serde::{Deserialize, Serialize};

pub use crate::workflow::ProjectState;

/// The grade finance gives a target sheet (目标审核等级).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TargetGrade {
    /// 优
    Excellent,
    /// 良
    Good,
    /// 中
    Fair,
    /// 差
    Poor,
}

impl TargetGrade {
    /// Every grade, best first.
    pub const ALL: [TargetGrade; 4] = [
        TargetGrade::Excellent,
        TargetGrade::Good,
        TargetGrade::Fair,
        TargetGrade::Poor,
    ];

    /// The character users read and type: 优, 良, 中, 差.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetGrade::Excellent => "优",
            TargetGrade::Good => "良",
            TargetGrade::Fair => "中",
            TargetGrade::Poor => "差",
        }
    }

    /// Parses 优/良/中/差.
    pub fn parse(text: &str) -> Option<TargetGrade> {
        TargetGrade::ALL
            .into_iter()
            .find(|g| g.as_str() == text.trim())
    }
}

/// The conclusion of an ex-ante assessment (事前绩效评估).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PreAssessment {
    /// 支持
    Support,
    /// 调整后支持
    SupportAfterAdjustment,
    /// 不予支持
    Reject,
}

impl PreAssessment {
    /// Every conclusion.
    pub const ALL: [PreAssessment; 3] = [
        PreAssessment::Support,
        PreAssessment::SupportAfterAdjustment,
        PreAssessment::Reject,
    ];

    /// Stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            PreAssessment::Support => "support",
            PreAssessment::SupportAfterAdjustment => "support_after_adjustment",
            PreAssessment::Reject => "reject",
        }
    }

    /// Name users read.
    pub fn label(self) -> &'static str {
        match self {
            PreAssessment::Support => "支持",
            PreAssessment::SupportAfterAdjustment => "调整后支持",
            PreAssessment::Reject => "不予支持",
        }
    }

    /// Parses a stored code or the Chinese name.
    pub fn parse(text: &str) -> Option<PreAssessment> {
        PreAssessment::ALL
            .into_iter()
            .find(|p| p.as_str() == text || p.label() == text)
    }
}

/// A project as entered by an agency (amounts already in fen).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProjectInput {
    /// Budget year.
    pub year: i32,
    /// Name.
    pub name: String,
    /// Category code from the rulebook.
    pub category: String,
    /// New (新增) or continuing (延续).
    pub is_new: bool,
    /// For a continuing project: the code of the earlier year's project it continues.
    pub previous_project: Option<String>,
    /// First and last year of the project period.
    pub start_year: i32,
    /// Last year of the period.
    pub end_year: i32,
    /// Requested amount.
    pub requested_fen: i64,
    /// Funding from higher-level finance (上级财政拨款).
    pub funding_superior_fen: i64,
    /// Funding from this level's finance (本级财政拨款).
    pub funding_local_fen: i64,
    /// Other funding (其他资金).
    pub funding_other_fen: i64,
    /// Basis (立项依据).
    pub basis: String,
    /// Necessity (必要性).
    pub necessity: String,
    /// Person in charge (项目负责人).
    pub person_in_charge: String,
    /// Whether the project serves people directly (then satisfaction indicators are required).
    pub serves_people: bool,
}

impl ProjectInput {
    /// Checks the fields against the rulebook; fills the local funding when no source is given.
    pub fn validate(&mut self, rulebook: &Rulebook) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        errors.text("name", "项目名称", &self.name, 100);
        if rulebook.category(&self.category).is_none() {
            let names: Vec<&str> = rulebook
                .categories
                .iter()
                .map(|c| c.name.as_str())
                .collect();
            errors.add(
                "category",
                "unknown_category",
                format!(
                    "项目类别“{}”不在规则中，可选：{}",
                    self.category,
                    names.join("、")
                ),
            );
        }
        if self.start_year == 0 {
            self.start_year = self.year;
        }
        if self.end_year == 0 {
            self.end_year = self.year;
        }
        if !(2000..=2100).contains(&self.year) {
            errors.add("year", "out_of_range", "预算年度应在2000至2100之间");
        }
        if self.start_year > self.year
            || self.end_year < self.year
            || self.end_year - self.start_year > 10
        {
            errors.add(
                "period",
                "invalid_period",
                "项目期限应包含预算年度，且不超过10年",
            );
        }
        let amounts = [
            ("requested_fen", "申报金额", self.requested_fen),
            (
                "funding_superior_fen",
                "上级财政拨款",
                self.funding_superior_fen,
            ),
            ("funding_local_fen", "本级财政拨款", self.funding_local_fen),
            ("funding_other_fen", "其他资金", self.funding_other_fen),
        ];
        for (field, label, fen) in amounts {
            if fen < 0 {
                errors.add(field, "negative", format!("{label}不能为负数"));
            } else if fen > money::MAX_FEN {
                errors.add(field, "too_large", format!("{label}过大"));
            }
        }
        if self.requested_fen == 0 {
            errors.add("requested_fen", "required", "申报金额应大于零");
        }
        let sources = self.funding_superior_fen + self.funding_local_fen + self.funding_other_fen;
        if sources == 0 {
            self.funding_local_fen = self.requested_fen;
        } else if sources != self.requested_fen {
            errors.add(
                "funding",
                "sources_mismatch",
                format!(
                    "资金来源合计{}万元，应等于申报金额{}万元",
                    money::format_wan_exact(sources),
                    money::format_wan_exact(self.requested_fen)
                ),
            );
        }
        if self.is_new && self.previous_project.is_some() {
            errors.add(
                "previous_project",
                "not_continuing",
                "新增项目不能关联以前年度项目；延续项目才需关联",
            );
        }
        errors.optional_text("basis", "立项依据", &self.basis, 2000);
        errors.optional_text("necessity", "必要性", &self.necessity, 2000);
        errors.optional_text("person_in_charge", "项目负责人", &self.person_in_charge, 50);
        errors.into_result()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ProjectInput {
        ProjectInput {
            year: 2020,
            name: "扶贫专岗".into(),
            category: "specific".into(),
            is_new: true,
            requested_fen: 1_000_000,
            ..ProjectInput::default()
        }
    }

    #[test]
    fn a_plain_project_is_accepted_and_funded_locally() -> Result<(), Box<dyn std::error::Error>> {
        let rulebook = Rulebook::national_default()?;
        let mut project = input();
        project.validate(&rulebook)?;
        assert_eq!(project.funding_local_fen, 1_000_000);
        assert_eq!((project.start_year, project.end_year), (2020, 2020));
        Ok(())
    }

    #[test]
    fn bad_projects_get_every_reason() -> Result<(), Box<dyn std::error::Error>> {
        let rulebook = Rulebook::national_default()?;
        let mut project = ProjectInput {
            name: String::new(),
            category: "bridges".into(),
            requested_fen: -5,
            funding_other_fen: 3,
            ..input()
        };
        let errors = project.validate(&rulebook).err().ok_or("accepted")?;
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "category", "requested_fen", "funding"]);
        Ok(())
    }

    #[test]
    fn states_and_grades_parse() {
        assert_eq!(
            ProjectState::parse("returned"),
            Some(ProjectState::Returned)
        );
        assert!(ProjectState::Returned.editable());
        assert!(!ProjectState::Submitted.editable());
        assert_eq!(TargetGrade::parse("差"), Some(TargetGrade::Poor));
        assert_eq!(
            PreAssessment::parse("调整后支持"),
            Some(PreAssessment::SupportAfterAdjustment)
        );
    }
}
