//! Keys are handled in order, each against the state the previous key left.
//!
//! Some keys change what a list holds (a sort, a filter, a picker search)
//! and the new rows come back from the worker later. A key that acts on the
//! rows (move, mark, open, assign, Enter) and arrives before them waits here
//! and runs when they are in, so `s j` moves in the new order and a pasted
//! `ava perez` followed by Tab marks a row of the `ava perez` list. Keys that
//! only edit text never wait. Once one key waits, every later key waits
//! behind it, so the order is kept.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::message::{Command, Msg};
use super::state::{AppState, Overlay};

/// Whether `key` must wait for the rows an earlier key asked for.
pub fn must_wait(state: &AppState, key: &KeyEvent) -> bool {
    !state.held.is_empty() || (awaiting(state) && !independent(state, key))
}

/// Whether the list the next key acts on is still on its way.
pub fn awaiting(state: &AppState) -> bool {
    match &state.overlay {
        Overlay::Picker(picker) => picker.searching,
        Overlay::AgreementForm(form) => super::agreement_form::awaiting(form),
        Overlay::None | Overlay::Filter => state.table().settling(),
        // Read-only dialogs, the palette and the preview don't act on rows
        // that are on their way (a preview still being worked out ignores
        // Enter: nothing unseen is ever applied).
        Overlay::Help { .. }
        | Overlay::Detail { .. }
        | Overlay::Palette(_)
        | Overlay::Preview(_)
        | Overlay::Link(_)
        | Overlay::Billing(_)
        | Overlay::SubscriptionForm(_)
        | Overlay::ProfileForm(_) => false,
    }
}

/// Keys that never depend on the rows: editing the text of a search or a
/// filter, and leaving a dialog.
fn independent(state: &AppState, key: &KeyEvent) -> bool {
    let text_field = matches!(
        state.overlay,
        Overlay::Picker(_)
            | Overlay::Filter
            | Overlay::AgreementForm(_)
            | Overlay::SubscriptionForm(_)
            | Overlay::ProfileForm(_)
    );
    text_field && (key.code == KeyCode::Esc || edits_text(key))
}

/// Keys a text field takes as editing.
pub fn edits_text(key: &KeyEvent) -> bool {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Char('u' | 'w' | 'e') if ctrl => true,
        KeyCode::Char(_) => !ctrl,
        KeyCode::Backspace
        | KeyCode::Delete
        | KeyCode::Left
        | KeyCode::Right
        | KeyCode::Home
        | KeyCode::End => true,
        _ => false,
    }
}

/// Runs the waiting keys (and pastes) whose rows are in, through `on_input`.
pub fn release(state: &mut AppState, on_input: fn(&mut AppState, Msg) -> Vec<Command>) -> Vec<Command> {
    let mut commands = Vec::new();
    while !awaiting(state) {
        let Some(msg) = state.held.pop_front() else {
            break;
        };
        commands.extend(on_input(state, msg));
    }
    commands
}
