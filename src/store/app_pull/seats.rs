//! The seat mirror of an app-store pull: the seat rows of the connector's
//! pools of one kind (`vpp`, `store_online`) follow the seats the source
//! reports for users the cache knows, gathered by the pull into
//! `temp.mirror_want`. Device rows are never touched.
//!
//! Pending local changes win, as for Graph: a (pool, user) named by a
//! change whose outbox row is pending, was queued after the pull began, or
//! was applied while it read, stays as it is until the next pull.
//!
//! A seat given here waits in state 'pending' until the source has it
//! (issue 8, B3): a seat the pull finds at the source is 'active', as a
//! Graph pull makes the source's state win.
//!
//! A seat of a user retired at Apple (R-APP-8; issue 8 review, B11) is not
//! dropped: it stays, in state 'error' (holding no seat: `consumed` leaves
//! it out) with error [`RETIRED`], so the Invite column can say Retired
//! (from the user's Apple status) until the admin releases it; a user who
//! comes back gets it again.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use crate::store::db::{assigned_by_code, state_code, unix_time};
use crate::store::sync::SYNC_ACTOR;

/// The temporary tables the mirror leaves: drop them at the end.
pub(crate) const TEMP_TABLES: [&str; 2] = ["mirror_protected", "mirror_want"];

/// The seats of `temp.mirror_want` that local changes protect.
pub(crate) const PROTECTED: &str =
    "(pool_id, user_id) IN (SELECT pool_id, user_id FROM temp.mirror_protected)";

/// The error of a seat whose user was retired at the source: 'Other', as
/// the column's CHECK (migration 0001) allows no new code; the user's
/// Apple status (`apple_users`) says why.
pub(crate) const RETIRED: &str = "Other";

/// What the mirror changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Mirrored {
    pub added: usize,
    pub removed: usize,
    pub invitations_changed: usize,
    /// Pending seats the pull found at the source, now active.
    pub settled: usize,
    /// Seats of users retired at the source, kept as 'Retired'.
    pub retired: usize,
    pub skipped_pending: usize,
}

/// Fills `temp.mirror_protected` with the seats local changes protect, and
/// starts an empty `temp.mirror_want` (pool, user, invitation, when the
/// source assigned it, whether the pull saw it at the source: an
/// incremental pull also wants the seats it did not read) for the pull to
/// fill.
pub(crate) fn start(
    conn: &Connection,
    connector_id: i64,
    outbox_mark: i64,
    started_at: DateTime<Utc>,
) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS mirror_protected (pool_id INTEGER, user_id INTEGER, \
           PRIMARY KEY (pool_id, user_id)) WITHOUT ROWID; \
         CREATE TEMP TABLE IF NOT EXISTS mirror_want (pool_id INTEGER, user_id INTEGER, invitation TEXT, \
           assigned_at TEXT, seen INTEGER NOT NULL DEFAULT 1, PRIMARY KEY (pool_id, user_id)) WITHOUT ROWID; \
         DELETE FROM temp.mirror_protected; DELETE FROM temp.mirror_want;",
    )?;
    let started = crate::store::sync_state::stamp(started_at);
    conn.execute(
        "INSERT OR IGNORE INTO temp.mirror_protected (pool_id, user_id) \
         SELECT c.pool_id, c.user_id FROM outbox o JOIN change_items c \
           ON c.batch_id = o.batch_id AND c.pool_id = o.pool_id \
         WHERE o.connector_id = ?1 AND c.user_id IS NOT NULL \
           AND (o.state = 'pending' OR o.id > ?2 OR o.finished_at >= ?3)",
        params![connector_id, outbox_mark, started],
    )?;
    Ok(())
}

