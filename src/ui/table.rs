//! The pane's table (only the visible rows are drawn) and its detail panel.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Paragraph, Row as TableRow, Scrollbar, ScrollbarOrientation, ScrollbarState, Table,
};

use super::columns::{self, Width, display_width};
pub use super::detail::{draw_detail, draw_detail_dialog};
use super::panes::{self, Ctx};
use super::theme::Theme;
use super::wrap::wrap_words;
use crate::app::state::{AppState, Overlay};

/// The table's title. When it is wider than the border, the filter is
/// cut first (keeping its start), then the heading in the middle, each
/// with "…".
fn title(state: &AppState, theme: Theme, width: usize) -> Line<'static> {
    let table = state.table();
    let pane = state.pane;
    let columns = pane.columns();
    let sort_name = columns.get(table.sort).copied().unwrap_or("");
    let arrow = if table.descending { "↓" } else { "↑" };
    let count = match table.count {
        None => "loading…".to_owned(),
        Some(0) => "none".to_owned(),
        // The rows came first; their count or figures are on the way.
        Some(count) if table.counting => format!("{}/{count}… counting", table.selected + 1),
        Some(count) => format!("{}/{count}", table.selected + 1),
    };
    let heading = match (pane, &state.assignees_of) {
        (crate::app::PaneId::Assignees, Some((_, pool))) => format!("Seats of {pool}"),
        (crate::app::PaneId::Assignees, None) => "Seats (open a pool in Licenses with Enter)".to_owned(),
        (crate::app::PaneId::Installs, _) => match &state.installs_of {
            Some((_, app)) => format!("Installs of {app}"),
            None => "Installs of every app".to_owned(),
        },
        (crate::app::PaneId::Detections, _) => match &state.detections_of {
            // One row per name detected on a computer: a computer where
            // two names count as the title shows twice.
            Some((_, title)) => format!("Detections of {title}"),
            None => "Detections of every title".to_owned(),
        },
        // Opened from Licenses with Enter: that one subscription.
        (crate::app::PaneId::Subscriptions, _) if table.scope.is_some() => {
            "Subscription (Esc: back to Licenses)".to_owned()
        }
        _ => pane.title().to_owned(),
    };
    let mut tail = vec![Span::raw(format!("{count} · sort {sort_name}{arrow} "))];
    if !table.marked.is_empty() {
        tail.push(Span::styled(
            format!("· {} marked ", table.marked.len()),
            theme.warn(),
        ));
    }
    let filter = table.filter.value();
    let filtered = !filter.is_empty() || state.overlay == Overlay::Filter;
    // Two corners and one column of border left; " heading ", "· /" and " ".
    let room = width.saturating_sub(3);
    let fixed: usize = tail.iter().map(Span::width).sum::<usize>() + 2 + if filtered { 4 } else { 0 };
    let filter_width = if filtered {
        display_width(filter).min(12)
    } else {
        0
    };
    let heading = columns::cut_middle(&heading, room.saturating_sub(fixed + filter_width));
    let mut spans = vec![Span::styled(format!(" {heading} "), theme.title())];
    spans.append(&mut tail);
    if filtered {
        let used = fixed + display_width(&heading);
        let filter = columns::cut_end(filter, room.saturating_sub(used));
        spans.push(Span::styled(format!("· /{filter} "), theme.warn()));
    }
    Line::from(spans)
}

/// The cells of every row held, and the width each column gets.
struct Sized {
    headers: Vec<String>,
    /// Cells of `table.window.rows`, in order.
    held: Vec<Vec<panes::Cell>>,
    specs: &'static [Width],
    widths: Vec<u16>,
}

impl Sized {
    /// Every row held (not only those on screen) sizes the columns, so they
    /// keep still while the selection moves.
    fn new(state: &AppState, ctx: &Ctx, inner_width: u16) -> Sized {
        let table = state.table();
        let headers: Vec<String> = state
            .pane
            .columns()
            .iter()
            .enumerate()
            .map(|(i, c)| match (i == table.sort, table.descending) {
                (true, true) => format!("{c}↓"),
                (true, false) => format!("{c}↑"),
                (false, _) => (*c).to_owned(),
            })
            .collect();
        let held: Vec<Vec<panes::Cell>> = table
            .window
            .rows
            .iter()
            .map(|row| {
                let mut cells = panes::cells(row, ctx);
                if table.marked.contains(&row.id())
                    && let Some(first) = cells.first_mut()
                {
                    first.text.insert_str(0, "• ");
                    first.style = first.style.patch(ctx.theme.warn());
                }
                cells
            })
            .collect();
        let specs = panes::widths(state.pane);
        let wanted: Vec<columns::Want> = specs
            .iter()
            .enumerate()
            .map(|(i, spec)| {
                held.iter()
                    .filter_map(|cells| cells.get(i))
                    .map(|cell| spec.want(&cell.text))
                    .chain(headers.get(i).map(|h| spec.want(h)))
                    .fold(columns::Want::default(), columns::Want::max)
            })
            .collect();
        let widths = columns::layout(specs, &wanted, inner_width);
        Sized {
            headers,
            held,
            specs,
            widths,
        }
    }

