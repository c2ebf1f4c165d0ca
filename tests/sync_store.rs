//! The store side of syncing and pushing (issue 7; R-CON-5, R-CON-8, R-LIC-5):
//! pulls staged page by page and committed in one transaction, pending
//! local changes that win over a pull, the outbox as the pusher sees it,
//! connectors, their sync state and their lease.
#![allow(clippy::unwrap_used)]

mod common;

#[path = "sync_store/admin.rs"]
mod admin;
#[path = "sync_store/apple.rs"]
mod apple;
#[path = "sync_store/apple_delta.rs"]
mod apple_delta;
#[path = "sync_store/atomic.rs"]
mod atomic;
#[path = "sync_store/licenses.rs"]
mod licenses;
#[path = "sync_store/pending.rs"]
mod pending;
#[path = "sync_store/pull.rs"]
mod pull;
#[path = "sync_store/push.rs"]
mod push;
#[path = "sync_store/scale.rs"]
mod scale;
#[path = "sync_store/source.rs"]
mod source;
#[path = "sync_store/store_business.rs"]
mod store_business;

use rusqlite::Connection;

/// A demo cache of this many users (the Graph connector is id 1).
pub const USERS: u32 = 240;

/// `seats check` finds nothing wrong (consumed = held seats, no orphans,
/// every batch audited).
pub fn check_clean(conn: &Connection) {
    let findings = seats::store::check::check(conn).unwrap();
    let violated: Vec<String> = findings.iter().filter(|f| !f.ok).map(|f| f.line()).collect();
    assert!(violated.is_empty(), "seats check found:\n{}", violated.join("\n"));
}

pub fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |row| row.get(0)).unwrap()
}
