//! The pending outbox rows of a Store for Business connector, as the Store
//! pusher sends them: the app (the pool's app product id and the pool's
//! SKU) and the users (by UPN) whose seat the row assigns or reclaims.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use crate::store::connectors_admin::stamp;

/// One pending row of a Store pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorePush {
    pub id: i64,
    pub pool_id: Option<i64>,
    /// An assignment (else a reclaim).
    pub adding: bool,
    /// The pool's app product id and SKU; None when the pool is gone or
    /// has none.
    pub product_id: Option<String>,
    pub sku_id: Option<String>,
    /// `store_online` or `store_offline`.
    pub pool_kind: Option<String>,
    pub users: Vec<String>,
}

/// The connector's pending rows due at `now`, oldest first, at most `limit`
/// (the same order rules as [`super::pending_for`]).
pub fn pending_store(
    conn: &Connection,
    connector_id: i64,
    limit: usize,
    now: DateTime<Utc>,
) -> rusqlite::Result<Vec<StorePush>> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.id, o.pool_id, o.operation, a.external_id, p.sku_id, p.kind, \
                coalesce(json_extract(o.payload, '$.users'), '[]'), \
                coalesce(json_extract(o.payload, '$.direct'), '[]') \
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
        let mut users = list(6)?;
        for upn in list(7)? {
            if !users.iter().any(|u| u.eq_ignore_ascii_case(&upn)) {
                users.push(upn);
            }
        }
        Ok(StorePush {
            id: row.get(0)?,
            pool_id: row.get(1)?,
            adding: row.get::<_, String>(2)? != "remove_license",
            product_id: row.get(3)?,
            sku_id: row.get(4)?,
            pool_kind: row.get(5)?,
            users,
        })
    })?;
    rows.collect()
}
