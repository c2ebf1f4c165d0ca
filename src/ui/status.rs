//! The tab line and the hint line (the status bar is `statusbar`).

use std::borrow::Cow;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::columns::{cut_end, display_width};
use super::theme::Theme;
use super::wrap::wrap_words;
use crate::app::Action;
use crate::app::pane::PaneId;
use crate::app::state::{AppState, Overlay};

/// `seats │ 1 Licenses  2 Apps …` with the visible pane highlighted. When
/// the line is wider than the terminal (a pane outside the tabs with a long
/// title, at 80 columns), the other tabs shrink to their numbers, which
/// are their keys, so the visible pane's name is never cut.
pub fn draw_tabs(frame: &mut Frame<'_>, area: Rect, state: &AppState, theme: Theme) {
    let mut spans = tab_spans(state, theme, false);
    // The last label's closing space may fall off the edge.
    let width: usize = spans.iter().map(|s| display_width(&s.content)).sum();
    if width.saturating_sub(1) > area.width as usize {
        spans = tab_spans(state, theme, true);
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The workspaces and their keys 1–5; in a report, the reports and their
/// keys 1–4, which switch reports there (the workspaces' 1–4 do not).
fn tab_spans(state: &AppState, theme: Theme, compact: bool) -> Vec<Span<'static>> {
    let mut spans = vec![Span::styled(" seats ", theme.title()), Span::raw("│")];
    let in_report = state.pane.report().is_some();
    let tabs: &[PaneId] = if in_report {
        &PaneId::REPORTS
    } else {
        &PaneId::TABS
    };
    for (index, pane) in tabs.iter().enumerate() {
        let active = *pane == state.pane;
        // "Report 2/4: installation" reads "installation" on its tab.
        let title = pane.title();
        let title = title.split_once(": ").map_or(title, |(_, name)| name);
        let label = if compact && !active {
            format!(" {} ", index + 1)
        } else {
            format!(" {} {title} ", index + 1)
        };
        let style = if active { theme.active_tab() } else { theme.dim() };
        spans.push(Span::styled(label, style));
    }
    if !tabs.contains(&state.pane) {
        spans.push(Span::raw("│"));
        spans.push(Span::styled(
            format!(" {} ", state.pane.title()),
            theme.active_tab(),
        ));
    }
    spans
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
    let line = match dialog_keys(&state.overlay) {
        // A dialog has the keys: the pane's would mislead (q is search
        // text in a picker, not quit).
        Some(keys) => Line::from(Span::styled(keys, theme.dim())),
        None => key_hints(state, theme, area.width as usize),
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// The keys of the open dialog, for the hint line.
fn dialog_keys(overlay: &Overlay) -> Option<Cow<'static, str>> {
    Some(Cow::Borrowed(match overlay {
        Overlay::None | Overlay::Filter => return None,
        Overlay::Picker(_) => " type to search · Tab mark · Enter preview · Esc back · Ctrl-c quit",
        // The preview's own footer, word for word.
        Overlay::Preview(preview) => {
            return Some(Cow::Owned(format!(" {}", super::dialogs::preview_keys(preview))));
        }
        Overlay::Palette(_) => " Tab completes · Enter runs · Esc closes",
        Overlay::Help { .. } | Overlay::Detail { .. } => " ↑↓ scroll · any other key closes",
        Overlay::Billing(_) => " ↑↓ invoice · Enter document · e export · n/p new/edit profile · Esc",
        Overlay::AgreementForm(form) => crate::app::agreement_form::keys_hint(form),
        Overlay::SubscriptionForm(form) => crate::app::subscription_form::keys_hint(form),
        Overlay::ProfileForm(_) => " Tab/Shift-Tab field · ←→ payment · Enter preview · Esc cancel",
        Overlay::Link(link) => match (link.step, link.kind) {
            (crate::app::link::LinkStep::Form, crate::app::link::LinkKind::Apple) => {
                " Tab next field · Enter continue · Ctrl-t store account · Esc cancel"
            }
            (crate::app::link::LinkStep::Form, crate::app::link::LinkKind::Store) => {
                " Tab next field · Enter link · Ctrl-t Apple token · Esc cancel"
            }
            (crate::app::link::LinkStep::Acknowledge, _) => {
                " Space tick · Enter link · Backspace back · Esc cancel"
            }
            (crate::app::link::LinkStep::Checking, crate::app::link::LinkKind::Apple) => {
                " checking at Apple…"
            }
            (crate::app::link::LinkStep::Checking, crate::app::link::LinkKind::Store) => {
                " checking at the Store for Business…"
            }
        },
    }))
}

/// `/` and what is typed, short reminders of the language, and, above the
/// line, why the filter is not valid (the typed text stays as it is). A
/// filter wider than the line scrolls with the cursor, "…" marking what is
/// out of sight.
fn draw_filter_line(frame: &mut Frame<'_>, area: Rect, state: &AppState, theme: Theme) {
    let table = state.table();
    let value = table.filter.value();
    // One column for "/", one for the cursor after the last character.
    let room = (area.width as usize).saturating_sub(2);
    let scroll = if display_width(value) > room {
        table.filter.visual_scroll(room.saturating_sub(1))
    } else {
        0
    };
    let shown = visible_part(value, scroll, room);
    let mut left = (area.width as usize).saturating_sub(1 + display_width(&shown));
    let mut spans = vec![Span::styled("/", theme.key()), Span::raw(shown)];
    // The fields of this pane, not another's: "kind:" means nothing in Users.
    let fields: Vec<&str> = state
        .pane
        .filter_fields()
        .iter()
        .take(4)
        .map(|f| f.name)
        .collect();
    let fields = format!("fields: {} …", fields.join(" "));
    for hint in FILTER_REMINDERS.iter().copied().chain([fields.as_str()]) {
        let hint = format!("  {hint}");
        if display_width(&hint) > left {
            break;
        }
        left -= display_width(&hint);
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
    let cursor = table.filter.visual_cursor().saturating_sub(scroll);
    frame.set_cursor_position((area.x + 1 + cursor.min(room) as u16, area.y));
}

/// The columns `scroll..scroll + width` of `text`, with "…" in the first
/// column when text before it is hidden and in the last when text after it
/// is.
fn visible_part(text: &str, scroll: usize, width: usize) -> String {
    if scroll == 0 && display_width(text) <= width {
        return text.to_owned();
    }
    let mut column = 0;
    let mut rest = text;
    // Skip what is scrolled away, and the column "…" takes.
    let skip = if scroll > 0 { scroll + 1 } else { 0 };
    while column < skip {
        let Some(c) = rest.chars().next() else { break };
        column += display_width(&rest[..c.len_utf8()]);
        rest = &rest[c.len_utf8()..];
    }
    let mut shown = String::new();
    if scroll > 0 {
        shown.push('…');
        // A wide character half scrolled away leaves a blank.
        shown.push_str(&" ".repeat(column - skip));
    }
    let room = width.saturating_sub(display_width(&shown));
    shown.push_str(&cut_end(rest, room));
    shown
}

/// Reminders beside the filter being typed, dropped from the end when the
/// line is full.
const FILTER_REMINDERS: &[&str] = &["Enter keep · Esc clear", "!word negates"];

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
        Action::SyncNow,
        Action::Assign,
        Action::ActivateSubscription,
        Action::Billing,
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
