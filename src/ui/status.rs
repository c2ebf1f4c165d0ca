//! The tab line, the hint line and the status bar.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::columns::display_width;
use super::theme::Theme;
use super::wrap::wrap_words;
use crate::app::Action;
use crate::app::pane::PaneId;
use crate::app::state::{AppState, Overlay};
use crate::domain::expiry::age;

/// `seats │ 1 Licenses  2 Apps …` with the visible pane highlighted.
pub fn draw_tabs(frame: &mut Frame<'_>, area: Rect, state: &AppState, theme: Theme) {
    let mut spans = vec![Span::styled(" seats ", theme.title()), Span::raw("│")];
    for (index, pane) in PaneId::TABS.iter().enumerate() {
        let label = format!(" {} {} ", index + 1, pane.title());
        let style = if *pane == state.pane {
            theme.active_tab()
        } else {
            theme.dim()
        };
        spans.push(Span::styled(label, style));
    }
    if !PaneId::TABS.contains(&state.pane) {
        spans.push(Span::raw("│"));
        spans.push(Span::styled(
            format!(" {} ", state.pane.title()),
            theme.active_tab(),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The hint line: the filter being typed, a flash message, or key hints
/// built from the live keymap. A message wider than the line wraps upwards,
/// over the bottom of the panels, instead of stopping at the edge.
pub fn draw_hints(frame: &mut Frame<'_>, area: Rect, state: &AppState, theme: Theme) {
    if state.overlay == Overlay::Filter {
        draw_filter_line(frame, area, state, theme);
        return;
    }
    if let Some(flash) = &state.flash {
        let lines = wrap_words(&flash.text, area.width as usize)
            .into_iter()
            .map(|part| Line::from(Span::styled(part, theme.tone(flash.tone))))
            .collect();
        draw_upwards(frame, area, lines);
        return;
    }
    let line = key_hints(state, theme, area.width as usize);
    frame.render_widget(Paragraph::new(line), area);
}

/// `/` and what is typed, short reminders of the language, and, above the
/// line, why the filter is not valid (the typed text stays as it is).
fn draw_filter_line(frame: &mut Frame<'_>, area: Rect, state: &AppState, theme: Theme) {
    let table = state.table();
    let value = table.filter.value();
    let mut spans = vec![Span::styled("/", theme.key()), Span::raw(value.to_owned())];
    let mut room = (area.width as usize).saturating_sub(1 + display_width(value));
    for hint in FILTER_REMINDERS {
        let hint = format!("  {hint}");
        if display_width(&hint) > room {
            break;
        }
        room -= display_width(&hint);
        spans.push(Span::styled(hint, theme.dim()));
    }
    let mut lines: Vec<Line<'static>> = match state.pane.parse_filter(value) {
        Err(err) => wrap_words(&err.to_string(), area.width as usize)
            .into_iter()
            .map(|part| Line::from(Span::styled(part, theme.bad())))
            .collect(),
        Ok(_) => Vec::new(),
    };
    lines.push(Line::from(spans));
    draw_upwards(frame, area, lines);
    frame.set_cursor_position((area.x + 1 + table.filter.visual_cursor() as u16, area.y));
}

/// Reminders beside the filter being typed, dropped from the end when the
/// line is full.
const FILTER_REMINDERS: &[&str] = &[
    "Enter keep · Esc clear",
    "!word negates",
    "kind:m365 free<10 expires<60d",
];

/// Draws `lines` so the last sits on `area` (one row) and the others on the
/// rows above it.
fn draw_upwards(frame: &mut Frame<'_>, area: Rect, lines: Vec<Line<'static>>) {
    let rows = (lines.len() as u16).clamp(1, area.y + 1);
    let skip = lines.len() - rows as usize;
    let target = Rect::new(area.x, area.y + 1 - rows, area.width, rows);
    frame.render_widget(Clear, target);
    frame.render_widget(
        Paragraph::new(lines.into_iter().skip(skip).collect::<Vec<_>>()),
        target,
    );
}

/// Hints in order of use; `q quit` always shows, the others while they fit.
fn key_hints(state: &AppState, theme: Theme, width: usize) -> Line<'static> {
    let wanted = [
        Action::Help,
        Action::Assign,
        Action::Release,
        Action::Mark,
        Action::Filter,
        Action::Open,
        Action::SortNext,
        Action::Palette,
    ];
    let hint = |action: Action| {
        state
            .keymap
            .key_for(state.pane, action)
            .map(|key| (format!(" {key}"), format!(" {}", action.hint())))
    };
    let quit = hint(Action::Quit);
    let mut room = width.saturating_sub(
        quit.as_ref()
            .map_or(0, |(k, h)| k.chars().count() + h.chars().count()),
    );
    let mut spans = Vec::new();
    for action in wanted {
        if action.writes() && state.is_read_only() {
            continue;
        }
        let Some((key, text)) = hint(action) else {
            continue;
        };
        let needed = key.chars().count() + text.chars().count();
        if needed > room {
            break;
        }
        room -= needed;
        spans.push(Span::styled(key, theme.key()));
        spans.push(Span::styled(text, theme.dim()));
    }
    if let Some((key, text)) = quit {
        spans.push(Span::styled(key, theme.key()));
        spans.push(Span::styled(text, theme.dim()));
    }
    Line::from(spans)
}

/// Tenant, data age, connector health, role badge, running jobs.
pub fn draw_status(frame: &mut Frame<'_>, area: Rect, state: &AppState, theme: Theme) {
    let status = &state.status;
    let bar = theme.status_bar();
    let mut spans = vec![Span::styled(
        format!(" {} ", status.tenant.as_deref().unwrap_or("no tenant")),
        bar,
    )];
    spans.push(Span::styled(
        format!(
            "│ data {} ",
            data_age(status.stalest_success.as_deref(), state.now)
        ),
        bar,
    ));
    let health = if status.connectors_failing > 0 {
        Span::styled(
            format!("│ conn ✓{} ✗{} ", status.connectors_ok, status.connectors_failing),
            bar.patch(theme.bad()),
        )
    } else {
        Span::styled(format!("│ conn ✓{} ", status.connectors_ok), bar)
    };
    spans.push(health);
    if status.pending_changes > 0 {
        spans.push(Span::styled(
            format!("│ {} pending ", status.pending_changes),
            bar,
        ));
    }
    let role = match status.role {
        _ if state.cache_read_only => "│ READ-ONLY (file read-only for you) ".to_owned(),
        Some(role) if !state.read_only && role.may_assign() => format!("│ {} ", role.as_str()),
        Some(role) if !role.may_assign() => "│ READ-ONLY (reader) ".to_owned(),
        Some(_) => "│ READ-ONLY ".to_owned(),
        None => "│ READ-ONLY (not an admin) ".to_owned(),
    };
    spans.push(Span::styled(role, bar.patch(theme.warn())));
    for job in &state.jobs {
        spans.push(Span::styled(
            format!("│ {} {}% ", job.label, job.percent()),
            bar.patch(theme.warn()),
        ));
    }
    let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    let fill = (area.width as usize).saturating_sub(used);
    spans.push(Span::styled(" ".repeat(fill), bar));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn data_age(stalest: Option<&str>, now: DateTime<Utc>) -> String {
    match stalest.and_then(|t| DateTime::parse_from_rfc3339(t).ok()) {
        Some(at) => age(at.with_timezone(&Utc), now),
        None => "never synced".to_owned(),
    }
}
