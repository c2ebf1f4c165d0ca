//! A pull from Apple Apps and Books (issue 8) into the cache, written in
//! ONE IMMEDIATE transaction: a failed or refused pull leaves the cache
//! exactly as it was (R-CON-8).
//!
//! What it writes: the connector's location, token expiry and who holds
//! the token (`connector`); an app and a `vpp` pool per asset, and the
//! removal of those the location no longer holds (`apps`); the seat rows of
//! seats' own users (`seats`). Users and assignments in another product's
//! namespace are counted, never written as seats nor changed (R-CON-7):
//! the source's assigned count, kept beside the cache's own as
//! `source_consumed`, shows them.

mod apps;
mod connector;
mod seats;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, Transaction, TransactionBehavior, params};

use super::sync::{PullError, SYNC_ACTOR};
use crate::domain::apple::{AppMetadata, AppleAsset, AppleAssignment, AppleLocation, AppleUser};

/// Everything one Apple pull read, whole (assets, users and assignments of
/// one location fit in memory: 200,000 assignments are a few MB).
#[derive(Debug, Clone, Copy)]
pub struct ApplePull<'a> {
    pub location: &'a AppleLocation,
    pub assets: &'a [AppleAsset],
    pub metadata: &'a [AppMetadata],
    pub users: &'a [AppleUser],
    pub assignments: &'a [AppleAssignment],
    /// The newest outbox id and the time when the pull began reading:
    /// local changes queued or applied since then win over what was read.
    pub outbox_mark: i64,
    pub started_at: DateTime<Utc>,
}

/// What a pull changed, for the sync's report and the audit.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct AppleSummary {
    pub apps_added: usize,
    pub apps_updated: usize,
    pub apps_removed: usize,
    pub seats_added: usize,
    pub seats_removed: usize,
    pub invitations_changed: usize,
    /// Assignments to users of another device-management product.
    pub foreign_assignments: usize,
    /// Assignments to devices (counted by the source; seats keeps none).
    pub device_assignments: usize,
    /// seats' own users the cache does not know (left out).
    pub unknown_users: usize,
    /// Seats left as they are because a local change is on its way.
    pub skipped_pending: usize,
    /// Apps kept though the location dropped them: a change is pending.
    pub kept_pending: usize,
}

impl AppleSummary {
    /// One line: "2 apps added, 1 updated, 0 removed; 14 seats added, …".
    pub fn describe(&self) -> String {
        let mut parts = vec![format!(
            "{} apps added, {} updated, {} removed; {} seats added, {} removed",
            self.apps_added, self.apps_updated, self.apps_removed, self.seats_added, self.seats_removed
        )];
        if self.invitations_changed > 0 {
            parts.push(format!("{} invitations changed", self.invitations_changed));
        }
        if self.foreign_assignments > 0 {
            parts.push(format!(
                "{} assignments of another device-management product counted, left alone",
                self.foreign_assignments
            ));
        }
        if self.unknown_users > 0 {
            parts.push(format!("{} Apple users unknown to the cache", self.unknown_users));
        }
        if self.skipped_pending > 0 {
            parts.push(format!("{} seats wait for a local change", self.skipped_pending));
        }
        parts.join("; ")
    }
}

/// The newest outbox id: take it before reading the source.
pub fn outbox_mark(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT coalesce(max(id), 0) FROM outbox", [], |row| row.get(0))
}

/// Writes the pull for connector `connector_id` (an Apple one).
pub fn apply(
    conn: &Connection,
    connector_id: i64,
    pull: &ApplePull<'_>,
    now: DateTime<Utc>,
) -> Result<AppleSummary, PullError> {
    let kind: Option<String> = rusqlite::OptionalExtension::optional(conn.query_row(
        "SELECT kind FROM connectors WHERE id = ?1",
        [connector_id],
        |row| row.get(0),
    ))?;
    match kind.as_deref() {
        Some("apple_vpp") => {}
        Some(other) => {
            return Err(PullError::Invalid(format!(
                "connector {connector_id} is a {other} connector, not an Apple one"
            )));
        }
        None => return Err(PullError::NoConnector(connector_id)),
    }
    let at = super::sync_state::stamp(now);
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    connector::record(&tx, connector_id, pull.location)?;
    let mut summary = AppleSummary::default();
    seats::protect(&tx, connector_id, pull)?;
    apps::write(&tx, connector_id, pull, &at, &mut summary)?;
    seats::write(&tx, connector_id, pull, &at, &mut summary)?;
    audit(&tx, &at, &summary)?;
    tx.execute("DROP TABLE IF EXISTS temp.apple_protected", [])?;
    tx.execute("DROP TABLE IF EXISTS temp.apple_want", [])?;
    tx.execute("DROP TABLE IF EXISTS temp.apple_seen", [])?;
    tx.commit()?;
    Ok(summary)
}

/// One audit row for a pull that changed the cache; none for one that
/// found everything as it was.
fn audit(conn: &Connection, at: &str, summary: &AppleSummary) -> rusqlite::Result<()> {
    let changed = summary.apps_added
        + summary.apps_updated
        + summary.apps_removed
        + summary.seats_added
        + summary.seats_removed
        + summary.invitations_changed;
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

impl AppleSummary {
    /// The same figures as a sync's summary: apps as pools, seat rows as
    /// seats (an invitation that changed counts as an updated seat).
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
            updated: count(self.invitations_changed),
            removed: count(self.seats_removed),
        };
        summary.skipped_pending = count(self.skipped_pending);
        summary
    }
}
