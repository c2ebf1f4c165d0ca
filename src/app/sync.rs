//! Syncs and pushes as the console sees them (issue 7, R-CON-5): `r` and
//! `R` ask the worker to sync, its progress events show on the Connectors
//! pane and the status bar, and after a change queued for a Graph
//! connector the worker pushes it and the flash says how that went.

use super::message::Command;
use super::pane::Row;
use super::state::{AppState, Tone};
use crate::worker::schedule::not_syncing_reason;

/// A sync running in this console, as its last progress event said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncActivity {
    pub connector_id: i64,
    pub connector: String,
    /// What it is doing: "users, page 7", "writing into the cache", ….
    pub stage: String,
    pub done: u64,
    /// The whole of `done`; 0 when the stage has no known whole.
    pub total: u64,
}

impl SyncActivity {
    /// A sync asked for that has not reported yet.
    pub fn starting(connector_id: i64, connector: &str) -> SyncActivity {
        SyncActivity {
            connector_id,
            connector: connector.to_owned(),
            stage: "starting".to_owned(),
            done: 0,
            total: 0,
        }
    }

    /// Share done, 0..=100, when the stage has a known whole.
    pub fn percent(&self) -> Option<u16> {
        (self.total > 0).then(|| (self.done.min(self.total) * 100 / self.total) as u16)
    }

    /// "42% users, page 7", or the stage alone when its whole is unknown.
    pub fn describe(&self) -> String {
        match self.percent() {
            Some(percent) => format!("{percent}% {}", self.stage),
            None => self.stage.clone(),
        }
    }
}

/// How a sync ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncOutcome {
    /// It ran; one line of what it did.
    Done { summary: String },
    /// Another process holds the connector's lease and syncs it now.
    Busy { holder: String },
    /// It failed and left the cache as it was; the source's message.
    Failed {
        message: String,
        request_id: Option<String>,
    },
}

/// How pushing a connector's queued changes ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    /// Sent: applied, refused by the source (rolled back here), or kept
    /// for a retry, with why the newest one waits.
    Sent {
        applied: usize,
        refused: Vec<String>,
        retrying: usize,
        waiting: Option<String>,
    },
    /// Another process is syncing the connector; its sync sends them.
    Busy { holder: Option<String> },
    /// Nothing was sent (the connector's settings, its credentials, the
    /// cache); the changes stay queued.
    Failed { message: String },
}

/// `r`: sync the selected connector now.
pub fn sync_selected(state: &mut AppState) -> Vec<Command> {
    if state.is_read_only() {
        let reason = state.read_only_reason();
        state.refuse(reason);
        return Vec::new();
    }
    let Some(Row::Connector(row)) = state.table().selected_row().cloned() else {
        state.refuse("select a connector first");
        return Vec::new();
    };
    if let Some(why) = not_syncing_reason(row.kind) {
        state.refuse(format!("{}: {why}", row.name));
        return Vec::new();
    }
    if !row.enabled {
        state.refuse(format!(
            "{} is disabled; :enable turns it on (or `seats connector enable`), then r syncs it",
            row.name
        ));
        return Vec::new();
    }
    if let Some(running) = state.syncs.iter().find(|s| s.connector_id == row.id) {
        let text = format!("{} is syncing already: {}", row.name, running.describe());
        state.flash(text, Tone::Info);
        return Vec::new();
    }
    state.syncs.push(SyncActivity::starting(row.id, &row.name));
    vec![Command::Sync { connector_id: row.id }]
}

/// `:take-over` in Connectors: the preview of taking the selected Apple
/// connector's token from the product that holds it (R-CON-6).
pub fn take_over(state: &mut AppState) -> Vec<Command> {
    if state.is_read_only() {
        let reason = state.read_only_reason();
        state.refuse(reason);
        return Vec::new();
    }
    match (state.pane, state.table().selected_row().cloned()) {
        (super::pane::PaneId::Connectors, Some(Row::Connector(row))) => {
            super::changes::open_preview(state, super::dialogs::Change::TakeOver { connector_id: row.id })
        }
        _ => {
            state.refuse("select the Apple connector in Connectors (3) first");
            Vec::new()
        }
    }
}

/// `:enable` / `:disable` in Connectors: the preview of turning the
/// selected connector on or off (R-CON-1).
pub fn set_enabled(state: &mut AppState, enabled: bool) -> Vec<Command> {
    if state.is_read_only() {
        let reason = state.read_only_reason();
        state.refuse(reason);
        return Vec::new();
    }
    match (state.pane, state.table().selected_row().cloned()) {
        (super::pane::PaneId::Connectors, Some(Row::Connector(row))) => super::changes::open_preview(
            state,
            super::dialogs::Change::SetEnabled {
                connector_id: row.id,
                enabled,
            },
        ),
        _ => {
            let verb = if enabled { "enable" } else { "disable" };
            state.refuse(format!("select the connector to {verb} in Connectors (3) first"));
            Vec::new()
        }
    }
}

/// `R` and `:sync`: sync every connector that syncs in this version.
pub fn sync_all(state: &mut AppState) -> Vec<Command> {
    if state.is_read_only() {
        let reason = state.read_only_reason();
        state.refuse(reason);
        return Vec::new();
    }
    state.flash("starting a sync of every connector…", Tone::Info);
    vec![Command::SyncAll]
}