    /// Column `i`'s text cut to its width the way the column cuts.
    fn fit(&self, i: usize, text: &str) -> String {
        let width = self.widths.get(i).copied().unwrap_or(0) as usize;
        self.specs
            .get(i)
            .map_or_else(|| text.to_owned(), |spec| spec.cut(text, width))
    }

    fn row(&self, cells: &[panes::Cell]) -> TableRow<'static> {
        TableRow::new(
            cells
                .iter()
                .enumerate()
                .map(|(i, cell)| Span::styled(self.fit(i, &cell.text), cell.style)),
        )
    }
}

/// Draws the table of the visible pane.
pub fn draw_table(frame: &mut Frame<'_>, area: Rect, state: &AppState, theme: Theme) {
    let table = state.table();
    let ctx = Ctx::of(state, theme);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(title(state, theme, area.width as usize));
    let inner_height = area.height.saturating_sub(3) as usize;
    let sized = Sized::new(state, &ctx, area.width.saturating_sub(2));
    let header = TableRow::new(
        sized
            .headers
            .iter()
            .enumerate()
            .map(|(i, h)| Span::styled(sized.fit(i, h), theme.header())),
    );
    let count = table.count.unwrap_or(0);
    let end = (table.scroll + inner_height).min(count);
    let rows = (table.scroll..end).map(|index| {
        let row = match index
            .checked_sub(table.window.offset)
            .and_then(|i| sized.held.get(i))
        {
            Some(cells) => sized.row(cells),
            None => TableRow::new([Span::styled("…", theme.dim())]),
        };
        if index == table.selected {
            row.style(theme.selected())
        } else {
            row
        }
    });
    let widget = Table::new(rows, sized.widths.iter().map(|w| Constraint::Length(*w)))
        .header(header)
        .block(block)
        .column_spacing(1);
    frame.render_widget(widget, area);
    if table.count == Some(0) {
        draw_empty(frame, area, state, theme);
    }
    if count > inner_height {
        let mut scrollbar = ScrollbarState::new(count.saturating_sub(inner_height)).position(table.scroll);
        let track = Rect::new(area.x, area.y + 2, area.width, area.height.saturating_sub(3));
        frame.render_stateful_widget(
            Scrollbar::new(ScrollbarOrientation::VerticalRight)
                .begin_symbol(None)
                .end_symbol(None),
            track,
            &mut scrollbar,
        );
    }
}

/// Says why the table is empty: a job still running, a filter that is not
/// valid (and why), nothing matching, or nothing there yet.
fn draw_empty(frame: &mut Frame<'_>, area: Rect, state: &AppState, theme: Theme) {
    let typed = state.table().filter.value();
    let message = if let Err(err) = state.pane.parse_filter(typed) {
        format!("the filter lists nothing until it is fixed: {err}")
    } else if let Some(job) = state.jobs.first() {
        if job.label.contains("demo") {
            "the demo tenant is being built…".to_owned()
        } else {
            "working…".to_owned()
        }
    } else if typed.is_empty() {
        empty_message(state.pane).to_owned()
    } else {
        "no rows match the filter (Esc clears it)".to_owned()
    };
    let inner = Rect::new(
        area.x + 2,
        area.y + 2,
        area.width.saturating_sub(4),
        area.height.saturating_sub(3),
    );
    let mut lines = wrap_words(&message, inner.width as usize);
    // Too long for the rows there are: the reason alone, without the lead-in.
    if lines.len() > inner.height as usize
        && let Some((_, reason)) = message.split_once(": ")
    {
        lines = wrap_words(reason, inner.width as usize);
    }
    let lines: Vec<Line<'static>> = lines
        .into_iter()
        .map(|line| Line::from(Span::styled(line, theme.dim())))
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// What an empty list means, pane by pane.
fn empty_message(pane: crate::app::PaneId) -> &'static str {
    use crate::app::PaneId;
    match pane {
        PaneId::Assignees => "no seats of this pool are held: a assigns some",
        PaneId::Reclaim => "no seats to reclaim: nobody who left or went quiet holds one",
        PaneId::Audit => "no changes yet",
        PaneId::Installs => "no installs reported for this app",
        PaneId::Inventory | PaneId::Detections => {
            "no software detected: `seats import inventory FILE` or a Graph sync with detected apps"
        }
        PaneId::ReportPurchase
        | PaneId::ReportInstallation
        | PaneId::ReportInventory
        | PaneId::ReportUtilization => {
            "nothing to report: agreements, inventory and pools fill it (`seats import …`, a sync)"
        }
        PaneId::Subscriptions => {
            "no SaaS or ISV subscriptions: n records a purchase (by hand or from a CSV file)"
        }
        _ => "nothing here yet: `seats demo` builds a demo tenant",
    }
}