/// Makes the user rows of the connector's `pool_kind` pools what
/// `temp.mirror_want` says, but those local changes protect: removes the
/// others, adds the missing ones, makes the pending ones the source holds
/// active, and (with `invitations`) brings each row's invitation state to
/// the wanted one.
pub(crate) fn write(
    conn: &Connection,
    connector_id: i64,
    pool_kind: &str,
    at: &str,
    invitations: bool,
) -> rusqlite::Result<Mirrored> {
    let ours = "SELECT id FROM pools WHERE connector_id = ?1 AND kind = ?2";
    let wanted = "(pool_id, user_id) IN (SELECT pool_id, user_id FROM temp.mirror_want)";
    let mut mirrored = Mirrored::default();
    let skipped: i64 = conn.query_row(
        &format!(
            "SELECT (SELECT count(*) FROM temp.mirror_want w WHERE (w.pool_id, w.user_id) IN \
                       (SELECT pool_id, user_id FROM temp.mirror_protected) \
                     AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.pool_id = w.pool_id AND a.user_id = w.user_id)) \
                  + (SELECT count(*) FROM assignments WHERE user_id IS NOT NULL AND pool_id IN ({ours}) AND {PROTECTED} \
                     AND NOT {wanted})"
        ),
        params![connector_id, pool_kind],
        |row| row.get(0),
    )?;
    mirrored.skipped_pending = skipped as usize;
    if invitations {
        mirrored.retired = conn.execute(
            &format!(
                "UPDATE assignments SET state_code = {error}, error = '{RETIRED}' \
                 WHERE user_id IS NOT NULL AND pool_id IN ({ours}) AND NOT {PROTECTED} AND NOT {wanted} \
                   AND NOT (state_code = {error} AND error = '{RETIRED}') AND user_id IN (SELECT user_id \
                     FROM apple_users WHERE connector_id = ?1 AND status = 'Retired')",
                error = state_code!("error")
            ),
            params![connector_id, pool_kind],
        )?;
    }
    mirrored.removed = conn.execute(
        &format!(
            "DELETE FROM assignments WHERE user_id IS NOT NULL AND pool_id IN ({ours}) AND NOT {PROTECTED} \
             AND NOT {wanted} AND NOT (state_code = {error} AND error = '{RETIRED}')",
            error = state_code!("error")
        ),
        params![connector_id, pool_kind],
    )?;
    mirrored.added = conn.execute(
        &format!(
            "INSERT INTO assignments (pool_id, user_id, direct, state_code, invitation, assigned_unix, assigned_by_code) \
             SELECT w.pool_id, w.user_id, 1, {active}, w.invitation, {at}, {by} \
             FROM temp.mirror_want w \
             WHERE NOT EXISTS (SELECT 1 FROM assignments a WHERE a.pool_id = w.pool_id AND a.user_id = w.user_id) \
               AND NOT {PROTECTED}",
            at = unix_time!("coalesce(w.assigned_at, ?1)"),
            active = state_code!("active"),
            by = assigned_by_code!("?2")
        ),
        params![at, SYNC_ACTOR],
    )?;
    mirrored.settled = conn.execute(
        &format!(
            "UPDATE assignments SET state_code = {active}, error = NULL \
             WHERE (state_code = {pending} OR (state_code = {error} AND error = '{RETIRED}')) \
               AND user_id IS NOT NULL AND pool_id IN ({ours}) AND NOT {PROTECTED} \
               AND (pool_id, user_id) IN (SELECT pool_id, user_id FROM temp.mirror_want WHERE seen = 1)",
            active = state_code!("active"),
            pending = state_code!("pending"),
            error = state_code!("error")
        ),
        params![connector_id, pool_kind],
    )?;
    if invitations {
        let wanted_invitation = "(SELECT w.invitation FROM temp.mirror_want w \
               WHERE w.pool_id = assignments.pool_id AND w.user_id = assignments.user_id)";
        mirrored.invitations_changed = conn.execute(
            &format!(
                "UPDATE assignments SET invitation = {wanted_invitation} \
                 WHERE user_id IS NOT NULL AND pool_id IN ({ours}) AND NOT {PROTECTED} \
                   AND invitation IS NOT {wanted_invitation} AND {wanted}"
            ),
            params![connector_id, pool_kind],
        )?;
    }
    Ok(mirrored)
}

/// The first column of the first row, if any.
pub(crate) fn first(mut rows: rusqlite::Rows<'_>) -> rusqlite::Result<Option<i64>> {
    rows.next()?.map(|row| row.get(0)).transpose()
}
