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
use rusqlite::{Connection, OptionalExtension as _, Transaction, TransactionBehavior, params};

use super::sync::{PullError, SYNC_ACTOR};
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
        use super::sync::{Counts, PullKind, SyncSummary};
        let count = |n: usize| n as i64;
        let mut summary = SyncSummary::new(PullKind::Full, "");
        summary.pools = Counts {
            added: count(self.apps_added),
            updated: count(self.apps_updated),
            removed: count(self.apps_removed),
        };
        summary.seats = Counts {
            added: count(self.seats_added),
            updated: 0,
            removed: count(self.seats_removed),
        };
        summary.skipped_pending = count(self.skipped_pending + self.apps_skipped);
        summary
    }
}

/// Writes the pull for connector `connector_id` (a Store one).
pub fn apply(
    conn: &Connection,
    connector_id: i64,
    pull: &StorePull<'_>,
    now: DateTime<Utc>,
) -> Result<StoreSummary, PullError> {
    let kind: Option<String> = conn
        .query_row(
            "SELECT kind FROM connectors WHERE id = ?1",
            [connector_id],
            |row| row.get(0),
        )
        .optional()?;
    match kind.as_deref() {
        Some("store_business") => {}
        Some(other) => {
            return Err(PullError::Invalid(format!(
                "connector {connector_id} is a {other} connector, not a Store for Business one"
            )));
        }
        None => return Err(PullError::NoConnector(connector_id)),
    }
    let at = super::sync_state::stamp(now);
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    bind(&tx, connector_id, pull.tenant)?;
    let mut summary = StoreSummary::default();
    seats::protect(&tx, connector_id, pull)?;
    apps::write(&tx, connector_id, pull, &at, &mut summary)?;
    seats::write(&tx, connector_id, pull, &at, &mut summary)?;
    report(&tx, connector_id, &at, &summary)?;
    audit(&tx, &at, &summary)?;
    for table in ["store_protected", "store_want", "store_seen"] {
        tx.execute(&format!("DROP TABLE IF EXISTS temp.{table}"), [])?;
    }
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

/// One audit row for a pull that changed the cache; none for one that
/// found everything as it was.
fn audit(conn: &Connection, at: &str, summary: &StoreSummary) -> rusqlite::Result<()> {
    let changed = summary.apps_added
        + summary.apps_updated
        + summary.apps_removed
        + summary.seats_added
        + summary.seats_removed;
    if changed == 0 {
        return Ok(());
    }
    let detail = serde_json::to_string(summary).unwrap_or_default();
    conn.execute(
        "INSERT INTO audit (at, actor, action, principals, result, detail) VALUES (?1, ?2, 'sync', '[]', 'ok', ?3)",
        params![at, SYNC_ACTOR, detail],
    )?;
    Ok(())
}

/// The newest outbox id: take it before reading the source.
pub fn outbox_mark(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT coalesce(max(id), 0) FROM outbox", [], |row| row.get(0))
}
