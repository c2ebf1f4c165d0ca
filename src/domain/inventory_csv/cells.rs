//! The value checks of inventory cells (line numbers and trailing empty
//! cells are `domain::csv_lines`').

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// Whether `text` looks like a UPN: one @ with text either side, no space.
pub(super) fn is_upn(text: &str) -> bool {
    match text.split_once('@') {
        Some((name, domain)) => {
            !name.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !text.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// A last-seen date: YYYY-MM-DD (midnight UTC), "YYYY-MM-DD HH:MM[:SS]"
/// (UTC) or RFC 3339.
pub(super) fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(at) = NaiveDateTime::parse_from_str(text, format) {
            return Some(at.and_utc());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|at| at.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_in_the_forms_exports_write() {
        assert!(parse_date("2026-11-30").is_some());
        assert!(parse_date("2026-11-30 08:15").is_some());
        assert!(parse_date("2026-11-30T08:15:00Z").is_some());
        assert!(parse_date("30-11-2026").is_none());
        assert!(parse_date("2026-02-30").is_none());
    }

    #[test]
    fn a_upn_has_one_at_sign_and_no_space() {
        assert!(is_upn("ana@contoso.com"));
        assert!(!is_upn("CONTOSO\\ana"));
        assert!(!is_upn("ana @contoso.com"));
        assert!(!is_upn("@contoso.com"));
    }
}
