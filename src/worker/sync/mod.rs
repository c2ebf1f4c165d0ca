//! Syncing a connector (issue 7, R-CON-5, R-CON-8): take the connector's
//! lease, push its pending outbox rows, pull the source page by page into a
//! stage, write the pull in one transaction, apply the reclaim policy, and
//! record the outcome on the connector. A failed sync leaves the cache as it
//! was and says why on the connector. The same code serves the console's
//! worker (on the blocking pool) and `seats sync`.

mod ahead;
mod app_push;
pub mod apple;
pub mod apple_push;
mod detected;
mod pull;
pub mod push;
pub mod secret;
pub mod source;
pub mod store_business;
pub mod store_push;

use std::path::Path;

use chrono::Utc;
use rusqlite::Connection;
use tokio::runtime::Handle;

use crate::connectors::graph::{GraphClient, PageProgress};
use crate::connectors::{ConnectorError, ErrorClass};
use crate::domain::ConnectorKind;
use crate::store::connectors_admin::{self, AdminError, ConnectorConfig};
use crate::store::inventory_graph::DetectedOutcome;
use crate::store::sync::{PullError, PullKind, SYNC_ACTOR, SyncSummary};
use crate::store::sync_lease::{self, LeaseError};
use crate::store::{self, OpenMode, StoreError, sync_state};
pub use push::{PushError, PushReport};
pub use source::SourceError;

/// How long a sync's lease lasts; it is renewed before the commit.
const LEASE: chrono::Duration = chrono::Duration::minutes(30);

/// What a sync is asked to do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncOptions {
    /// Read everything, even with a stored delta link (`--full`).
    pub full: bool,
    /// Release the seats of users disabled at the source (`[reclaim]
    /// disabled = "release"`), through the outbox like any change (R-LIC-5).
    pub release_disabled: bool,
}

/// How far a sync has come: a stage ("users", "groups", …) and figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncProgress {
    pub stage: String,
    pub done: u64,
    /// An estimate (the users the cache holds); 0 when unknown.
    pub total: u64,
}

/// Reports progress to the caller, with the estimate of the whole.
pub struct Progress<'a> {
    sink: &'a mut dyn FnMut(SyncProgress),
    total: u64,
}

impl Progress<'_> {
    fn report(&mut self, stage: &str, done: u64) {
        self.report_of(stage, done, self.total);
    }

    /// Progress of a stage with a whole of its own (0 when unknown).
    fn report_of(&mut self, stage: &str, done: u64, total: u64) {
        (self.sink)(SyncProgress {
            stage: stage.to_owned(),
            done,
            total,
        });
    }

    /// A page of users, counted against the estimate.
    fn report_pages(&mut self, what: &str, progress: &PageProgress) {
        self.report(&format!("{what}, page {}", progress.pages), progress.items);
    }

    /// A page of a list whose length is not known beforehand.
    fn report_uncounted_pages(&mut self, what: &str, progress: &PageProgress) {
        self.report_of(&format!("{what}, page {}", progress.pages), progress.items, 0);
    }
}

/// What a sync did.
#[derive(Debug, Clone)]
pub struct SyncReport {
    pub connector: String,
    pub kind: PullKind,
    pub pushed: PushReport,
    pub summary: SyncSummary,
    /// Users disabled at the source whose seats were released.
    pub released_disabled: usize,
    /// Seats set to uninstall freed after the sync: their app is no longer
    /// reported installed (R-APP-7).
    pub freed_uninstalled: i64,
    /// The inventory read from Intune's detected apps, when this sync read it.
    pub detected: Option<DetectedOutcome>,
    pub warnings: Vec<String>,
}

impl SyncReport {
    /// One line for the console and `seats sync`.
    pub fn describe(&self) -> String {
        let kind = match self.kind {
            PullKind::Full => "full",
            PullKind::Delta => "incremental",
        };
        let mut parts = vec![format!("{}: {kind} sync done", self.connector)];
        let counts = self.summary.run_counts();
        parts.push(format!(
            "{} added, {} updated, {} removed",
            counts.added, counts.updated, counts.removed
        ));
        if self.pushed.applied + self.pushed.refused.len() + self.pushed.retrying > 0 {
            parts.push(format!(
                "pushed {} change{}, {} refused, {} to retry",
                self.pushed.applied,
                if self.pushed.applied == 1 { "" } else { "s" },
                self.pushed.refused.len(),
                self.pushed.retrying
            ));
        }
        if self.released_disabled > 0 {
            parts.push(format!(
                "seats of {} disabled users released",
                self.released_disabled
            ));
        }
        if self.freed_uninstalled > 0 {
            parts.push(format!(
                "{} seats set to uninstall freed (the app is no longer reported installed)",
                self.freed_uninstalled
            ));
        }
        if let Some(detected) = &self.detected {
            parts.push(format!(
                "inventory from Intune: {} detected apps, {} installs on {} computers",
                detected.apps, detected.installs, detected.computers
            ));
        }
        parts.extend(self.warnings.iter().cloned());
        parts.join("; ")
    }
}

