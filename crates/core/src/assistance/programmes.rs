//! The programmes of the seed (ASSISTANCE.md §4, issue 19 item 5, decision 0045): the
//! `[programmes]` section of the assistance rulebook — the age range of a 扶贫专岗/公益性岗位
//! holder, the 洁净庭院 pass score, the left-behind children's "12345" schedule — and the rules
//! over them: a holder's age on the post's first day (from the resident ID's birth date), whether
//! a courtyard passes, what the schedule owes over a period and whether a child's recorded
//! activities meet it. Every number comes from the rulebook. Pure: no database, no clock.

use crate::vocabulary;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

/// The programmes section as written in the rulebook (`[programmes]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProgrammesFile {
    pub(crate) post_holder_min_age: i64,
    pub(crate) post_holder_max_age: i64,
    pub(crate) courtyard_pass_score: i64,
    pub(crate) child_contacts_per_day: i64,
    pub(crate) child_special_classes_per_week: i64,
    pub(crate) child_feedbacks_per_month: i64,
    pub(crate) child_home_visits_per_year: i64,
    pub(crate) child_festival_activities_per_school_year: i64,
    pub(crate) school_year_start_month: u32,
}

/// The programme rules of a rulebook's year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammeRules {
    /// The youngest a post holder may be on the post's first day, years.
    pub post_holder_min_age: i64,
    /// The oldest, years.
    pub post_holder_max_age: i64,
    /// A courtyard scoring at least this (of 100) passes.
    pub courtyard_pass_score: i64,
    /// "1": contacts a day.
    pub child_contacts_per_day: i64,
    /// "2": special classes a week.
    pub child_special_classes_per_week: i64,
    /// "3": feedbacks to the parents a month.
    pub child_feedbacks_per_month: i64,
    /// "4": home visits a year.
    pub child_home_visits_per_year: i64,
    /// "5": festival activities a school year.
    pub child_festival_activities_per_school_year: i64,
    /// The month a school year starts on the first of.
    pub school_year_start_month: u32,
}

impl ProgrammeRules {
    pub(crate) fn from_file(file: &ProgrammesFile) -> Result<ProgrammeRules, String> {
        let rules = ProgrammeRules {
            post_holder_min_age: file.post_holder_min_age,
            post_holder_max_age: file.post_holder_max_age,
            courtyard_pass_score: file.courtyard_pass_score,
            child_contacts_per_day: file.child_contacts_per_day,
            child_special_classes_per_week: file.child_special_classes_per_week,
            child_feedbacks_per_month: file.child_feedbacks_per_month,
            child_home_visits_per_year: file.child_home_visits_per_year,
            child_festival_activities_per_school_year: file
                .child_festival_activities_per_school_year,
            school_year_start_month: file.school_year_start_month,
        };
        if !(0..=120).contains(&rules.post_holder_min_age)
            || !(rules.post_holder_min_age..=120).contains(&rules.post_holder_max_age)
        {
            return Err("岗位人员年龄范围有误".to_owned());
        }
        if !(1..=100).contains(&rules.courtyard_pass_score) {
            return Err("庭院达标分数应在1至100之间".to_owned());
        }
        let rates = [
            rules.child_contacts_per_day,
            rules.child_special_classes_per_week,
            rules.child_feedbacks_per_month,
            rules.child_home_visits_per_year,
            rules.child_festival_activities_per_school_year,
        ];
        if rates.iter().any(|r| !(0..=100).contains(r)) {
            return Err("留守儿童关爱频次应在0至100之间".to_owned());
        }
        if !(1..=12).contains(&rules.school_year_start_month) {
            return Err("学年起始月份应在1至12之间".to_owned());
        }
        Ok(rules)
    }

