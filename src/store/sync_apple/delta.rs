//! What an incremental pull (users and assignments read `sinceVersionId`,
//! apis.md §3.3) makes the seats hold. A delta lists new assignments and
//! users whose status changed, never an assignment removed: so the seats
//! wanted are those the cache holds of users who still hold, with their
//! current invitation state, plus the delta's new ones. A user retired at
//! Apple loses every seat (Apple disassociates them all), as a full pull
//! would; an assignment removed another way is not seen, which is why
//! every few runs, and whenever the counts disagree, a pull reads all.

use std::collections::HashMap;

use rusqlite::Connection;

use super::{ApplePull, AppleSummary, seats};

/// Fills `temp.mirror_want` for an incremental pull; `apple_users` already
/// holds the statuses the delta brought.
pub(super) fn want(
    conn: &Connection,
    connector_id: i64,
    pull: &ApplePull<'_>,
    summary: &mut AppleSummary,
) -> rusqlite::Result<()> {
    let holding = stored_holding(conn, connector_id)?;
    seats::want(conn, connector_id, pull, &holding, summary)?;
    conn.execute(
        "INSERT OR IGNORE INTO temp.mirror_want (pool_id, user_id, invitation, seen) \
         SELECT s.pool_id, s.user_id, CASE au.status WHEN 'Associated' THEN 'accepted' ELSE 'invited' END, 0 \
         FROM assignments s JOIN apple_users au ON au.connector_id = ?1 AND au.user_id = s.user_id \
         WHERE s.user_id IS NOT NULL AND au.status IN ('Registered', 'Associated') \
           AND s.pool_id IN (SELECT id FROM pools WHERE connector_id = ?1 AND kind = 'vpp')",
        [connector_id],
    )?;
    Ok(())
}

/// seats' own users who may hold seats now, as `apple_users` records them.
fn stored_holding(conn: &Connection, connector_id: i64) -> rusqlite::Result<HashMap<String, &'static str>> {
    let mut stmt = conn.prepare(
        "SELECT client_user_id, status = 'Associated' FROM apple_users \
         WHERE connector_id = ?1 AND status IN ('Registered', 'Associated')",
    )?;
    let rows = stmt.query_map([connector_id], |row| {
        let accepted: bool = row.get(1)?;
        Ok((row.get(0)?, if accepted { "accepted" } else { "invited" }))
    })?;
    rows.collect()
}
