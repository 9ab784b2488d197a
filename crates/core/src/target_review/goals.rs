//! The goals: stated, different for the period and the year, written for this year (not copied
//! from another), and saying what will be achieved rather than only naming the activity.

use super::lexicon::{Hits, is_content};
use super::{FindingCode as Code, Findings, Reviewer, SheetUnderReview, list};

const GOALS: [(&str, bool); 2] = [("总体目标", false), ("年度目标", true)];

pub(super) fn review_goals(
    reviewer: &Reviewer,
    sheet: &SheetUnderReview,
    hits: &mut Hits,
    out: &mut Findings<'_>,
) {
    let gate = &reviewer.rulebook.gate;
    let overall = sheet.overall_goal.trim();
    let annual = sheet.annual_goal.trim();
    for ((label, is_annual), goal, required) in [
        (GOALS[0], overall, gate.require_overall_goal),
        (
            GOALS[1],
            annual,
            gate.require_annual_goal || !overall.is_empty(),
        ),
    ] {
        if goal.is_empty() {
            if required {
                let what = if is_annual {
                    "本年度要完成的产出和达到的效果"
                } else {
                    "项目实施期内要达到的产出和效果"
                };
                out.push(
                    Code::GoalMissing,
                    None,
                    "",
                    format!("缺少{label}：请写明{what}"),
                );
            }
            continue;
        }
        reviewer.words.scan(goal, hits);
        if reviewer.words.has(list::RESIDUE, hits) {
            out.push(
                Code::TemplateResidue,
                None,
                "",
                format!("{label}含模板残留内容：请删除占位符或示例文字，填写实际目标"),
            );
            continue;
        }
        if let Some(problem) = stale(reviewer, sheet, goal, is_annual, hits) {
            out.push(Code::GoalStale, None, "", format!("{label}{problem}"));
        } else if restates_activity(reviewer, &sheet.project_name, goal) {
            out.push(
                Code::GoalRestatesActivity,
                None,
                "",
                format!("{label}“{goal}”只复述了工作内容：请写明要达到的产出和效果，如完成的数量、质量、时限和受益情况"),
            );
        }
    }
    if !overall.is_empty() && same_text(overall, annual) {
        out.push(
            Code::GoalIdentical,
            None,
            "",
            "总体目标与年度目标完全相同：年度目标应写明本年度的具体任务和数量".to_owned(),
        );
    }
}

/// Equal when punctuation and spaces are ignored.
fn same_text(a: &str, b: &str) -> bool {
    a.chars()
        .filter(|c| is_content(*c))
        .eq(b.chars().filter(|c| is_content(*c)))
}

/// Calls `each` with every four-digit year written in `text` (followed by 年, or the start of a
/// range `2020-2022年`) as (first, last, the character just before), until it returns `true`.
fn find_year(text: &str, mut each: impl FnMut(i32, i32, Option<char>) -> bool) -> bool {
    let bytes = text.as_bytes();
    let year_at = |at: usize| -> Option<i32> {
        let digits = bytes.get(at..at + 4)?;
        let bounded = (at == 0 || !bytes[at - 1].is_ascii_digit())
            && !bytes.get(at + 4).is_some_and(u8::is_ascii_digit);
        if !bounded || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let year = digits.iter().fold(0, |y, d| y * 10 + i32::from(d - b'0'));
        (1990..=2100).contains(&year).then_some(year)
    };
    let mut at = 0;
    while at < bytes.len() {
        let Some(first) = year_at(at) else {
            at += 1;
            continue;
        };
        let before = text.get(..at).and_then(|t| t.chars().next_back());
        let after = text.get(at + 4..).unwrap_or("");
        let range = after
            .chars()
            .next()
            .filter(|c| "-~～—－–至到".contains(*c))
            .and_then(|c| year_at(at + 4 + c.len_utf8()).map(|last| (last, c.len_utf8())));
        if let Some((last, mark)) = range {
            if each(first, last, before) {
                return true;
            }
            at += 8 + mark;
        } else {
            if after.starts_with('年') && each(first, first, before) {
                return true;
            }
            at += 4;
        }
    }
    false
}

/// Whether a goal states a figure (a number that is not a year).
fn has_figure(goal: &str) -> bool {
    let mut years = 0;
    find_year(goal, |first, last, _| {
        years += if first == last { 4 } else { 8 };
        false
    });
    let digits = goal.bytes().filter(u8::is_ascii_digit).count()
        + goal.chars().filter(|c| ('０'..='９').contains(c)).count();
    digits > years
}

fn stale(
    reviewer: &Reviewer,
    sheet: &SheetUnderReview,
    goal: &str,
    is_annual: bool,
    hits: &mut Hits,
) -> Option<String> {
    if is_annual {
        reviewer.words.scan(goal, hits);
        if reviewer.words.has(list::STALE, hits) {
            let word = reviewer
                .rulebook
                .target_review
                .stale_words
                .iter()
                .find(|w| !w.is_empty() && goal.contains(w.as_str()));
            return Some(format!(
                "含“{}”，像是沿用其他年度的目标：请按{}年度的任务重新填写",
                word.map_or("", String::as_str),
                sheet.year
            ));
        }
        if sheet
            .last_year_annual_goal
            .as_deref()
            .is_some_and(|last| same_text(last, goal))
        {
            return Some("与上年完全相同：请按本年度的任务和数量重新填写".to_owned());
        }
    }
    if sheet.year == 0 {
        return None;
    }
    let baseline = |c: Option<char>| c.is_some_and(|c| "比较与自从于截".contains(c));
    let mut problem = None;
    find_year(goal, |first, last, before| {
        let other = if is_annual {
            !(first..=last).contains(&sheet.year)
        } else {
            last < sheet.year
        };
        if other && !baseline(before) {
            let written = if first == last {
                format!("{first}年")
            } else {
                format!("{first}—{last}年")
            };
            problem = Some(format!(
                "写的是{written}，与本表{}年度不符：请按本年度的任务重新填写",
                sheet.year
            ));
        }
        problem.is_some()
    });
    problem
}

fn restates_activity(reviewer: &Reviewer, project_name: &str, goal: &str) -> bool {
    if has_figure(goal) {
        return false;
    }
    let mut rest: String = goal.to_owned();
    find_year(goal, |first, last, _| {
        for year in [first, last] {
            for suffix in ["年度", "年"] {
                rest = rest.replace(&format!("{year}{suffix}"), "");
            }
        }
        false
    });
    let mut words: Vec<&String> = reviewer
        .rulebook
        .target_review
        .activity_words
        .iter()
        .filter(|w| !w.is_empty())
        .collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    for word in words {
        rest = rest.replace(word.as_str(), "");
    }
    let rest: String = rest.chars().filter(|c| is_content(*c)).collect();
    let count = rest.chars().count();
    let max =
        usize::try_from(reviewer.rulebook.target_review.restate_max_chars).unwrap_or(usize::MAX);
    count <= max || (!project_name.trim().is_empty() && project_name.contains(rest.as_str()))
}
