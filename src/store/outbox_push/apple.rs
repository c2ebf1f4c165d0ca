//! The pending outbox rows of an Apple connector, as the Apple pusher sends
//! them: the asset (the pool's app `adamId` and pricing) and the users
//! (by UPN) and devices whose seat the row adds or removes.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension as _};

use super::apps::{OWN_COLUMNS, json_list, pending_rows};

/// One pending row of an Apple pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplePush {
    pub id: i64,
    pub pool_id: Option<i64>,
    /// An assignment (else a release).
    pub adding: bool,
    /// The pool's asset; None when the pool is gone or has none.
    pub adam_id: Option<String>,
    pub pricing: String,
    pub users: Vec<String>,
    /// The devices by name, with the serial number Apple knows them by
    /// (None when the cache has none: such a device can't be sent).
    pub devices: Vec<(String, Option<String>)>,
}

/// The connector's pending rows due at `now`, oldest first, at most `limit`
/// (the same order rules as [`super::pending_for`]).
pub fn pending_apple(
    conn: &Connection,
    connector_id: i64,
    limit: usize,
    now: DateTime<Utc>,
) -> rusqlite::Result<Vec<ApplePush>> {
    let columns = "a.external_id, coalesce(p.sku_id, 'STDQ'), \
                   coalesce(json_extract(o.payload, '$.devices'), '[]')";
    let mut rows = pending_rows(conn, connector_id, limit, now, columns, |row, pending| {
        let names = json_list(row, OWN_COLUMNS + 2)?;
        Ok(ApplePush {
            id: pending.id,
            pool_id: pending.pool_id,
            adding: pending.adding,
            adam_id: row.get(OWN_COLUMNS)?,
            pricing: row.get(OWN_COLUMNS + 1)?,
            users: pending.users,
            devices: names.into_iter().map(|name| (name, None)).collect(),
        })
    })?;
    let mut serial_of = conn.prepare_cached(
        "SELECT serial_number FROM devices WHERE name = ?1 ORDER BY serial_number IS NULL, id LIMIT 1",
    )?;
    for row in &mut rows {
        for (name, serial) in &mut row.devices {
            *serial = serial_of
                .query_row([name.as_str()], |r| r.get(0))
                .optional()?
                .flatten();
        }
    }
    Ok(rows)
}
