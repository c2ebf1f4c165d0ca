//! What flows between the loop, `update` and the worker.

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;

use super::dialogs::{Change, Preview};
use super::pane::{PaneId, Row};
use super::state::Job;
use super::sync::{PushOutcome, SyncActivity, SyncOutcome};
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
        /// Connectors the change was queued for that push in this version:
        /// the console sends it to them now.
        push_to: Vec<PushTarget>,
    },
    /// A sync moved on (this console's, started by a key or the schedule).
    SyncProgress(SyncActivity),
    /// A sync ended; `scheduled` when the schedule started it.
    SyncFinished {
        connector_id: i64,
        connector: String,
        scheduled: bool,
        outcome: SyncOutcome,
    },
    /// The answer to "sync all": (id, name) of the syncs started, the
    /// connectors syncing already, and those that don't sync in this version.
    SyncsStarted {
        started: Vec<(i64, String)>,
        running: Vec<String>,
        not_syncing: Vec<String>,
    },
    /// A connector's queued changes were pushed (or not, and why).
    Pushed {
        connector_id: i64,
        connector: String,
        outcome: PushOutcome,
    },
    /// A change was refused or failed; nothing changed.
    WriteRefused { message: String },
    /// The Apple token or store account was linked (what to tell the
    /// admin) or not (why).
    Linked(Result<String, String>),
    /// A subscription's billing, for the dialog of that generation.
    Billing {
        generation: u64,
        /// Boxed: every profile with it makes it the largest event.
        billing: Box<Result<super::billing::Billing, String>>,
    },
}

/// A connector a write queued changes for, with the write's lines about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushTarget {
    pub connector_id: i64,
    pub connector: String,
    /// The summary lines of the pools it owns, without the queued note.
    pub lines: Vec<String>,
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
    /// Sync a connector now, in the background.
    Sync { connector_id: i64 },
    /// Sync every connector that syncs in this version.
    SyncAll,
    /// Check an Apple token at Apple and link it (acknowledged).
    LinkApple {
        name: String,
        apple_id: String,
        token_file: String,
        api_url: String,
    },
    /// Check a Store for Business account's credentials and link it
    /// (`seats connect store`'s fields; an empty secret file: the
    /// SEATS_STORE_SECRET variable).
    LinkStore {
        name: String,
        tenant_id: String,
        client_id: String,
        secret_file: String,
        language: String,
        api_url: String,
        login_url: String,
    },
    /// Push a connector's queued changes now, in the background.
    Push { connector_id: i64 },
    /// Read a subscription's billing profile and invoices (R-SUB-6).
    ReadBilling { generation: u64, pool_id: i64 },
    /// Write the rows of a report to a CSV or JSON file (`:export`).
    ExportReport(super::reports::ReportExport),
    /// Send text to the terminal's clipboard (OSC 52).
    Copy(String),
    /// Leave the console.
    Quit,
}
