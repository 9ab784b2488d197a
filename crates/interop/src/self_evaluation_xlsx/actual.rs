//! Reading a row's 实际完成值 the way a finance reviewer does: a number (`≥90%` is 90%), a band
//! word of the rulebook, a completion word (完成, 及时, 通过 — `[self_evaluation.actual_words]`) or
//! `100%` against a qualitative target, and, for a sentence that cannot be read, the table's own
//! 得分 for the row. Every interpretation beyond a plain number or band word is a finding.

use super::finding;
use super::grid::{Cell, float_text};
use super::values::{cell_error, leading_number, split_value};
use jixiao_core::scoring::actual_words::Reading;
use jixiao_core::scoring::{Finding, ItemInput, QualitativeBand, ScoringRules, format_score};
use jixiao_core::target::{Operator, RowError};

/// One indicator row as the reader sees it.
pub(crate) struct Row<'a> {
    /// The rules the row is read by.
    pub rules: &'a ScoringRules,
    /// Grid row (from 0).
    pub r: usize,
    /// Column of 实际完成值.
    pub actual_col: usize,
    /// The 实际完成值 cell.
    pub actual: &'a Cell,
    /// 年度指标值 as written.
    pub target_text: &'a str,
    /// 分值.
    pub points_x100: i64,
    /// The table's 得分.
    pub published_x100: Option<i64>,
}

impl Row<'_> {
    fn sheet_row(&self) -> usize {
        self.r + 1
    }

    fn note(&self, input: &ItemInput, code: &str, what: String) -> Finding {
        let row = self.sheet_row();
        finding(code, Some(row), format!("第{row}行“{}”{what}", input.name))
    }
}

/// A share of the points in percent ×10⁴ as `band_percent` text.
fn percent_text(percent_x1e4: i64) -> String {
    format!("{}.{:04}", percent_x1e4 / 10_000, percent_x1e4 % 10_000)
}

/// The evaluator's pick within `band`: the table's own score as a share of the points, kept
/// within the band (its top without a score).
fn pick(band: &QualitativeBand, points_x100: i64, published_x100: Option<i64>) -> String {
    let percent = match published_x100 {
        Some(score) if points_x100 > 0 => {
            i64::try_from(i128::from(score) * 1_000_000 / i128::from(points_x100))
                .unwrap_or(i64::MAX)
        }
        _ => i64::from(band.high_percent) * 10_000,
    };
    percent_text(percent.clamp(
        i64::from(band.low_percent) * 10_000,
        i64::from(band.high_percent) * 10_000,
    ))
}

fn grade(input: &mut ItemInput, band: &QualitativeBand, percent: String) {
    input.band = band.name.clone();
    input.band_percent = percent;
}

/// Fills `input.actual` (and for a qualitative row its band and share) from the row's
/// 实际完成值; returns the finding when the value was interpreted, or the error naming the cell
/// when it cannot be read and the row has no 得分 to fall back on.
pub(crate) fn interpret(row: &Row, input: &mut ItemInput) -> Result<Option<Finding>, RowError> {
    let rules = row.rules;
    let text = row.actual.text.trim().to_owned();
    let words = rules.actual_words.read(&text);
    if input.op == Operator::Qualitative.as_str() {
        input.actual.clone_from(&text);
        if text.is_empty() {
            return fallback(row, input, "未填写").or_else(|e| band_of_target(row, input).ok_or(e));
        }
        if let Some(band) = rules.band(&text) {
            grade(input, band, pick(band, row.points_x100, row.published_x100));
            return Ok(None);
        }
        let top = rules.qualitative_bands.first();
        let bottom = rules.qualitative_bands.last();
        match (words, top, bottom) {
            (Some(Reading::Met), Some(top), _) => {
                grade(
                    input,
                    top,
                    percent_text(i64::from(top.high_percent) * 10_000),
                );
                return Ok(Some(row.note(
                    input,
                    "actual_interpreted",
                    format!(
                        "实际完成值“{text}”视为已完成年度指标，按“{}”档满分计",
                        top.name
                    ),
                )));
            }
            (Some(Reading::NotMet), _, Some(bottom)) => {
                grade(
                    input,
                    bottom,
                    pick(bottom, row.points_x100, row.published_x100),
                );
                return Ok(Some(row.note(
                    input,
                    "actual_interpreted",
                    format!(
                        "实际完成值“{text}”视为未完成年度指标，按“{}”档计分",
                        bottom.name
                    ),
                )));
            }
            _ => {}
        }
        if let Some(top) = top
            && is_full_percent(&text)
        {
            grade(
                input,
                top,
                percent_text(i64::from(top.high_percent) * 10_000),
            );
            return Ok(Some(row.note(
                input,
                "actual_interpreted",
                format!(
                    "实际完成值“{text}”视为已全部完成定性指标，按“{}”档满分计",
                    top.name
                ),
            )));
        }
        if let Some(band) = rules.band_of_text(&text) {
            grade(input, band, pick(band, row.points_x100, row.published_x100));
            return Ok(None);
        }
        return fallback(row, input, "无法判断达成程度（达成/部分达成/未达成）")
            .or_else(|e| band_of_target(row, input).ok_or(e));
    }
    match leading_number(row.actual) {
        Some(mut actual) => {
            // A percent cell holds 0.98 for 98%.
            if input.unit.contains('%') && row.actual.number.is_some() {
                let value = jixiao_core::monitoring::parse_decimal(&actual).unwrap_or(0);
                let target_value =
                    jixiao_core::monitoring::parse_decimal(&input.target).unwrap_or(0);
                if value <= 10_000 && target_value > 10_000 {
                    actual = float_text(actual.parse::<f64>().unwrap_or(0.0) * 100.0);
                }
            }
            let (op, _, unit) = split_value(&text);
            let written_op =
                row.actual.number.is_none() && op.is_some_and(|o| o != Operator::Qualitative);
            input.actual.clone_from(&actual);
            Ok(written_op.then(|| {
                row.note(
                    input,
                    "actual_interpreted",
                    format!("实际完成值“{text}”带有比较符号，按{actual}{unit}计"),
                )
            }))
        }
        None if words == Some(Reading::Met) => {
            input.actual.clone_from(&input.target);
            Ok(Some(row.note(
                input,
                "actual_interpreted",
                format!(
                    "实际完成值“{text}”视为达到年度指标值{}，按满分计",
                    row.target_text
                ),
            )))
        }
        None if text.is_empty() => fallback(row, input, "未填写"),
        None => fallback(row, input, "不是数字"),
    }
}

