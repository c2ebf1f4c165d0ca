//! The change log `users/delta` reads.

use rusqlite::{Connection, params};

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Records a change to a user: `kind` is 'changed' (with the Graph property
/// that changed, '*' for a new user, 'licenses' for assignedLicenses and
/// licenseAssignmentStates), 'soft_deleted' or 'deleted'.
pub(crate) fn record_change(
    conn: &Connection,
    user_id: i64,
    object_id: &str,
    kind: &str,
    prop: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO sim_changes (user_id, object_id, kind, prop, at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![user_id, object_id, kind, prop, now_ms()])?;
    Ok(())
}

/// Records a license change for each of `users` (row ids).
pub(crate) fn record_license_changes(conn: &Connection, users: &[i64]) -> rusqlite::Result<()> {
    let mut lookup = conn.prepare_cached("SELECT source_id FROM users WHERE id = ?1")?;
    for user in users {
        let object: String = lookup.query_row([user], |row| row.get(0))?;
        record_change(conn, *user, &object, "changed", "licenses")?;
    }
    Ok(())
}
