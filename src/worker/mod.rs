//! The worker: a reader thread that answers the panes' window requests and
//! watches for changes by other processes, plus background jobs run on the
//! tokio runtime. Commands in, events out.

pub mod agreement_search;
mod agreements_file;
mod jobs;
pub mod link;
pub mod link_store;
mod plans;
mod reader;
mod report_export;
pub mod schedule;
pub mod search;
mod search_entries;
mod subscription_file;
pub mod sync;
pub mod syncs;
mod waiting;
mod writes;

use std::path::PathBuf;
use std::sync::mpsc;

use tokio::runtime::Handle;
use tokio::sync::mpsc::UnboundedSender;

use crate::app::WorkerEvent;
use crate::app::table::Fetch;
use syncs::{Syncs, Trigger};

pub use reader::fetch_rows;

/// What the worker can be asked to do.
#[derive(Debug, Clone)]
pub enum Request {
    /// Read a window of rows.
    Fetch(Fetch),
    /// Read the status-bar summary.
    Status,
    /// Search users, groups or pools for a picker.
    Search {
        generation: u64,
        scope: search::SearchScope,
        query: String,
    },
    /// Work out the preview of a change.
    Plan {
        generation: u64,
        change: crate::app::dialogs::Change,
    },
    /// Read a subscription's billing profile and invoices.
    Billing { generation: u64, pool_id: i64 },
    /// Stop the reader thread.
    Shutdown,
}

/// A handle to the running worker.
pub struct Worker {
    requests: mpsc::Sender<Request>,
    /// Fetches sent and not yet taken by the reader: a window query still
    /// running when one arrives is stopped (see `waiting::Waiting`).
    fetches_waiting: waiting::Waiting,
    events: UnboundedSender<WorkerEvent>,
    runtime: Handle,
    db_path: PathBuf,
    next_job: u64,
    syncs: Syncs,
    schedule: Option<tokio::task::JoinHandle<()>>,
}

impl Worker {
    /// Starts the reader thread on `db_path`; events go to `events`.
    pub fn spawn(
        db_path: PathBuf,
        actor: String,
        events: UnboundedSender<WorkerEvent>,
        runtime: Handle,
    ) -> Worker {
        let (requests, inbox) = mpsc::channel();
        let reader_events = events.clone();
        let reader_path = db_path.clone();
        let fetches_waiting = waiting::Waiting::default();
        let inbox = waiting::Inbox {
            requests: inbox,
            fetches_waiting: fetches_waiting.clone(),
        };
        std::thread::Builder::new()
            .name("seats-reader".into())
            .spawn(move || reader::run(&reader_path, &actor, &inbox, &reader_events))
            .map_err(|err| tracing::error!(%err, "cannot start the reader thread"))
            .ok();
        let syncs = Syncs::new(db_path.clone(), runtime.clone(), events.clone(), false);
        Worker {
            requests,
            fetches_waiting,
            events,
            runtime,
            db_path,
            next_job: 1,
            syncs,
            schedule: None,
        }
    }

    /// Syncs release the seats of users disabled at the source (the
    /// config's `[reclaim] disabled = "release"`, R-LIC-5).
    pub fn release_disabled(mut self, release: bool) -> Worker {
        self.syncs = Syncs::new(
            self.db_path.clone(),
            self.runtime.clone(),
            self.events.clone(),
            release,
        );
        self
    }

    /// Starts syncing connectors on their schedule (R-CON-5).
    pub fn start_schedule(&mut self, schedule: schedule::Schedule) {
        if let Some(running) = self
            .schedule
            .replace(schedule::spawn(self.syncs.clone(), schedule))
        {
            running.abort();
        }
    }

    /// The syncs and pushes of this worker.
    pub fn syncs(&self) -> &Syncs {
        &self.syncs
    }

    /// Syncs a connector now, in the background.
    pub fn sync(&self, connector_id: i64) {
        self.syncs.sync(connector_id, Trigger::Asked);
    }

    /// Syncs every connector that syncs in this version.
    pub fn sync_all(&self) {
        self.syncs.sync_all();
    }

    /// Checks an Apple token and links it, in the background; the answer
    /// comes back as `Linked`.
    pub fn link_apple(&self, actor: String, link: link::AppleLink) {
        let path = self.db_path.clone();
        let events = self.events.clone();
        self.runtime.spawn_blocking(move || {
            let outcome = link::link_apple(&path, &actor, &link).map_err(|err| err.message);
            let _ = events.send(WorkerEvent::Linked(outcome));
        });
    }

