//! Field-level validation findings, reported together so a user sees every problem at once.

use serde::Serialize;

/// One problem with one input field, with a message in plain Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's name in the API (e.g. `username`).
    pub field: String,
    /// A stable machine-readable code (e.g. `too_long`).
    pub code: String,
    /// What is wrong, in Chinese.
    pub message: String,
}

/// All problems found in one input. Empty means the input is valid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    /// Records one problem.
    pub fn add(&mut self, field: &str, code: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            code: code.to_owned(),
            message: message.into(),
        });
    }

    /// `Ok(())` when nothing was found, else `Err(self)`.
    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }

    /// Checks that a required text is present and at most `max` characters long.
    pub fn text(&mut self, field: &str, label: &str, value: &str, max: usize) {
        let chars = value.trim().chars().count();
        if chars == 0 {
            self.add(field, "required", format!("{label}不能为空"));
        } else if chars > max {
            self.add(field, "too_long", format!("{label}不能超过{max}个字符"));
        }
    }

    /// Checks that an optional text is at most `max` characters long.
    pub fn optional_text(&mut self, field: &str, label: &str, value: &str, max: usize) {
        if value.trim().chars().count() > max {
            self.add(field, "too_long", format!("{label}不能超过{max}个字符"));
        }
    }
}

impl std::fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let messages: Vec<&str> = self.0.iter().map(|e| e.message.as_str()).collect();
        f.write_str(&messages.join("；"))
    }
}

impl std::error::Error for ValidationErrors {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_rules_count_characters_not_bytes() {
        let mut errors = ValidationErrors::default();
        errors.text("name", "名称", "乐陵市财政局", 6);
        assert!(errors.0.is_empty());
        errors.text("name", "名称", "乐陵市财政局局", 6);
        errors.text("head", "负责人", "  ", 6);
        assert_eq!(errors.0.len(), 2);
        assert_eq!(errors.0[0].message, "名称不能超过6个字符");
        assert_eq!(errors.0[1].code, "required");
        assert_eq!(errors.to_string(), "名称不能超过6个字符；负责人不能为空");
    }
}
