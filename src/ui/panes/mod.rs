//! Per-pane presentation: the cells of a row and the lines of its detail.

mod agreements;
mod apps;
mod connectors;
mod installs;
mod inventory;
mod licenses;
mod reports;
pub mod reports_chart;
pub mod subscriptions;
mod users;
mod views;

use chrono::{DateTime, Utc};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::columns::Width;
use super::theme::Theme;
use crate::app::state::AppState;
use crate::app::sync::SyncActivity;
use crate::app::{PaneId, Row};
use crate::domain::expiry::{age, parse_date};
use crate::domain::{Seats, countdown};

/// One table cell: text and how it looks.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub text: String,
    pub style: Style,
}

impl Cell {
    pub fn plain(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            style: Style::new(),
        }
    }

    pub fn styled(text: impl Into<String>, style: Style) -> Cell {
        Cell {
            text: text.into(),
            style,
        }
    }
}

/// What a pane's rows need to be drawn.
pub struct Ctx<'a> {
    pub theme: Theme,
    pub now: DateTime<Utc>,
    /// The syncs running in this console (the Connectors pane shows them).
    pub syncs: &'a [SyncActivity],
}

impl Ctx<'_> {
    /// The context of `state`'s screen.
    pub fn of(state: &AppState, theme: Theme) -> Ctx<'_> {
        Ctx {
            theme,
            now: state.now,
            syncs: &state.syncs,
        }
    }
}

/// How each column of a pane's table takes its width.
pub fn widths(pane: PaneId) -> &'static [Width] {
    match pane {
        PaneId::Licenses => licenses::WIDTHS,
        PaneId::Apps => apps::WIDTHS,
        PaneId::Connectors => connectors::WIDTHS,
        PaneId::Agreements => agreements::WIDTHS,
        PaneId::Users => users::WIDTHS,
        PaneId::Assignees => views::ASSIGNEE_WIDTHS,
        PaneId::Reclaim => views::RECLAIM_WIDTHS,
        PaneId::Audit => views::AUDIT_WIDTHS,
        PaneId::Groups => views::GROUP_WIDTHS,
        PaneId::Installs => installs::WIDTHS,
        PaneId::Inventory => inventory::TITLE_WIDTHS,
        PaneId::Detections => inventory::DETECTION_WIDTHS,
        PaneId::Subscriptions => subscriptions::WIDTHS,
        PaneId::ReportPurchase => reports::PURCHASE_WIDTHS,
        PaneId::ReportInstallation => reports::INSTALLATION_WIDTHS,
        PaneId::ReportInventory => reports::INVENTORY_WIDTHS,
        PaneId::ReportUtilization => reports::UTILIZATION_WIDTHS,
    }
}

/// The cells of one row.
pub fn cells(row: &Row, ctx: &Ctx) -> Vec<Cell> {
    match row {
        Row::Pool(r) => licenses::cells(r, ctx),
        Row::App(r) => apps::cells(r, ctx),
        Row::Connector(r) => connectors::cells(r, ctx),
        Row::Agreement(r) => agreements::cells(r, ctx),
        Row::User(r) => users::cells(r, ctx),
        Row::Assignee(r) => views::assignee_cells(r, ctx),
        Row::Reclaim(r) => views::reclaim_cells(r, ctx),
        Row::Audit(r) => views::audit_cells(r, ctx),
        Row::Group(r) => views::group_cells(r, ctx),
        Row::Install(r) => installs::cells(r, ctx),
        Row::Title(r) => inventory::title_cells(r, ctx),
        Row::Detection(r) => inventory::detection_cells(r, ctx),
        Row::Subscription(r) => subscriptions::cells(r, ctx),
        Row::Purchase(r) => reports::purchase_cells(r, ctx),
        Row::Installation(r) => reports::installation_cells(r, ctx),
        Row::License(r) => reports::license_cells(r, ctx),
        Row::Utilization(r) => reports::utilization_cells(r, ctx),
    }
}

