//! User text on its way into a spreadsheet, made inert: text a spreadsheet would read as a
//! formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) gets a leading quote in CSV
//! and Excel's quote prefix in .xlsx, so opening an export never runs what a user typed. Every
//! export (CSV and .xlsx) writes user text through this module.

use rust_xlsxwriter::{Format, Worksheet, XlsxError};
use std::borrow::Cow;

/// Whether text would be read as a formula (or the start of one) by a spreadsheet.
pub fn looks_like_formula(text: &str) -> bool {
    matches!(
        text.chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r')
    )
}

/// Whether text is a plain decimal number (`-12.50`, `+3`), which a spreadsheet reads as that
/// number and nothing more.
fn is_plain_number(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let fraction = parts.next();
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// A CSV field that no spreadsheet will run: formula-like text gets a leading `'` (OWASP's
/// advice for CSV injection); plain numbers such as `-12.50` pass unchanged.
pub fn csv_field(text: &str) -> Cow<'_, str> {
    if looks_like_formula(text) && !is_plain_number(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Writes user text into a string cell; formula-like text carries the quote prefix, so editing
/// the cell in Excel keeps it text.
pub fn write_text(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    text: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    if looks_like_formula(text) {
        sheet.write_string_with_format(row, col, text, &format.clone().set_quote_prefix())?;
    } else {
        sheet.write_string_with_format(row, col, text, format)?;
    }
    Ok(())
}

/// Merges a range holding user text, quote-prefixed when it looks like a formula.
pub fn merge_text(
    sheet: &mut Worksheet,
    (first_row, first_col): (u32, u16),
    (last_row, last_col): (u32, u16),
    text: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    if looks_like_formula(text) {
        let quoted = format.clone().set_quote_prefix();
        sheet.merge_range(first_row, first_col, last_row, last_col, text, &quoted)?;
    } else {
        sheet.merge_range(first_row, first_col, last_row, last_col, text, format)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_text_is_quoted_in_csv_and_numbers_are_not() {
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_field("+1+1"), "'+1+1");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("-2+3"), "'-2+3");
        assert_eq!(csv_field("\tcmd"), "'\tcmd");
        assert_eq!(csv_field("-"), "'-");
        assert_eq!(csv_field("-12.50"), "-12.50");
        assert_eq!(csv_field("+3"), "+3");
        assert_eq!(csv_field("乐陵市=德州"), "乐陵市=德州");
        assert_eq!(csv_field(""), "");
    }

    proptest::proptest! {
        #[test]
        fn no_csv_field_starts_a_formula_unless_it_is_a_number(text in "\\PC{0,12}") {
            let field = csv_field(&text);
            proptest::prop_assert!(!looks_like_formula(&field) || is_plain_number(&field));
            proptest::prop_assert!(field.ends_with(text.as_str()));
        }
    }
}
