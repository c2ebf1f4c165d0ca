//! Assignments no seat row mirrors: those of another device-management
//! product's users (another `clientUserId` namespace), never changed
//! (R-CON-7), and those of devices the cache doesn't know by serial
//! number. They hold
//! licenses, so each pool counts them (`pools.foreign_consumed`, part of
//! `consumed`; migration 0010) and what is left to assign is true. They
//! are kept in `apple_foreign_assignments` so an incremental pull, which
//! reads only new ones, still knows them all.

use rusqlite::{Connection, params};

use super::{ApplePull, AppleSummary};
use crate::domain::apple::{AppleHolder, SEATS_CLIENT_USER_PREFIX};

/// Records the pull's foreign assignments (a full pull replaces them; a
/// delta adds its new ones and drops those of users it reports retired),
/// then brings each pool's count to them.
pub(super) fn record(
    conn: &Connection,
    connector_id: i64,
    pull: &ApplePull<'_>,
    full: bool,
    summary: &mut AppleSummary,
) -> rusqlite::Result<()> {
    if full {
        conn.execute(
            "DELETE FROM apple_foreign_assignments WHERE connector_id = ?1",
            [connector_id],
        )?;
    } else {
        let mut drop = conn.prepare(
            "DELETE FROM apple_foreign_assignments WHERE connector_id = ?1 AND kind = 'user' AND holder = ?2",
        )?;
        let gone = pull
            .users
            .iter()
            .filter(|u| super::seats::invitation(u.status).is_none());
        for user in gone.filter(|u| !u.is_own()) {
            drop.execute(params![connector_id, user.client_user_id])?;
        }
    }
    let mut insert = conn.prepare(
        "INSERT OR IGNORE INTO apple_foreign_assignments (connector_id, adam_id, pricing, kind, holder) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for assignment in pull.assignments {
        let (kind, holder) = match &assignment.holder {
            AppleHolder::User(client) if client.starts_with(SEATS_CLIENT_USER_PREFIX) => continue,
            AppleHolder::User(client) => ("user", client),
            // A device the cache knows by serial holds a seat row (`devices`).
            AppleHolder::Device(serial) if super::devices::device_of(conn, serial)?.is_some() => continue,
            AppleHolder::Device(serial) => ("device", serial),
        };
        insert.execute(params![
            connector_id,
            assignment.adam_id,
            assignment.pricing,
            kind,
            holder
        ])?;
    }
    count(conn, connector_id, summary)
}

/// Sets each `vpp` pool's `foreign_consumed`, moving `consumed` by the
/// difference (the seat rows' part stays the triggers' to keep).
fn count(conn: &Connection, connector_id: i64, summary: &mut AppleSummary) -> rusqlite::Result<()> {
    let held = "(SELECT count(*) FROM apple_foreign_assignments f JOIN apps a ON a.external_id = f.adam_id \
                 WHERE f.connector_id = ?1 AND a.id = pools.app_id AND f.pricing = coalesce(pools.sku_id, 'STDQ'))";
    conn.execute(
        &format!(
            "UPDATE pools SET consumed = consumed - foreign_consumed + {held}, foreign_consumed = {held} \
             WHERE connector_id = ?1 AND kind = 'vpp' AND foreign_consumed <> {held}"
        ),
        [connector_id],
    )?;
    let (users, devices): (i64, i64) = conn.query_row(
        "SELECT count(*) FILTER (WHERE kind = 'user'), count(*) FILTER (WHERE kind = 'device') \
         FROM apple_foreign_assignments WHERE connector_id = ?1",
        [connector_id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    summary.foreign_assignments = users as usize;
    summary.device_assignments = devices as usize;
    Ok(())
}
