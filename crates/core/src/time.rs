//! Time as stored: UTC instants in whole microseconds since the Unix epoch, shown in Beijing time.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};

/// Microseconds since 1970-01-01T00:00:00Z. Stored as `BIGINT` on every backend.
pub type Micros = i64;

/// The current time in microseconds.
pub fn now() -> Micros {
    Utc::now().timestamp_micros()
}

/// Microseconds in `seconds` seconds.
pub fn seconds(seconds: i64) -> Micros {
    seconds * 1_000_000
}

/// Microseconds in `minutes` minutes.
pub fn minutes(minutes: i64) -> Micros {
    minutes * 60 * 1_000_000
}

/// Microseconds in `hours` hours.
pub fn hours(hours: i64) -> Micros {
    minutes(hours * 60)
}

/// China Standard Time, UTC+8 (no daylight saving).
const BEIJING: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

fn beijing() -> FixedOffset {
    BEIJING
}

/// RFC 3339 in UTC with microseconds: the canonical form hashed into the audit chain.
pub fn to_rfc3339(at: Micros) -> String {
    match DateTime::<Utc>::from_timestamp_micros(at) {
        Some(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        None => format!("@{at}"),
    }
}

/// `YYYY-MM-DD HH:MM:SS` in Beijing time, as pages show it.
pub fn display(at: Micros) -> String {
    match DateTime::<Utc>::from_timestamp_micros(at) {
        Some(t) => t
            .with_timezone(&beijing())
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
        None => String::new(),
    }
}

/// Today's date in Beijing: the business date of scheduled work.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&beijing()).date_naive()
}

/// The first microsecond of a calendar day in Beijing time.
pub fn start_of_day(date: NaiveDate) -> Micros {
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    match beijing().from_local_datetime(&midnight).single() {
        Some(t) => t.timestamp_micros(),
        None => midnight.and_utc().timestamp_micros(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_days_start_at_16_utc_the_day_before() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default();
        let start = start_of_day(day);
        assert_eq!(to_rfc3339(start), "2026-11-26T16:00:00.000000Z");
        assert_eq!(display(start), "2026-11-27 00:00:00");
        assert_eq!(minutes(15), 900_000_000);
    }
}
