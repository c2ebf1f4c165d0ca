//! The status bar: tenant, data age, connector health, pending changes,
//! role badge, running jobs. When they do not all fit, the least important
//! part takes a shorter form or goes, so no part is ever cut mid-word: the
//! read-only badge is the last to shorten ("READ-ONLY (file read-only for
//! you)" → "READ-ONLY (file)" → "READ-ONLY").

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::columns::display_width;
use super::theme::Theme;
use crate::app::state::AppState;
use crate::app::sync::SyncActivity;
use crate::domain::expiry::age;

/// One part of the bar: its forms, longest first, and how much it matters
/// (lower goes last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub forms: Vec<String>,
    pub rank: u8,
    pub style: Style,
}

impl Part {
    pub(super) fn new(rank: u8, style: Style, forms: &[&str]) -> Part {
        Part {
            forms: forms.iter().map(|f| (*f).to_owned()).collect(),
            rank,
            style,
        }
    }
}

/// Each part's form, or None when it was dropped, so that the parts (as
/// " form " joined by "│") fit in `width`: the least important parts first
/// take their shorter forms, then the latest of them goes.
pub fn fit(parts: &[Part], width: usize) -> Vec<Option<usize>> {
    let mut chosen: Vec<Option<usize>> = parts.iter().map(|p| (!p.forms.is_empty()).then_some(0)).collect();
    let used = |chosen: &[Option<usize>]| -> usize {
        let shown: Vec<usize> = parts
            .iter()
            .zip(chosen)
            .filter_map(|(p, c)| c.map(|i| display_width(&p.forms[i]) + 2))
            .collect();
        shown.iter().sum::<usize>() + shown.len().saturating_sub(1)
    };
    while used(&chosen) > width {
        // The least important parts still shown: one that can still take a
        // shorter form does so before any of its rank goes (so "sub 12d"
        // and "1 lapsed" both stay where the long forms of both did not);
        // later parts before earlier ones of the same rank.
        let Some(rank) = (0..parts.len())
            .filter(|i| chosen[*i].is_some())
            .map(|i| parts[i].rank)
            .min()
        else {
            break;
        };
        let least: Vec<usize> = (0..parts.len())
            .filter(|i| chosen[*i].is_some() && parts[*i].rank == rank)
            .collect();
        let shortens = least
            .iter()
            .rev()
            .find(|i| chosen[**i].is_some_and(|form| form + 1 < parts[**i].forms.len()));
        let Some(&index) = shortens.or(least.last()) else {
            break;
        };
        chosen[index] = chosen[index]
            .map(|form| form + 1)
            .filter(|form| *form < parts[index].forms.len());
    }
    chosen
}

/// The parts of the bar for `state`, in the order they show.
fn parts(state: &AppState, theme: Theme) -> Vec<Part> {
    let status = &state.status;
    let bar = theme.status_bar();
    let warn = bar.patch(theme.warn());
    let mut parts = vec![
        Part::new(6, bar, &[status.tenant.as_deref().unwrap_or("no tenant")]),
        Part::new(
            2,
            bar,
            &[&format!(
                "data {}",
                data_age(status.stalest_success.as_deref(), state.now)
            )],
        ),
    ];
    parts.push(if status.connectors_failing > 0 {
        let full = format!("conn ✓{} ✗{}", status.connectors_ok, status.connectors_failing);
        let short = format!("conn ✗{}", status.connectors_failing);
        Part::new(4, bar.patch(theme.bad()), &[&full, &short])
    } else {
        Part::new(1, bar, &[&format!("conn ✓{}", status.connectors_ok)])
    });
    if let Some(part) = token_part(status.soonest_token.as_ref(), state.now, bar, theme) {
        parts.push(part);
    }
    parts.extend(super::status_subscriptions::parts(status, state.now, bar, theme));
    if status.pending_changes > 0 {
        let text = format!("{} pending", status.pending_changes);
        parts.push(Part::new(5, bar, &[&text]));
    }
    parts.push(role(state, warn));
    for job in &state.jobs {
        let full = format!("{} {}%", job.label, job.percent());
        parts.push(Part::new(3, warn, &[&full]));
    }
    for sync in &state.syncs {
        parts.push(sync_part(sync, warn));
    }
    parts
}

/// "token Apple VPP expires in 20d" from 30 days before a token's expiry,
/// "token Apple VPP expired" after it (R-CON-4).
fn token_part(
    soonest: Option<&(String, String)>,
    now: DateTime<Utc>,
    bar: Style,
    theme: Theme,
) -> Option<Part> {
    let (at, name) = soonest?;
    let at = DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc);
    // Calendar days, as the Connectors pane counts them.
    let days = crate::domain::expiry::days_until(at.date_naive(), now);
    if at <= now {
        let full = format!("token {name} expired");
        return Some(Part::new(2, bar.patch(theme.bad()), &[&full, "token expired"]));
    }
    (days <= crate::domain::expiry::TOKEN_WARNING_DAYS).then(|| {
        let full = format!("token {name} expires in {days}d");
        let short = format!("token {days}d");
        // Below live work: a sync or a job outranks a warning of weeks.
        Part::new(2, bar.patch(theme.warn()), &[&full, &short])
    })
}