/// `100%` (or `=100%`): all of a qualitative target done.
fn is_full_percent(text: &str) -> bool {
    let (op, number, unit) = split_value(text);
    op != Some(Operator::Qualitative)
        && matches!(unit.as_str(), "%" | "％")
        && jixiao_core::monitoring::parse_decimal(&number) == Some(100 * 10_000)
}

/// A 实际完成值 that says nothing readable, on a row without a 得分: graded by the target's own
/// wording (效果明显 is 达成), at the top of that band.
fn band_of_target(row: &Row, input: &mut ItemInput) -> Option<Option<Finding>> {
    let band = row.rules.band_of_text(&input.target)?;
    grade(input, band, pick(band, row.points_x100, row.published_x100));
    let text = row.actual.text.trim();
    let actual = if text.is_empty() {
        "未填写".to_owned()
    } else {
        format!("“{text}”无法判断达成程度")
    };
    Some(Some(row.note(
        input,
        "actual_interpreted",
        format!(
            "实际完成值{actual}，表内也没有得分，按年度指标值“{}”评为“{}”档",
            input.target, band.name
        ),
    )))
}

/// A value that cannot be read takes the row's own 得分: the row is kept as a qualitative one
/// graded in the band its score falls in, at exactly that score.
fn fallback(row: &Row, input: &mut ItemInput, why: &str) -> Result<Option<Finding>, RowError> {
    let text = row.actual.text.trim();
    let shown = if text.is_empty() {
        String::new()
    } else {
        format!("“{text}”")
    };
    let Some(score) = row.published_x100 else {
        return Err(cell_error(
            row.r,
            row.actual_col,
            "实际完成值",
            format!("{shown}{why}，该行也没有表内得分可以采用"),
        ));
    };
    let share = if row.points_x100 > 0 {
        i64::try_from(i128::from(score) * 100 / i128::from(row.points_x100)).unwrap_or(i64::MAX)
    } else {
        100
    };
    let Some(band) = row
        .rules
        .qualitative_bands
        .iter()
        .find(|b| share >= i64::from(b.low_percent))
        .or(row.rules.qualitative_bands.last())
    else {
        return Err(cell_error(
            row.r,
            row.actual_col,
            "实际完成值",
            "无法评定档次：规则没有定性指标档次",
        ));
    };
    input.op = Operator::Qualitative.as_str().to_owned();
    input.target = row.target_text.to_owned();
    input.unit = String::new();
    input.actual = text.to_owned();
    grade(input, band, pick(band, row.points_x100, Some(score)));
    Ok(Some(row.note(
        input,
        "score_taken_from_sheet",
        format!(
            "实际完成值{}无法与年度指标值比较计分，采用表内得分{}分",
            if shown.is_empty() {
                "未填写，".to_owned()
            } else {
                shown
            },
            format_score(score)
        ),
    )))
}
