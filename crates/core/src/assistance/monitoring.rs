//! Dynamic monitoring (防止返贫动态监测, ASSISTANCE.md §3, decision 0035): the monitoring section
//! of the assistance rulebook (the year's line, the triggers' shares and amounts, the time
//! limits), the screening triggers (预警) that raise clues, the conditions of a public notice and
//! of risk elimination, and the vocabularies of clues, cases and measures. Every number comes
//! from the rulebook; money is fen. Pure: no database, no clock.

use crate::vocabulary;
use chrono::{Months, NaiveDate};
use serde::Deserialize;
use serde_json::json;

/// The monitoring section as written in the rulebook (`[monitoring]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MonitoringFile {
    pub(crate) line: String,
    pub(crate) sharp_drop_percent: i64,
    pub(crate) medical_share_percent: i64,
    pub(crate) medical_fixed: String,
    pub(crate) clue_to_measures_days: i64,
    pub(crate) application_accept_days: i64,
    pub(crate) notice_days: i64,
    pub(crate) min_months_monitored: u32,
}

/// The monitoring rules of a rulebook's year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitoringRules {
    /// 监测范围: per-capita net income under this is a trigger, fen per person and year.
    pub line_fen: i64,
    /// Income down by at least this share against last year is a trigger, percent.
    pub sharp_drop_percent: i64,
    /// Compliant self-paid (medical) spending above this share of the household's income is a
    /// trigger, percent.
    pub medical_share_percent: i64,
    /// … or above this amount, fen.
    pub medical_fixed_fen: i64,
    /// Days from a clue to measures in place.
    pub clue_to_measures_days: i64,
    /// Days to accept a household's application.
    pub application_accept_days: i64,
    /// The shortest public notice, days.
    pub notice_days: i64,
    /// Months under monitoring before the risk may be eliminated.
    pub min_months_monitored: u32,
}

impl MonitoringRules {
    pub(crate) fn from_file(
        file: &MonitoringFile,
        amount: impl Fn(&str, &str) -> Result<i64, String>,
    ) -> Result<MonitoringRules, String> {
        let rules = MonitoringRules {
            line_fen: amount("monitoring.line", &file.line)?,
            sharp_drop_percent: file.sharp_drop_percent,
            medical_share_percent: file.medical_share_percent,
            medical_fixed_fen: amount("monitoring.medical_fixed", &file.medical_fixed)?,
            clue_to_measures_days: file.clue_to_measures_days,
            application_accept_days: file.application_accept_days,
            notice_days: file.notice_days,
            min_months_monitored: file.min_months_monitored,
        };
        let percent = |p: i64| (1..=100).contains(&p);
        if !percent(rules.sharp_drop_percent) || !percent(rules.medical_share_percent) {
            return Err("百分比应在1至100之间".to_owned());
        }
        let days = [
            rules.clue_to_measures_days,
            rules.application_accept_days,
            rules.notice_days,
        ];
        if days.iter().any(|d| !(1..=365).contains(d)) || rules.min_months_monitored > 60 {
            return Err("时限应为1至365天，监测期不超过60个月".to_owned());
        }
        Ok(rules)
    }
}

vocabulary! {
    /// Why a clue was raised (预警触发项与线索来源).
    pub enum ClueReason {
        /// 人均纯收入低于监测线.
        IncomeUnderLine = ("income_under_line", "人均纯收入低于监测范围"),
        /// 收入大幅下降.
        SharpDrop = ("sharp_drop", "人均纯收入较上年大幅下降"),
        /// 医疗等合规自付支出过大.
        MedicalSpending = ("medical_spending", "合规自付支出超过规定比例或金额"),
        /// A department's list (医保 住院自付, 残联 新办残疾人证 …).
        DepartmentList = ("department_list", "行业部门数据比对"),
        /// 农户自主申报.
        Application = ("application", "农户自主申报"),
        /// 干部走访排查.
        Visit = ("visit", "干部走访排查"),
        /// 热线电话反映.
        Hotline = ("hotline", "热线反映"),
        /// 健康查体 found a serious illness (因病, decision 0045).
        HealthScreening = ("health_screening", "健康查体发现重大疾病"),
    }
}