/// Why a sync failed; nothing of the pull was written.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("{0}")]
    Source(#[from] ConnectorError),
    #[error("{0}")]
    Setup(#[from] SourceError),
    #[error("{0}")]
    Busy(#[from] LeaseError),
    #[error("{0}")]
    Connector(#[from] AdminError),
    #[error("{0}")]
    Pull(#[from] PullError),
    #[error("{0}")]
    Push(#[from] PushError),
    #[error("{0}")]
    Cache(#[from] StoreError),
    #[error("cache error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{0} connectors don't sync in this version of seats; its figures are kept as they are")]
    Unsupported(String),
    #[error(
        "{connector}: the content token is in use by {manager}. Taking it over makes seats the location's \
         manager, and the assignments {manager} made will be lost to it (R-CON-6); to take it over type \
         :take-over in Connectors or run `seats sync --connector {connector:?} --take-over`, or have \
         {manager} release the token and sync again"
    )]
    Claimed { connector: String, manager: String },
}

impl SyncError {
    /// The exit code of architecture §5: 5 the source failed, 3 another
    /// process holds the connector, 2 the connector's settings, 1 the cache.
    pub fn exit_code(&self) -> u8 {
        match self {
            SyncError::Source(_) | SyncError::Push(PushError::Source(_)) => 5,
            SyncError::Pull(PullError::Invalid(_)) => 5,
            SyncError::Busy(LeaseError::Held { .. }) | SyncError::Claimed { .. } => 3,
            SyncError::Setup(_) | SyncError::Connector(_) | SyncError::Unsupported(_) => 2,
            _ => 1,
        }
    }

    /// The source's request id, when the source failed.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            SyncError::Source(err) | SyncError::Push(PushError::Source(err)) => err.request_id(),
            _ => None,
        }
    }
}

/// Syncs one connector of the cache at `db_path`. Blocking: HTTP runs on
/// `runtime` (call it from a blocking thread, never from an async task).
pub fn sync_connector(
    db_path: &Path,
    connector_id: i64,
    options: SyncOptions,
    runtime: &Handle,
    progress: &mut dyn FnMut(SyncProgress),
) -> Result<SyncReport, SyncError> {
    let conn = store::open(db_path, OpenMode::MustExist)?;
    let config =
        connectors_admin::connector_config(&conn, connector_id)?.ok_or(AdminError::NotFound(connector_id))?;
    if !syncs(config.kind) {
        return Err(SyncError::Unsupported(config.kind.label().to_owned()));
    }
    let holder = sync_lease::holder_name();
    sync_lease::acquire(&conn, connector_id, &holder, Utc::now(), LEASE)?;
    let run = Run {
        conn: &conn,
        db_path,
        config: &config,
        holder: &holder,
        runtime,
    };
    let result = run.recorded(options, progress);
    if let Err(err) = sync_lease::release(&conn, connector_id, &holder) {
        tracing::warn!(%err, "could not release the sync lease");
    }
    result
}

/// Pushes the connector's pending rows now (after a change in the console
/// or the command line). None when another process is syncing it: that
/// process pushes them.
pub fn push_now(
    db_path: &Path,
    connector_id: i64,
    runtime: &Handle,
) -> Result<Option<PushReport>, SyncError> {
    let conn = store::open(db_path, OpenMode::MustExist)?;
    let config =
        connectors_admin::connector_config(&conn, connector_id)?.ok_or(AdminError::NotFound(connector_id))?;
    if !syncs(config.kind) {
        return Err(SyncError::Unsupported(config.kind.label().to_owned()));
    }
    // A disabled connector sends nothing: its changes wait in the outbox.
    if !config.enabled {
        return Err(AdminError::Disabled(config.name).into());
    }
    let holder = sync_lease::holder_name();
    match sync_lease::acquire(&conn, connector_id, &holder, Utc::now(), LEASE) {
        Ok(_) => {}
        Err(LeaseError::Held { .. }) => return Ok(None),
        Err(err) => return Err(err.into()),
    }
    let result = push_with(&conn, db_path, &config, runtime);
    if let Err(err) = sync_lease::release(&conn, connector_id, &holder) {
        tracing::warn!(%err, "could not release the sync lease");
    }
    result.map(Some)
}

/// Whether this version of seats syncs connectors of `kind`.
pub fn syncs(kind: ConnectorKind) -> bool {
    kind.syncs()
}

/// Pushes the connector's pending rows with the client of its kind.
fn push_with(
    conn: &Connection,
    db_path: &Path,
    config: &ConnectorConfig,
    runtime: &Handle,
) -> Result<PushReport, SyncError> {
    if config.kind == ConnectorKind::AppleVpp {
        let connection = apple_connection(conn, config.id)?;
        let client = apple::apple_client(db_path, &connection)?;
        return Ok(apple_push::push_apple(conn, &client, runtime, config.id)?);
    }
    if config.kind == ConnectorKind::StoreBusiness {
        let connection = store_connection(conn, config.id)?;
        let (client, _) = store_business::store_client(db_path, &connection)?;
        return Ok(store_push::push_store(conn, &client, runtime, config.id)?);
    }
    let client = source::graph_client(db_path, config)?;
    Ok(push::push_pending(conn, &client, runtime, config.id)?)
}

fn apple_connection(
    conn: &Connection,
    id: i64,
) -> Result<crate::store::connectors_apple::AppleConnection, SyncError> {
    Ok(crate::store::connectors_apple::apple_connection(conn, id)?.ok_or(AdminError::NotFound(id))?)
}

fn store_connection(
    conn: &Connection,
    id: i64,
) -> Result<crate::store::connectors_store::StoreConnection, SyncError> {
    Ok(crate::store::connectors_store::store_connection(conn, id)?.ok_or(AdminError::NotFound(id))?)
}

/// One sync under the lease.
struct Run<'a> {
    conn: &'a Connection,
    db_path: &'a Path,
    config: &'a ConnectorConfig,
    holder: &'a str,
    runtime: &'a Handle,
}

impl Run<'_> {
    /// Runs the sync and records its outcome on the connector.
    fn recorded(
        &self,
        options: SyncOptions,
        sink: &mut dyn FnMut(SyncProgress),
    ) -> Result<SyncReport, SyncError> {
        let incremental = match self.config.kind {
            ConnectorKind::AppleVpp => {
                crate::store::sync_apple::since_versions(self.conn, self.config.id)?.is_some()
            }
            _ => self.config.delta_link.is_some(),
        };
        let what = if options.full || !incremental {
            "full"
        } else {
            "delta"
        };
        let run_id = sync_state::sync_started(self.conn, self.config.id, what, Utc::now())?;
        // The users the cache holds estimate a full read; a delta reads
        // only what changed, of unknown number.
        let total = if what == "full" { self.users_held()? } else { 0 };
        let mut progress = Progress { sink, total };
        match self.run(options, &mut progress) {
            Ok(mut report) => {
                // After the pull has landed: a failure here is a warning only.
                match store::db::begin_write_on(self.conn, |tx| {
                    crate::store::installs_import::free_uninstalled(tx, SYNC_ACTOR)
                }) {
                    Ok(freed) => report.freed_uninstalled = freed,
                    Err(err) => report
                        .warnings
                        .push(format!("seats set to uninstall were not freed: {err}")),
                }
                let message = report.describe();
                sync_state::sync_succeeded(
                    self.conn,
                    self.config.id,
                    run_id,
                    report.summary.run_counts(),
                    Some(&message),
                    Utc::now(),
                )?;
                Ok(report)
            }
            Err(err) => {
                let message = err.to_string();
                tracing::warn!(connector = %self.config.name, %message, "sync failed");
                sync_state::sync_failed(
                    self.conn,
                    self.config.id,
                    run_id,
                    &message,
                    err.request_id(),
                    Utc::now(),
                )?;
                Err(err)
            }
        }
    }

    /// The users the cache holds (the estimate of a pull's size).
    fn users_held(&self) -> rusqlite::Result<u64> {
        let count: i64 = self
            .conn
            .query_row("SELECT count(*) FROM users WHERE deleted = 0", [], |row| {
                row.get(0)
            })?;
        Ok(count.max(0) as u64)
    }

    fn run(&self, options: SyncOptions, progress: &mut Progress<'_>) -> Result<SyncReport, SyncError> {
        if self.config.kind == ConnectorKind::AppleVpp {
            return self.run_apple(options.full, progress);
        }
        if self.config.kind == ConnectorKind::StoreBusiness {
            return self.run_store(progress);
        }
        let client = source::graph_client(self.db_path, self.config)?;
        progress.report("pushing pending changes", 0);
        let mut pushed = push::push_pending(self.conn, &client, self.runtime, self.config.id)?;
        let stored = if options.full {
            None
        } else {
            let link = self.config.delta_link.as_deref();
            link.map(|link| source::current_link(self.config, &client, link))
        };
        let staged = match pull::stage(
            self.conn,
            &client,
            self.runtime,
            self.config.id,
            stored.as_deref(),
            progress,
        ) {
            // An expired delta link: read everything again, by itself.
            Err(SyncError::Source(err)) if err.class() == ErrorClass::DeltaExpired => {
                progress.report("delta link expired: full read", 0);
                pull::stage(self.conn, &client, self.runtime, self.config.id, None, progress)?
            }
            other => other?,
        };
        let kind = staged.stage.kind();
        progress.report("writing into the cache", progress.total);
        sync_lease::renew(self.conn, self.config.id, self.holder, Utc::now(), LEASE)?;
        let summary = staged.stage.commit(staged.delta_link.as_deref(), &pool_name)?;
        let released_disabled = if options.release_disabled {
            self.release_disabled(&summary)?
        } else {
            0
        };
        if released_disabled > 0 {
            let more = push::push_pending(self.conn, &client, self.runtime, self.config.id)?;
            pushed.applied += more.applied;
            pushed.refused.extend(more.refused);
            pushed.retrying += more.retrying;
        }
        let mut warnings = staged.warnings;
        // After the seats pull has landed: its failure is a warning only.
        // The read may be long: it starts with a fresh lease, or not at all.
        let full = kind == PullKind::Full;
        let detected = match sync_lease::renew(self.conn, self.config.id, self.holder, Utc::now(), LEASE) {
            Ok(true) => detected::step(self.conn, &client, self.runtime, self.config.id, full, progress),
            Ok(false) => detected::skipped("another process took over the connector's sync"),
            Err(err) => detected::skipped(&format!("cache error: {err}")),
        };
        warnings.extend(detected.warning);
        Ok(SyncReport {
            connector: self.config.name.clone(),
            kind,
            pushed,
            summary,
            released_disabled,
            freed_uninstalled: 0,
            detected: detected.outcome,
            warnings,
        })
    }

    /// An Apple sync: push, then pull the location (users and assignments
    /// incrementally but on the first run, every few runs, or `full`).
    fn run_apple(&self, full: bool, progress: &mut Progress<'_>) -> Result<SyncReport, SyncError> {
        let connection = apple_connection(self.conn, self.config.id)?;
        let client = apple::apple_client(self.db_path, &connection)?;
        progress.report_of("pushing pending changes", 0, 0);
        let pushed = apple_push::push_apple(self.conn, &client, self.runtime, self.config.id)?;
        sync_lease::renew(self.conn, self.config.id, self.holder, Utc::now(), LEASE)?;
        let (summary, kind, warnings) =
            apple::pull(self.conn, &client, self.runtime, &connection, full, progress)?;
        Ok(SyncReport {
            connector: self.config.name.clone(),
            kind,
            pushed,
            summary: summary.as_sync_summary(),
            released_disabled: 0,
            freed_uninstalled: 0,
            detected: None,
            warnings,
        })
    }

    /// A Store for Business sync: push, then pull the whole inventory.
    fn run_store(&self, progress: &mut Progress<'_>) -> Result<SyncReport, SyncError> {
        let connection = store_connection(self.conn, self.config.id)?;
        let (client, tenant) = store_business::store_client(self.db_path, &connection)?;
        progress.report_of("pushing pending changes", 0, 0);
        let pushed = store_push::push_store(self.conn, &client, self.runtime, self.config.id)?;
        sync_lease::renew(self.conn, self.config.id, self.holder, Utc::now(), LEASE)?;
        let (summary, warnings) =
            store_business::pull(self.conn, &client, &tenant, self.runtime, &connection, progress)?;
        Ok(SyncReport {
            connector: self.config.name.clone(),
            kind: PullKind::Full,
            pushed,
            summary: summary.as_sync_summary(),
            released_disabled: 0,
            freed_uninstalled: 0,
            detected: None,
            warnings,
        })
    }

    /// Releases the seats of users the pull found disabled, each through
    /// the normal release (audit, outbox).
    fn release_disabled(&self, summary: &SyncSummary) -> Result<usize, SyncError> {
        let mut released = 0;
        for user in &summary.newly_disabled {
            let outcomes = store::db::begin_write_on(self.conn, |tx| {
                crate::store::changes::reclaim_user(tx, SYNC_ACTOR, user.user_id, "disabled at the source")
            })?;
            if !outcomes.is_empty() {
                released += 1;
            }
        }
        Ok(released)
    }
}

/// A new pool's name: the product's friendly name, else its part number.
fn pool_name(part_number: &str) -> String {
    crate::domain::friendly_name(part_number)
        .unwrap_or(part_number)
        .to_owned()
}

/// The client of a connector, for `seats connect` to check credentials.
pub fn client_for(db_path: &Path, config: &ConnectorConfig) -> Result<GraphClient, SourceError> {
    source::graph_client(db_path, config)
}
