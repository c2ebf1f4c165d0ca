//! Syncs and pushes of this console, on the blocking pool: never two at
//! once for one connector from this process. The lease in the cache keeps
//! other processes out, but every job of this process holds it under the
//! same name, so a push that ended during a sync would drop the sync's
//! lease: a push asked for while a sync runs waits for it (the sync pushes
//! first anyway), and a sync asked for while a push runs starts after it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::runtime::Handle;
use tokio::sync::mpsc::UnboundedSender;

use super::sync::{self, SyncError, SyncOptions};
use crate::app::WorkerEvent;
use crate::app::sync::{PushOutcome, SyncActivity, SyncOutcome};
use crate::store::sync_lease::{self, LeaseError};
use crate::store::{self, OpenMode, connectors, connectors_admin};

/// How long background retries of a connector pause after a push that
/// could not send at all (its settings or credentials): a change by the
/// admin still pushes at once.
const PUSH_PAUSE: Duration = Duration::from_secs(300);

/// Who asked for a sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// `r`, `R` or `:sync`.
    Asked,
    /// The schedule found it due.
    Scheduled,
}

/// What asking for a sync did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    Started,
    /// A sync of it runs already here.
    AlreadySyncing,
    /// A push of it runs here; the sync starts when it ends.
    AfterPush,
}

impl Start {
    /// Whether a sync is (or will be) started by this request.
    pub fn started(self) -> bool {
        self != Start::AlreadySyncing
    }
}

/// What runs for one connector, and what waits for it.
#[derive(Debug, Default)]
struct Busy {
    syncing: bool,
    sync_after: Option<Trigger>,
    push_after: bool,
}

/// What a connector's ended job leaves to start.
enum Next {
    Sync(Trigger),
    Push,
    Nothing,
}

struct Inner {
    db_path: PathBuf,
    runtime: Handle,
    events: UnboundedSender<WorkerEvent>,
    options: SyncOptions,
    busy: Mutex<HashMap<i64, Busy>>,
    paused: Mutex<HashMap<i64, Instant>>,
}

/// The console's syncs and pushes; cheap to clone.
#[derive(Clone)]
pub struct Syncs {
    inner: Arc<Inner>,
}

impl Syncs {
    /// Syncs of the cache at `db_path`, with `release_disabled` from the config.
    pub fn new(
        db_path: PathBuf,
        runtime: Handle,
        events: UnboundedSender<WorkerEvent>,
        release_disabled: bool,
    ) -> Syncs {
        Syncs {
            inner: Arc::new(Inner {
                db_path,
                runtime,
                events,
                options: SyncOptions {
                    full: false,
                    release_disabled,
                },
                busy: Mutex::default(),
                paused: Mutex::default(),
            }),
        }
    }

    pub fn db_path(&self) -> &Path {
        &self.inner.db_path
    }

    pub fn runtime(&self) -> &Handle {
        &self.inner.runtime
    }