vocabulary! {
    /// Where a clue stands.
    pub enum ClueStatus {
        /// Raised, not yet turned into a case or dismissed.
        Open = ("open", "待处理"),
        /// A monitoring case was opened from it.
        InCase = ("in_case", "已立案"),
        /// Its case ended (not included, or the risk eliminated).
        Closed = ("closed", "已办结"),
        /// Looked at and dismissed.
        Dismissed = ("dismissed", "不予立案"),
    }
}

vocabulary! {
    /// 致贫/返贫风险类别 (one to five per case).
    pub enum RiskKind {
        Illness = ("illness", "因病"),
        Disability = ("disability", "因残"),
        Schooling = ("schooling", "因学"),
        Disaster = ("disaster", "因灾"),
        Accident = ("accident", "因意外事故"),
        LackOfLabour = ("lack_of_labour", "缺劳动力"),
        UnstableWork = ("unstable_work", "因务工就业不稳"),
        FailedIndustry = ("failed_industry", "因产业项目失败"),
        Housing = ("housing", "住房安全"),
        DrinkingWater = ("drinking_water", "饮水安全"),
        Other = ("other", "其他"),
    }
}

vocabulary! {
    /// 帮扶措施类别 (一户一策).
    pub enum MeasureKind {
        Industry = ("industry", "产业帮扶"),
        Employment = ("employment", "就业帮扶"),
        PublicWelfarePost = ("public_welfare_post", "公益性岗位"),
        Health = ("health", "健康帮扶"),
        Education = ("education", "教育帮扶（雨露计划）"),
        Housing = ("housing", "住房安全保障"),
        DrinkingWater = ("drinking_water", "饮水安全保障"),
        Comprehensive = ("comprehensive", "综合保障（低保、特困）"),
        Social = ("social", "社会帮扶"),
        Microcredit = ("microcredit", "小额信贷"),
    }
}

impl MeasureKind {
    /// Whether it is a development measure (产业 or 就业, 公益性岗位 being a form of 就业).
    pub fn development(self) -> bool {
        matches!(
            self,
            MeasureKind::Industry | MeasureKind::Employment | MeasureKind::PublicWelfarePost
        )
    }
}

vocabulary! {
    /// Where a measure stands.
    pub enum MeasureStatus {
        Planned = ("planned", "计划"),
        UnderWay = ("under_way", "实施中"),
        Done = ("done", "已落实"),
    }
}

vocabulary! {
    /// 风险消除方式.
    pub enum EliminationMethod {
        Assisted = ("assisted", "帮扶消除"),
        Natural = ("natural", "自然消除"),
    }
}

/// A trigger that fired: why, in words, and the data that made it fire.
#[derive(Debug, Clone, PartialEq)]
pub struct Fired {
    /// The trigger.
    pub reason: ClueReason,
    /// What happened, in plain Chinese.
    pub message: String,
    /// The figures that fired it (fen, percent).
    pub data: serde_json::Value,
}

/// What the registry says of a household for screening (fen).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScreeningFacts {
    /// This year's per-capita net income, if recorded.
    pub per_capita: Option<i64>,
    /// Last year's, if recorded.
    pub last_per_capita: Option<i64>,
    /// This year's household income before compliant spending.
    pub gross_income: i64,
    /// This year's compliant self-paid spending (mostly medical).
    pub self_paid: i64,
}

fn yuan(fen: i64) -> String {
    crate::money::format_yuan(fen)
}

