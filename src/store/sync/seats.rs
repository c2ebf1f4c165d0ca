//! The seat rows of the connector's pools mirror the users' licenses at the
//! source, except where a local change is still on its way there.
//!
//! Mirror: each reported user holds one row per pool however many ways the
//! license reaches them (schema rule, 0001): `direct` when assigned
//! directly, `via_group_id` one of the groups it comes through (the row's
//! own group while it still does, else the lowest id); a license in state
//! Error holds no seat (state 'error' with the error, e.g. CountViolation);
//! ActiveWithError holds one and keeps its error on the active row. Rows of
//! users the pull covers (every user in a full pull; in a delta the
//! reported ones and those who lost their UPN to another account) that the
//! source no longer reports go; so do all rows of a pool whose SKU the
//! source stopped reporting. Device rows are never touched.
//! `pools.consumed` follows through the triggers of 0004.
//!
//! Pending local changes win. A local change to a connector pool writes, in
//! one transaction, its `change_items` (every seat, direct flag and group
//! grant it touched, by id) and an outbox row with the same batch id and
//! pool. A seat (pool, user) or grant (pool, group) is protected when an
//! item names it in a batch whose outbox row for that pool of this
//! connector is pending now, was pending when the pull began, or was
//! written after it began (it may have been applied at the source after the
//! pull read that user). The pull leaves protected rows as they are and
//! counts them in `skipped_pending`; the next pull, once the change is
//! applied or refused, brings them in line. A user retired by such a batch
//! (`seats users remove`) keeps the enabled and deleted flags it set.

use rusqlite::{Connection, params};

use super::{Apply, PullError, PullKind, SyncSummary};
use crate::store::db::{assigned_by_code, state_code, unix_time};

/// Remembers the connector's pending outbox rows as the pull begins, and
/// returns the newest outbox id.
pub(super) fn mark_pending(conn: &Connection, connector_id: i64) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO temp.pull_outbox_seen (id) SELECT id FROM outbox WHERE connector_id = ?1 AND state = 'pending'",
        [connector_id],
    )?;
    conn.query_row("SELECT coalesce(max(id), 0) FROM outbox", [], |row| row.get(0))
}

/// Fills the protected seats, grants and users (see the module's comment).
pub(super) fn protect(a: &Apply<'_>) -> rusqlite::Result<()> {
    let live = "SELECT o.batch_id, o.pool_id FROM outbox o WHERE o.connector_id = ?1 AND o.batch_id IS NOT NULL \
        AND (o.state = 'pending' OR o.id > ?2 OR o.id IN (SELECT id FROM temp.pull_outbox_seen))";
    a.conn.execute(
        &format!(
            "INSERT OR IGNORE INTO temp.pull_protected (pool_id, user_id) \
             SELECT c.pool_id, c.user_id FROM ({live}) o JOIN change_items c \
               ON c.batch_id = o.batch_id AND c.pool_id = o.pool_id WHERE c.user_id IS NOT NULL"
        ),
        params![a.connector_id, a.outbox_mark],
    )?;
    a.conn.execute(
        &format!(
            "INSERT OR IGNORE INTO temp.pull_protected_grants (pool_id, group_id) \
             SELECT c.pool_id, c.group_id FROM ({live}) o JOIN change_items c \
               ON c.batch_id = o.batch_id AND c.pool_id = o.pool_id \
             WHERE c.op IN ('group_added', 'group_removed')"
        ),
        params![a.connector_id, a.outbox_mark],
    )?;
    a.conn.execute(
        &format!(
            "INSERT OR IGNORE INTO temp.pull_protected_users (user_id) \
             SELECT c.user_id FROM ({live}) o JOIN change_items c ON c.batch_id = o.batch_id \
             WHERE c.op = 'user_retired'"
        ),
        params![a.connector_id, a.outbox_mark],
    )?;
    Ok(())
}

/// The connector's pools whose rows the pull mirrors.
const OWN_POOLS: &str = "SELECT id FROM pools WHERE connector_id = ?1 AND kind = 'm365'";

