//! The target review (智能预审): reads a target sheet the way a finance reviewer does and reports
//! every value that cannot be checked at the end of the year, every unit, direction or figure that
//! cannot be right, template residue, missing or misplaced satisfaction, points that do not add
//! up, goals that are missing, copied or empty of content, and costs that do not reconcile with
//! the amount requested. Pure and fast: the rulebook's word lists are compiled once into a
//! [`Reviewer`], and a sheet is read without allocating beyond its findings.
//!
//! A value is measurable when it reads as a comparison, a number and a unit that fits what the
//! indicator counts, or — for a qualitative indicator — as a statement with content beyond degree
//! words (see `docs/decisions/0022-target-review.md`).

mod defaults;
mod findings;
mod goals;
mod lexicon;
mod measure;
mod rows;
mod rules;
mod sheet;
mod units;
pub mod value;

#[cfg(test)]
mod tests;

pub use findings::{Finding, FindingCode, Severity, blocks_submission};
pub use rules::{ObjectKind, TargetReviewRules, default_severity};

use crate::rulebook::Rulebook;
use crate::target::{IndicatorInput, Operator, TargetSheet, parse_points};
use lexicon::{Lexicon, StatementReader, class};
use serde::{Deserialize, Serialize};
use units::UnitTable;

/// One indicator row as written (every field text, as in a published sheet).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IndicatorUnderReview {
    /// 一级指标 (empty: the row above's, as in a merged cell).
    pub level1: String,
    /// 二级指标 (empty: the row above's).
    pub level2: String,
    /// 三级指标, the indicator's name.
    pub name: String,
    /// The value as written: `≥90%`, `10辆`, `明显提升` …
    pub value: String,
    /// Points in hundredths, when the sheet has them (`points` in JSON, a number or text).
    #[serde(
        rename = "points",
        deserialize_with = "points::deserialize",
        serialize_with = "points::serialize"
    )]
    pub points_x100: Option<i64>,
    /// The operator in a column of its own (`>=`, `≥`, `定性` …), if the sheet has one.
    pub op: Option<String>,
    /// The unit in a column of its own, if the sheet has one.
    pub unit: Option<String>,
}

/// A target sheet to review.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SheetUnderReview {
    /// The fiscal year of the sheet.
    pub year: i32,
    /// The amount requested, in fen, if known (for the cost checks).
    pub amount_fen: Option<i64>,
    /// Whether `amount_fen` is the approved amount (批复金额) the targets must be adjusted to,
    /// rather than the amount requested: the cost findings name it so.
    pub amount_approved: bool,
    /// The project's name, if known (a goal that only repeats it restates the activity).
    pub project_name: String,
    /// Whether the project serves people; `None`: judged from the sheet's words.
    pub serves_people: Option<bool>,
    /// 总体目标 (中长期目标).
    pub overall_goal: String,
    /// 年度目标.
    pub annual_goal: String,
    /// Last year's annual goal, if known (a copy of it is stale).
    pub last_year_annual_goal: Option<String>,
    /// The indicator rows in order.
    pub indicators: Vec<IndicatorUnderReview>,
}

impl SheetUnderReview {
    /// A sheet as typed in the grid (not yet saved, perhaps not yet valid), ready for review:
    /// rows in the order given, operators and points read where they can be, kept as written
    /// where they cannot.
    pub fn from_inputs(
        overall_goal: &str,
        annual_goal: &str,
        rows: &[IndicatorInput],
        year: i32,
        amount_fen: Option<i64>,
    ) -> Self {
        SheetUnderReview {
            year,
            amount_fen,
            overall_goal: overall_goal.to_owned(),
            annual_goal: annual_goal.to_owned(),
            indicators: rows
                .iter()
                .map(|row| IndicatorUnderReview {
                    level1: row.level1.clone(),
                    level2: row.level2.clone(),
                    name: row.name.clone(),
                    value: row.value.clone(),
                    points_x100: parse_points(&row.points),
                    op: match Operator::parse(&row.op) {
                        Some(Operator::Qualitative) => Some("定性".to_owned()),
                        Some(op) => Some(op.label().to_owned()),
                        None if row.op.trim().is_empty() => None,
                        None => Some(row.op.trim().to_owned()),
                    },
                    unit: Some(row.unit.clone()),
                })
                .collect(),
            ..SheetUnderReview::default()
        }
    }

    /// A sheet stored in Jixiao, ready for review.
    pub fn from_target_sheet(sheet: &TargetSheet, year: i32, amount_fen: Option<i64>) -> Self {
        SheetUnderReview {
            year,
            amount_fen,
            overall_goal: sheet.overall_goal.clone(),
            annual_goal: sheet.annual_goal.clone(),
            indicators: sheet
                .indicators
                .iter()
                .map(|i| IndicatorUnderReview {
                    level1: i.level1.clone(),
                    level2: i.level2.clone(),
                    name: i.name.clone(),
                    value: i.value.clone(),
                    points_x100: Some(i.points_x100),
                    op: Some(match i.op {
                        Operator::Qualitative => "定性".to_owned(),
                        op => op.label().to_owned(),
                    }),
                    unit: Some(i.unit.clone()),
                })
                .collect(),
            ..SheetUnderReview::default()
        }
    }
}

