//! Values in a self-evaluation table's cells: `≥50个` split into operator, number and unit; the
//! number at the start of a cell; points and scores (`8.5分`); errors that name the cell.

use super::grid::{Cell, cell_ref};
use jixiao_core::target::{Operator, RowError};

/// Splits `≥50个`, `<=90万元`, `不低于95%` into operator, number and unit. A value with a number
/// but no operator is taken as `≥`; one without a number is qualitative.
pub fn parse_value(text: &str) -> (Operator, String, String) {
    let (op, number, unit) = split_value(text);
    (op.unwrap_or(Operator::AtLeast), number, unit)
}

/// Like [`parse_value`], but the operator is `None` when none is written (a bare number); a
/// value without a number is `Some(Qualitative)`.
pub(crate) fn split_value(text: &str) -> (Option<Operator>, String, String) {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    const PREFIXES: [(&str, Operator); 22] = [
        (">=", Operator::AtLeast),
        ("＞＝", Operator::AtLeast),
        ("≥", Operator::AtLeast),
        ("≧", Operator::AtLeast),
        ("⩾", Operator::AtLeast),
        ("不低于", Operator::AtLeast),
        ("不少于", Operator::AtLeast),
        ("大于等于", Operator::AtLeast),
        ("<=", Operator::AtMost),
        ("＜＝", Operator::AtMost),
        ("≤", Operator::AtMost),
        ("≦", Operator::AtMost),
        ("⩽", Operator::AtMost),
        ("不高于", Operator::AtMost),
        ("不超过", Operator::AtMost),
        ("小于等于", Operator::AtMost),
        ("=", Operator::Equal),
        ("＝", Operator::Equal),
        (">", Operator::AtLeast),
        ("＞", Operator::AtLeast),
        ("<", Operator::AtMost),
        ("＜", Operator::AtMost),
    ];
    let mut op = None;
    let mut rest = compact.as_str();
    for (prefix, o) in PREFIXES {
        if let Some(r) = rest.strip_prefix(prefix) {
            op = Some(o);
            rest = r;
            break;
        }
    }
    let number: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',' || *c == '-')
        .filter(|c| *c != ',')
        .collect();
    if number.is_empty() || !jixiao_core::target::is_number(&number) {
        return (
            Some(Operator::Qualitative),
            text.trim().to_owned(),
            String::new(),
        );
    }
    let unit = rest[rest
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.' || *c == ',' || *c == '-'))
        .map_or(rest.len(), |(i, _)| i)..]
        .to_owned();
    (op, number, unit)
}

/// The number at the start of a cell (`450人` → `450`), if any.
pub(crate) fn leading_number(cell: &Cell) -> Option<String> {
    if let Some(n) = &cell.number {
        return Some(n.clone());
    }
    let (op, value, _) = parse_value(&cell.text);
    (op != Operator::Qualitative).then_some(value)
}

pub(crate) fn points_of(text: &str) -> Option<i64> {
    let cleaned = text.trim().trim_end_matches('分');
    jixiao_core::target::parse_points(cleaned).or_else(|| {
        // Scores with more than two decimals are rounded half-up to two.
        jixiao_core::monitoring::parse_decimal(cleaned)
            .filter(|v| *v >= 0)
            .and_then(|v| i64::try_from((v + 50) / 100).ok())
    })
}

pub(crate) fn cell_error(
    row: usize,
    col: usize,
    column: &str,
    message: impl std::fmt::Display,
) -> RowError {
    RowError {
        row: row + 1,
        field: column.to_owned(),
        message: format!("单元格{}（{column}）{message}", cell_ref(row, col)),
    }
}
