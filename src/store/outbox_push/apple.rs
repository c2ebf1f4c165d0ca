//! The pending outbox rows of an Apple connector, as the Apple pusher sends
//! them: the asset (the pool's app `adamId` and pricing) and the users
//! (by UPN) and devices whose seat the row adds or removes.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use crate::store::connectors_admin::stamp;

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
    pub devices: Vec<String>,
}

/// The connector's pending rows due at `now`, oldest first, at most `limit`
/// (the same order rules as [`super::pending_for`]).
pub fn pending_apple(
    conn: &Connection,
    connector_id: i64,
    limit: usize,
    now: DateTime<Utc>,
) -> rusqlite::Result<Vec<ApplePush>> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.id, o.pool_id, o.operation, a.external_id, coalesce(p.sku_id, 'STDQ'), \
                coalesce(json_extract(o.payload, '$.users'), '[]'), \
                coalesce(json_extract(o.payload, '$.direct'), '[]'), \
                coalesce(json_extract(o.payload, '$.devices'), '[]') \
         FROM outbox o LEFT JOIN pools p ON p.id = o.pool_id LEFT JOIN apps a ON a.id = p.app_id \
         WHERE o.connector_id = ?1 AND o.state = 'pending' \
           AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.connector_id = ?1 AND e.state = 'pending' \
                 AND e.pool_id IS o.pool_id AND e.id <= o.id AND e.next_attempt_at > ?2) \
         ORDER BY o.id LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![connector_id, stamp(now), limit as i64], |row| {
        let list = |i: usize| -> rusqlite::Result<Vec<String>> {
            let text: String = row.get(i)?;
            Ok(serde_json::from_str(&text).unwrap_or_default())
        };
        let mut users = list(5)?;
        for upn in list(6)? {
            if !users.iter().any(|u| u.eq_ignore_ascii_case(&upn)) {
                users.push(upn);
            }
        }
        Ok(ApplePush {
            id: row.get(0)?,
            pool_id: row.get(1)?,
            adding: row.get::<_, String>(2)? != "remove_license",
            adam_id: row.get(3)?,
            pricing: row.get(4)?,
            users,
            devices: list(7)?,
        })
    })?;
    rows.collect()
}
