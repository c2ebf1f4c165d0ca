//! A pull from Apple Apps and Books (issue 8) into the cache, written in
//! ONE IMMEDIATE transaction: a failed or refused pull leaves the cache
//! exactly as it was (R-CON-8).
//!
//! What it writes: the connector's location, token expiry and who holds
//! the token (`connector`); an app and a `vpp` pool per asset, and the
//! removal of those the location no longer holds (`apps`); the seat rows of
//! seats' own users (`seats`, through the shared seat mirror). Users and
//! assignments in another product's namespace are never written as seats
//! nor changed (R-CON-7), but each pool counts them in `consumed`
//! (`foreign`). Users and assignments are read whole or, on a schedule,
//! only what changed since the last pull's versions (`versions`, `delta`).

mod apps;
mod connector;
mod delta;
mod devices;
mod foreign;
mod seats;
mod versions;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::app_pull;
pub use super::app_pull::outbox_mark;
use super::sync::PullError;
use crate::domain::apple::{AppMetadata, AppleAsset, AppleAssignment, AppleLocation, AppleUser};
pub use versions::{AppleRead, FULL_READ_EVERY, forget as forget_versions, since as since_versions};

/// Everything one Apple pull read: assets whole; users and assignments
/// whole or only what changed since the stored versions, as its
/// [`AppleRead`] says (one location fits in memory: 200,000 assignments
/// are a few MB).
#[derive(Debug, Clone, Copy)]
pub struct ApplePull<'a> {
    pub location: &'a AppleLocation,
    pub assets: &'a [AppleAsset],
    pub metadata: &'a [AppMetadata],
    pub users: &'a [AppleUser],
    pub assignments: &'a [AppleAssignment],
    /// Invitation links of invited users, by `clientUserId`.
    pub invite_urls: &'a std::collections::HashMap<String, String>,
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
    /// Seats given here that Apple now holds: pending until then, active
    /// from this pull on (B3).
    pub seats_settled: usize,
    /// Seats of users retired at Apple: kept, holding nothing, marked
    /// Retired until released (B11).
    pub seats_retired: usize,
    /// Assignments to users of another device-management product.
    pub foreign_assignments: usize,
    /// Assignments to devices the cache doesn't know by serial number
    /// (counted; those it knows are seat rows).
    pub device_assignments: usize,
    /// seats' own users the cache does not know (left out).
    pub unknown_users: usize,
    /// Seats left as they are because a local change is on its way.
    pub skipped_pending: usize,
    /// Apps kept though the location dropped them: a change is pending.
    pub kept_pending: usize,
    /// After an incremental pull, pools holding more seats than Apple
    /// counts assigned: a removal the delta could not report, so the
    /// location must be read whole.
    pub missed_removals: usize,
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
        if self.seats_retired > 0 {
            parts.push(format!("{} seats of users retired at Apple", self.seats_retired));
        }
        if self.seats_settled > 0 {
            parts.push(format!("{} pending seats confirmed by Apple", self.seats_settled));
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

/// Writes a full pull for connector `connector_id` (an Apple one).
pub fn apply(
    conn: &Connection,
    connector_id: i64,
    pull: &ApplePull<'_>,
    now: DateTime<Utc>,
) -> Result<AppleSummary, PullError> {
    apply_read(conn, connector_id, pull, &AppleRead::full(), now)
}

/// Writes a pull read as `read` says (whole, or the changes since the
/// stored versions) and stores its versions.
pub fn apply_read(
    conn: &Connection,
    connector_id: i64,
    pull: &ApplePull<'_>,
    read: &AppleRead,
    now: DateTime<Utc>,
) -> Result<AppleSummary, PullError> {
    app_pull::check_kind(conn, connector_id, "apple_vpp", "an Apple one")?;
    let at = super::sync_state::stamp(now);
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    connector::record(&tx, connector_id, pull.location)?;
    let mut summary = AppleSummary::default();
    app_pull::seats::start(&tx, connector_id, pull.outbox_mark, pull.started_at)?;
    apps::write(&tx, connector_id, pull, &at, &mut summary)?;
    seats::record_users(&tx, connector_id, pull, read.full)?;
    if read.full {
        seats::want(&tx, connector_id, pull, &seats::holding(pull.users), &mut summary)?;
    } else {
        delta::want(&tx, connector_id, pull, &mut summary)?;
    }
    let mirrored = app_pull::seats::write(&tx, connector_id, "vpp", &at, true)?;
    let (devices_added, devices_removed, devices_settled) =
        devices::mirror(&tx, connector_id, pull, read.full, &at)?;
    summary.skipped_pending = mirrored.skipped_pending;
    summary.seats_removed = mirrored.removed + devices_removed;
    summary.seats_added = mirrored.added + devices_added;
    summary.invitations_changed = mirrored.invitations_changed;
    summary.seats_settled = mirrored.settled + devices_settled;
    summary.seats_retired = mirrored.retired;
    foreign::record(&tx, connector_id, pull, read.full, &mut summary)?;
    if read.full {
        versions::record(&tx, connector_id, read)?;
    } else {
        summary.missed_removals = versions::missed_removals(&tx, connector_id)?;
        if summary.missed_removals > 0 {
            versions::forget(&tx, connector_id)?;
        } else {
            versions::record(&tx, connector_id, read)?;
        }
    }
    app_pull::audit(&tx, &at, summary.figures(), &summary)?;
    app_pull::drop_temp(&tx, &app_pull::seats::TEMP_TABLES)?;
    app_pull::drop_temp(&tx, &["apple_seen"])?;
    tx.commit()?;
    Ok(summary)
}

impl AppleSummary {
    /// The same figures as a sync's summary: apps as pools, seat rows as
    /// seats (an invitation that changed, or a pending seat confirmed,
    /// counts as an updated seat).
    pub fn as_sync_summary(&self) -> super::sync::SyncSummary {
        app_pull::sync_summary(self.figures(), self.skipped_pending)
    }

    fn figures(&self) -> app_pull::Figures {
        app_pull::Figures {
            apps: [self.apps_added, self.apps_updated, self.apps_removed],
            seats: [
                self.seats_added,
                self.invitations_changed + self.seats_settled + self.seats_retired,
                self.seats_removed,
            ],
        }
    }
}
