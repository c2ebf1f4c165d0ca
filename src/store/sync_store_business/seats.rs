//! The seat rows of the connector's `store_online` pools mirror the
//! store's active seats of users the cache knows (by UPN), through the
//! shared seat mirror (pending local changes win). Offline apps' seats are
//! not tracked by the store: their rows are never touched, nor are device
//! rows.

use rusqlite::{Connection, params};

use super::{StorePull, StoreSummary};
use crate::domain::store_business::SeatState;
use crate::store::app_pull::seats::{self as mirror, first};

pub(super) fn write(
    conn: &Connection,
    connector_id: i64,
    pull: &StorePull<'_>,
    at: &str,
    summary: &mut StoreSummary,
) -> rusqlite::Result<()> {
    want(conn, connector_id, pull, summary)?;
    let mirrored = mirror::write(conn, connector_id, "store_online", at, false)?;
    summary.skipped_pending = mirrored.skipped_pending;
    summary.seats_removed = mirrored.removed;
    summary.seats_added = mirrored.added;
    Ok(())
}

/// Fills `temp.mirror_want` (pool, user, when) from the active seats of
/// users the cache knows; counts the others.
fn want(
    conn: &Connection,
    connector_id: i64,
    pull: &StorePull<'_>,
    summary: &mut StoreSummary,
) -> rusqlite::Result<()> {
    let mut pool_of = conn.prepare(
        "SELECT p.id FROM pools p JOIN apps a ON a.id = p.app_id \
         WHERE p.connector_id = ?1 AND p.kind = 'store_online' AND a.external_id = ?2 AND p.sku_id = ?3",
    )?;
    let mut user_of = conn.prepare("SELECT id FROM users WHERE upn = ?1")?;
    let mut insert = conn.prepare(
        "INSERT OR IGNORE INTO temp.mirror_want (pool_id, user_id, assigned_at) VALUES (?1, ?2, ?3)",
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