/// Mirrors the licenses into the seat rows.
pub(super) fn apply(a: &Apply<'_>, summary: &mut SyncSummary) -> Result<(), PullError> {
    super::timed("seats: want", || want(a))?;
    super::timed("seats: diff", || diff(a))?;
    let conn = a.conn;
    let removed = super::timed("seats: delete", || {
        conn.execute(
            "DELETE FROM assignments WHERE id IN (SELECT a.id FROM temp.pull_diff d JOIN assignments a \
           ON a.pool_id = d.pool_id AND a.user_id = d.user_id WHERE d.action = 'remove' AND d.protected = 0)",
            [],
        )
    })?;
    let updated = super::timed("seats: update", || {
        conn.execute(
            concat!(
                "UPDATE assignments SET direct = w.direct, via_group_id = w.via_group_id, error = w.error, \
               state_code = CASE WHEN w.holds = 0 THEN ",
                state_code!("error"),
                " WHEN assignments.state_code = ",
                state_code!("error"),
                " THEN ",
                state_code!("active"),
                " ELSE assignments.state_code END \
             FROM temp.pull_diff d JOIN temp.pull_want w ON w.pool_id = d.pool_id AND w.user_id = d.user_id \
             WHERE d.action = 'change' AND d.protected = 0 \
               AND assignments.pool_id = d.pool_id AND assignments.user_id = d.user_id"
            ),
            [],
        )
    })?;
    let added = super::timed("seats: insert", || {
        conn.execute(
            concat!(
                "INSERT INTO assignments (pool_id, user_id, direct, via_group_id, state_code, error, \
                                      assigned_unix, assigned_by_code) \
             SELECT w.pool_id, w.user_id, w.direct, w.via_group_id, \
                    CASE WHEN w.holds = 1 THEN ",
                state_code!("active"),
                " ELSE ",
                state_code!("error"),
                " END, w.error, ",
                unix_time!("?1"),
                ", ",
                assigned_by_code!("?2"),
                " \
             FROM temp.pull_diff d JOIN temp.pull_want w ON w.pool_id = d.pool_id AND w.user_id = d.user_id \
             WHERE d.action = 'add' AND d.protected = 0"
            ),
            params![a.at, super::SYNC_ACTOR],
        )
    })?;
    summary.seats.added += added as i64;
    summary.seats.updated += updated as i64;
    summary.seats.removed += removed as i64;
    summary.skipped_pending += conn.query_row(
        "SELECT count(*) FROM temp.pull_diff WHERE protected = 1",
        [],
        |row| row.get::<_, i64>(0),
    )?;
    Ok(())
}

/// The rows the source reports, one per (pool, user). The users are read
/// in id order (`pull_reported`, every matched and new reported user), so
/// the seat rows this looks up and the rows it writes move forward through
/// each pool instead of jumping across ten million rows at random. Each
/// seat is a number of `licenses` (stage.rs, `license_code`) and its pool
/// is found by the SKU's ref in `pull_ref_pool`, so a seat costs integer
/// arithmetic and a rowid lookup; only a seat that comes through a group
/// reads its entry of `license_groups`.
fn want(a: &Apply<'_>) -> rusqlite::Result<()> {
    a.conn.execute(
        "INSERT INTO temp.pull_ref_pool (n, pool_id) SELECT r.n, pm.pool_id FROM temp.pull_refs r \
         JOIN temp.pull_pool_map pm ON pm.sku_id = r.id WHERE r.kind = 's'",
        [],
    )?;
    let path = "('$[' || l.key || ']')";
    let groups = format!(
        "SELECT r.group_id FROM json_each(m.license_groups, {path}) g \
         JOIN temp.pull_group_ref r ON r.n = g.value WHERE r.group_id IS NOT NULL"
    );
    let errors: String = super::stage::LICENSE_ERRORS
        .iter()
        .enumerate()
        .map(|(i, e)| format!(" WHEN {} THEN '{e}'", i + 1))
        .collect();
    a.conn.execute(
        &format!(
            "INSERT OR REPLACE INTO temp.pull_want (pool_id, user_id, direct, via_group_id, holds, error) \
             SELECT rp.pool_id, m.user_id, (l.value >> 5) & 1, \
                    CASE WHEN m.license_groups ->> {path} IS NOT NULL THEN \
                      coalesce((SELECT s.via_group_id FROM assignments s WHERE s.pool_id = rp.pool_id \
                                  AND s.user_id = m.user_id AND s.via_group_id IN ({groups})), \
                               (SELECT min(group_id) FROM ({groups}))) END, \
                    (l.value >> 4) & 1, CASE l.value & 15{errors} END \
             FROM (SELECT user_id, licenses, license_groups FROM temp.pull_reported ORDER BY user_id) AS m \
             JOIN json_each(m.licenses) l \
             JOIN temp.pull_ref_pool rp ON rp.n = l.value >> 6"
        ),
        [],
    )?;
    Ok(())
}

