//! In-year performance monitoring (绩效运行监控, 双监控): the rulebook's alert rules, time
//! progress, indicator progress, and the evaluation of one project's report into red and yellow
//! alerts with their reasons in Chinese.

use crate::ledger::format_rate;
use crate::target::Operator;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// An alert's level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertLevel {
    /// 黄色预警.
    Yellow,
    /// 红色预警: needs a decision within the deadline.
    Red,
}

impl AlertLevel {
    /// Stored and API code.
    pub fn code(self) -> &'static str {
        match self {
            AlertLevel::Red => "red",
            AlertLevel::Yellow => "yellow",
        }
    }

    /// From a stored code.
    pub fn parse(code: &str) -> Option<AlertLevel> {
        match code {
            "red" => Some(AlertLevel::Red),
            "yellow" => Some(AlertLevel::Yellow),
            _ => None,
        }
    }

    /// Name users read.
    pub fn label(self) -> &'static str {
        match self {
            AlertLevel::Red => "红色预警",
            AlertLevel::Yellow => "黄色预警",
        }
    }
}

/// Whether the year's value will be reached (能/不能/不确定).
pub const OUTLOOKS: [&str; 3] = ["能", "不能", "不确定"];

/// Cause categories of a deviation (偏差原因).
pub const CAUSES: [&str; 5] = ["经费保障", "制度保障", "人员保障", "硬件条件保障", "其他"];

/// Agency proposals for a red alert.
pub const ACTIONS: [(&str, &str); 3] = [
    ("continue", "继续执行"),
    ("adjust", "调整（修改目标或收回资金）"),
    ("cancel", "终止项目"),
];

/// The name users read for a decision code.
pub fn action_label(code: &str) -> &'static str {
    ACTIONS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("未知处置", |(_, l)| l)
}

/// The least execution expected by the end of a month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecutionFloor {
    /// Month (1–12); the floor applies to cut-offs in this month and later.
    pub month: u32,
    /// Percent of the approved amount.
    pub percent: u32,
}

/// The monitoring rules of a rulebook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitoringRules {
    /// Execution floors by month.
    pub execution_floors: Vec<ExecutionFloor>,
    /// Level raised by execution below the floor.
    pub execution_floor_level: AlertLevel,
    /// Indicator progress and execution further apart than this many points → alert.
    pub progress_gap_points: u32,
    /// Level raised by that gap.
    pub progress_gap_level: AlertLevel,
    /// Level raised by a 不能 answer.
    pub cannot_reach_level: AlertLevel,
    /// Level raised by a report not submitted by its due date.
    pub overdue_report_level: AlertLevel,
    /// Working days the agency and finance have to decide on a red alert.
    pub decision_working_days: u32,
    /// The reason given when payments stop for want of a decision.
    pub suspension_reason: String,
}

impl Default for MonitoringRules {
    fn default() -> MonitoringRules {
        MonitoringRules {
            execution_floors: [(4, 25), (6, 40), (8, 60), (10, 80)]
                .into_iter()
                .map(|(month, percent)| ExecutionFloor { month, percent })
                .collect(),
            execution_floor_level: AlertLevel::Red,
            progress_gap_points: 10,
            progress_gap_level: AlertLevel::Yellow,
            cannot_reach_level: AlertLevel::Red,
            overdue_report_level: AlertLevel::Red,
            decision_working_days: 10,
            suspension_reason: "监控预警未处置".to_owned(),
        }
    }
}

impl MonitoringRules {
    /// The floor for a cut-off: the latest month at or before it.
    pub fn floor_for(&self, cutoff: NaiveDate) -> Option<&ExecutionFloor> {
        self.execution_floors
            .iter()
            .filter(|f| f.month <= cutoff.month())
            .max_by_key(|f| f.month)
    }

    /// Problems with the rules themselves, in Chinese.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for floor in &self.execution_floors {
            if !(1..=12).contains(&floor.month) || floor.percent > 100 {
                problems.push(format!(
                    "预算执行进度下限（{}月{}%）无效",
                    floor.month, floor.percent
                ));
            }
        }
        if self.progress_gap_points > 100 {
            problems.push("指标进度与执行进度的偏差阈值应在0–100之间".to_owned());
        }
        if self.suspension_reason.trim().is_empty() {
            problems.push("缺少暂停支付的原因".to_owned());
        }
        problems
    }
}

/// The share of the year elapsed at the end of `cutoff`, in basis points.
pub fn time_progress_bp(cutoff: NaiveDate) -> i64 {
    let days_in_year = if cutoff.leap_year() { 366 } else { 365 };
    i64::from(cutoff.ordinal()) * 10_000 / days_in_year
}