/// A progress event: the sync is shown with its stage.
pub fn on_progress(state: &mut AppState, activity: SyncActivity) {
    match state
        .syncs
        .iter_mut()
        .find(|s| s.connector_id == activity.connector_id)
    {
        Some(existing) => *existing = activity,
        None => state.syncs.push(activity),
    }
}

/// A sync ended: it leaves the status bar and the flash says how it went.
/// A scheduled sync that found another process syncing stays quiet (the
/// Connectors pane shows who syncs).
pub fn on_finished(
    state: &mut AppState,
    connector_id: i64,
    connector: &str,
    scheduled: bool,
    outcome: SyncOutcome,
) {
    state.syncs.retain(|s| s.connector_id != connector_id);
    match outcome {
        SyncOutcome::Done { summary } => state.flash(summary, Tone::Info),
        SyncOutcome::Busy { .. } if scheduled => {}
        SyncOutcome::Busy { holder } => state.flash(
            format!("{connector} is being synced by {holder}; its figures arrive when that sync ends"),
            Tone::Info,
        ),
        SyncOutcome::Failed { message, request_id } => {
            let request = request_id
                .map(|id| format!(" (request id {id})"))
                .unwrap_or_default();
            state.flash(
                format!("{connector} sync failed, nothing changed: {message}{request}"),
                Tone::Error,
            );
        }
    }
}

/// The answer to `R`: what started, what was running, what never syncs.
pub fn on_all_started(
    state: &mut AppState,
    started: &[(i64, String)],
    running: &[String],
    not_syncing: &[String],
) {
    for (id, name) in started {
        if !state.syncs.iter().any(|s| s.connector_id == *id) {
            state.syncs.push(SyncActivity::starting(*id, name));
        }
    }
    let mut parts = Vec::new();
    if !started.is_empty() {
        let names: Vec<&str> = started.iter().map(|(_, n)| n.as_str()).collect();
        parts.push(format!("syncing {}", names.join(", ")));
    }
    if !running.is_empty() {
        parts.push(format!("{} syncing already", running.join(", ")));
    }
    if parts.is_empty() {
        parts.push("no connector to sync".to_owned());
    }
    if !not_syncing.is_empty() {
        parts.push(format!(
            "{} don't sync in this version of seats",
            not_syncing.join(", ")
        ));
    }
    state.flash(parts.join("; "), Tone::Info);
}

/// The changes a write queued for a connector that pushes in this version:
/// the worker sends them now, and the flash shows `lines` with the result.
pub fn push_after_write(state: &mut AppState, connector_id: i64, lines: Vec<String>) -> Command {
    state.push_notes.insert(connector_id, lines);
    Command::Push { connector_id }
}

/// A push ended. After this console's change the flash says what the
/// source did with it; a retry the worker ran by itself speaks only when
/// something changed.
pub fn on_pushed(state: &mut AppState, connector_id: i64, connector: &str, outcome: PushOutcome) {
    let note = state.push_notes.remove(&connector_id);
    let undo = if state.last_batches.is_empty() {
        ""
    } else {
        " (z undoes)"
    };
    let what = note.as_ref().map(|lines| lines.join("; "));
    let lead = what.clone().unwrap_or_else(|| connector.to_owned());
    match outcome {
        PushOutcome::Sent { refused, .. } if !refused.is_empty() => {
            let (what, it) = match refused.len() {
                1 => ("the change".to_owned(), "it was"),
                n => (format!("{n} changes"), "they were"),
            };
            state.flash(
                format!(
                    "{connector} refused {what}: {}; {it} rolled back here too (seats audit shows it)",
                    refused.join("; ")
                ),
                Tone::Error,
            );
        }
        PushOutcome::Sent {
            retrying, waiting, ..
        } if retrying > 0 => {
            let why = waiting.unwrap_or_else(|| format!("{connector} did not answer"));
            if what.is_some() {
                state.flash(
                    format!("{lead}{undo}; queued: {why}; retried with backoff"),
                    Tone::Warning,
                );
            }
        }
        PushOutcome::Sent { applied, .. } => {
            if what.is_some() && applied > 0 {
                state.flash(format!("{lead}: applied at {connector}{undo}"), Tone::Info);
            } else if what.is_some() {
                state.flash(
                    format!("{lead}: nothing left to send to {connector}{undo}"),
                    Tone::Info,
                );
            } else if applied > 0 {
                let s = if applied == 1 { "" } else { "s" };
                state.flash(
                    format!("{applied} queued change{s} applied at {connector}"),
                    Tone::Info,
                );
            }
        }
        PushOutcome::Busy { holder } if what.is_some() => {
            let who = holder.unwrap_or_else(|| "another seats process".to_owned());
            state.flash(
                format!("{lead}{undo}; queued: {connector} is being synced by {who}, which sends it"),
                Tone::Info,
            );
        }
        PushOutcome::Failed { message } if what.is_some() => state.flash(
            format!("{lead}{undo}; queued: {message}; the next sync sends it"),
            Tone::Warning,
        ),
        PushOutcome::Busy { .. } | PushOutcome::Failed { .. } => {}
    }
}
