//! The pending outbox rows of a Store for Business connector, as the Store
//! pusher sends them: the app (the pool's app product id and the pool's
//! SKU) and the users (by UPN) whose seat the row assigns or reclaims.

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use super::apps::{OWN_COLUMNS, pending_rows};

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
    pending_rows(
        conn,
        connector_id,
        limit,
        now,
        "a.external_id, p.sku_id, p.kind",
        |row, pending| {
            Ok(StorePush {
                id: pending.id,
                pool_id: pending.pool_id,
                adding: pending.adding,
                product_id: row.get(OWN_COLUMNS)?,
                sku_id: row.get(OWN_COLUMNS + 1)?,
                pool_kind: row.get(OWN_COLUMNS + 2)?,
                users: pending.users,
            })
        },
    )
}
