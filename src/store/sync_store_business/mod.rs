//! A pull from Microsoft Store for Business (issue 8) into the cache,
//! written in ONE IMMEDIATE transaction: a failed or refused pull leaves
//! the cache exactly as it was (R-CON-8).
//!
//! What it writes: the tenant the connector is bound to (R-CON-2); an app
//! and a pool per inventory entry (product/SKU), online ones as
//! `store_online` pools named "… (Online)", offline ones as
//! `store_offline` named "… (Offline)" (R-APP-2), names in the connector's
//! language (R-CON-1); apps whose packages are encrypted are marked
//! skipped with the reason and get no pool (R-APP-3); the removal of apps
//! the store no longer lists, unless a local change to them is pending
//! (`apps`); the seat rows of online apps held by users the cache knows
//! (`seats`). The run's report — every app added, updated, removed or
//! skipped — replaces the last one in `sync_report_apps` (migration 0009).

mod apps;
mod seats;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, Transaction, TransactionBehavior, params};

use super::app_pull;
pub use super::app_pull::outbox_mark;
use super::sync::PullError;
use crate::domain::store_business::{InventoryEntry, StoreProduct, StoreSeat};

/// One app of the inventory with what the store says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreApp {
    pub entry: InventoryEntry,
    pub product: StoreProduct,
}

/// Everything one Store pull read, whole.
#[derive(Debug, Clone, Copy)]
pub struct StorePull<'a> {
    /// The tenant the credentials opened.
    pub tenant: &'a str,
    pub apps: &'a [StoreApp],
    /// The seats of the online apps.
    pub seats: &'a [StoreSeat],
    /// The newest outbox id and the time when the pull began reading:
    /// local changes queued or applied since then win over what was read.
    pub outbox_mark: i64,
    pub started_at: DateTime<Utc>,
}

/// One line of the sync report (R-APP-3).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReportLine {
    /// added, updated, removed or skipped.
    pub outcome: &'static str,
    pub app: String,
    pub external_id: Option<String>,
    pub reason: Option<String>,
}

/// What a pull changed, for the sync's report and the audit.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct StoreSummary {
    pub apps_added: usize,
    pub apps_updated: usize,
    pub apps_removed: usize,
    pub apps_skipped: usize,
    pub seats_added: usize,
    pub seats_removed: usize,
    /// Seats of users the cache does not know (left out).
    pub unknown_users: usize,
    /// Seats left as they are because a local change is on its way.
    pub skipped_pending: usize,
    /// Apps kept though the store dropped them: a change is pending.
    pub kept_pending: usize,
    pub report: Vec<ReportLine>,
}

impl StoreSummary {
    /// "1 app skipped: Contoso Secure Viewer (Offline): package is encrypted; …"
    pub fn skipped_note(&self) -> Option<String> {
        let skipped: Vec<String> = self
            .report
            .iter()
            .filter(|line| line.outcome == "skipped")
            .map(|line| format!("{}: {}", line.app, line.reason.as_deref().unwrap_or("skipped")))
            .collect();
        if skipped.is_empty() {
            return None;
        }
        let n = skipped.len();
        Some(format!(
            "{n} app{} skipped: {}",
            if n == 1 { "" } else { "s" },
            skipped.join("; ")
        ))
    }

    /// The same figures as a sync's summary: apps as pools, seat rows as
    /// seats; the run's `skipped` counts the skipped apps (R-APP-3) with
    /// the seats left for a pending change.
    pub fn as_sync_summary(&self) -> super::sync::SyncSummary {
        app_pull::sync_summary(self.figures(), self.skipped_pending + self.apps_skipped)
    }

    fn figures(&self) -> app_pull::Figures {
        app_pull::Figures {
            apps: [self.apps_added, self.apps_updated, self.apps_removed],
            seats: [self.seats_added, 0, self.seats_removed],
        }
    }
}

/// Writes the pull for connector `connector_id` (a Store one).
pub fn apply(
    conn: &Connection,
    connector_id: i64,
    pull: &StorePull<'_>,
    now: DateTime<Utc>,
) -> Result<StoreSummary, PullError> {
    app_pull::check_kind(conn, connector_id, "store_business", "a Store for Business one")?;
    let at = super::sync_state::stamp(now);
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    bind(&tx, connector_id, pull.tenant)?;
    let mut summary = StoreSummary::default();
    app_pull::seats::start(&tx, connector_id, pull.outbox_mark, pull.started_at)?;
    apps::write(&tx, connector_id, pull, &at, &mut summary)?;
    seats::write(&tx, connector_id, pull, &at, &mut summary)?;
    report(&tx, connector_id, &at, &summary)?;
    app_pull::audit(&tx, &at, summary.figures(), &summary)?;
    app_pull::drop_temp(&tx, &app_pull::seats::TEMP_TABLES)?;
    app_pull::drop_temp(&tx, &["store_seen"])?;
    tx.commit()?;
    Ok(summary)
}

/// Binds the connector to the tenant; one bound to another tenant never
/// takes this one (R-CON-2): the pull is refused.
fn bind(conn: &Connection, connector_id: i64, tenant: &str) -> Result<(), PullError> {
    let bound: Option<String> = conn.query_row(
        "SELECT tenant_id FROM connectors WHERE id = ?1",
        [connector_id],
        |row| row.get(0),
    )?;
    match bound {
        Some(bound) if !bound.eq_ignore_ascii_case(tenant) => Err(PullError::Invalid(format!(
            "these credentials open the store of tenant {tenant:?}, but the connector is bound to tenant \
             {bound:?}; a connector never moves to another organization's store account"
        ))),
        Some(_) => Ok(()),
        None => {
            conn.execute(
                "UPDATE connectors SET tenant_id = ?2 WHERE id = ?1",
                params![connector_id, tenant],
            )?;
            Ok(())
        }
    }
}

/// Replaces the connector's last sync report with this one.
fn report(conn: &Connection, connector_id: i64, at: &str, summary: &StoreSummary) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM sync_report_apps WHERE connector_id = ?1",
        [connector_id],
    )?;
    let mut insert = conn.prepare(
        "INSERT INTO sync_report_apps (connector_id, at, outcome, app, external_id, reason) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for line in &summary.report {
        insert.execute(params![
            connector_id,
            at,
            line.outcome,
            line.app,
            line.external_id,
            line.reason
        ])?;
    }
    Ok(())
}
