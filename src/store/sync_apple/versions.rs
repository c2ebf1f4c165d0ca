//! Where an Apple pull left off (migration 0010): the `versionId`s of its
//! `/users` and `/assignments` reads, which the next scheduled pull gives
//! back as `sinceVersionId` to read only what changed (apis.md §3.3).
//!
//! A delta never reports an assignment removed other than by retiring its
//! user, so the next pull reads everything again after `FULL_READ_EVERY`
//! incremental ones, after a relink or a take-over (the versions are
//! forgotten), and when a delta leaves a pool holding more than Apple
//! counts assigned (a removal the delta could not say).

use rusqlite::{Connection, OptionalExtension as _, params};

/// Incremental pulls between two full ones: the schedule pulls twice a
/// day, so a removal no delta shows is seen within four days.
pub const FULL_READ_EVERY: i64 = 8;

/// How a pull read users and assignments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppleRead {
    /// Everything (it replaces what the cache holds), or only what changed
    /// since the stored versions (it is applied as changes).
    pub full: bool,
    /// Page 0's `versionId` of each read, to read since next time.
    pub users_version: Option<String>,
    pub assignments_version: Option<String>,
}

impl AppleRead {
    /// A full read whose versions are not known (nothing is read since
    /// them next time).
    pub fn full() -> AppleRead {
        AppleRead {
            full: true,
            ..AppleRead::default()
        }
    }
}

/// The (users, assignments) versions the next pull of the connector may
/// read since; None when it must read everything.
pub fn since(conn: &Connection, connector_id: i64) -> rusqlite::Result<Option<(String, String)>> {
    let stored: Option<(Option<String>, Option<String>, i64)> = conn
        .query_row(
            "SELECT users_version, assignments_version, delta_runs FROM apple_versions WHERE connector_id = ?1",
            [connector_id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?;
    Ok(match stored {
        Some((Some(users), Some(assignments), runs)) if runs < FULL_READ_EVERY => Some((users, assignments)),
        _ => None,
    })
}

/// Makes the next pull of the connector read everything.
pub fn forget(conn: &Connection, connector_id: i64) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM apple_versions WHERE connector_id = ?1",
        [connector_id],
    )?;
    Ok(())
}

/// Stores the versions of this pull: its runs since the last full one
/// start again from a full read; an incremental pull adds one.
pub(super) fn record(conn: &Connection, connector_id: i64, read: &AppleRead) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO apple_versions (connector_id, users_version, assignments_version, delta_runs) \
         VALUES (?1, ?2, ?3, 0) \
         ON CONFLICT (connector_id) DO UPDATE SET users_version = ?2, assignments_version = ?3, \
           delta_runs = CASE WHEN ?4 THEN 0 ELSE delta_runs + 1 END",
        params![
            connector_id,
            read.users_version,
            read.assignments_version,
            read.full
        ],
    )?;
    Ok(())
}

/// The connector's pools that hold more seats than Apple counts assigned,
/// but for those a local change is on its way to: after a delta, a removal
/// it could not report.
pub(super) fn missed_removals(conn: &Connection, connector_id: i64) -> rusqlite::Result<usize> {
    let count: i64 = conn.query_row(
        "SELECT count(*) FROM pools WHERE connector_id = ?1 AND kind = 'vpp' AND source_consumed IS NOT NULL \
           AND consumed > source_consumed \
           AND id NOT IN (SELECT pool_id FROM temp.mirror_protected)",
        [connector_id],
        |row| row.get(0),
    )?;
    Ok(count as usize)
}
