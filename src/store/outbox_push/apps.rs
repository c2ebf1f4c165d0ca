//! What the pending outbox rows of the app-store connectors (Apple, Store
//! for Business) share: which rows are due (the same order rules as
//! [`super::pending_for`]), whether a row adds or removes, and its users
//! by UPN (those named directly too, once). Each kind adds the columns of
//! its pool and app it sends.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, Row, params};

use crate::store::connectors_admin::stamp;
use crate::store::db::state_code;

/// The part of a pending row every app-store pusher reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Pending {
    pub id: i64,
    pub pool_id: Option<i64>,
    /// An assignment (else a release).
    pub adding: bool,
    pub users: Vec<String>,
}

/// Where a kind's own columns start in the row `build` is given.
pub(super) const OWN_COLUMNS: usize = 5;

/// The connector's pending rows due at `now`, oldest first, at most
/// `limit`; `columns` (over outbox `o`, pool `p`, app `a`) follow the
/// shared ones, from [`OWN_COLUMNS`], and `build` makes each row.
pub(super) fn pending_rows<T>(
    conn: &Connection,
    connector_id: i64,
    limit: usize,
    now: DateTime<Utc>,
    columns: &str,
    build: impl Fn(&Row<'_>, Pending) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT o.id, o.pool_id, o.operation, \
                coalesce(json_extract(o.payload, '$.users'), '[]'), \
                coalesce(json_extract(o.payload, '$.direct'), '[]'), {columns} \
         FROM outbox o LEFT JOIN pools p ON p.id = o.pool_id LEFT JOIN apps a ON a.id = p.app_id \
         WHERE o.connector_id = ?1 AND o.state = 'pending' \
           AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.connector_id = ?1 AND e.state = 'pending' \
                 AND e.pool_id IS o.pool_id AND e.id <= o.id AND e.next_attempt_at > ?2) \
         ORDER BY o.id LIMIT ?3"
    ))?;
    let rows = stmt.query_map(params![connector_id, stamp(now), limit as i64], |row| {
        let mut users = json_list(row, 3)?;
        for upn in json_list(row, 4)? {
            if !users.iter().any(|u| u.eq_ignore_ascii_case(&upn)) {
                users.push(upn);
            }
        }
        let pending = Pending {
            id: row.get(0)?,
            pool_id: row.get(1)?,
            adding: row.get::<_, String>(2)? != "remove_license",
            users,
        };
        build(row, pending)
    })?;
    rows.collect()
}

/// A JSON list of texts in column `index` (empty when it is none).
pub(super) fn json_list(row: &Row<'_>, index: usize) -> rusqlite::Result<Vec<String>> {
    let text: String = row.get(index)?;
    Ok(serde_json::from_str(&text).unwrap_or_default())
}

/// The source carried out an app-store row (an Apple event COMPLETE, a
/// Store for Business seat given): the row is applied and, for an
/// assignment, the seats it gave that wait in state 'pending' (Apple VPP
/// seats, until Apple has them) are active (issue 8, B3), in one
/// transaction. False when the row was no longer pending.
pub fn mark_applied_settled(conn: &Connection, id: i64, now: DateTime<Utc>) -> rusqlite::Result<bool> {
    crate::store::db::begin_write_on(conn, |tx| {
        if !super::mark_applied(tx, id, now)? {
            return Ok(false);
        }
        tx.prepare_cached(concat!(
            "UPDATE assignments SET state_code = ",
            state_code!("active"),
            " WHERE state_code = ",
            state_code!("pending"),
            " AND id IN (SELECT s.id FROM outbox o \
               JOIN change_items c ON c.batch_id = o.batch_id AND c.pool_id = o.pool_id \
               JOIN assignments s ON s.pool_id = c.pool_id \
                 AND (s.user_id = c.user_id OR s.device_id = c.device_id) \
               WHERE o.id = ?1 AND o.operation <> 'remove_license')"
        ))?
        .execute([id])?;
        Ok(true)
    })
}
