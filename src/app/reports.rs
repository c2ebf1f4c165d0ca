//! The Reports view (issue 9, R-RPT-1..5, R-AGR-13): `:reports` shows the
//! report seen last, 1–4 switch between the four, Enter drills into the
//! view behind a row and Esc comes back to the same report and row, and
//! `:export csv|json PATH` writes the report's rows as `seats report` does.

use tui_input::Input;

use super::changes::assign_blocker_of;
use super::message::Command;
use super::pane::{PaneId, Row};
use super::state::{AppState, Overlay, Tone};
use crate::output::Format;
use crate::store::PageRequest;
use crate::store::reports::Kind;

/// A view opened from a report with Enter: Esc there goes back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportReturn {
    /// The view opened.
    pub view: PaneId,
    /// The report it was opened from.
    pub report: PaneId,
    /// The view's filter before the drill typed one; put back on the way out.
    pub filter_before: String,
}

/// What `:export` asks the worker to write: every row of report `kind`
/// passing `request`'s filter, in its sort, as `format`, to `path` as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportExport {
    pub kind: Kind,
    pub format: Format,
    pub path: String,
    pub request: PageRequest,
}

/// Enter on a report's row: the view behind it. Installed products list
/// their computers (Detections), licensed ones nobody installed the
/// agreements that license them; a pool with reclaimable seats lists them
/// (Reclaim), any other pool its seats; an agreement shows in Agreements.
pub fn drill(state: &mut AppState) -> Vec<Command> {
    let report = state.pane;
    let Some(row) = state.table().selected_row().cloned() else {
        return Vec::new();
    };
    let mut filter_before = String::new();
    let mut typed = |state: &mut AppState, pane: PaneId, filter: String| {
        filter_before = state.table_of_mut(pane).filter.value().to_owned();
        filtered(state, pane, filter)
    };
    let commands = match row {
        Row::Installation(r) if r.installed > 0 => detections(state, r.id, &r.product),
        Row::Installation(r) => typed(
            state,
            PaneId::Agreements,
            format!("product:{}", quoted(&r.product)),
        ),
        Row::Purchase(r) if r.installed > 0 => detections(state, r.product_id, &r.product),
        Row::Purchase(r) => typed(
            state,
            PaneId::Agreements,
            format!("product:{}", quoted(&r.product)),
        ),
        Row::Utilization(r) if r.reclaimable > 0 => {
            typed(state, PaneId::Reclaim, format!("pool={}", quoted(&r.pool)))
        }
        Row::Utilization(r) => {
            let blocker = assign_blocker_of(&r.pool, &r.kind, &r.status, r.disabled_reason.as_deref());
            super::changes::open_seats(state, (r.id, r.pool), blocker)
        }
        Row::License(r) => match (r.pool_id, r.agreement_id) {
            (Some(pool), _) => {
                let blocker = assign_blocker_of(&r.name, &r.kind, &r.status, r.disabled_reason.as_deref());
                super::changes::open_seats(state, (pool, r.name), blocker)
            }
            _ => typed(state, PaneId::Agreements, format!("name={}", quoted(&r.name))),
        },
        _ => return Vec::new(),
    };
    state.report_return = Some(ReportReturn {
        view: state.pane,
        report,
        filter_before,
    });
    commands
}

/// `:reports`: the report seen last, remembering the pane it was typed in
/// (Esc goes back there). Typed in a report, or in a view opened from one,
/// the pane to go back to stays as it was.
pub fn open(state: &mut AppState) -> Vec<Command> {
    let from_report = state
        .report_return
        .as_ref()
        .is_some_and(|back| back.view == state.pane);
    if state.pane.report().is_none() && !from_report {
        state.reports_from = state.pane;
    }
    super::update::show(state, state.report)
}

/// Esc in a view opened from a report (nothing left to clear): back to the
/// report, on the row it was opened from. None when the view was not.
pub fn back(state: &mut AppState) -> Option<Vec<Command>> {
    let back = state.report_return.take_if(|back| back.view == state.pane)?;
    let table = state.table_mut();
    if table.filter.value() != back.filter_before {
        table.filter = Input::new(back.filter_before);
        table.stale = true;
    }
    Some(super::update::show(state, back.report))
}

/// A filter value in quotes, so a name with spaces is one value.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('"', ""))
}

/// The computers a product was detected on (the Detections view).
fn detections(state: &mut AppState, product_id: i64, title: &str) -> Vec<Command> {
    state.detections_of = Some((product_id, title.to_owned()));
    open_view(state, PaneId::Detections, Some(product_id), String::new())
}

/// `pane` with `filter` typed in it.
fn filtered(state: &mut AppState, pane: PaneId, filter: String) -> Vec<Command> {
    let scope = state.table_of_mut(pane).scope;
    open_view(state, pane, scope, filter)
}

fn open_view(state: &mut AppState, pane: PaneId, scope: Option<i64>, filter: String) -> Vec<Command> {
    state.pane = pane;
    state.overlay = Overlay::None;
    let table = state.table_mut();
    table.scope = scope;
    table.marked.clear();
    table.filter = Input::new(filter);
    vec![Command::Fetch(table.restart())]
}

/// `:export csv|json PATH`: the report on screen, every row its filter
/// keeps (not only those on screen), in its sort.
pub fn export(state: &mut AppState, format: Format, path: String) -> Vec<Command> {
    let Some(kind) = state.pane.report() else {
        state.refuse("export csv|json PATH writes a report: open one with :reports first");
        return Vec::new();
    };
    let table = state.table();
    let request = PageRequest {
        sort: table.sort,
        descending: table.descending,
        filter: table.text_filter(),
        offset: 0,
        limit: usize::MAX >> 1,
        scope: None,
        as_of: table.as_of.clone(),
        anchor: None,
        count_later: false,
    };
    state.flash(
        format!("exporting the {} report to {path}…", kind.name()),
        Tone::Info,
    );
    vec![Command::ExportReport(ReportExport {
        kind,
        format,
        path,
        request,
    })]
}