/// What differs between the rows and the source, with the protected
/// (pending) ones flagged. `CROSS JOIN` keeps the wanted rows outside:
/// left to itself, SQLite walked every seat by user (`assignments_user`)
/// and looked each up in `pull_want` and in the table out of order (at a
/// million users 23 s against 15 s, BENCHMARKS.md); in (pool, user) order
/// both sides are read forward, as the seat rows are stored.
fn diff(a: &Apply<'_>) -> rusqlite::Result<()> {
    let protected =
        "EXISTS (SELECT 1 FROM temp.pull_protected p WHERE p.pool_id = x.pool_id AND p.user_id = x.user_id)";
    let unwanted =
        "NOT EXISTS (SELECT 1 FROM temp.pull_want w WHERE w.pool_id = x.pool_id AND w.user_id = x.user_id)";
    match a.kind {
        PullKind::Full => {
            super::timed("seats: diff 1", || {
                a.conn.execute(
                    &format!(
                        "INSERT INTO temp.pull_diff (pool_id, user_id, action, protected) \
                     SELECT x.pool_id, x.user_id, 'remove', {protected} FROM assignments x \
                     WHERE x.pool_id IN ({OWN_POOLS}) AND x.user_id IS NOT NULL AND {unwanted}"
                    ),
                    [a.connector_id],
                )
            })?;
        }
        // A delta covers few users: their seats are found through the
        // users' index, not by reading every seat of the connector's pools
        // (ten million at a million users); then every seat of a pool whose
        // SKU went. A seat found both ways is one row.
        PullKind::Delta => {
            let covered = "SELECT user_id FROM temp.pull_match WHERE user_id IS NOT NULL \
                UNION SELECT user_id FROM temp.pull_left WHERE how <> 'disabled'";
            super::timed("seats: diff 2", || {
                a.conn.execute(
                    &format!(
                        "INSERT OR IGNORE INTO temp.pull_diff (pool_id, user_id, action, protected) \
                     SELECT x.pool_id, x.user_id, 'remove', {protected} FROM ({covered}) AS c \
                     CROSS JOIN assignments AS x INDEXED BY assignments_user ON x.user_id = c.user_id \
                     WHERE x.pool_id IN ({OWN_POOLS}) AND {unwanted}"
                    ),
                    [a.connector_id],
                )
            })?;
            super::timed("seats: diff 3", || {
                a.conn.execute(
                    &format!(
                        "INSERT OR IGNORE INTO temp.pull_diff (pool_id, user_id, action, protected) \
                     SELECT x.pool_id, x.user_id, 'remove', {protected} FROM temp.pull_gone_pools g \
                     CROSS JOIN assignments x ON x.pool_id = g.pool_id \
                     WHERE x.user_id IS NOT NULL AND {unwanted}"
                    ),
                    [],
                )
            })?;
        }
    }
    // Changed and new seats in one pass: each wanted row looks its seat up
    // once (the added rows are those it does not find).
    super::timed("seats: diff change/add", || {
        a.conn.execute(
            &format!(
                "INSERT INTO temp.pull_diff (pool_id, user_id, action, protected) \
                 SELECT x.pool_id, x.user_id, CASE WHEN s.id IS NULL THEN 'add' ELSE 'change' END, {protected} \
                 FROM temp.pull_want x LEFT JOIN assignments s ON s.pool_id = x.pool_id AND s.user_id = x.user_id \
                 WHERE s.id IS NULL OR s.direct IS NOT x.direct OR s.via_group_id IS NOT x.via_group_id \
                    OR (s.state_code = {error}) <> (x.holds = 0) OR s.error IS NOT x.error",
                error = state_code!("error")
            ),
            [],
        )
    })?;
    Ok(())
}

/// Per pool: (seats added, changed, removed) by this pull, for its audit row.
pub(super) fn per_pool(conn: &Connection, pool_id: i64) -> rusqlite::Result<(i64, i64, i64, i64)> {
    conn.query_row(
        "SELECT coalesce(sum(action = 'add' AND protected = 0), 0), coalesce(sum(action = 'change' AND protected = 0), 0), \
                coalesce(sum(action = 'remove' AND protected = 0), 0), coalesce(sum(protected), 0) \
         FROM temp.pull_diff WHERE pool_id = ?1",
        [pool_id],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
    )
}