/// The detail panel's lines for one row.
pub fn detail(row: &Row, ctx: &Ctx) -> Vec<Line<'static>> {
    match row {
        Row::Pool(r) => licenses::detail(r, ctx),
        Row::App(r) => apps::detail(r, ctx),
        Row::Connector(r) => connectors::detail(r, ctx),
        Row::Agreement(r) => agreements::detail(r, ctx),
        Row::User(r) => users::detail(r, ctx),
        Row::Assignee(r) => views::assignee_detail(r, ctx),
        Row::Reclaim(r) => views::reclaim_detail(r, ctx),
        Row::Audit(r) => views::audit_detail(r, ctx),
        Row::Group(r) => views::group_detail(r, ctx),
        Row::Install(r) => installs::detail(r, ctx),
        Row::Title(r) => inventory::title_detail(r, ctx),
        Row::Detection(r) => inventory::detection_detail(r, ctx),
        Row::Subscription(r) => subscriptions::detail(r, ctx),
        Row::Purchase(r) => reports::purchase_detail(r, ctx),
        Row::Installation(r) => reports::installation_detail(r, ctx),
        Row::License(r) => reports::license_detail(r, ctx),
        Row::Utilization(r) => reports::utilization_detail(r, ctx),
    }
}

/// Total, used and free cells with colour and a text marker.
pub fn seat_cells(seats: Seats, ctx: &Ctx) -> [Cell; 3] {
    let level = seats.level();
    let style = ctx.theme.seats(level);
    let total = seats.total.map_or("∞".to_owned(), |t| t.to_string());
    let free = match seats.available() {
        None => "∞".to_owned(),
        Some(free) => format!("{free}{}", level.marker().trim()),
    };
    [
        Cell::plain(total),
        Cell::plain(seats.consumed.to_string()),
        Cell::styled(free, style),
    ]
}

/// A date as a countdown cell ("in 12d!", "expired 3d ago"), or "—".
pub fn countdown_cell(date: Option<&str>, ctx: &Ctx) -> Cell {
    match date.and_then(parse_date) {
        None => Cell::styled("—", ctx.theme.dim()),
        Some(date) => {
            let countdown = countdown(date, ctx.now);
            let mut text = countdown.short();
            if matches!(countdown, crate::domain::Countdown::Soon(_)) {
                text.push('!');
            }
            Cell::styled(text, ctx.theme.countdown(countdown))
        }
    }
}

/// A timestamp as an age cell ("3h ago"), or "never".
pub fn age_cell(at: Option<&str>, ctx: &Ctx) -> Cell {
    match at.and_then(|t| DateTime::parse_from_rfc3339(t).ok()) {
        None => Cell::styled("never", ctx.theme.dim()),
        Some(at) => Cell::plain(format!("{} ago", age(at.with_timezone(&Utc), ctx.now))),
    }
}

/// Columns of a detail line's label; a value that wraps continues here.
pub const LABEL_WIDTH: usize = 11;

/// A `label: value` line of the detail panel.
pub fn field(label: &str, value: impl Into<String>, ctx: &Ctx) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<LABEL_WIDTH$}"), ctx.theme.dim()),
        Span::raw(value.into()),
    ])
}

/// A `label: value` line whose value is a styled cell.
pub fn field_cell(label: &str, cell: Cell, ctx: &Ctx) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<LABEL_WIDTH$}"), ctx.theme.dim()),
        Span::styled(cell.text, cell.style),
    ])
}

/// "a, b" for the present parts, "—" when none.
pub fn joined(parts: &[Option<&str>]) -> String {
    let present: Vec<&str> = parts.iter().flatten().copied().collect();
    if present.is_empty() {
        "—".to_owned()
    } else {
        present.join(", ")
    }
}

/// A ten-cell bar of the used share of a pool ("[████████░░]"), or None
/// for a pool without a share (unlimited, no seats purchased).
pub fn bar(seats: Seats) -> Option<String> {
    let filled = seats.used_tenths()?;
    Some(format!("[{}{}]", "█".repeat(filled), "░".repeat(10 - filled)))
}