    /// Why a person born on `birth_date` may not hold a post from `start`: (code `holder_age`,
    /// message), or `None` when the age is within the rulebook's range.
    pub fn holder_age_refusal(
        &self,
        birth_date: NaiveDate,
        start: NaiveDate,
    ) -> Option<(&'static str, String)> {
        let age = super::registry::age_on(birth_date, start);
        (!(self.post_holder_min_age..=self.post_holder_max_age).contains(&age)).then(|| {
            (
                "holder_age",
                format!(
                    "上岗之日（{start}）年满{age}周岁，公益性岗位人员应为{}至{}周岁",
                    self.post_holder_min_age, self.post_holder_max_age
                ),
            )
        })
    }

    /// Whether a courtyard's score passes.
    pub fn courtyard_passes(&self, score: i64) -> bool {
        score >= self.courtyard_pass_score
    }

    /// How many of `kind` the schedule owes over `from`..=`to`: the rate times the whole units
    /// (days; runs of 7 days; calendar months; calendar years; school years) the period covers.
    pub fn owed(&self, kind: ChildActivityKind, from: NaiveDate, to: NaiveDate) -> i64 {
        if to < from {
            return 0;
        }
        let days = (to - from).num_days() + 1;
        match kind {
            ChildActivityKind::Contact => self.child_contacts_per_day * days,
            ChildActivityKind::SpecialClass => self.child_special_classes_per_week * (days / 7),
            ChildActivityKind::Feedback => {
                self.child_feedbacks_per_month * whole_periods(from, to, 1, 1)
            }
            ChildActivityKind::HomeVisit => {
                self.child_home_visits_per_year * whole_periods(from, to, 12, 1)
            }
            ChildActivityKind::FestivalActivity => {
                self.child_festival_activities_per_school_year
                    * whole_periods(from, to, 12, self.school_year_start_month)
            }
        }
    }

    /// A child's standing over the period: for each kind what is owed and what was done.
    pub fn compliance(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        done: impl Fn(ChildActivityKind) -> i64,
    ) -> Vec<KindStanding> {
        ChildActivityKind::ALL
            .iter()
            .map(|&kind| KindStanding {
                kind,
                owed: self.owed(kind, from, to),
                done: done(kind),
            })
            .collect()
    }
}

/// The number of periods of `months` months, starting on the first of a month `m` with
/// `(m - start_month) % months == 0`, that lie wholly within `from..=to`.
fn whole_periods(from: NaiveDate, to: NaiveDate, months: u32, start_month: u32) -> i64 {
    let index = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
    let step = i64::from(months.max(1));
    let offset = i64::from(start_month.clamp(1, 12) - 1);
    // The first period starting on or after `from`.
    let mut start = index(from);
    if from.day() != 1 {
        start += 1;
    }
    let rem = (start - offset).rem_euclid(step);
    if rem != 0 {
        start += step - rem;
    }
    // Periods ending on or before `to`: the month after `to` when `to` is a month's last day.
    let mut end = index(to);
    if to.succ_opt().is_some_and(|next| next.day() == 1) {
        end += 1;
    }
    ((end - start) / step).max(0)
}

/// One kind's standing for a child over a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindStanding {
    /// The kind.
    pub kind: ChildActivityKind,
    /// What the schedule owes.
    pub owed: i64,
    /// What was recorded.
    pub done: i64,
}

impl KindStanding {
    /// Whether what was done meets what is owed.
    pub fn met(&self) -> bool {
        self.done >= self.owed
    }
}

vocabulary! {
    /// 留守儿童关爱 "12345" activities.
    pub enum ChildActivityKind {
        /// 1: 每天一次联系.
        Contact = ("contact", "日常联系"),
        /// 2: 每周两次专题课.
        SpecialClass = ("special_class", "专题课"),
        /// 3: 每月三次向家长反馈.
        Feedback = ("feedback", "向家长反馈"),
        /// 4: 每年四次家访.
        HomeVisit = ("home_visit", "家访"),
        /// 5: 每学年五次节日活动.
        FestivalActivity = ("festival_activity", "节日活动"),
    }
}

