//! The status bar's subscription warnings (issue 10): a term that ends
//! within 30 days or has ended, and subscriptions that expired or whose
//! payment lapsed, warned as the Apple token is (R-CON-4), in calendar days.

use chrono::{DateTime, Utc};
use ratatui::style::Style;

use super::statusbar::Part;
use super::theme::Theme;
use crate::domain::expiry::{TOKEN_WARNING_DAYS, days_until, parse_date};
use crate::store::status::StatusInfo;

/// The warnings to show, if any.
pub fn parts(status: &StatusInfo, now: DateTime<Utc>, bar: Style, theme: Theme) -> Vec<Part> {
    let mut parts = Vec::new();
    // Lapsed first: of two warnings that don't both fit, it stays.
    match status.lapsed_subscriptions {
        0 => {}
        n => {
            let full = format!("{n} subscription{} lapsed", if n == 1 { "" } else { "s" });
            let short = format!("{n} lapsed");
            parts.push(Part::new(2, bar.patch(theme.bad()), &[&full, &short]));
        }
    }
    if let Some((date, name)) = &status.soonest_subscription
        && let Some(date) = parse_date(date)
    {
        // Calendar days, as the token warning and the panes count them.
        let days = days_until(date, now);
        if days <= 0 {
            let full = format!("subscription {name} ended");
            parts.push(Part::new(2, bar.patch(theme.bad()), &[&full, "sub ended"]));
        } else if days <= TOKEN_WARNING_DAYS {
            let full = format!("subscription {name} ends in {days}d");
            let short = format!("sub {days}d");
            parts.push(Part::new(2, bar.patch(theme.warn()), &[&full, &short]));
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(date: &str, lapsed: i64) -> StatusInfo {
        StatusInfo {
            soonest_subscription: Some((date.to_owned(), "Zoom".to_owned())),
            lapsed_subscriptions: lapsed,
            ..StatusInfo::default()
        }
    }

    fn forms(status: &StatusInfo, now: &str) -> Vec<String> {
        let now = DateTime::parse_from_rfc3339(now).unwrap().with_timezone(&Utc);
        parts(status, now, Style::new(), Theme::plain())
            .into_iter()
            .map(|p| p.forms[0].clone())
            .collect()
    }

    /// Counted in calendar days, as the token's "expires in 20d" is.
    #[test]
    fn a_term_ending_within_30_days_warns_in_calendar_days() {
        let soon = status("2026-03-21", 0);
        assert_eq!(
            forms(&soon, "2026-03-01T20:00:00Z"),
            ["subscription Zoom ends in 20d"]
        );
        assert!(
            forms(&soon, "2026-02-01T00:00:00Z").is_empty(),
            "48 days away: quiet"
        );
        assert_eq!(forms(&soon, "2026-03-21T08:00:00Z"), ["subscription Zoom ended"]);
    }

    #[test]
    fn lapsed_subscriptions_are_counted() {
        let lapsed = status("2027-01-01", 2);
        assert_eq!(forms(&lapsed, "2026-03-01T00:00:00Z"), ["2 subscriptions lapsed"]);
    }
}