    fn busy(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Busy>> {
        self.inner.busy.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Connectors with a sync or a push running here.
    pub fn running(&self) -> Vec<i64> {
        self.busy().keys().copied().collect()
    }

    /// Syncs the connector in the background, unless it syncs already.
    pub fn sync(&self, id: i64, trigger: Trigger) -> Start {
        let mut busy = self.busy();
        match busy.get_mut(&id) {
            Some(job) if job.syncing => Start::AlreadySyncing,
            Some(job) => {
                job.sync_after = Some(job.sync_after.map_or(trigger, |t| t.min_asked(trigger)));
                Start::AfterPush
            }
            None => {
                busy.insert(
                    id,
                    Busy {
                        syncing: true,
                        ..Busy::default()
                    },
                );
                drop(busy);
                self.spawn_sync(id, trigger);
                Start::Started
            }
        }
    }

    /// Pushes the connector's queued changes now (after a change made here);
    /// while a job of it runs, once more after it.
    pub fn push(&self, id: i64) {
        let mut busy = self.busy();
        match busy.get_mut(&id) {
            Some(job) => job.push_after = true,
            None => {
                busy.insert(id, Busy::default());
                drop(busy);
                self.spawn_push(id);
            }
        }
    }

    /// A retry the schedule found due: pushed unless something of the
    /// connector runs, or its pushes failed outright a moment ago.
    pub fn push_again(&self, id: i64) -> bool {
        let paused = self.inner.paused.lock().unwrap_or_else(PoisonError::into_inner);
        if paused.get(&id).is_some_and(|until| Instant::now() < *until) {
            return false;
        }
        drop(paused);
        if self.busy().contains_key(&id) {
            return false;
        }
        self.push(id);
        true
    }

    /// `R`: syncs every enabled Graph connector; reports what started.
    pub fn sync_all(&self) {
        let this = self.clone();
        self.inner.runtime.spawn_blocking(move || {
            let event = this
                .start_all()
                .unwrap_or_else(|err| WorkerEvent::Failed(format!("reading the connectors failed: {err}")));
            let _ = this.inner.events.send(event);
        });
    }

    fn start_all(&self) -> Result<WorkerEvent, String> {
        let conn = store::open(self.db_path(), OpenMode::MustExist).map_err(|err| err.to_string())?;
        let all = connectors::all_connectors(&conn).map_err(|err| err.to_string())?;
        let (mut started, mut running, mut not_syncing) = (Vec::new(), Vec::new(), Vec::new());
        for connector in all {
            if !connector.enabled {
                continue;
            }
            if !super::schedule::syncs_in_this_version(connector.kind) {
                not_syncing.push(connector.name);
                continue;
            }
            match self.sync(connector.id, Trigger::Asked) {
                Start::AlreadySyncing => running.push(connector.name),
                Start::Started | Start::AfterPush => started.push((connector.id, connector.name)),
            }
        }
        Ok(WorkerEvent::SyncsStarted {
            started,
            running,
            not_syncing,
        })
    }

    fn spawn_sync(&self, id: i64, trigger: Trigger) {
        let this = self.clone();
        self.inner.runtime.spawn_blocking(move || {
            let event = this.run_sync(id, trigger);
            this.finished(id, event);
        });
    }

    fn spawn_push(&self, id: i64) {
        let this = self.clone();
        self.inner.runtime.spawn_blocking(move || {
            let event = this.run_push(id);
            this.finished(id, event);
        });
    }

    /// A job of `id` ended with `event`: what waited for it is booked (else
    /// the job is forgotten) before the event goes out, so whoever acts on
    /// the event finds the connector free or its next job already booked,
    /// never the ended job (an `r` pressed as a sync's result arrived was
    /// refused as "already syncing"). What waited starts after the event.
    fn finished(&self, id: i64, event: WorkerEvent) {
        let next = self.book_next(id);
        self.send(event);
        match next {
            Next::Sync(trigger) => self.spawn_sync(id, trigger),
            Next::Push => self.spawn_push(id),
            Next::Nothing => {}
        }
    }

    fn book_next(&self, id: i64) -> Next {
        let mut busy = self.busy();
        let Some(job) = busy.get_mut(&id) else {
            return Next::Nothing;
        };
        if let Some(trigger) = job.sync_after.take() {
            // The sync pushes first: a push that waited needs no run of its own.
            *job = Busy {
                syncing: true,
                ..Busy::default()
            };
            Next::Sync(trigger)
        } else if std::mem::take(&mut job.push_after) {
            job.syncing = false;
            Next::Push
        } else {
            busy.remove(&id);
            Next::Nothing
        }
    }

    fn send(&self, event: WorkerEvent) {
        let _ = self.inner.events.send(event);
    }

    fn connector_name(&self, id: i64) -> String {
        store::open(self.db_path(), OpenMode::MustExist)
            .ok()
            .and_then(|conn| connectors_admin::connector_config(&conn, id).ok().flatten())
            .map_or_else(|| format!("connector #{id}"), |config| config.name)
    }

    fn run_sync(&self, id: i64, trigger: Trigger) -> WorkerEvent {
        let connector = self.connector_name(id);
        let progress = |stage: &str, done: u64, total: u64| {
            WorkerEvent::SyncProgress(SyncActivity {
                connector_id: id,
                connector: connector.clone(),
                stage: stage.to_owned(),
                done,
                total,
            })
        };
        self.send(progress("starting", 0, 0));
        let result = sync::sync_connector(
            self.db_path(),
            id,
            self.inner.options,
            &self.inner.runtime,
            &mut |p| self.send(progress(&p.stage, p.done, p.total)),
        );
        let outcome = match result {
            Ok(report) => SyncOutcome::Done {
                summary: report.describe(),
            },
            Err(SyncError::Busy(LeaseError::Held { holder, .. })) => SyncOutcome::Busy { holder },
            Err(err) => SyncOutcome::Failed {
                message: err.to_string(),
                request_id: err.request_id().map(str::to_owned),
            },
        };
        WorkerEvent::SyncFinished {
            connector_id: id,
            connector,
            scheduled: trigger == Trigger::Scheduled,
            outcome,
        }
    }

    fn run_push(&self, id: i64) -> WorkerEvent {
        let connector = self.connector_name(id);
        let outcome = match sync::push_now(self.db_path(), id, &self.inner.runtime) {
            Ok(Some(report)) => PushOutcome::Sent {
                waiting: (report.retrying > 0)
                    .then(|| self.read(|conn| connectors::waiting_reason(conn, id)))
                    .flatten(),
                applied: report.applied,
                refused: report.refused,
                retrying: report.retrying,
            },
            Ok(None) => PushOutcome::Busy {
                holder: self
                    .read(|conn| sync_lease::holder(conn, id, Utc::now()).map(|h| h.map(|(who, _)| who))),
            },
            Err(err) => {
                self.inner
                    .paused
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(id, Instant::now() + PUSH_PAUSE);
                PushOutcome::Failed {
                    message: err.to_string(),
                }
            }
        };
        WorkerEvent::Pushed {
            connector_id: id,
            connector,
            outcome,
        }
    }

    /// A small read for a message; None (logged) when it fails.
    fn read<T>(&self, query: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<Option<T>>) -> Option<T> {
        let conn = store::open(self.db_path(), OpenMode::MustExist).ok()?;
        query(&conn)
            .map_err(|err| tracing::warn!(%err, "reading for a sync message failed"))
            .ok()
            .flatten()
    }

    /// The console is closing with syncs or pushes running: their leases
    /// are given up now, so `seats sync` or another console need not wait
    /// for them to expire. What the jobs had not committed is dropped with
    /// the process (a sync writes in one transaction).
    pub fn abandon(&self) {
        let running = self.running();
        if running.is_empty() {
            return;
        }
        let Ok(conn) = store::open(self.db_path(), OpenMode::MustExist) else {
            return;
        };
        let holder = sync_lease::holder_name();
        for id in running {
            if let Err(err) = sync_lease::release(&conn, id, &holder) {
                tracing::warn!(%err, connector = id, "could not give up the sync lease");
            }
        }
    }
}

impl Trigger {
    /// Of two requests for one sync, an admin's wins (it reports).
    fn min_asked(self, other: Trigger) -> Trigger {
        if self == Trigger::Asked || other == Trigger::Asked {
            Trigger::Asked
        } else {
            Trigger::Scheduled
        }
    }
}
