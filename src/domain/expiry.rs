//! Expiry shown as a countdown ("in 12d", "expired 3d ago").

use chrono::{DateTime, NaiveDate, Utc};

/// Days before an expiry (a token's, a subscription's) from which seats
/// warns (R-CON-4).
pub const TOKEN_WARNING_DAYS: i64 = 30;

/// Where a date stands relative to now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Countdown {
    /// More than 30 days away.
    Later(i64),
    /// Within 30 days: warn.
    Soon(i64),
    /// Today or in the past.
    Expired(i64),
}

/// Days from `now` until the end of `date` (negative when past).
pub fn days_until(date: NaiveDate, now: DateTime<Utc>) -> i64 {
    (date - now.date_naive()).num_days()
}

/// The countdown to `date`.
pub fn countdown(date: NaiveDate, now: DateTime<Utc>) -> Countdown {
    let days = days_until(date, now);
    if days <= 0 {
        Countdown::Expired(-days)
    } else if days <= TOKEN_WARNING_DAYS {
        Countdown::Soon(days)
    } else {
        Countdown::Later(days)
    }
}

impl Countdown {
    /// Short text for a table cell.
    pub fn short(self) -> String {
        match self {
            Countdown::Later(days) if days >= 365 => format!("in {}y{}", days / 365, months(days % 365)),
            Countdown::Later(days) | Countdown::Soon(days) => format!("in {days}d"),
            Countdown::Expired(0) => "expires today".to_owned(),
            Countdown::Expired(days) => format!("expired {days}d ago"),
        }
    }
}

fn months(rest_days: i64) -> String {
    let months = rest_days / 30;
    if months == 0 {
        String::new()
    } else {
        format!(" {months}m")
    }
}

/// Parses a `YYYY-MM-DD` or RFC 3339 value as a date.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
}

/// A compact age ("4m", "3h", "2d") for "data age" and "last sync".
pub fn age(since: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (now - since).num_seconds().max(0);
    match seconds {
        0..60 => format!("{seconds}s"),
        60..3600 => format!("{}m", seconds / 60),
        3600..86_400 => format!("{}h", seconds / 3600),
        _ => format!("{}d", seconds / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn noon(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    #[test]
    fn countdown_bands() {
        let now = noon(2026, 1, 1);
        let date = |s| parse_date(s).unwrap();
        assert_eq!(countdown(date("2026-01-11"), now), Countdown::Soon(10));
        assert_eq!(countdown(date("2026-03-01"), now), Countdown::Later(59));
        assert_eq!(countdown(date("2026-01-01"), now), Countdown::Expired(0));
        assert_eq!(countdown(date("2025-12-29"), now), Countdown::Expired(3));
    }

    #[test]
    fn countdown_text() {
        assert_eq!(Countdown::Soon(10).short(), "in 10d");
        assert_eq!(Countdown::Later(400).short(), "in 1y 1m");
        assert_eq!(Countdown::Expired(0).short(), "expires today");
        assert_eq!(Countdown::Expired(3).short(), "expired 3d ago");
    }

    #[test]
    fn parses_dates_and_timestamps() {
        assert!(parse_date("2026-02-03").is_some());
        assert!(parse_date("2026-02-03T10:00:00Z").is_some());
        assert!(parse_date("soon").is_none());
        assert!(parse_date("").is_none());
    }

    #[test]
    fn ages() {
        let now = noon(2026, 1, 2);
        assert_eq!(age(now - chrono::Duration::minutes(5), now), "5m");
        assert_eq!(age(now - chrono::Duration::hours(30), now), "1d");
    }
}
