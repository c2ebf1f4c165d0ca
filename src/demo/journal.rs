//! A build that has the cache to itself writes it once.
//!
//! In WAL mode every page of the build is written twice: into the WAL as the
//! page cache spills, and into the file when the WAL is checkpointed after
//! the commit (at a million users 4.9 GB written for a 1.7 GB file). With a
//! rollback journal, pages past the file's size at the start of the
//! transaction are not journaled at all, so a build into a fresh cache goes
//! to the file once; a crash or a kill still leaves it as before, since the
//! journal truncates the file back to its old size on the next open.
//!
//! A rollback journal makes readers wait for the writer, so only a build
//! that no other connection reads meanwhile (`seats demo --no-open`) asks
//! for it; the console, which reads while it builds, stays in WAL (and
//! SQLite would refuse the switch while its reader has the file open).

use rusqlite::Connection;

use crate::store::StoreError;

/// Leaves WAL for a rollback journal when no other connection has the file
/// open, even idle (SQLite refuses at once otherwise); true when it did.
pub fn leave_wal(conn: &Connection) -> bool {
    // Refused (busy, or another connection uses the WAL): the build runs in
    // WAL as any other, only slower.
    conn.query_row("PRAGMA journal_mode = DELETE", [], |row| row.get::<_, String>(0))
        .is_ok_and(|mode| mode.eq_ignore_ascii_case("delete"))
}

/// Back to WAL, which every other part of seats expects. Should the file
/// stay in the rollback journal (another connection opened it meanwhile and
/// holds it), the next `store::open` sets WAL again.
pub fn return_to_wal(conn: &Connection) -> Result<(), StoreError> {
    conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get::<_, String>(0))?;
    Ok(())
}
