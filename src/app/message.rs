//! What flows between the loop, `update` and the worker.

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;

use super::dialogs::{Change, Preview};
use super::pane::{PaneId, Row};
use super::state::Job;
use super::table::Fetch;
use crate::store::Page;
use crate::store::status::StatusInfo;
use crate::worker::search::{PickItem, SearchScope};

/// Everything `update` reacts to.
#[derive(Debug, Clone)]
pub enum Msg {
    /// A key from the terminal.
    Key(KeyEvent),
    /// Text pasted in one piece (bracketed paste): only ever text.
    Paste(String),
    /// The terminal was resized to (columns, rows).
    Resize(u16, u16),
    /// The clock ticked (about four times a second).
    Tick(DateTime<Utc>),
    /// The worker reported something.
    Worker(WorkerEvent),
}

/// What the worker sends back: data and progress, never "go look".
#[derive(Debug, Clone)]
pub enum WorkerEvent {
    /// A window of rows for a pane, answering the fetch of that generation.
    Page {
        pane: PaneId,
        generation: u64,
        page: Page<Row>,
    },
    /// The status-bar summary.
    Status(StatusInfo),
    /// Another connection committed a change to the cache.
    DataChanged,
    /// A job moved on.
    JobProgress(Job),
    /// A job ended; `Err` carries a message a person can act on.
    JobFinished {
        id: u64,
        label: String,
        outcome: Result<String, String>,
    },
    /// A query failed; the message says what and why.
    Failed(String),
    /// Picker matches for the search of that generation.
    SearchResults {
        generation: u64,
        items: Vec<PickItem>,
        total: usize,
    },
    /// What a change would do, for the preview of that generation.
    Planned {
        generation: u64,
        preview: Preview,
        /// The change with every query resolved to ids: what Enter applies.
        resolved: Change,
    },
    /// A change was applied; one line per pool, and its batches for undo.
    Written {
        summary: Vec<String>,
        batches: Vec<String>,
        undo: bool,
        /// Set when a later part was refused after earlier parts committed
        /// (a change over several pools runs one transaction per pool).
        failed: Option<String>,
    },
    /// A change was refused or failed; nothing changed.
    WriteRefused { message: String },
}

/// What `update` asks the loop to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Read a window of rows.
    Fetch(Fetch),
    /// Read the status-bar summary.
    RefreshStatus,
    /// Build the demo tenant in the background.
    GenerateDemo { users: u32, seed: u64 },
    /// Search for the picker.
    Search {
        generation: u64,
        scope: SearchScope,
        query: String,
    },
    /// Work out what a change would do.
    Plan { generation: u64, change: Change },
    /// Apply a change.
    Write(Change),
    /// Audit an assignment refused at the key (the pool takes no seats).
    AuditRefusedAssign { pool_id: i64 },
    /// Leave the console.
    Quit,
}
