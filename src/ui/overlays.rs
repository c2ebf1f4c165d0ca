//! Dialogs over the pane: help, the command palette, job progress.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Gauge, Paragraph};

use super::columns::display_width;
use super::theme::Theme;
use super::wrap::{hanging, wrap_words};
use crate::app::palette::{self, COMMANDS};
use crate::app::state::{AppState, Job, PaletteState};
use crate::domain::FieldKind;

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    cell
}

/// Every key of the current pane, read from the live keymap, then the
/// filter language with this pane's fields. Lines wrap between words.
pub fn draw_help(frame: &mut Frame<'_>, state: &AppState, scroll: usize, theme: Theme) {
    let area = centered(frame.area(), 64, frame.area().height.saturating_sub(2));
    let width = area.width.saturating_sub(2) as usize;
    let mut lines: Vec<Line<'static>> = Vec::new();
    let read_only = state.is_read_only();
    for (action, keys) in state.keymap.for_pane(state.pane) {
        if read_only && action.writes() {
            continue;
        }
        let keys: Vec<String> = keys.iter().map(ToString::to_string).collect();
        let label = Span::styled(format!("{:<18}", keys.join(" ")), theme.key());
        lines.extend(hanging(label, 18, action.describe(), Style::new(), width));
    }
    lines.push(Line::from(""));
    if read_only {
        lines.extend(paragraph(&state.read_only_reason(), theme.warn(), width));
    }
    lines.extend(paragraph(
        "Seat markers: ! nearly out  ■ none left  ✗ over-allocated  ∞ unlimited",
        theme.dim(),
        width,
    ));
    lines.push(Line::from(""));
    lines.extend(filter_help(state, theme, width));
    lines.push(Line::from(""));
    lines.extend(command_help(read_only, theme, width));
    // The whole title where it fits, else the pane's name alone (the hint
    // line under the dialog says how to scroll).
    let mut title = format!(
        " Keys · {} (↑↓ scroll, any other key closes) ",
        state.pane.title()
    );
    if display_width(&title) > width {
        title = format!(" Keys · {} ", state.pane.title());
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, theme.title()));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll.min(u16::MAX as usize) as u16, 0)),
        area,
    );
}

/// The `:` commands (k9s-style), each with what it does; Tab completes them.
/// A read-only session leaves out the ones it refuses, as for the keys.
fn command_help(read_only: bool, theme: Theme, width: usize) -> Vec<Line<'static>> {
    let mut lines = paragraph(": commands (Tab completes, Enter runs):", theme.dim(), width);
    for (name, what) in COMMANDS {
        if read_only && palette::WRITING.contains(name) {
            continue;
        }
        let label = Span::styled(format!("{:<18}", format!(":{name}")), theme.key());
        lines.extend(hanging(label, 18, what, Style::new(), width));
    }
    lines
}

/// The filter language (`/` here, `--filter` on the command line) and the
/// fields this pane offers.
fn filter_help(state: &AppState, theme: Theme, width: usize) -> Vec<Line<'static>> {
    let mut lines = paragraph(
        "Filter (/ here, --filter on the command line): terms separated by spaces must all match.",
        theme.title(),
        width,
    );
    for (example, meaning) in FILTER_LANGUAGE {
        let label = Span::styled(format!("{example:<18}"), theme.key());
        lines.extend(hanging(label, 18, meaning, Style::new(), width));
    }
    let fields: Vec<String> = state
        .pane
        .filter_fields()
        .iter()
        .map(|f| format!("{} ({})", f.name, kind_word(f.kind)))
        .collect();
    let label = Span::styled(format!("{:<18}", "fields here"), theme.key());
    lines.extend(hanging(label, 18, &fields.join(", "), theme.dim(), width));
    lines
}

/// One line per construct of the filter language: what to type, what it
/// keeps.
const FILTER_LANGUAGE: &[(&str, &str)] = &[
    ("perez", "rows whose text contains perez, in any case"),
    ("\"ava perez\"", "the words together, as one term"),
    (
        "!vpp  !kind:vpp",
        "! before a term keeps the rows it does not match",
    ),
    (
        "kind:m365",
        "the field contains the text; kind=m365 is the whole value",
    ),
    ("free<10  total>=5", "compare numbers: < <= > >= and = (or :)"),
    ("used>=90%", "a share of the pool's seats (limited pools only)"),
    (
        "expires<60d",
        "dates: 2026-01-31, or from today 60d 2w 6m 1y; -7d is a week ago",
    ),
    ("enabled:false", "yes/no fields take true or false"),
    (
        "name:\"Power BI\"",
        "a value with spaces goes in quotes; inside them \\\" is a quote",
    ),
];

fn kind_word(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Text => "text",
        FieldKind::Number => "number",
        FieldKind::Share => "number or %",
        FieldKind::Date => "date",
        FieldKind::Flag => "true/false",
    }
}

/// `text` wrapped to `width` in one style.
fn paragraph(text: &str, style: Style, width: usize) -> Vec<Line<'static>> {
    wrap_words(text, width)
        .into_iter()
        .map(|part| Line::from(Span::styled(part, style)))
        .collect()
}

/// The `:` palette with its completions.
pub fn draw_palette(frame: &mut Frame<'_>, state: &AppState, palette: &PaletteState, theme: Theme) {
    let full = frame.area();
    let area = Rect::new(
        full.x + 2,
        full.y + 2,
        full.width.saturating_sub(4).min(70),
        12.min(full.height),
    );
    let typed = palette.input.value();
    let width = area.width.saturating_sub(2) as usize;
    let mut lines = vec![Line::from(vec![
        Span::styled(":", theme.key()),
        Span::raw(typed.to_owned()),
    ])];
    match &palette.error {
        Some(error) => lines.extend(paragraph(error, theme.bad(), width)),
        None => lines.push(Line::from(Span::styled(
            "Tab completes · Enter runs · Esc closes",
            theme.dim(),
        ))),
    }
    for candidate in palette::candidates(typed, state.pane.columns())
        .into_iter()
        .take(8)
    {
        let about = COMMANDS
            .iter()
            .find(|(name, _)| *name == candidate)
            .map(|(_, about)| *about)
            .unwrap_or("");
        let label = Span::styled(format!("  {candidate:<20}"), theme.key());
        let indent = display_width(&label.content);
        lines.extend(hanging(label, indent, about, theme.dim(), width));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" Command ", theme.title()));
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block), area);
    frame.set_cursor_position((area.x + 2 + palette.input.visual_cursor() as u16, area.y + 1));
}

/// A progress bar for a job that the visible pane is waiting for.
pub fn draw_progress(frame: &mut Frame<'_>, job: &Job, theme: Theme) {
    let area = centered(frame.area(), 60, 5);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(format!(" {} ", job.label), theme.title()));
    let gauge = Gauge::default()
        .block(block)
        .gauge_style(theme.good())
        .percent(job.percent())
        .label(format!("{}% ({}/{})", job.percent(), job.done, job.total));
    frame.render_widget(Clear, area);
    frame.render_widget(gauge, area);
}
