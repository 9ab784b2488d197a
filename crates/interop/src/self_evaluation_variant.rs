//! Which rules a published self-evaluation table is scored by: the points the table prints for
//! budget execution (10 or 20) and for each level-1 indicator (产出/效益/满意度) are matched
//! against the rulebook asked for and the other variants at hand (the shipped national-default
//! and execution-20, the year's loaded rulebooks); the table is read and compared by the one it
//! fits, and the import says which one was used and why.

use crate::self_evaluation_xlsx::{
    Comparison, SelfEvaluationTable, SheetNotes, TableError, TableReading, compare, finding, read,
};
use jixiao_core::rulebook::{Rulebook, SHIPPED};
use jixiao_core::scoring::{FULL_MARKS_X100, Finding, ScoringRules, format_score};

/// A rulebook's self-evaluation rules under its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// The rulebook's short name (national-default).
    pub name: String,
    /// Its title (全国通用规则).
    pub title: String,
    /// Its scoring rules.
    pub rules: ScoringRules,
}

impl Variant {
    /// A rulebook's variant.
    pub fn of(rulebook: &Rulebook) -> Variant {
        Variant {
            name: rulebook.name.clone(),
            title: rulebook.title.clone(),
            rules: rulebook.self_evaluation.clone(),
        }
    }

    /// The rulebooks shipped with Jixiao (national-default: execution 10; execution-20).
    pub fn shipped() -> Vec<Variant> {
        SHIPPED
            .iter()
            .filter_map(|(name, _)| Rulebook::shipped(name)?.ok())
            .map(|rulebook| Variant::of(&rulebook))
            .collect()
    }

    /// `预算执行率20分规则（execution-20）`.
    pub fn label(&self) -> String {
        if self.title.is_empty() || self.title == self.name {
            self.name.clone()
        } else {
            format!("{}（{}）", self.title, self.name)
        }
    }
}

/// An imported table: as read, compared, and the rules it was scored by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// The table as read by the rules used.
    pub table: SelfEvaluationTable,
    /// The comparison, with every finding of the import (the variant used, interpretations,
    /// the table's own sums, the rules' recomputation).
    pub report: Comparison,
    /// The rules used.
    pub variant: Variant,
}

/// The points a table prints, in hundredths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Weights {
    /// Budget execution: its 分值, else what the 总分 row's points leave after the rows.
    execution: Option<i64>,
    /// Each level-1 indicator: printed with its name, else the sum of its rows.
    level1: Vec<(String, i64)>,
}

/// 产出 and 产出指标 are the same level-1 indicator.
fn same_level1(a: &str, b: &str) -> bool {
    let short = |s: &str| s.trim().trim_end_matches("指标").to_owned();
    short(a) == short(b)
}

impl Weights {
    fn of(table: &SelfEvaluationTable, notes: &SheetNotes) -> Weights {
        let rows: Vec<(String, i64)> = table
            .items
            .iter()
            .map(|i| {
                (
                    i.input.level1.trim().to_owned(),
                    jixiao_core::target::parse_points(&i.input.points).unwrap_or(0),
                )
            })
            .collect();
        let rows_sum: i64 = rows.iter().map(|(_, p)| p).sum();
        let full = notes.points_total_printed_x100.unwrap_or(FULL_MARKS_X100);
        let execution = table
            .execution_points_x100
            .or_else(|| (rows_sum < full).then_some(full - rows_sum));
        let level1 = if notes.level1_printed.is_empty() {
            let mut sums: Vec<(String, i64)> = Vec::new();
            for (level1, points) in rows {
                match sums.iter_mut().find(|(l, _)| *l == level1) {
                    Some((_, sum)) => *sum += points,
                    None => sums.push((level1, points)),
                }
            }
            sums
        } else {
            notes.level1_printed.clone()
        };
        Weights { execution, level1 }
    }

    /// The rules' points agree with every point the table prints.
    fn fit(&self, rules: &ScoringRules) -> bool {
        let execution = self
            .execution
            .is_none_or(|e| e == i64::from(rules.execution_points) * 100);
        execution
            && self.level1.iter().all(|(name, points)| {
                rules
                    .level1_points
                    .iter()
                    .find(|l| same_level1(&l.level1, name))
                    .is_none_or(|l| i64::from(l.points) * 100 == *points)
            })
    }

    /// `预算执行率20分，产出指标40分、效益指标30分、满意度指标10分`.
    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(e) = self.execution {
            parts.push(format!("预算执行率{}分", format_score(e)));
        }
        let level1: Vec<String> = self
            .level1
            .iter()
            .map(|(name, points)| format!("{name}{}分", format_score(*points)))
            .collect();
        if !level1.is_empty() {
            parts.push(level1.join("、"));
        }
        parts.join("，")
    }
}

