//! The pending outbox rows of an Apple connector, as the Apple pusher sends
//! them: the asset (the pool's app `adamId` and pricing) and the users
//! (by UPN) and devices whose seat the row adds or removes, and the Apple
//! events it already waits for (`outbox_events`, migration 0021): those are
//! polled, never sent again (issue 8 review, B7).

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension as _, params};

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
    /// The events an earlier push left PENDING at Apple, if any.
    pub awaited: Option<AppleAwaited>,
}

/// Apple events a row waits for, and which step they carry out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppleAwaited {
    pub stage: AppleStage,
    pub events: Vec<String>,
}

/// The step of an Apple push an event carries out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppleStage {
    /// Creating the row's users (the association is still to send).
    Users,
    /// The association or disassociation itself.
    Assets,
}

impl AppleStage {
    fn as_str(self) -> &'static str {
        match self {
            AppleStage::Users => "users",
            AppleStage::Assets => "assets",
        }
    }
}

/// Keeps the events row `id` waits for, in place of any kept before;
/// nothing when the row is no longer pending.
pub fn keep_awaited(conn: &Connection, id: i64, awaited: &AppleAwaited) -> rusqlite::Result<()> {
    let events = serde_json::to_string(&awaited.events).unwrap_or_else(|_| "[]".to_owned());
    conn.prepare_cached(
        "INSERT OR REPLACE INTO outbox_events (outbox_id, stage, events) \
         SELECT id, ?2, ?3 FROM outbox WHERE id = ?1 AND state = 'pending'",
    )?
    .execute(params![id, awaited.stage.as_str(), events])?;
    Ok(())
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
                   coalesce(json_extract(o.payload, '$.devices'), '[]'), \
                   (SELECT stage FROM outbox_events WHERE outbox_id = o.id), \
                   coalesce((SELECT events FROM outbox_events WHERE outbox_id = o.id), '[]')";
    let mut rows = pending_rows(conn, connector_id, limit, now, columns, |row, pending| {
        let names = json_list(row, OWN_COLUMNS + 2)?;
        let stage: Option<String> = row.get(OWN_COLUMNS + 3)?;
        let awaited = stage.map(|stage| AppleAwaited {
            stage: if stage == "users" {
                AppleStage::Users
            } else {
                AppleStage::Assets
            },
            events: json_list(row, OWN_COLUMNS + 4).unwrap_or_default(),
        });
        Ok(ApplePush {
            id: pending.id,
            pool_id: pending.pool_id,
            adding: pending.adding,
            adam_id: row.get(OWN_COLUMNS)?,
            pricing: row.get(OWN_COLUMNS + 1)?,
            users: pending.users,
            devices: names.into_iter().map(|name| (name, None)).collect(),
            awaited,
        })
    })?;
    // A user retired at Apple holds nothing there: releasing their seat
    // (kept as Retired, B11) sends nothing for them.
    let mut retired = conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM apple_users au JOIN users u ON u.id = au.user_id \
         WHERE au.connector_id = ?1 AND u.upn = ?2 COLLATE NOCASE AND au.status = 'Retired')",
    )?;
    for row in rows.iter_mut().filter(|row| !row.adding) {
        let mut kept = Vec::with_capacity(row.users.len());
        for upn in row.users.drain(..) {
            if !retired.query_row(params![connector_id, upn], |r| r.get::<_, bool>(0))? {
                kept.push(upn);
            }
        }
        row.users = kept;
    }
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
