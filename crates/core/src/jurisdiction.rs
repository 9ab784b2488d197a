//! Jurisdictions (财政区划): the finance levels province → city → county, each with a six-digit code.

use crate::validation::ValidationErrors;

/// A jurisdiction as entered: code, name and the code of the level above.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJurisdiction {
    /// Six-digit administrative division code, e.g. `371481` for 乐陵市.
    pub code: String,
    /// Name, e.g. 乐陵市.
    pub name: String,
    /// The level above, if any.
    pub parent_code: Option<String>,
}

/// Whether `code` is a six-digit administrative division code.
pub fn is_valid_code(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

impl NewJurisdiction {
    /// Checks the fields, reporting every problem.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if !is_valid_code(&self.code) {
            errors.add("code", "invalid", "财政区划代码应为6位数字");
        }
        errors.text("name", "财政区划名称", &self.name, 50);
        if let Some(parent) = &self.parent_code {
            if !is_valid_code(parent) {
                errors.add("parent_code", "invalid", "上级财政区划代码应为6位数字");
            } else if parent == &self.code {
                errors.add("parent_code", "invalid", "上级财政区划不能是自身");
            }
        }
        errors.into_result()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits() {
        assert!(is_valid_code("371481"));
        assert!(!is_valid_code("37148"));
        assert!(!is_valid_code("37148a"));
        let bad = NewJurisdiction {
            code: "371481".into(),
            name: String::new(),
            parent_code: Some("371481".into()),
        };
        assert_eq!(bad.validate().map_err(|e| e.0.len()), Err(2));
    }
}
