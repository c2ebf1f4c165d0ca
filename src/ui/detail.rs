//! The detail panel of the selected row and its full-screen dialog. Long
//! values wrap under the value column; rows that do not fit are counted on
//! the border ("+3 more: i"), never dropped silently.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::columns::{cut_middle, display_width};
use super::panes::{self, Ctx};
use super::theme::Theme;
use super::wrap::hang_line;
use crate::app::state::AppState;

/// Draws the detail panel of the selected row, in two columns when it sits
/// below the table and would not fit in one.
pub fn draw_detail(frame: &mut Frame<'_>, area: Rect, state: &AppState, theme: Theme) {
    let ctx = Ctx::of(state, theme);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" Detail ", theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(row) = state.table().selected_row() else {
        let text = if state.table().count == Some(0) {
            ""
        } else {
            "loading…"
        };
        frame.render_widget(Paragraph::new(Span::styled(text, theme.dim())), inner);
        return;
    };
    let lines = panes::detail(row, &ctx);
    let height = inner.height as usize;
    let half = inner.width as usize / 2;
    let fits_half = lines.iter().all(|line| line.width() < half);
    let hidden = if lines.len() > height && fits_half {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(inner);
        let (first, second) = lines.split_at(height.min(lines.len()));
        frame.render_widget(Paragraph::new(first.to_vec()), left);
        frame.render_widget(Paragraph::new(second.to_vec()), right);
        second.len().saturating_sub(height)
    } else {
        // The panel grows slower than the terminal: no width to promise.
        let rows = hanging_rows(&lines, inner.width as usize, None);
        let hidden = rows.len().saturating_sub(height);
        frame.render_widget(Paragraph::new(rows), inner);
        hidden
    };
    if hidden > 0 {
        draw_more(frame, area, state, theme, hidden);
    }
}

/// "+3 more: i" on the bottom border: rows that did not fit, and the key
/// that shows them all.
fn draw_more(frame: &mut Frame<'_>, area: Rect, state: &AppState, theme: Theme, hidden: usize) {
    let key = state
        .keymap
        .key_for(state.pane, crate::app::Action::Detail)
        .map_or_else(|| "i".to_owned(), |k| k.to_string());
    let note = format!(" +{hidden} more: {key} ");
    let width = display_width(&note) as u16;
    let x = area.right().saturating_sub(width + 1);
    frame.render_widget(
        Span::styled(note, theme.dim()),
        Rect::new(x, area.bottom().saturating_sub(1), width, 1),
    );
}

/// Detail lines wrapped to `width`, continuations under the value column;
/// a link stays on one line. The terminal is `margin` columns wider, when
/// known.
fn hanging_rows(lines: &[Line<'static>], width: usize, margin: Option<usize>) -> Vec<Line<'static>> {
    lines
        .iter()
        .flat_map(|line| match link_of(line) {
            Some((label, link)) => one_line_link(label, link, (width, margin)),
            None => hang_line(line, panes::LABEL_WIDTH, width),
        })
        .collect()
}

/// The label and the link of a field whose value is one link.
fn link_of<'a>(line: &'a Line<'static>) -> Option<(&'a Span<'static>, &'a str)> {
    match line.spans.as_slice() {
        [label, value]
            if label.width() == panes::LABEL_WIDTH
                && value.content.contains("://")
                && !value.content.contains(char::is_whitespace) =>
        {
            Some((label, &value.content))
        }
        _ => None,
    }
}

/// A link is never wrapped: a mouse selection over SSH would copy it with
/// its line breaks. Wider than the room, it is cut in the middle, with the
/// terminal width that shows it whole on the next line (in the dialog,
/// whose width follows the terminal's).
fn one_line_link(
    label: &Span<'static>,
    link: &str,
    (width, margin): (usize, Option<usize>),
) -> Vec<Line<'static>> {
    let room = width.saturating_sub(panes::LABEL_WIDTH);
    let shown = cut_middle(link, room);
    let mut lines = vec![Line::from(vec![label.clone(), Span::raw(shown.clone())])];
    if let Some(margin) = margin.filter(|_| shown != link) {
        let needed = panes::LABEL_WIDTH + display_width(link) + margin;
        lines.extend(hang_line(
            &Line::from(vec![
                Span::raw(" ".repeat(panes::LABEL_WIDTH)),
                Span::raw(format!(
                    "(cut to fit: a terminal {needed} columns wide shows it whole)"
                )),
            ]),
            panes::LABEL_WIDTH,
            width,
        ));
    }
    lines
}

/// Every detail of the selected row in a dialog (Enter), scrollable.
pub fn draw_detail_dialog(frame: &mut Frame<'_>, state: &AppState, scroll: usize, theme: Theme) {
    let Some(row) = state.table().selected_row() else {
        return;
    };
    let ctx = Ctx::of(state, theme);
    let full = frame.area();
    let area = Rect::new(
        full.x + 2,
        full.y + 1,
        full.width.saturating_sub(4),
        full.height.saturating_sub(3),
    );
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        " Detail (↑↓ scroll, any other key closes) ",
        theme.title(),
    ));
    frame.render_widget(ratatui::widgets::Clear, area);
    let inner = block.inner(area).width;
    let margin = full.width.saturating_sub(inner) as usize;
    let rows = hanging_rows(&panes::detail(row, &ctx), inner as usize, Some(margin));
    frame.render_widget(
        Paragraph::new(rows)
            .block(block)
            .scroll((scroll.min(u16::MAX as usize) as u16, 0)),
        area,
    );
}