mod points {
    //! `points` as a JSON number or as text, kept in hundredths.
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Points {
        Number(f64),
        Text(String),
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        let text = match Option::<Points>::deserialize(d)? {
            None => return Ok(None),
            Some(Points::Number(n)) => n.to_string(),
            Some(Points::Text(t)) if t.trim().is_empty() => return Ok(None),
            Some(Points::Text(t)) => t.trim().to_owned(),
        };
        crate::target::parse_points(&text)
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("分值“{text}”应为最多两位小数的非负数")))
    }

    pub(super) fn serialize<S: Serializer>(x100: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
        match x100 {
            #[allow(clippy::cast_precision_loss)]
            Some(x) => s.serialize_f64(*x as f64 / 100.0),
            None => s.serialize_none(),
        }
    }
}

/// Positions of the word lists in the reviewer's lexicon.
mod list {
    pub const MORE_IS_BETTER: usize = 0;
    pub const LESS_IS_BETTER: usize = 1;
    pub const EITHER_WAY: usize = 2;
    pub const ABSTRACT: usize = 3;
    pub const IMPLICIT_RATE: usize = 4;
    pub const CHANGE: usize = 5;
    pub const UNBOUNDED_RATE: usize = 6;
    pub const SATISFACTION: usize = 7;
    pub const PER_UNIT: usize = 8;
    pub const TOTAL_COST: usize = 9;
    pub const SERVED: usize = 10;
    pub const UNITLESS: usize = 11;
    pub const RESIDUE: usize = 12;
    pub const STALE: usize = 13;
    /// Object kind `i` is list `OBJECTS + i`.
    pub const OBJECTS: usize = 14;
}

/// Why a rulebook's review rules could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("智能预审词表无法编译：{0}")]
pub struct ReviewerError(String);

/// The target review of one rulebook (a copy of it is kept), compiled once and used for any
/// number of sheets; cheap to share between threads.
#[derive(Debug, Clone)]
pub struct Reviewer {
    rulebook: Rulebook,
    words: Lexicon,
    statements: StatementReader,
    units: UnitTable,
    rate: Option<usize>,
    time: Option<usize>,
}

impl Reviewer {
    /// Compiles the rulebook's `[target_review]` section.
    pub fn new(rulebook: &Rulebook) -> Result<Reviewer, ReviewerError> {
        let rules = &rulebook.target_review;
        let mut marks_and_words = rules.residue_marks.clone();
        marks_and_words.extend(rules.residue_words.iter().cloned());
        let mut lists: Vec<&[String]> = vec![
            &rules.more_is_better,
            &rules.less_is_better,
            &rules.either_way,
            &rules.abstract_words,
            &rules.implicit_rate_words,
            &rules.change_words,
            &rules.unbounded_rate_words,
            &rules.satisfaction_words,
            &rules.per_unit_words,
            &rules.total_cost_words,
            &rules.served_words,
            &rules.unitless_words,
            &marks_and_words,
            &rules.stale_words,
        ];
        lists.extend(rules.objects.iter().map(|o| o.name_words.as_slice()));
        let words = Lexicon::build(&lists).map_err(|e| ReviewerError(e.to_string()))?;
        let statements = StatementReader::build(&[
            (&rules.vague_words, class::VAGUE),
            (&rules.grade_words, class::GRADE),
            (&rules.change_words, class::CHANGE),
            (&rules.filler_words, class::FILLER),
        ])
        .map_err(|e| ReviewerError(e.to_string()))?;
        let position = |kind: &str| rules.objects.iter().position(|o| o.kind == kind);
        Ok(Reviewer {
            rulebook: rulebook.clone(),
            words,
            statements,
            units: UnitTable::build(&rules.objects),
            rate: position("rate"),
            time: position("time"),
        })
    }

    /// Reviews a sheet: every finding at once, row findings in row order, then the sheet's.
    pub fn review(&self, sheet: &SheetUnderReview) -> Vec<Finding> {
        let mut out = Findings {
            rules: &self.rulebook.target_review,
            list: Vec::new(),
        };
        let mut hits = self.words.hits();
        let facts = rows::review_rows(self, sheet, &mut hits, &mut out);
        sheet::review_sheet(self, sheet, &facts, &mut hits, &mut out);
        goals::review_goals(self, sheet, &mut hits, &mut out);
        out.list
    }
}

/// Reviews one sheet under a rulebook (compiles the rulebook's lists first: when reviewing many
/// sheets, make one [`Reviewer`] and call [`Reviewer::review`]).
pub fn review(
    rulebook: &Rulebook,
    sheet: &SheetUnderReview,
) -> Result<Vec<Finding>, ReviewerError> {
    Ok(Reviewer::new(rulebook)?.review(sheet))
}

/// Findings being gathered, each with the severity the rulebook gives its code.
pub(crate) struct Findings<'r> {
    rules: &'r TargetReviewRules,
    list: Vec<Finding>,
}

impl Findings<'_> {
    fn push(&mut self, code: FindingCode, row: Option<usize>, indicator: &str, message: String) {
        self.list.push(Finding {
            code,
            severity: self.rules.severity_of(code),
            row,
            indicator: indicator.to_owned(),
            message,
        });
    }
}
