//! The console's sync schedule (R-CON-5): a tick asks the cache which
//! connectors are due and starts their syncs in the background. Due-ness
//! comes from the cache (`next_sync_at`), not from counting ticks, so a tick
//! missed while the machine slept is skipped, not replayed: the next one
//! finds the connector due once and syncs it once.
//!
//! How the intervals combine: a connector syncs every `schedule_minutes`
//! (its own, 720 unless connected with another), and at the latest every
//! `[sync] interval_minutes` of the config. The tick brings a later
//! `next_sync_at` forward to now + the config's interval, so the pane, the
//! sort and the schedule read the same time from the cache.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior};

use super::syncs::{Syncs, Trigger};
use crate::domain::ConnectorKind;
use crate::store::{self, OpenMode, connectors, connectors_admin, status};

/// How often the schedule looks for due connectors.
pub const TICK: Duration = Duration::from_secs(30);
/// The first look, once the first frame and the panes are in.
pub const FIRST_TICK: Duration = Duration::from_secs(2);

/// Whether connectors of `kind` sync in this version of seats.
pub fn syncs_in_this_version(kind: ConnectorKind) -> bool {
    kind.syncs()
}

/// Why `r` cannot sync a connector of `kind`, or None when it can.
pub fn not_syncing_reason(kind: ConnectorKind) -> Option<String> {
    (!syncs_in_this_version(kind)).then(|| {
        format!(
            "{} connectors don't sync in this version of seats; their figures are kept as they are",
            kind.label()
        )
    })
}

/// What the schedule works with.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// The OS user of the console: only an admin who may change seats
    /// syncs (a reader's console watches).
    pub actor: String,
    /// The config's `[sync] interval_minutes`: the longest a connector waits.
    pub interval_minutes: u32,
    pub every: Duration,
    pub first: Duration,
}

/// What one tick did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Connectors whose sync this tick started.
    pub started: Vec<i64>,
    /// Connectors whose waiting changes this tick pushes again.
    pub pushed: Vec<i64>,
}

/// Starts the schedule on the runtime; abort the handle to stop it.
pub fn spawn(syncs: Syncs, schedule: Schedule) -> JoinHandle<()> {
    let runtime = syncs.runtime().clone();
    runtime.spawn(async move {
        let mut interval = tokio::time::interval_at(Instant::now() + schedule.first, schedule.every);
        interval.set_missed_tick_behavior(MissedTickBehavior::Skip);
        loop {
            interval.tick().await;
            let (syncs, schedule) = (syncs.clone(), schedule.clone());
            let looked = tokio::task::spawn_blocking(move || tick(&syncs, &schedule, Utc::now())).await;
            match looked {
                Ok(Ok(report)) if report != TickReport::default() => {
                    tracing::info!(?report, "scheduled sync work started");
                }
                Ok(Ok(_)) => {}
                Ok(Err(err)) => tracing::warn!(%err, "the sync schedule could not read the cache"),
                Err(err) => tracing::error!(%err, "the sync schedule's tick failed"),
            }
        }
    })
}

/// One look at the cache: brings schedules forward to the config's
/// interval, starts the syncs that are due (enabled connectors of the kinds
/// this version syncs — `due_connectors` skips disabled ones; never one
/// already running here), and pushes again changes whose retry is due.
pub fn tick(syncs: &Syncs, schedule: &Schedule, now: DateTime<Utc>) -> rusqlite::Result<TickReport> {
    let conn = match store::open(syncs.db_path(), OpenMode::MustExist) {
        Ok(conn) => conn,
        Err(err) => {
            tracing::warn!(%err, "the sync schedule cannot open the cache");
            return Ok(TickReport::default());
        }
    };
    if !status::role_of(&conn, &schedule.actor)?.is_some_and(|role| role.may_assign()) {
        return Ok(TickReport::default());
    }
    connectors::cap_next_sync(&conn, now, schedule.interval_minutes)?;
    let mut report = TickReport::default();
    for id in connectors_admin::due_connectors(&conn, now)? {
        let Some(config) = connectors_admin::connector_config(&conn, id)? else {
            continue;
        };
        if syncs_in_this_version(config.kind) && syncs.sync(id, Trigger::Scheduled).started() {
            report.started.push(id);
        }
    }
    for id in connectors::push_retry_due(&conn, now)? {
        if syncs.push_again(id) {
            report.pushed.push(id);
        }
    }
    Ok(report)
}
