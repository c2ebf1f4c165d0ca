//! The state a sync moves its connector through (syncing → ok or error,
//! the next run one schedule interval later, R-CON-5), its `sync_runs`
//! history, and its delta link. Call these while holding the connector's
//! lease ([`super::sync_lease`]): starting a run closes any run left
//! 'running' as interrupted.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::connectors_admin::AdminError;

/// Figures a finished sync records in `sync_runs`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunCounts {
    pub added: i64,
    pub updated: i64,
    pub removed: i64,
    pub skipped: i64,
}

/// The cache's time format (RFC 3339 UTC, seconds).
pub(crate) fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Enabled connectors whose next scheduled sync is due at `now` (never
/// scheduled counts as due), in id order.
pub fn due_connectors(conn: &Connection, now: DateTime<Utc>) -> rusqlite::Result<Vec<i64>> {
    let mut stmt = conn.prepare(
        "SELECT id FROM connectors WHERE enabled = 1 AND (next_sync_at IS NULL OR next_sync_at <= ?1) \
         ORDER BY id",
    )?;
    let rows = stmt.query_map([stamp(now)], |row| row.get(0))?;
    rows.collect()
}

/// A sync begins: the connector shows 'syncing', and a `sync_runs` row
/// 'running' is opened (its id is returned). Runs a killed process left
/// 'running' are closed as failed first: the lease says no other sync runs.
pub fn sync_started(conn: &Connection, id: i64, what: &str, now: DateTime<Utc>) -> Result<i64, AdminError> {
    let at = stamp(now);
    super::db::begin_write_on(conn, |tx| {
        let found: Option<(String, bool)> = tx
            .query_row(
                "SELECT name, enabled FROM connectors WHERE id = ?1",
                [id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        match found {
            None => return Ok(Err(AdminError::NotFound(id))),
            Some((name, false)) => return Ok(Err(AdminError::Disabled(name))),
            Some(_) => {}
        }
        tx.execute(
            "UPDATE sync_runs SET result = 'failed', finished_at = ?2, \
             message = 'interrupted: the process ended before the sync finished; nothing of it was kept' \
             WHERE connector_id = ?1 AND result = 'running'",
            params![id, at],
        )?;
        tx.execute(
            "UPDATE connectors SET state = 'syncing', last_sync_at = ?2 WHERE id = ?1",
            params![id, at],
        )?;
        tx.execute(
            "INSERT INTO sync_runs (connector_id, started_at, result, message) VALUES (?1, ?2, 'running', ?3)",
            params![id, at, what],
        )?;
        Ok(Ok(tx.last_insert_rowid()))
    })?
}

/// The sync succeeded: state 'ok', the success time, no error, the next
/// run one schedule interval from `now`; the run row closes with its figures.
pub fn sync_succeeded(
    conn: &Connection,
    id: i64,
    run_id: i64,
    counts: RunCounts,
    message: Option<&str>,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let at = stamp(now);
    super::db::begin_write_on(conn, |tx| {
        tx.execute(
            "UPDATE connectors SET state = 'ok', last_success_at = ?2, last_error = NULL, last_request_id = NULL, \
             next_sync_at = strftime('%Y-%m-%dT%H:%M:%SZ', ?2, '+' || schedule_minutes || ' minutes') \
             WHERE id = ?1",
            params![id, at],
        )?;
        tx.execute(
            "UPDATE sync_runs SET finished_at = ?2, result = 'ok', added = ?3, updated = ?4, removed = ?5, \
             skipped = ?6, message = coalesce(?7, message) WHERE id = ?1",
            params![
                run_id,
                at,
                counts.added,
                counts.updated,
                counts.removed,
                counts.skipped,
                message
            ],
        )?;
        Ok(())
    })
}

/// The sync failed: state 'error' with the source's message and request
/// id; the schedule goes on (the next run one interval from `now`); the run
/// row closes as failed. The cache itself was left as it was (R-CON-8).
pub fn sync_failed(
    conn: &Connection,
    id: i64,
    run_id: i64,
    message: &str,
    request_id: Option<&str>,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let at = stamp(now);
    super::db::begin_write_on(conn, |tx| {
        tx.execute(
            "UPDATE connectors SET state = 'error', last_error = ?2, last_request_id = ?3, \
             next_sync_at = strftime('%Y-%m-%dT%H:%M:%SZ', ?4, '+' || schedule_minutes || ' minutes') \
             WHERE id = ?1",
            params![id, message, request_id, at],
        )?;
        let text = match request_id {
            Some(request) => format!("{message} (request id {request})"),
            None => message.to_owned(),
        };
        tx.execute(
            "UPDATE sync_runs SET finished_at = ?2, result = 'failed', message = ?3 WHERE id = ?1",
            params![run_id, at, text],
        )?;
        Ok(())
    })
}

/// The stored `@odata.deltaLink`, if a full pull left one.
pub fn delta_link(conn: &Connection, id: i64) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT delta_link FROM connectors WHERE id = ?1", [id], |row| {
        row.get(0)
    })
    .optional()
    .map(Option::flatten)
}

/// Stores (Some) or forgets (None: the next pull is full) the delta link.
/// A pull's commit stores it in its own transaction; this is for the
/// worker's fallback when the source says the link expired.
pub fn set_delta_link(conn: &Connection, id: i64, link: Option<&str>) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE connectors SET delta_link = ?2 WHERE id = ?1",
        params![id, link],
    )?;
    Ok(())
}