/// A decimal number as ten-thousandths (`"12.5"` → 125000), without floats. Accepts a leading
/// sign, thousands separators and up to four decimals.
pub fn parse_decimal(text: &str) -> Option<i128> {
    let text: String = text
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '，')
        .collect();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest.to_owned()),
        None => (false, text.strip_prefix('+').unwrap_or(&text).to_owned()),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((&digits, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
        || fraction.len() > 4
        || whole.len() > 20
    {
        return None;
    }
    let whole: i128 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let fraction: i128 = format!("{fraction:0<4}").parse().ok()?;
    let value = whole * 10_000 + fraction;
    Some(if negative { -value } else { value })
}

/// One indicator's reported state, as far as progress goes.
#[derive(Debug, Clone)]
pub struct IndicatorProgress<'a> {
    /// Its operator.
    pub op: Operator,
    /// Its unit.
    pub unit: &'a str,
    /// The year's target.
    pub target: &'a str,
    /// The value reached by the cut-off.
    pub reached: &'a str,
}

/// Indicator progress (指标完成进度) in basis points: the mean of reached ÷ target, each capped
/// at 100%, over the cumulative quantitative indicators (`≥` or `=`, not in %: counts, people,
/// money, works). Rates, `≤` limits and qualitative indicators say nothing about how far the
/// year has gone and are left out. None when nothing counts.
pub fn indicator_progress_bp(rows: &[IndicatorProgress<'_>]) -> Option<i64> {
    let shares: Vec<i64> = rows
        .iter()
        .filter(|r| matches!(r.op, Operator::AtLeast | Operator::Equal))
        .filter(|r| !r.unit.contains('%'))
        .filter_map(|r| {
            let target = parse_decimal(r.target)?;
            let reached = parse_decimal(r.reached)?;
            (target > 0 && reached >= 0).then(|| (reached * 10_000 / target).min(10_000) as i64)
        })
        .collect();
    if shares.is_empty() {
        return None;
    }
    Some(shares.iter().sum::<i64>() / shares.len() as i64)
}

/// What the rules look at for one project in one round.
#[derive(Debug, Clone)]
pub struct ReportFacts {
    /// The round's cut-off.
    pub cutoff: NaiveDate,
    /// The report's due date.
    pub due: NaiveDate,
    /// The business date of the evaluation.
    pub as_of: NaiveDate,
    /// Whether the agency has submitted its report (submitted or approved).
    pub submitted: bool,
    /// Executed ÷ approved at the cut-off, basis points (from the ledger).
    pub execution_bp: i64,
    /// Indicator progress from the report, when it says anything.
    pub indicator_progress_bp: Option<i64>,
    /// Indicators the agency says will not be reached this year.
    pub cannot_reach: Vec<String>,
}

/// One reason for an alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Level it raises.
    pub level: AlertLevel,
    /// Rule code: `execution_floor`, `progress_gap`, `cannot_reach`, `overdue_report`.
    pub rule: String,
    /// Why, in Chinese.
    pub reason: String,
}

fn date_zh(date: NaiveDate) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

/// Every rule that fires for one project, in rule order.
pub fn evaluate(rules: &MonitoringRules, facts: &ReportFacts) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some(floor) = rules.floor_for(facts.cutoff)
        && facts.execution_bp < i64::from(floor.percent) * 100
    {
        findings.push(Finding {
            level: rules.execution_floor_level,
            rule: "execution_floor".to_owned(),
            reason: format!(
                "截至{}预算执行率{}，低于{}月末应达到的{}%",
                date_zh(facts.cutoff),
                format_rate(facts.execution_bp),
                floor.month,
                floor.percent
            ),
        });
    }
    if let Some(progress) = facts.indicator_progress_bp {
        let gap = (progress - facts.execution_bp).abs();
        if gap > i64::from(rules.progress_gap_points) * 100 {
            findings.push(Finding {
                level: rules.progress_gap_level,
                rule: "progress_gap".to_owned(),
                reason: format!(
                    "指标完成进度{}与预算执行率{}相差{}个百分点，超过{}个百分点",
                    format_rate(progress),
                    format_rate(facts.execution_bp),
                    format_rate(gap).trim_end_matches('%'),
                    rules.progress_gap_points
                ),
            });
        }
    }
    for name in &facts.cannot_reach {
        findings.push(Finding {
            level: rules.cannot_reach_level,
            rule: "cannot_reach".to_owned(),
            reason: format!("单位预计“{name}”全年目标不能完成"),
        });
    }
    if !facts.submitted && facts.as_of > facts.due {
        findings.push(Finding {
            level: rules.overdue_report_level,
            rule: "overdue_report".to_owned(),
            reason: format!("监控报告未在{}前报送", date_zh(facts.due)),
        });
    }
    findings
}