vocabulary! {
    /// 健康查体 result of a person.
    pub enum ScreeningResult {
        /// 未见异常.
        Normal = ("normal", "未见异常"),
        /// 需复查或随访.
        FollowUp = ("follow_up", "需复查随访"),
        /// 重大疾病或严重异常: raises a clue 因病.
        Serious = ("serious", "严重异常（因病风险）"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assistance::IdNumber;

    fn rules() -> ProgrammeRules {
        crate::assistance::AssistanceRules::shipped("assistance-shandong-2020")
            .expect("shipped")
            .expect("parses")
            .programmes
            .expect("a programmes section")
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a date")
    }

    #[test]
    fn a_holders_age_is_taken_on_the_first_day_from_the_resident_id() {
        let r = rules();
        // Born 2005-06-15 (a resident ID with a valid check digit).
        let body = "37142820050615001";
        let check = crate::assistance::id_number::check_character(body).expect("check digit");
        let id = IdNumber::parse(&format!("{body}{check}"), day(2021, 1, 1)).expect("an ID");
        let born = id.birth_date();
        assert_eq!(born, day(2005, 6, 15));
        let (code, message) = r
            .holder_age_refusal(born, day(2021, 6, 14))
            .expect("15 the day before the birthday");
        assert_eq!(code, "holder_age");
        assert!(message.contains("15"), "{message}");
        assert_eq!(r.holder_age_refusal(born, day(2021, 6, 15)), None);
        let old = day(1950, 3, 1);
        assert_eq!(r.holder_age_refusal(old, day(2021, 2, 28)), None, "70");
        assert!(r.holder_age_refusal(old, day(2021, 3, 1)).is_some(), "71");
    }

    #[test]
    fn the_schedule_owes_by_whole_units() {
        let r = rules();
        use ChildActivityKind::*;
        // A calendar year: 365 contacts, 52 weeks, 12 months, 1 year, no whole school year.
        let (from, to) = (day(2021, 1, 1), day(2021, 12, 31));
        assert_eq!(r.owed(Contact, from, to), 365 * r.child_contacts_per_day);
        assert_eq!(
            r.owed(SpecialClass, from, to),
            52 * r.child_special_classes_per_week
        );
        assert_eq!(r.owed(Feedback, from, to), 12 * r.child_feedbacks_per_month);
        assert_eq!(r.owed(HomeVisit, from, to), r.child_home_visits_per_year);
        assert_eq!(r.owed(FestivalActivity, from, to), 0);
        // A school year: 1 September to 31 August.
        let (from, to) = (day(2020, 9, 1), day(2021, 8, 31));
        assert_eq!(
            r.owed(FestivalActivity, from, to),
            r.child_festival_activities_per_school_year
        );
        assert_eq!(r.owed(HomeVisit, from, to), 0, "not a calendar year");
        // A month from its 2nd day owes no feedbacks; a whole month owes them.
        assert_eq!(r.owed(Feedback, day(2021, 3, 2), day(2021, 3, 31)), 0);
        assert_eq!(
            r.owed(Feedback, day(2021, 2, 1), day(2021, 2, 28)),
            r.child_feedbacks_per_month
        );
        assert_eq!(r.owed(Contact, day(2021, 3, 2), day(2021, 3, 1)), 0);
    }

    #[test]
    fn compliance_compares_done_with_owed() {
        let r = rules();
        let (from, to) = (day(2021, 2, 1), day(2021, 2, 28));
        let standing = r.compliance(from, to, |kind| match kind {
            ChildActivityKind::Contact => 28,
            ChildActivityKind::SpecialClass => 8,
            ChildActivityKind::Feedback => 2,
            _ => 0,
        });
        let unmet: Vec<ChildActivityKind> = standing
            .iter()
            .filter(|s| !s.met())
            .map(|s| s.kind)
            .collect();
        assert_eq!(unmet, [ChildActivityKind::Feedback]);
        assert!(r.courtyard_passes(r.courtyard_pass_score));
        assert!(!r.courtyard_passes(r.courtyard_pass_score - 1));
    }
}
