//! Dialogs over the pane: help, the command palette, job progress.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Gauge, Paragraph};

use super::theme::Theme;
use crate::app::palette::{self, COMMANDS};
use crate::app::state::{AppState, Job, PaletteState};

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    cell
}

/// Every key of the current pane, read from the live keymap.
pub fn draw_help(frame: &mut Frame<'_>, state: &AppState, scroll: usize, theme: Theme) {
    let area = centered(frame.area(), 60, frame.area().height.saturating_sub(2));
    let mut lines: Vec<Line<'static>> = Vec::new();
    let read_only = state.is_read_only();
    for (action, keys) in state.keymap.for_pane(state.pane) {
        if read_only && action.writes() {
            continue;
        }
        let keys: Vec<String> = keys.iter().map(ToString::to_string).collect();
        lines.push(Line::from(vec![
            Span::styled(format!("{:<18}", keys.join(" ")), theme.key()),
            Span::raw(action.describe()),
        ]));
    }
    lines.push(Line::from(""));
    if read_only {
        lines.push(Line::from(Span::styled(state.read_only_reason(), theme.warn())));
    }
    lines.push(Line::from(Span::styled(
        "Seat markers: ! nearly out  ■ none left  ✗ over-allocated  ∞ unlimited",
        theme.dim(),
    )));
    let title = format!(
        " Keys · {} (↑↓ scroll, any other key closes) ",
        state.pane.title()
    );
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
    let mut lines = vec![Line::from(vec![
        Span::styled(":", theme.key()),
        Span::raw(typed.to_owned()),
    ])];
    match &palette.error {
        Some(error) => lines.push(Line::from(Span::styled(error.clone(), theme.bad()))),
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
        lines.push(Line::from(vec![
            Span::styled(format!("  {candidate:<20}"), theme.key()),
            Span::styled(about, theme.dim()),
        ]));
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
