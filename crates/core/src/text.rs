//! Text that may enter the system: no control characters (NUL above all, which PostgreSQL cannot
//! store and which hides the rest of a string from many readers). Tab, line feed and carriage
//! return are allowed in the values of forms and JSON bodies (free text has paragraphs); nowhere
//! else — not in names of fields, paths or query strings.

use crate::ValidationErrors;
use serde_json::Value;

/// The validation code of a text refused for a control character.
pub const INVALID_TEXT: &str = "invalid_text";

/// Whether `c` may not appear in text; `line_breaks` admits tab, line feed and carriage return.
pub fn is_forbidden(c: char, line_breaks: bool) -> bool {
    c.is_control() && !(line_breaks && matches!(c, '\t' | '\n' | '\r'))
}

/// The first character of `text` that may not appear in it.
pub fn forbidden_char(text: &str, line_breaks: bool) -> Option<char> {
    text.chars().find(|&c| is_forbidden(c, line_breaks))
}

/// The character as a user reads it: `空字符（NUL）` or its code point.
pub fn describe(c: char) -> String {
    match c {
        '\0' => "空字符（NUL）".to_owned(),
        '\t' => "制表符".to_owned(),
        '\n' | '\r' => "换行符".to_owned(),
        other => format!("控制字符 U+{:04X}", u32::from(other)),
    }
}

/// A field holding a character it may not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextFault {
    /// Where: the field's name, or a path such as `items[3].payee`.
    pub field: String,
    /// The character found.
    pub character: char,
}

impl TextFault {
    /// The message users read, naming the field.
    pub fn message(&self) -> String {
        format!(
            "“{}”中含有不允许的{}，请删除后重新提交",
            self.field,
            describe(self.character)
        )
    }

    /// The fault as a validation finding (code `invalid_text`).
    pub fn into_errors(self) -> ValidationErrors {
        let mut errors = ValidationErrors::default();
        errors.add(&self.field, INVALID_TEXT, self.message());
        errors
    }
}

/// Checks one named text; `line_breaks` admits tab and line breaks.
pub fn check(field: &str, text: &str, line_breaks: bool) -> Result<(), TextFault> {
    match forbidden_char(field, false).or_else(|| forbidden_char(text, line_breaks)) {
        None => Ok(()),
        Some(character) => Err(TextFault {
            field: printable(field),
            character,
        }),
    }
}

/// Checks pairs of name and value (a form or a query string).
pub fn check_pairs<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    line_breaks: bool,
) -> Result<(), TextFault> {
    pairs
        .into_iter()
        .try_for_each(|(name, value)| check(name, value, line_breaks))
}

/// Checks every key and string of a JSON value; values may hold tab and line breaks, keys may
/// not. The fault names the path of the field (`items[3].payee`).
pub fn check_json(value: &Value) -> Result<(), TextFault> {
    let mut path = String::new();
    walk(value, &mut path)
}

fn walk(value: &Value, path: &mut String) -> Result<(), TextFault> {
    match value {
        Value::String(text) => match forbidden_char(text, true) {
            None => Ok(()),
            Some(character) => Err(TextFault {
                field: if path.is_empty() {
                    "body".to_owned()
                } else {
                    path.clone()
                },
                character,
            }),
        },
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{index}]"));
                walk(item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                if let Some(character) = forbidden_char(key, false) {
                    path.push_str(&printable(key));
                    return Err(TextFault {
                        field: path.clone(),
                        character,
                    });
                }
                path.push_str(key);
                walk(item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => Ok(()),
    }
}

/// A name safe to show: control characters as `\u{..}`, at most 64 characters.
fn printable(name: &str) -> String {
    name.chars()
        .take(64)
        .flat_map(|c| {
            if c.is_control() {
                format!("\\u{{{:x}}}", u32::from(c))
                    .chars()
                    .collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn nul_and_other_controls_are_refused_line_breaks_only_in_values() {
        assert_eq!(forbidden_char("乐陵\0公司", true), Some('\0'));
        assert_eq!(forbidden_char("第一段\r\n第二段\t完", true), None);
        assert_eq!(forbidden_char("第一段\n", false), Some('\n'));
        assert_eq!(forbidden_char("\u{7f}", true), Some('\u{7f}'));
        assert_eq!(forbidden_char("\u{85}", true), Some('\u{85}'));
        assert_eq!(forbidden_char("乐陵市财政局 ©", false), None);
        let fault = check("payee", "a\0b", true).expect_err("refused");
        assert_eq!(
            fault.message(),
            "“payee”中含有不允许的空字符（NUL），请删除后重新提交"
        );
        assert_eq!(
            check("q", "a\tb", false).map_err(|f| f.character),
            Err('\t')
        );
    }

    #[test]
    fn the_fault_names_the_path_of_the_field() {
        let body = json!({"items": [{"payee": "好"}, {"payee": "坏\u{1}"}]});
        let fault = check_json(&body).expect_err("refused");
        assert_eq!(fault.field, "items[1].payee");
        assert_eq!(fault.character, '\u{1}');
        let key = json!({"a": {"b\u{0}c": 1}});
        assert_eq!(
            check_json(&key).map_err(|f| f.field),
            Err("a.b\\u{0}c".to_owned())
        );
        assert_eq!(
            check_json(&json!("\u{0}")).map_err(|f| f.field),
            Err("body".to_owned())
        );
        assert!(check_json(&json!({"comment": "第一行\n第二行", "n": 1})).is_ok());
    }

    proptest! {
        #[test]
        fn any_text_with_a_control_character_is_refused(
            before in "\\PC*", control in 0u32..0x20, after in "\\PC*"
        ) {
            let c = char::from_u32(control).unwrap_or('\0');
            let text = format!("{before}{c}{after}");
            let refused = check_json(&json!({"f": [text.clone()]})).is_err();
            prop_assert_eq!(refused, !matches!(c, '\t' | '\n' | '\r'));
            prop_assert!(check("f", &text, false).is_err());
        }

        #[test]
        fn printable_text_passes(text in "\\PC*") {
            prop_assert!(check("f", &text, false).is_ok());
            let body = json!({"f": text});
            prop_assert!(check_json(&body).is_ok());
        }
    }
}
