//! Admins and their roles (R-LIC-6).

use rusqlite::{Connection, params};

use super::db::begin_write_on;
use crate::domain::Role;

/// Makes `actor` the global administrator of a cache that has no admin yet
/// (the creator of a cache is its global administrator).
pub fn ensure_creator(conn: &Connection, actor: &str) -> rusqlite::Result<()> {
    begin_write_on(conn, |tx| {
        let admins: i64 = tx.query_row("SELECT count(*) FROM admins", [], |row| row.get(0))?;
        if admins == 0 {
            tx.execute(
                "INSERT INTO admins (os_user, role, added_at, added_by) VALUES (?1, ?2, ?3, ?1)",
                params![actor, Role::Global.as_str(), chrono::Utc::now().to_rfc3339()],
            )?;
        }
        Ok(())
    })
}
