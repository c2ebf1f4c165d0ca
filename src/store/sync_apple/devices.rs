//! Device seats of device-assignable Apple assets (R-APP-8). Apple names a
//! device by its serial number: an assignment to a device the cache knows
//! by it (`devices.serial_number`) is that device's seat row, mirrored like
//! a user's; one to a device the cache doesn't know is counted with the
//! foreign ones (`foreign`). A full pull removes the device rows Apple no
//! longer lists; a delta, which reports no removal, only adds. A pending
//! device seat Apple lists is active (B3). Pending local changes win, as
//! for users.

use std::collections::HashMap;

use rusqlite::{Connection, params};

use super::ApplePull;
use crate::domain::apple::AppleHolder;
use crate::store::app_pull::seats::first;
use crate::store::db::{assigned_by_code, state_code, unix_time};
use crate::store::sync::SYNC_ACTOR;

/// What the device mirror changed: (added, removed, settled: pending
/// seats Apple holds, now active).
pub(super) fn mirror(
    conn: &Connection,
    connector_id: i64,
    pull: &ApplePull<'_>,
    full: bool,
    at: &str,
) -> rusqlite::Result<(usize, usize, usize)> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS apple_device_want (pool_id INTEGER, device_id INTEGER, \
           PRIMARY KEY (pool_id, device_id)) WITHOUT ROWID; DELETE FROM temp.apple_device_want;",
    )?;
    want(conn, connector_id, pull)?;
    let ours = "pool_id IN (SELECT id FROM pools WHERE connector_id = ?1 AND kind = 'vpp')";
    // Devices named by a change still on its way, or sent while the pull read.
    let protected = "SELECT c.pool_id, c.device_id FROM outbox o \
         JOIN change_items c ON c.batch_id = o.batch_id AND c.pool_id = o.pool_id \
         WHERE o.connector_id = ?1 AND c.device_id IS NOT NULL \
           AND (o.state = 'pending' OR o.id > ?2 OR o.finished_at >= ?3)";
    let started = crate::store::sync_state::stamp(pull.started_at);
    let removed = if full {
        conn.execute(
            &format!(
                "DELETE FROM assignments WHERE device_id IS NOT NULL AND {ours} \
                 AND (pool_id, device_id) NOT IN ({protected}) \
                 AND (pool_id, device_id) NOT IN (SELECT pool_id, device_id FROM temp.apple_device_want)"
            ),
            params![connector_id, pull.outbox_mark, started],
        )?
    } else {
        0
    };
    let added = conn.execute(
        &format!(
            "INSERT INTO assignments (pool_id, device_id, direct, state_code, assigned_unix, assigned_by_code) \
             SELECT w.pool_id, w.device_id, 1, {active}, {at}, {by} FROM temp.apple_device_want w \
             WHERE NOT EXISTS (SELECT 1 FROM assignments a WHERE a.pool_id = w.pool_id AND a.device_id = w.device_id) \
               AND (w.pool_id, w.device_id) NOT IN ({protected})",
            at = unix_time!("?4"),
            active = state_code!("active"),
            by = assigned_by_code!("?5")
        ),
        params![connector_id, pull.outbox_mark, started, at, SYNC_ACTOR],
    )?;
    let settled = conn.execute(
        &format!(
            "UPDATE assignments SET state_code = {active} WHERE state_code = {pending} AND device_id IS NOT NULL \
             AND {ours} AND (pool_id, device_id) NOT IN ({protected}) \
             AND (pool_id, device_id) IN (SELECT pool_id, device_id FROM temp.apple_device_want)",
            active = state_code!("active"),
            pending = state_code!("pending")
        ),
        params![connector_id, pull.outbox_mark, started],
    )?;
    conn.execute_batch("DROP TABLE IF EXISTS temp.apple_device_want")?;
    Ok((added, removed, settled))
}

/// Fills `temp.apple_device_want` with the pull's assignments to devices
/// the cache knows, in pools it has.
fn want(conn: &Connection, connector_id: i64, pull: &ApplePull<'_>) -> rusqlite::Result<()> {
    let mut pool_of = conn.prepare(
        "SELECT p.id FROM pools p JOIN apps a ON a.id = p.app_id \
         WHERE p.connector_id = ?1 AND a.external_id = ?2 AND coalesce(p.sku_id, 'STDQ') = ?3",
    )?;
    let mut insert =
        conn.prepare("INSERT OR IGNORE INTO temp.apple_device_want (pool_id, device_id) VALUES (?1, ?2)")?;
    let mut pools: HashMap<(&str, &str), Option<i64>> = HashMap::new();
    for assignment in pull.assignments {
        let AppleHolder::Device(serial) = &assignment.holder else {
            continue;
        };
        let Some(device) = device_of(conn, serial)? else {
            continue;
        };
        let key = (assignment.adam_id.as_str(), assignment.pricing.as_str());
        let pool = match pools.get(&key) {
            Some(pool) => *pool,
            None => {
                let pool = first(pool_of.query(params![connector_id, key.0, key.1])?)?;
                *pools.entry(key).or_insert(pool)
            }
        };
        if let Some(pool) = pool {
            insert.execute(params![pool, device])?;
        }
    }
    Ok(())
}

/// The cache's device with this serial number, if it knows one.
pub(super) fn device_of(conn: &Connection, serial: &str) -> rusqlite::Result<Option<i64>> {
    let mut stmt = conn.prepare_cached("SELECT id FROM devices WHERE serial_number = ?1")?;
    first(stmt.query([serial])?)
}
