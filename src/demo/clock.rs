//! Times and dates relative to the demo's `now`, formatted without allocation:
//! a million assignment rows each carry a timestamp, and chrono's formatter
//! would cost about a second of the build.

use chrono::{DateTime, Utc};
use rusqlite::ToSql;
use rusqlite::types::{ToSqlOutput, ValueRef};

/// Seconds in a day.
pub(crate) const DAY: i64 = 86_400;

/// The fixed "now" every generated time is relative to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    now: i64,
}

impl Clock {
    pub(crate) fn new(now: DateTime<Utc>) -> Self {
        Clock { now: now.timestamp() }
    }

    /// The timestamp `seconds` before now (after now when negative).
    pub(crate) fn ago(&self, seconds: i64) -> Stamp {
        Stamp::at(self.now - seconds)
    }

    /// The unix time `seconds` before now, as seats store it (migration 0020).
    pub(crate) fn unix_ago(&self, seconds: i64) -> i64 {
        self.now - seconds
    }

    /// The timestamp `days` whole days before now.
    pub(crate) fn days_ago(&self, days: i64) -> Stamp {
        self.ago(days * DAY)
    }

    /// Now itself.
    pub(crate) fn now(&self) -> Stamp {
        self.ago(0)
    }

    /// The date `days` from today (in the past when negative).
    pub(crate) fn date(&self, days: i64) -> Day {
        Day::at(self.now.div_euclid(DAY) + days)
    }
}

/// An RFC 3339 UTC timestamp, `YYYY-MM-DDTHH:MM:SSZ`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp([u8; 20]);

impl Stamp {
    fn at(unix: i64) -> Self {
        let mut buf = *b"0000-00-00T00:00:00Z";
        buf[..10].copy_from_slice(&Day::at(unix.div_euclid(DAY)).0);
        let secs = unix.rem_euclid(DAY);
        put2(&mut buf[11..13], secs / 3600);
        put2(&mut buf[14..16], secs / 60 % 60);
        put2(&mut buf[17..19], secs % 60);
        Stamp(buf)
    }

    /// The text form.
    #[cfg(test)]
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }
}

/// A calendar date, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Day([u8; 10]);

impl Day {
    fn at(days_since_epoch: i64) -> Self {
        let (year, month, day) = civil_from_days(days_since_epoch);
        let mut buf = *b"0000-00-00";
        let year = year.clamp(0, 9999);
        put2(&mut buf[0..2], year / 100);
        put2(&mut buf[2..4], year % 100);
        put2(&mut buf[5..7], month);
        put2(&mut buf[8..10], day);
        Day(buf)
    }

    /// The text form.
    #[cfg(test)]
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }
}

impl ToSql for Stamp {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(ValueRef::Text(&self.0)))
    }
}

impl ToSql for Day {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(ValueRef::Text(&self.0)))
    }
}

fn put2(out: &mut [u8], value: i64) {
    let value = value.clamp(0, 99) as u8;
    out[0] = b'0' + value / 10;
    out[1] = b'0' + value % 10;
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{SecondsFormat, TimeZone};

    #[test]
    fn matches_chrono() {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 5).unwrap();
        let clock = Clock::new(now);
        let mut seconds = 0;
        while seconds < 4000 * DAY {
            let expected =
                (now - chrono::Duration::seconds(seconds)).to_rfc3339_opts(SecondsFormat::Secs, true);
            assert_eq!(clock.ago(seconds).text(), expected);
            seconds += 7919 * 3 + 1;
        }
        assert_eq!(clock.date(0).text(), "2026-03-01");
        assert_eq!(clock.date(-1).text(), "2026-02-28");
        assert_eq!(clock.date(365).text(), "2027-03-01");
        assert_eq!(clock.days_ago(-1).text(), "2026-03-02T09:30:05Z");
    }
}