/// "syncing Microsoft Graph 42% users, page 7", shortening to the share.
fn sync_part(sync: &SyncActivity, style: Style) -> Part {
    let full = format!("syncing {} {}", sync.connector, sync.describe());
    let short = match sync.percent() {
        Some(percent) => format!("syncing {} {percent}%", sync.connector),
        None => format!("syncing {}", sync.connector),
    };
    let shortest = match sync.percent() {
        Some(percent) => format!("↻ {percent}%"),
        None => "↻ sync".to_owned(),
    };
    // Live work outranks the health summary: it shortens before it goes.
    Part::new(5, style, &[&full, &short, &shortest])
}

/// The role badge: the most important part, shortened last.
fn role(state: &AppState, warn: Style) -> Part {
    let forms: &[&str] = match state.status.role {
        _ if state.cache_read_only => &[
            "READ-ONLY (file read-only for you)",
            "READ-ONLY (file)",
            "READ-ONLY",
        ],
        Some(role) if !state.read_only && role.may_assign() => {
            return Part::new(7, warn, &[role.as_str()]);
        }
        Some(role) if !role.may_assign() => &["READ-ONLY (reader)", "READ-ONLY"],
        Some(_) => &["READ-ONLY"],
        None => &["READ-ONLY (not an admin)", "READ-ONLY"],
    };
    Part::new(7, warn, forms)
}

/// Draws the status bar on `area`.
pub fn draw_status(frame: &mut Frame<'_>, area: Rect, state: &AppState, theme: Theme) {
    let bar = theme.status_bar();
    let parts = parts(state, theme);
    let chosen = fit(&parts, area.width as usize);
    let mut spans = Vec::new();
    for (part, form) in parts.iter().zip(&chosen) {
        let Some(form) = form else {
            continue;
        };
        if !spans.is_empty() {
            spans.push(Span::styled("│", bar));
        }
        spans.push(Span::styled(format!(" {} ", part.forms[*form]), part.style));
    }
    let used: usize = spans.iter().map(|s| s.width()).sum();
    spans.push(Span::styled(
        " ".repeat((area.width as usize).saturating_sub(used)),
        bar,
    ));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn data_age(stalest: Option<&str>, now: DateTime<Utc>) -> String {
    match stalest.and_then(|t| DateTime::parse_from_rfc3339(t).ok()) {
        Some(at) => age(at.with_timezone(&Utc), now),
        None => "never synced".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The warning counts calendar days, as the Connectors pane's "in 20d"
    /// does: 19½ days before a morning expiry, seen in the evening, is 20.
    #[test]
    fn the_token_warning_counts_calendar_days_as_the_pane_does() {
        let now = DateTime::parse_from_rfc3339("2026-06-01T20:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let at = ("2026-06-21T08:00:00Z".to_owned(), "Apple VPP".to_owned());
        let part = token_part(Some(&at), now, Style::new(), Theme::plain()).unwrap();
        assert_eq!(part.forms[0], "token Apple VPP expires in 20d");
        let pane = crate::domain::countdown(at.0.get(..10).unwrap().parse().unwrap(), now);
        assert_eq!(pane.short(), "in 20d");
    }

    fn part(rank: u8, forms: &[&str]) -> Part {
        Part::new(rank, Style::new(), forms)
    }

    fn shown(parts: &[Part], width: usize) -> Vec<&str> {
        parts
            .iter()
            .zip(fit(parts, width))
            .filter_map(|(p, c)| c.map(|i| p.forms[i].as_str()))
            .collect()
    }

    #[test]
    fn the_least_important_part_shortens_then_goes() {
        let parts = [
            part(6, &["Contoso Demo"]),
            part(2, &["data 3d"]),
            part(4, &["conn ✓3 ✗1", "conn ✗1"]),
            part(5, &["12 pending"]),
            part(
                7,
                &[
                    "READ-ONLY (file read-only for you)",
                    "READ-ONLY (file)",
                    "READ-ONLY",
                ],
            ),
        ];
        // " Contoso Demo │ data 3d │ conn ✓3 ✗1 │ 12 pending │ READ-ONLY (file read-only for you) " is 87.
        assert_eq!(shown(&parts, 87).len(), 5);
        assert_eq!(
            shown(&parts, 80),
            vec![
                "Contoso Demo",
                "conn ✓3 ✗1",
                "12 pending",
                "READ-ONLY (file read-only for you)"
            ]
        );
        assert_eq!(
            shown(&parts, 66),
            vec!["Contoso Demo", "12 pending", "READ-ONLY (file read-only for you)"]
        );
        assert_eq!(
            shown(&parts, 60),
            vec!["Contoso Demo", "READ-ONLY (file read-only for you)"]
        );
        assert_eq!(shown(&parts, 30), vec!["READ-ONLY (file)"]);
        assert_eq!(shown(&parts, 12), vec!["READ-ONLY"]);
        assert!(shown(&parts, 5).is_empty(), "nothing rather than a cut word");
    }

    /// Issue 10: of parts of one rank, each shortens before any goes.
    #[test]
    fn parts_of_one_rank_all_shorten_before_one_goes() {
        let parts = [
            part(2, &["token Apple VPP expires in 20d", "token 20d"]),
            part(2, &["1 subscription lapsed", "1 lapsed"]),
            part(2, &["subscription Zoom ends in 12d", "sub 12d"]),
        ];
        // Short forms: " token 20d │ 1 lapsed │ sub 12d " is 32.
        assert_eq!(shown(&parts, 32), vec!["token 20d", "1 lapsed", "sub 12d"]);
        assert_eq!(shown(&parts, 31), vec!["token 20d", "1 lapsed"]);
    }
}
