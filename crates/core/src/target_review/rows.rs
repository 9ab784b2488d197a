//! The review of each indicator row: empty rows, template residue and levels here; whether the
//! value can be checked in [`super::measure`]. Gathers what the sheet-wide checks need.

use super::lexicon::Hits;
use super::measure;
use super::value;
use super::{FindingCode as Code, Findings, Reviewer, SheetUnderReview, list};

/// What the rows tell the sheet-wide checks.
#[derive(Debug, Default)]
pub(super) struct RowFacts<'a> {
    /// Rows about satisfaction (by name or by level).
    pub satisfaction_rows: usize,
    /// Sum of the points written, in hundredths.
    pub points_x100: i64,
    /// Some row has points.
    pub any_points: bool,
    /// Some name shows people served.
    pub served: bool,
    /// Money cost indicators.
    pub costs: Vec<Cost<'a>>,
}

/// A cost indicator in money.
#[derive(Debug, Clone, Copy)]
pub(super) struct Cost<'a> {
    pub row: usize,
    pub name: &'a str,
    pub value: &'a str,
    /// The amount in fen (per unit when `per` is set).
    pub fen: i64,
    /// The unit it is per (`人` in `元/人`), or the name says per person (人均 …).
    pub per: Option<&'a str>,
    /// Per unit by name (人均, 标准 …) without a unit to multiply.
    pub per_by_name: bool,
    /// The name says it is the whole project's (总成本, 总投资 …).
    pub total_named: bool,
}

/// Matches a level as written against the standard name (`产出` for `产出指标` when allowed).
pub(super) fn same_level(reviewer: &Reviewer, written: &str, standard: &str) -> bool {
    written == standard
        || (reviewer.rulebook.target_review.accept_short_level_names
            && standard.strip_suffix("指标") == Some(written))
}

fn level_problem(reviewer: &Reviewer, level1: &str, level2: &str) -> Option<String> {
    let tree = reviewer
        .rulebook
        .indicator_tree
        .iter()
        .chain(reviewer.rulebook.target_review.also_accepted_levels.iter());
    let names = || -> String {
        let names: Vec<&str> = reviewer
            .rulebook
            .indicator_tree
            .iter()
            .map(|l| l.level1.as_str())
            .collect();
        names.join("、")
    };
    let Some(standard) = tree
        .clone()
        .find(|l| same_level(reviewer, level1, &l.level1))
    else {
        return Some(if level1.is_empty() {
            format!("缺少一级指标，应为{}之一", names())
        } else {
            format!("一级指标“{level1}”不在指标体系中，应为{}之一", names())
        });
    };
    if standard
        .level2
        .iter()
        .any(|l| same_level(reviewer, level2, l))
    {
        return None;
    }
    Some(format!(
        "二级指标“{level2}”不属于“{}”，应为{}之一",
        standard.level1,
        standard.level2.join("、")
    ))
}

fn residue<'t>(reviewer: &Reviewer, text: &'t str, hits: &mut Hits) -> Option<&'t str> {
    reviewer.words.scan(text, hits);
    if reviewer.words.has(list::RESIDUE, hits) {
        let rules = &reviewer.rulebook.target_review;
        let found = rules
            .residue_marks
            .iter()
            .chain(rules.residue_words.iter())
            .filter(|w| !w.is_empty())
            .find_map(|w| text.find(w.as_str()).map(|at| &text[at..at + w.len()]));
        return found.or(Some(text));
    }
    None
}

fn numbered_label<'t>(reviewer: &Reviewer, name: &'t str) -> Option<&'t str> {
    reviewer
        .rulebook
        .target_review
        .residue_prefixes
        .iter()
        .find_map(|prefix| {
            let rest = name.strip_prefix(prefix.as_str())?;
            let numbered = rest.chars().next().is_some_and(|c| {
                c.is_ascii_digit() || "一二三四五六七八九十０１２３４５６７８９".contains(c)
            });
            let end = rest
                .char_indices()
                .find(|(_, c)| {
                    !(c.is_ascii_digit()
                        || "一二三四五六七八九十０１２３４５６７８９:：、.．".contains(*c))
                })
                .map_or(rest.len(), |(at, _)| at);
            numbered.then(|| &name[..prefix.len() + end])
        })
}

/// Reviews every row; returns what the sheet checks need.
pub(super) fn review_rows<'a>(
    reviewer: &Reviewer,
    sheet: &'a SheetUnderReview,
    hits: &mut Hits,
    out: &mut Findings<'_>,
) -> RowFacts<'a> {
    let mut facts = RowFacts::default();
    let (mut level1, mut level2) = ("", "");
    for (index, indicator) in sheet.indicators.iter().enumerate() {
        let row = index + 1;
        if !indicator.level1.trim().is_empty() {
            level1 = indicator.level1.trim();
            level2 = "";
        }
        if !indicator.level2.trim().is_empty() {
            level2 = indicator.level2.trim();
        }
        if let Some(points) = indicator.points_x100 {
            facts.points_x100 += points;
            facts.any_points = true;
        }
        let name = indicator.name.trim();
        let value = indicator.value.trim();
        if name.is_empty() && value.is_empty() {
            out.push(
                Code::EmptyRow,
                Some(row),
                "",
                "空行：请删除，或补全指标名称和指标值".to_owned(),
            );
            continue;
        }
        if let Some(message) = level_problem(reviewer, level1, level2) {
            out.push(Code::LevelNonstandard, Some(row), name, message);
        }
        let value_residue = residue(reviewer, value, hits);
        let name_residue = residue(reviewer, name, hits).or_else(|| numbered_label(reviewer, name));
        // The name's words, for every check below.
        reviewer.words.scan(name, hits);
        let satisfaction = reviewer.words.has(list::SATISFACTION, hits)
            || reviewer
                .rulebook
                .gate
                .satisfaction_level1
                .as_deref()
                .is_some_and(|s| same_level(reviewer, level1, s));
        facts.served |= reviewer.words.has(list::SERVED, hits);
        if satisfaction {
            facts.satisfaction_rows += 1;
        }
        if let Some(mark) = name_residue.or(value_residue) {
            out.push(
                Code::TemplateResidue,
                Some(row),
                name,
                format!("含模板残留“{mark}”：请删除编号、占位符或注释符号，填写实际内容"),
            );
            continue;
        }
        let reading = value::read(value);
        let check = measure::RowCheck {
            reviewer,
            hits,
            row,
            name,
            value,
            level1,
            level2,
            indicator,
            reading,
            satisfaction,
        };
        check.run(&mut facts, out);
    }
    facts
}