/// The registry triggers that fire for a household (none when no income is recorded).
pub fn screen(rules: &MonitoringRules, facts: &ScreeningFacts) -> Vec<Fired> {
    let mut fired = Vec::new();
    if let Some(income) = facts.per_capita {
        if income < rules.line_fen {
            fired.push(Fired {
                reason: ClueReason::IncomeUnderLine,
                message: format!(
                    "人均纯收入{}元，低于监测范围{}元",
                    yuan(income),
                    yuan(rules.line_fen)
                ),
                data: json!({"per_capita_fen": income, "line_fen": rules.line_fen}),
            });
        }
        if let Some(last) = facts.last_per_capita
            && last > 0
            && (last - income) * 100 >= last * rules.sharp_drop_percent
        {
            let drop = (last - income) * 100 / last;
            fired.push(Fired {
                reason: ClueReason::SharpDrop,
                message: format!(
                    "人均纯收入由上年{}元降至{}元，下降{drop}%（规定{}%）",
                    yuan(last),
                    yuan(income),
                    rules.sharp_drop_percent
                ),
                data: json!({"per_capita_fen": income, "last_per_capita_fen": last,
                    "drop_percent": drop, "threshold_percent": rules.sharp_drop_percent}),
            });
        }
    }
    if let Some(f) = spending(rules, facts.self_paid, facts.gross_income) {
        fired.push(f);
    }
    fired
}

/// The spending trigger for `self_paid` fen against `income` fen: above the share of the
/// income or above the fixed amount.
pub fn spending(rules: &MonitoringRules, self_paid: i64, income: i64) -> Option<Fired> {
    let over_share = income > 0 && self_paid * 100 > income * rules.medical_share_percent;
    let over_fixed = self_paid > rules.medical_fixed_fen;
    if self_paid <= 0 || !(over_share || over_fixed) {
        return None;
    }
    let why = if over_fixed {
        format!("超过{}元", yuan(rules.medical_fixed_fen))
    } else {
        format!(
            "超过家庭收入{}元的{}%",
            yuan(income),
            rules.medical_share_percent
        )
    };
    Some(Fired {
        reason: ClueReason::MedicalSpending,
        message: format!("合规自付支出{}元，{why}", yuan(self_paid)),
        data: json!({"self_paid_fen": self_paid, "income_fen": income,
            "share_percent": rules.medical_share_percent, "fixed_fen": rules.medical_fixed_fen}),
    })
}

/// Why a public notice from `from` to `to` (both days included) is too short, if it is.
pub fn notice_refusal(rules: &MonitoringRules, from: NaiveDate, to: NaiveDate) -> Option<String> {
    let days = (to - from).num_days() + 1;
    (days < rules.notice_days).then(|| {
        format!(
            "公示期{days}天，少于规则规定的{}天",
            rules.notice_days.max(1)
        )
    })
}

/// What elimination is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EliminationFacts {
    /// The day the household was included in monitoring.
    pub monitored_since: NaiveDate,
    /// The day of the decision.
    pub today: NaiveDate,
    /// Measures of the current plan carried out (done).
    pub measures_done: usize,
    /// The latest per-capita net income, if recorded.
    pub per_capita: Option<i64>,
}

/// Every reason risk elimination is refused: (code, message). Empty when it may go ahead.
pub fn elimination_refusals(
    rules: &MonitoringRules,
    facts: &EliminationFacts,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let earliest = facts
        .monitored_since
        .checked_add_months(Months::new(rules.min_months_monitored))
        .unwrap_or(NaiveDate::MAX);
    if facts.today < earliest {
        out.push((
            "elimination_too_early",
            format!(
                "纳入监测未满{}个月（{}纳入，{}后方可消除）",
                rules.min_months_monitored, facts.monitored_since, earliest
            ),
        ));
    }
    if facts.measures_done == 0 {
        out.push((
            "no_measure_done",
            "尚无已落实的帮扶措施，不能消除风险".to_owned(),
        ));
    }
    match facts.per_capita {
        Some(income) if income > rules.line_fen => {}
        Some(income) => out.push((
            "income_not_above_line",
            format!(
                "人均纯收入{}元，未稳定高于监测范围{}元",
                yuan(income),
                yuan(rules.line_fen)
            ),
        )),
        None => out.push((
            "income_not_above_line",
            "未登记当年收入，无法确认收入稳定高于监测范围".to_owned(),
        )),
    }
    out
}

