//! "Since when" as an admin types it on the command line: `2d`, `1w`,
//! `3m`, `1y` back from now (a leading `-` means the same), or `today`.
//! The filter language has its own date values (`at>-7d`, counted in whole
//! days); this one keeps the time of day: `--since 2d` is 48 hours ago.

use chrono::{DateTime, Days, Months, Utc};

/// The moment `text` names, counted back from `now`; None when it is not
/// such a distance (or reaches before the calendar).
pub fn since(text: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("today") {
        return now.date_naive().and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    }
    let text = text.strip_prefix('-').unwrap_or(text);
    let unit = text.chars().last()?.to_ascii_lowercase();
    let count = &text[..text.len() - 1];
    if count.is_empty() || !count.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let count: u32 = count.parse().ok()?;
    match unit {
        'd' => now.checked_sub_days(Days::new(u64::from(count))),
        'w' => now.checked_sub_days(Days::new(u64::from(count) * 7)),
        'm' => now.checked_sub_months(Months::new(count)),
        'y' => now.checked_sub_months(Months::new(count.checked_mul(12)?)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::since;
    use chrono::{DateTime, Utc};

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn distances_count_back_from_now_keeping_the_time() {
        let now = at("2026-03-31T15:04:05Z");
        assert_eq!(since("2d", now), Some(at("2026-03-29T15:04:05Z")));
        assert_eq!(since("-2d", now), Some(at("2026-03-29T15:04:05Z")));
        assert_eq!(since("1w", now), Some(at("2026-03-24T15:04:05Z")));
        assert_eq!(
            since("1m", now),
            Some(at("2026-02-28T15:04:05Z")),
            "calendar months"
        );
        assert_eq!(since("1Y", now), Some(at("2025-03-31T15:04:05Z")));
        assert_eq!(since("today", now), Some(at("2026-03-31T00:00:00Z")));
        assert_eq!(since("0d", now), Some(now));
    }

    #[test]
    fn anything_else_is_not_a_distance() {
        let now = at("2026-03-31T15:04:05Z");
        for text in [
            "",
            "d",
            "2",
            "2x",
            "two d",
            "2.5d",
            "+2d",
            "last week",
            "99999999y",
        ] {
            assert_eq!(since(text, now), None, "{text:?}");
        }
    }
}
