//! The Inventory view's keys (R-APP-10): Enter on a title lists the
//! computers it was detected on; `:map TITLE` and `:unmap` on a detection
//! change the title its name counts as, after the preview.

use super::changes::open_preview;
use super::dialogs::Change;
use super::message::Command;
use super::pane::{PaneId, Row};
use super::state::{AppState, Overlay};
use crate::store::inventory::TitleRow;

/// Enter on a title: its detections; Esc comes back.
pub fn open_detections(state: &mut AppState, title: &TitleRow) -> Vec<Command> {
    state.detections_of = Some((title.id, title.title.clone()));
    state.pane = PaneId::Detections;
    state.overlay = Overlay::None;
    let table = state.table_mut();
    table.scope = Some(title.id);
    table.marked.clear();
    table.filter = tui_input::Input::default();
    vec![Command::Fetch(table.restart())]
}

/// `:detections`: every title's detections.
pub fn show_all_detections(state: &mut AppState) -> Vec<Command> {
    state.detections_of = None;
    state.pane = PaneId::Detections;
    let table = state.table_mut();
    table.scope = None;
    vec![Command::Fetch(table.restart())]
}

/// `:map TITLE` / `:unmap`: the selected detection's name, previewed.
pub fn map_selected(state: &mut AppState, title: Option<String>) -> Vec<Command> {
    match (state.pane, state.table().selected_row()) {
        (PaneId::Detections, Some(Row::Detection(d))) => {
            let raw = d.detected_as.clone();
            open_preview(state, Change::MapProduct { raw, title })
        }
        _ => {
            state.refuse(
                "select a detection first: Enter on a title in :inventory lists them, with the name each was detected as",
            );
            Vec::new()
        }
    }
}
