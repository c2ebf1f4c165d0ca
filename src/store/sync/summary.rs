//! What a committed pull did, for the worker's event, the connector's
//! `sync_runs` row and the audit.

use serde::Serialize;

use super::PullKind;
use crate::store::connectors_admin::RunCounts;

/// Rows added, updated and removed of one kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub added: i64,
    pub updated: i64,
    pub removed: i64,
}

impl Counts {
    pub fn is_empty(&self) -> bool {
        self.added == 0 && self.updated == 0 && self.removed == 0
    }
}

/// A user who left at the source in this pull.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeftUser {
    pub user_id: i64,
    pub upn: String,
}

/// A pool whose source counts other seats than the cache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PoolDrift {
    pub pool_id: i64,
    pub name: String,
    /// Held seats in the cache (pools.consumed).
    pub consumed: i64,
    /// The source's own figure (Graph consumedUnits).
    pub source_consumed: i64,
}

/// What one committed pull changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncSummary {
    pub kind: PullKind,
    /// The batch id of the sync's audit rows.
    pub batch_id: String,
    /// Pools: added for new SKUs, updated (figures or status), removed =
    /// disabled because the source no longer reports their SKU.
    pub pools: Counts,
    /// Users: removed = marked deleted, or deleted for good.
    pub users: Counts,
    pub groups: Counts,
    /// Group memberships (added and removed).
    pub members: Counts,
    /// Groups given a pool (group licenses).
    pub grants: Counts,
    /// Seat rows of the connector's pools.
    pub seats: Counts,
    /// Users enabled before and disabled at the source now: their seats
    /// stay (the Reclaim view lists them; `[reclaim] disabled = "release"`
    /// releases them through the normal release path).
    pub newly_disabled: Vec<LeftUser>,
    /// Users deleted at the source in this pull (soft or for good); their
    /// seats were released in the same transaction.
    pub newly_deleted: Vec<LeftUser>,
    /// Seats of other pools (local, other connectors) released for them.
    pub reclaimed: i64,
    /// Pools whose source counts other seats than the cache.
    pub drift: Vec<PoolDrift>,
    /// Seat rows and group grants the pull left alone because a local
    /// change to them is still on its way to the source.
    pub skipped_pending: i64,
    /// Things the admin should know (skipped SKUs, renamed groups, …).
    pub notes: Vec<String>,
}

impl SyncSummary {
    pub(crate) fn new(kind: PullKind, batch: &str) -> SyncSummary {
        SyncSummary {
            kind,
            batch_id: batch.to_owned(),
            pools: Counts::default(),
            users: Counts::default(),
            groups: Counts::default(),
            members: Counts::default(),
            grants: Counts::default(),
            seats: Counts::default(),
            newly_disabled: Vec::new(),
            newly_deleted: Vec::new(),
            reclaimed: 0,
            drift: Vec::new(),
            skipped_pending: 0,
            notes: Vec::new(),
        }
    }

    /// The figures of the connector's `sync_runs` row.
    pub fn run_counts(&self) -> RunCounts {
        let all = [
            self.pools,
            self.users,
            self.groups,
            self.members,
            self.grants,
            self.seats,
        ];
        RunCounts {
            added: all.iter().map(|c| c.added).sum(),
            updated: all.iter().map(|c| c.updated).sum(),
            removed: all.iter().map(|c| c.removed).sum(),
            skipped: self.skipped_pending,
        }
    }

    /// Whether the pull changed nothing in the cache.
    pub fn is_unchanged(&self) -> bool {
        [
            self.pools,
            self.users,
            self.groups,
            self.members,
            self.grants,
            self.seats,
        ]
        .iter()
        .all(Counts::is_empty)
            && self.reclaimed == 0
    }
}