    /// Checks a Store for Business account and links it, in the
    /// background; the answer comes back as `Linked`.
    pub fn link_store(&self, actor: String, link: link_store::StoreLink) {
        let path = self.db_path.clone();
        let events = self.events.clone();
        self.runtime.spawn_blocking(move || {
            let outcome = link_store::link_store(&path, &actor, &link).map_err(|err| err.message);
            let _ = events.send(WorkerEvent::Linked(outcome));
        });
    }

    /// Pushes a connector's queued changes now, in the background.
    pub fn push(&self, connector_id: i64) {
        self.syncs.push(connector_id);
    }

    /// Queues a request; a stopped reader is reported as a failure.
    pub fn send(&self, request: Request) {
        let fetch = matches!(request, Request::Fetch(_));
        if fetch {
            self.fetches_waiting.arrived();
        }
        if self.requests.send(request).is_err() {
            let _ = self.events.send(WorkerEvent::Failed(
                "the cache reader stopped; see the log".into(),
            ));
        }
    }

    /// Applies a change in the background; the outcome comes back as an event.
    pub fn write(&self, actor: crate::store::changes::Actor, change: crate::app::dialogs::Change) {
        let path = self.db_path.clone();
        let events = self.events.clone();
        self.runtime.spawn_blocking(move || {
            let _ = events.send(writes::apply(&path, &actor, &change));
        });
    }

    /// Writes a report's rows to a file in the background (`:export`); the
    /// outcome comes back as a finished job.
    pub fn export_report(&self, export: crate::app::reports::ReportExport) {
        let path = self.db_path.clone();
        let events = self.events.clone();
        self.runtime.spawn_blocking(move || {
            let _ = events.send(report_export::run(&path, &export));
        });
    }

    /// Audits, in the background, an assignment refused at the key.
    pub fn audit_refused_assign(&self, actor: crate::store::changes::Actor, pool_id: i64) {
        let path = self.db_path.clone();
        self.runtime
            .spawn_blocking(move || writes::audit_refused_assign(&path, &actor, pool_id));
    }

    /// Builds the demo tenant in the background, reporting progress.
    pub fn generate_demo(&mut self, users: u32, seed: u64, actor: String) {
        let id = self.next_job;
        self.next_job += 1;
        jobs::spawn_demo(
            &self.runtime,
            id,
            self.db_path.clone(),
            users,
            seed,
            actor,
            self.events.clone(),
        );
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.requests.send(Request::Shutdown);
        if let Some(schedule) = self.schedule.take() {
            schedule.abort();
        }
        self.syncs.abandon();
    }
}

/// Serves one command synchronously, as the worker would in the background:
/// for headless tests, benchmarks and `seats snapshot`.
pub fn respond_now(
    conn: &rusqlite::Connection,
    db_path: &std::path::Path,
    actor: &crate::store::changes::Actor,
    index: &mut Option<search::SearchIndex>,
    command: crate::app::Command,
) -> Option<WorkerEvent> {
    use crate::app::Command;
    match command {
        Command::Fetch(fetch) => Some(match fetch_rows(conn, &fetch) {
            Ok(page) => WorkerEvent::Page {
                pane: fetch.pane,
                generation: fetch.generation,
                page,
            },
            Err(err) => WorkerEvent::Failed(err.to_string()),
        }),
        Command::RefreshStatus => crate::store::status::read(conn, &actor.name)
            .ok()
            .map(WorkerEvent::Status),
        Command::Search {
            generation,
            scope,
            query,
        } => Some(reader::answer(
            conn,
            actor,
            Request::Search {
                generation,
                scope,
                query,
            },
            index,
        )),
        Command::Plan { generation, change } => Some(reader::answer(
            conn,
            actor,
            Request::Plan { generation, change },
            index,
        )),
        Command::Write(change) => {
            *index = None;
            Some(writes::apply(db_path, actor, &change))
        }
        Command::AuditRefusedAssign { pool_id } => {
            writes::audit_refused_assign(db_path, actor, pool_id);
            None
        }
        Command::ReadBilling { generation, pool_id } => Some(reader::answer(
            conn,
            actor,
            Request::Billing { generation, pool_id },
            index,
        )),
        Command::ExportReport(export) => Some(report_export::run(db_path, &export)),
        // Only a terminal has a clipboard.
        Command::Copy(_) => None,
        // Syncs and pushes talk to the network: only the real worker runs them.
        Command::Sync { .. }
        | Command::LinkApple { .. }
        | Command::LinkStore { .. }
        | Command::SyncAll
        | Command::Push { .. }
        | Command::GenerateDemo { .. }
        | Command::Quit => None,
    }
}