/// The last day measures are due for a clue raised on `raised`.
pub fn measures_due(rules: &MonitoringRules, raised: NaiveDate) -> NaiveDate {
    raised + chrono::Days::new(u64::try_from(rules.clue_to_measures_days).unwrap_or(0))
}

/// The last day an application raised on `raised` must be accepted.
pub fn acceptance_due(rules: &MonitoringRules, raised: NaiveDate) -> NaiveDate {
    raised + chrono::Days::new(u64::try_from(rules.application_accept_days).unwrap_or(0))
}

/// Whether a member counts as labour (有劳动能力): a recorded 技能/普通/弱劳动力, or, when
/// nothing is recorded, an age of 16 to 64.
pub fn has_labour(labour: Option<super::registry::LabourAbility>, age: i64) -> bool {
    use super::registry::LabourAbility::*;
    match labour {
        Some(Skilled | Ordinary | Weak) => true,
        Some(Lost | NoAbility) => false,
        None => (16..65).contains(&age),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> MonitoringRules {
        crate::assistance::AssistanceRules::shipped("assistance-shandong-2020")
            .expect("shipped")
            .expect("parses")
            .monitoring
            .expect("a monitoring section")
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a date")
    }

    #[test]
    fn the_triggers_fire_on_the_rulebooks_numbers() {
        let r = rules();
        let quiet = ScreeningFacts {
            per_capita: Some(r.line_fen * 2),
            last_per_capita: Some(r.line_fen * 2),
            gross_income: 3_000_000,
            self_paid: 0,
        };
        assert!(screen(&r, &quiet).is_empty());
        let poor = ScreeningFacts {
            per_capita: Some(r.line_fen - 1),
            ..quiet
        };
        let fired = screen(&r, &poor);
        assert_eq!(fired.len(), 2, "under the line and a sharp drop: {fired:?}");
        assert_eq!(fired[0].reason, ClueReason::IncomeUnderLine);
        assert_eq!(fired[1].reason, ClueReason::SharpDrop);
        let ill = ScreeningFacts {
            self_paid: r.medical_fixed_fen + 1,
            ..quiet
        };
        assert_eq!(screen(&r, &ill)[0].reason, ClueReason::MedicalSpending);
        let share = ScreeningFacts {
            gross_income: 1_000_000,
            self_paid: 1_000_000 * r.medical_share_percent / 100 + 1,
            ..quiet
        };
        assert_eq!(screen(&r, &share).len(), 1);
    }

    #[test]
    fn notices_and_elimination_follow_the_rulebook() {
        let r = rules();
        let from = day(2021, 3, 1);
        let short = from + chrono::Days::new(u64::try_from(r.notice_days - 2).unwrap_or(0));
        assert!(notice_refusal(&r, from, short).is_some());
        let full = from + chrono::Days::new(u64::try_from(r.notice_days - 1).unwrap_or(0));
        assert_eq!(notice_refusal(&r, from, full), None);
        let facts = EliminationFacts {
            monitored_since: day(2021, 1, 10),
            today: day(2021, 5, 1),
            measures_done: 0,
            per_capita: Some(r.line_fen),
        };
        let codes: Vec<&str> = elimination_refusals(&r, &facts)
            .iter()
            .map(|(c, _)| *c)
            .collect();
        assert_eq!(
            codes,
            [
                "elimination_too_early",
                "no_measure_done",
                "income_not_above_line"
            ]
        );
        let ready = EliminationFacts {
            today: day(2021, 7, 10),
            measures_done: 1,
            per_capita: Some(r.line_fen + 1),
            ..facts
        };
        assert!(elimination_refusals(&r, &ready).is_empty());
    }
}
