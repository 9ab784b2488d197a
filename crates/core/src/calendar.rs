//! The working-day calendar (工作日): weekends and public holidays are off, except the weekend
//! days the State Council declares working days in exchange (调休). Deadlines "within N working
//! days" count from the day after the start date.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Holidays and exchanged working days, from the rulebook.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkingCalendar {
    /// Days off that would otherwise be working days (法定节假日).
    #[serde(default)]
    pub holidays: BTreeSet<NaiveDate>,
    /// Weekend days that are working days (调休上班).
    #[serde(default)]
    pub workdays: BTreeSet<NaiveDate>,
}

impl WorkingCalendar {
    /// Whether `day` is a working day.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.workdays.contains(&day) {
            return true;
        }
        if self.holidays.contains(&day) {
            return false;
        }
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// The `n`th working day after `start` (`start` itself does not count). With `n = 0`,
    /// `start`.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut day = start;
        let mut left = n;
        while left > 0 {
            match day.succ_opt() {
                Some(next) => day = next,
                None => return day,
            }
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// Working days after `start` up to and including `end` (0 when `end` ≤ `start`).
    pub fn working_days_between(&self, start: NaiveDate, end: NaiveDate) -> u32 {
        start
            .iter_days()
            .skip(1)
            .take_while(|d| *d <= end)
            .filter(|d| self.is_working_day(*d))
            .count() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    /// The 2020 National Day and Mid-Autumn holiday: 1–8 October off, 27 September and 10 October
    /// (a Sunday and a Saturday) worked.
    fn autumn_2020() -> WorkingCalendar {
        WorkingCalendar {
            holidays: (1..=8).map(|d| day(&format!("2020-10-0{d}"))).collect(),
            workdays: [day("2020-09-27"), day("2020-10-10")].into_iter().collect(),
        }
    }

    #[test]
    fn weekends_are_skipped() {
        let plain = WorkingCalendar::default();
        // Friday 31 July 2020 + 10 working days = Friday 14 August.
        assert_eq!(
            plain.add_working_days(day("2020-07-31"), 10),
            day("2020-08-14")
        );
        assert_eq!(
            plain.add_working_days(day("2020-07-31"), 1),
            day("2020-08-03")
        );
        assert_eq!(
            plain.add_working_days(day("2020-07-31"), 0),
            day("2020-07-31")
        );
    }

    #[test]
    fn holidays_are_skipped_and_exchanged_weekend_days_count() {
        let calendar = autumn_2020();
        assert!(
            calendar.is_working_day(day("2020-09-27")),
            "a Sunday worked"
        );
        assert!(!calendar.is_working_day(day("2020-10-05")), "a Monday off");
        // From Friday 25 September: 27 Sep (Sun, worked), 28, 29, 30, then 9 Oct (Fri), 10 Oct
        // (Sat, worked), 12, 13, 14, 15.
        assert_eq!(
            calendar.add_working_days(day("2020-09-25"), 10),
            day("2020-10-15")
        );
        assert_eq!(
            calendar.working_days_between(day("2020-09-25"), day("2020-10-15")),
            10
        );
    }

    proptest! {
        #[test]
        fn counting_back_gives_the_same_number(offset in 0i64..3000, n in 0u32..40) {
            let calendar = autumn_2020();
            let start = day("2018-01-01") + chrono::Duration::days(offset);
            let end = calendar.add_working_days(start, n);
            prop_assert_eq!(calendar.working_days_between(start, end), n);
            prop_assert!(n == 0 || calendar.is_working_day(end));
        }
    }
}
