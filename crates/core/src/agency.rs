//! Agencies (部门/单位): departments (主管部门) and the budget units (预算单位) under them, each with
//! a code and a head who is the first person responsible (第一责任人) for its performance.

use crate::validation::ValidationErrors;
use serde::{Deserialize, Serialize};

/// Whether an agency is a department or a unit under one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyKind {
    /// 主管部门: a top-level department.
    Department,
    /// 预算单位: a budget unit under a department.
    Unit,
}

impl AgencyKind {
    /// The code used in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            AgencyKind::Department => "department",
            AgencyKind::Unit => "unit",
        }
    }

    /// The name users read.
    pub fn label(self) -> &'static str {
        match self {
            AgencyKind::Department => "主管部门",
            AgencyKind::Unit => "预算单位",
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> Option<AgencyKind> {
        match code {
            "department" => Some(AgencyKind::Department),
            "unit" => Some(AgencyKind::Unit),
            _ => None,
        }
    }

    /// An agency with a parent is a unit; one without is a department.
    pub fn for_parent(has_parent: bool) -> AgencyKind {
        if has_parent {
            AgencyKind::Unit
        } else {
            AgencyKind::Department
        }
    }
}

/// An agency as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAgency {
    /// Jurisdiction the agency belongs to.
    pub jurisdiction: String,
    /// Agency code, unique within the jurisdiction (e.g. `105` or `105001`).
    pub code: String,
    /// Name, e.g. 乐陵市财政局.
    pub name: String,
    /// Code of the department above, for a unit.
    pub parent_code: Option<String>,
    /// The head (第一责任人); may be filled in later.
    pub head: String,
}

/// Whether `code` is a usable agency code: 1–32 ASCII letters, digits, `-` or `.`.
pub fn is_valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 32
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

impl NewAgency {
    /// Checks the fields, reporting every problem.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if !is_valid_code(&self.code) {
            errors.add("code", "invalid", "单位编码应为1至32位字母、数字、“-”或“.”");
        }
        errors.text("name", "单位名称", &self.name, 100);
        errors.optional_text("head", "第一责任人", &self.head, 50);
        if self.parent_code.as_deref() == Some(self.code.as_str()) {
            errors.add("parent_code", "invalid", "上级部门不能是自身");
        }
        errors.into_result()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agency(code: &str, name: &str) -> NewAgency {
        NewAgency {
            jurisdiction: "371481".into(),
            code: code.into(),
            name: name.into(),
            parent_code: None,
            head: "吴强".into(),
        }
    }

    #[test]
    fn codes_and_names_are_checked() {
        assert!(agency("105", "乐陵市财政局").validate().is_ok());
        assert!(
            agency("105.001", "乐陵市国库集中支付中心")
                .validate()
                .is_ok()
        );
        let errors = agency("10 5", "").validate().err().map(|e| e.0.len());
        assert_eq!(errors, Some(2));
        let long = "局".repeat(101);
        assert!(agency("105", &long).validate().is_err());
    }

    #[test]
    fn kind_follows_the_parent() {
        assert_eq!(AgencyKind::for_parent(false), AgencyKind::Department);
        assert_eq!(AgencyKind::for_parent(true).label(), "预算单位");
        assert_eq!(AgencyKind::parse("unit"), Some(AgencyKind::Unit));
    }
}