/// The variant to score by, with the finding that says why when it is not the one asked for.
fn choose(
    weights: &Weights,
    requested: &Variant,
    others: &[Variant],
) -> (Variant, Option<Finding>) {
    if weights.fit(&requested.rules) {
        return (requested.clone(), None);
    }
    let printed = weights.describe();
    if let Some(fitting) = others
        .iter()
        .find(|v| v.name != requested.name && weights.fit(&v.rules))
    {
        let message = format!(
            "表内分值（{printed}）与所选评分规则“{}”（预算执行率{}分）不符，与“{}”相符，已按后者计分",
            requested.label(),
            requested.rules.execution_points,
            fitting.label()
        );
        return (
            fitting.clone(),
            Some(finding("rulebook_mismatch", None, message)),
        );
    }
    // None fits: the one with the same execution points, else the one asked for with the
    // table's own execution points (level-1 points only check, they do not score).
    let same_execution = std::iter::once(requested).chain(others).find(|v| {
        weights
            .execution
            .is_some_and(|e| e == i64::from(v.rules.execution_points) * 100)
    });
    let unmatched = |message: String| Some(finding("rulebook_unmatched", None, message));
    if let Some(base) = same_execution {
        return (
            base.clone(),
            unmatched(format!(
                "表内分值（{printed}）与现有评分规则均不相符；预算执行率分值与“{}”相同，已按其计分",
                base.label()
            )),
        );
    }
    let whole = weights
        .execution
        .filter(|e| e % 100 == 0 && (0..FULL_MARKS_X100).contains(e))
        .and_then(|e| u32::try_from(e / 100).ok());
    match whole {
        Some(points) => (
            Variant {
                name: format!("{}+表内分值", requested.name),
                title: format!("{}（预算执行率按表内{points}分）", requested.title),
                rules: ScoringRules {
                    execution_points: points,
                    ..requested.rules.clone()
                },
            },
            unmatched(format!(
                "表内分值（{printed}）与现有评分规则均不相符，已按表内所列预算执行率{points}分计分，其余按“{}”",
                requested.label()
            )),
        ),
        None => (
            requested.clone(),
            unmatched(format!(
                "表内分值（{printed}）与现有评分规则均不相符，且无法读出预算执行率分值，已按“{}”计分",
                requested.label()
            )),
        ),
    }
}

/// The table's points against the points its 总分 row prints (100).
fn own_points_finding(reading: &TableReading, rules: &ScoringRules) -> Option<Finding> {
    let printed = reading.notes.points_total_printed_x100?;
    let table = &reading.table;
    let execution = table
        .execution_points_x100
        .unwrap_or(i64::from(rules.execution_points) * 100);
    let sum = execution
        + table
            .items
            .iter()
            .filter_map(|i| jixiao_core::target::parse_points(&i.input.points))
            .sum::<i64>();
    (sum != printed).then(|| {
        finding(
            "points_not_sum",
            None,
            format!(
                "预算执行率与各指标分值合计为{}分，与表内总分栏所列{}分不符",
                format_score(sum),
                format_score(printed)
            ),
        )
    })
}

/// Reads a table by the variant its printed points fit — `requested` when it does, else the
/// first of `others` that does, else the table's own points — compares it, and gathers every
/// finding: the variant used, the interpretations of the reading, the table's own sums, and the
/// recomputation's.
pub fn import(bytes: &[u8], requested: &Variant, others: &[Variant]) -> Result<Import, TableError> {
    let first = read(bytes, &requested.rules)?;
    let weights = Weights::of(&first.table, &first.notes);
    let (variant, chosen) = choose(&weights, requested, others);
    let reading = if variant.rules == requested.rules {
        first
    } else {
        read(bytes, &variant.rules)?
    };
    let mut report = compare(&reading.table, &variant.rules, &variant.name)?;
    report.rulebook_title = variant.label();
    let mut findings: Vec<Finding> = chosen.into_iter().collect();
    findings.extend(reading.notes.findings.iter().cloned());
    if let Some(own) = own_points_finding(&reading, &variant.rules) {
        // The same fact as the recomputation's points_not_100 when the table prints 100.
        if reading.notes.points_total_printed_x100 == Some(FULL_MARKS_X100) {
            report.findings.retain(|f| f.code != "points_not_100");
        }
        findings.push(own);
    }
    findings.append(&mut report.findings);
    report.findings = findings;
    Ok(Import {
        table: reading.table,
        report,
        variant,
    })
}
