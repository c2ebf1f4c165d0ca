//! The Reports view's screen (R-RPT-1..5, R-AGR-13): the table with a bar
//! per visible row beside it, each bar on its row's line, and under the
//! detail the note that the figures are informational. The bars are
//! ratatui's own `LineGauge`s with block characters and a number label,
//! so they read the same without colour (NO_COLOR).

use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, LineGauge, Paragraph};

use crate::app::pane::Row;
use crate::app::state::AppState;
use crate::store::reports::{Kind, NOTE};
use crate::ui::table::{draw_detail, draw_table};
use crate::ui::theme::Theme;
use crate::ui::wrap::wrap_words;

/// Columns the chart takes beside the table.
fn chart_width(screen: u16) -> u16 {
    if screen >= 120 { 34 } else { 20 }
}

/// Draws a report: table and chart in `table_area`, detail and note in
/// `detail_area`.
pub fn draw(frame: &mut Frame<'_>, table_area: Rect, detail_area: Rect, state: &AppState, theme: Theme) {
    let [table, chart] = Layout::default()
        .direction(Direction::Horizontal)
        .constraints([
            Constraint::Min(40),
            Constraint::Length(chart_width(table_area.width)),
        ])
        .areas(table_area);
    draw_table(frame, table, state, theme);
    if let Some(kind) = state.pane.report() {
        draw_chart(frame, chart, state, kind, theme);
    }
    let note = wrap_words(NOTE, detail_area.width as usize);
    let [detail, below] = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Min(3), Constraint::Length(note.len() as u16)])
        .areas(detail_area);
    draw_detail(frame, detail, state, theme);
    let lines: Vec<Line<'static>> = note
        .into_iter()
        .map(|line| Line::from(Span::styled(line, theme.warn())))
        .collect();
    frame.render_widget(Paragraph::new(lines), below);
}

/// What the bars compare, as the chart's title says it.
fn legend(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        // Both compare installs with licenses, so "!" means short in both.
        Kind::Purchase | Kind::Installation => ("installed", "licensed"),
        Kind::Inventory | Kind::Utilization => ("used", "total"),
    }
}

/// A row's bar: the value, what it is measured against (None: unlimited
/// or unknown), or None for a row without figures.
fn figures(row: &Row) -> Option<(i64, Option<i64>)> {
    match row {
        Row::Purchase(r) => Some((r.installed, Some(r.licensed))),
        Row::Installation(r) => Some((r.installed, Some(r.licensed))),
        Row::License(r) => r.consumed.map(|used| (used, r.total)),
        Row::Utilization(r) => Some((r.consumed, r.total)),
        _ => None,
    }
}

/// "13/10!" (over), "5/∞" (unlimited), and the bar's filled share.
fn label_and_ratio(value: i64, of: Option<i64>) -> (String, f64, bool) {
    match of {
        None => (format!("{value}/∞"), 0.0, false),
        Some(of) if value > of => (format!("{value}/{of}!"), 1.0, true),
        Some(0) => ("0/0".to_owned(), 0.0, false),
        Some(of) => (format!("{value}/{of}"), value as f64 / of as f64, false),
    }
}

fn draw_chart(frame: &mut Frame<'_>, area: Rect, state: &AppState, kind: Kind, theme: Theme) {
    let (value, of) = legend(kind);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(format!(" █ {value} "), theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    // The bar is `value` (█) out of `of` (░); "!" marks more than `of`.
    let key = format!("░ {of} ! over");
    frame.render_widget(
        Paragraph::new(Span::styled(key, theme.header())),
        Rect::new(inner.x, inner.y, inner.width, 1),
    );
    let table = state.table();
    let count = table.count.unwrap_or(0);
    let rows: Vec<(usize, (String, f64, bool))> = (table.scroll..count)
        .take(inner.height.saturating_sub(1) as usize)
        .filter_map(|index| {
            let (value, of) = figures(table.row(index)?)?;
            Some((index, label_and_ratio(value, of)))
        })
        .collect();
    let label_width = rows
        .iter()
        .map(|(_, (l, _, _))| l.chars().count())
        .max()
        .unwrap_or(0);
    for (index, (label, ratio, over)) in rows {
        let y = inner.y + 1 + (index - table.scroll) as u16;
        // More licensed than installed (purchase) is a surplus, not a lack.
        let style = match (over, kind) {
            (false, _) => theme.good(),
            (true, Kind::Purchase) => theme.warn(),
            (true, _) => theme.bad(),
        };
        let mut gauge = LineGauge::default()
            .ratio(ratio.clamp(0.0, 1.0))
            .label(Span::raw(format!("{label:>label_width$}")))
            .filled_symbol("█")
            .unfilled_symbol("░")
            .filled_style(style);
        if index == table.selected {
            gauge = gauge.style(theme.selected());
        }
        frame.render_widget(gauge, Rect::new(inner.x, y, inner.width, 1));
    }
}
