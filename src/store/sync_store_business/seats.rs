//! The seat rows of the connector's `store_online` pools mirror the
//! store's active seats of users the cache knows (by UPN). Offline apps'
//! seats are not tracked by the store: their rows are never touched, nor
//! are device rows.
//!
//! Pending local changes win, as for Graph and Apple: a (pool, user) named
//! by a change whose outbox row is pending, was queued after the pull
//! began, or was applied while it read, stays as it is until the next pull.

use rusqlite::{Connection, params};

use super::{StorePull, StoreSummary};
use crate::domain::store_business::SeatState;
use crate::store::sync::SYNC_ACTOR;

/// Fills `temp.store_protected` with the seats local changes protect.
pub(super) fn protect(conn: &Connection, connector_id: i64, pull: &StorePull<'_>) -> rusqlite::Result<()> {
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS store_protected (pool_id INTEGER, user_id INTEGER, \
         PRIMARY KEY (pool_id, user_id)) WITHOUT ROWID",
        [],
    )?;
    conn.execute("DELETE FROM temp.store_protected", [])?;
    let started = crate::store::sync_state::stamp(pull.started_at);
    conn.execute(
        "INSERT OR IGNORE INTO temp.store_protected (pool_id, user_id) \
         SELECT c.pool_id, c.user_id FROM outbox o JOIN change_items c \
           ON c.batch_id = o.batch_id AND c.pool_id = o.pool_id \
         WHERE o.connector_id = ?1 AND c.user_id IS NOT NULL \
           AND (o.state = 'pending' OR o.id > ?2 OR o.finished_at >= ?3)",
        params![connector_id, pull.outbox_mark, started],
    )?;
    Ok(())
}

pub(super) fn write(
    conn: &Connection,
    connector_id: i64,
    pull: &StorePull<'_>,
    at: &str,
    summary: &mut StoreSummary,
) -> rusqlite::Result<()> {
    want(conn, connector_id, pull, summary)?;
    let ours = "SELECT id FROM pools WHERE connector_id = ?1 AND kind = 'store_online'";
    let protected = "(pool_id, user_id) IN (SELECT pool_id, user_id FROM temp.store_protected)";
    let skipped: i64 = conn.query_row(
        &format!(
            "SELECT (SELECT count(*) FROM temp.store_want w WHERE (w.pool_id, w.user_id) IN \
                       (SELECT pool_id, user_id FROM temp.store_protected) \
                     AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.pool_id = w.pool_id AND a.user_id = w.user_id)) \
                  + (SELECT count(*) FROM assignments WHERE user_id IS NOT NULL AND pool_id IN ({ours}) AND {protected} \
                     AND (pool_id, user_id) NOT IN (SELECT pool_id, user_id FROM temp.store_want))"
        ),
        [connector_id],
        |row| row.get(0),
    )?;
    summary.skipped_pending = skipped as usize;
    summary.seats_removed = conn.execute(
        &format!(
            "DELETE FROM assignments WHERE user_id IS NOT NULL AND pool_id IN ({ours}) AND NOT {protected} \
             AND (pool_id, user_id) NOT IN (SELECT pool_id, user_id FROM temp.store_want)"
        ),
        [connector_id],
    )?;
    summary.seats_added = conn.execute(
        &format!(
            "INSERT INTO assignments (pool_id, user_id, direct, intent, state, assigned_at, assigned_by) \
             SELECT w.pool_id, w.user_id, 1, 'required', 'active', coalesce(w.assigned_at, ?2), ?3 \
             FROM temp.store_want w \
             WHERE NOT EXISTS (SELECT 1 FROM assignments a WHERE a.pool_id = w.pool_id AND a.user_id = w.user_id) \
               AND NOT {protected}"
        ),
        params![connector_id, at, SYNC_ACTOR],
    )?;
    Ok(())
}

/// Fills `temp.store_want` (pool, user) from the active seats of users the
/// cache knows; counts the others.
fn want(
    conn: &Connection,
    connector_id: i64,
    pull: &StorePull<'_>,
    summary: &mut StoreSummary,
) -> rusqlite::Result<()> {
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS store_want (pool_id INTEGER, user_id INTEGER, assigned_at TEXT, \
         PRIMARY KEY (pool_id, user_id)) WITHOUT ROWID",
        [],
    )?;
    conn.execute("DELETE FROM temp.store_want", [])?;
    let mut pool_of = conn.prepare(
        "SELECT p.id FROM pools p JOIN apps a ON a.id = p.app_id \
         WHERE p.connector_id = ?1 AND p.kind = 'store_online' AND a.external_id = ?2 AND p.sku_id = ?3",
    )?;
    let mut user_of = conn.prepare("SELECT id FROM users WHERE upn = ?1")?;
    let mut insert = conn.prepare(
        "INSERT OR IGNORE INTO temp.store_want (pool_id, user_id, assigned_at) VALUES (?1, ?2, ?3)",
    )?;
    for seat in pull.seats.iter().filter(|s| s.state == SeatState::Active) {
        let pool: Option<i64> =
            first(pool_of.query(params![connector_id, seat.key.product_id, seat.key.sku_id])?)?;
        let Some(pool) = pool else {
            // An app skipped or not in the inventory: no pool to hold it.
            continue;
        };
        let Some(user) = first(user_of.query([seat.assigned_to.trim()])?)? else {
            summary.unknown_users += 1;
            continue;
        };
        insert.execute(params![pool, user, seat.date_assigned])?;
    }
    Ok(())
}

fn first(mut rows: rusqlite::Rows<'_>) -> rusqlite::Result<Option<i64>> {
    rows.next()?.map(|row| row.get(0)).transpose()
}