/// The alert level of a set of findings: the highest, if any.
pub fn level_of(findings: &[Finding]) -> Option<AlertLevel> {
    findings.iter().map(|f| f.level).max()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    fn facts(execution_bp: i64) -> ReportFacts {
        ReportFacts {
            cutoff: day("2020-06-30"),
            due: day("2020-07-10"),
            as_of: day("2020-07-05"),
            submitted: true,
            execution_bp,
            indicator_progress_bp: None,
            cannot_reach: Vec::new(),
        }
    }

    #[test]
    fn execution_below_the_floor_for_the_month_is_red() {
        let rules = MonitoringRules::default();
        let found = evaluate(&rules, &facts(1_000));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].level, AlertLevel::Red);
        assert_eq!(
            found[0].reason,
            "截至2020年6月30日预算执行率10.00%，低于6月末应达到的40%"
        );
        assert!(evaluate(&rules, &facts(4_000)).is_empty(), "40% is enough");
        // July falls under June's floor; March under none.
        let mut july = facts(3_999);
        july.cutoff = day("2020-07-31");
        assert!(
            evaluate(&rules, &july)[0]
                .reason
                .contains("6月末应达到的40%")
        );
        let mut march = facts(0);
        march.cutoff = day("2020-03-31");
        assert!(evaluate(&rules, &march).is_empty());
    }

    #[test]
    fn indicator_progress_far_from_spending_is_yellow() {
        let rules = MonitoringRules::default();
        let mut f = facts(5_000);
        f.indicator_progress_bp = Some(6_001);
        let found = evaluate(&rules, &f);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].level, AlertLevel::Yellow);
        assert_eq!(
            found[0].reason,
            "指标完成进度60.01%与预算执行率50.00%相差10.01个百分点，超过10个百分点"
        );
        f.indicator_progress_bp = Some(6_000);
        assert!(
            evaluate(&rules, &f).is_empty(),
            "exactly 10 points is allowed"
        );
        f.indicator_progress_bp = Some(3_900);
        assert_eq!(evaluate(&rules, &f).len(), 1, "either direction");
    }

    #[test]
    fn a_cannot_answer_and_an_overdue_report_are_red() {
        let rules = MonitoringRules::default();
        let mut f = facts(5_000);
        f.cannot_reach = vec!["培训人次".to_owned()];
        let found = evaluate(&rules, &f);
        assert_eq!(found[0].reason, "单位预计“培训人次”全年目标不能完成");
        assert_eq!(level_of(&found), Some(AlertLevel::Red));
        let mut late = facts(5_000);
        late.submitted = false;
        assert!(evaluate(&rules, &late).is_empty(), "not yet due");
        late.as_of = day("2020-07-11");
        let found = evaluate(&rules, &late);
        assert_eq!(found[0].reason, "监控报告未在2020年7月10日前报送");
        assert_eq!(found[0].rule, "overdue_report");
    }

    #[test]
    fn the_highest_level_wins() {
        let rules = MonitoringRules {
            execution_floor_level: AlertLevel::Yellow,
            ..MonitoringRules::default()
        };
        let mut f = facts(1_000);
        assert_eq!(level_of(&evaluate(&rules, &f)), Some(AlertLevel::Yellow));
        f.cannot_reach = vec!["x".to_owned()];
        assert_eq!(level_of(&evaluate(&rules, &f)), Some(AlertLevel::Red));
        assert_eq!(level_of(&[]), None);
    }

    #[test]
    fn time_and_indicator_progress() {
        assert_eq!(time_progress_bp(day("2020-06-30")), 4_972); // 182 of 366 days
        assert_eq!(time_progress_bp(day("2019-12-31")), 10_000);
        let rows = [
            IndicatorProgress {
                op: Operator::AtLeast,
                unit: "人次",
                target: "500",
                reached: "250",
            },
            IndicatorProgress {
                op: Operator::AtLeast,
                unit: "个",
                target: "4",
                reached: "6",
            },
            IndicatorProgress {
                op: Operator::AtLeast,
                unit: "%",
                target: "95",
                reached: "10",
            },
            IndicatorProgress {
                op: Operator::AtMost,
                unit: "元",
                target: "2000",
                reached: "1",
            },
        ];
        // (50% + capped 100%) / 2; rates and limits left out.
        assert_eq!(indicator_progress_bp(&rows), Some(7_500));
        assert_eq!(indicator_progress_bp(&rows[2..]), None);
        assert_eq!(parse_decimal("1,200.5"), Some(12_005_000));
        assert_eq!(parse_decimal("abc"), None);
        assert_eq!(parse_decimal("."), None);
    }
}
