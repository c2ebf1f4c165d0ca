//! Changes to the tenant's users, as the directory would make them.

use rusqlite::{Connection, OptionalExtension, params};

use super::record::record_change;
use super::{SimTenant, meta};
use crate::sim::error::SimError;
use crate::sim::licenses;
use crate::sim::rng::derived_guid;
use crate::store::db::begin_write_on;

/// A user as Graph knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimUser {
    /// Row id in the state file.
    pub row: i64,
    /// Graph object id.
    pub id: String,
    pub user_principal_name: String,
    pub display_name: String,
    pub account_enabled: bool,
    pub usage_location: Option<String>,
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub user_principal_name: String,
    pub display_name: String,
    /// Two-letter country; `None` makes license assignment fail as in Graph.
    pub usage_location: Option<String>,
    pub account_enabled: bool,
}

/// Row id and object id of a listed user named by UPN or object id.
pub(crate) fn find_user(conn: &Connection, key: &str) -> rusqlite::Result<Option<(i64, String)>> {
    conn.prepare_cached(
        "SELECT id, source_id FROM users WHERE deleted = 0 AND (source_id = ?1 OR upn = ?1 COLLATE NOCASE)",
    )?
    .query_row([key], |row| Ok((row.get(0)?, row.get(1)?)))
    .optional()
}

impl SimTenant {
    fn existing_user(&self, key: &str) -> Result<(i64, String), SimError> {
        find_user(&self.conn, key)?.ok_or_else(|| SimError::Unknown {
            what: "user",
            key: key.to_owned(),
        })
    }

    /// A listed user, by UPN or object id.
    pub fn user(&self, key: &str) -> Result<SimUser, SimError> {
        let (row, _) = self.existing_user(key)?;
        let user = self.conn.query_row(
            "SELECT id, source_id, upn, display_name, enabled, usage_location FROM users WHERE id = ?1",
            [row],
            |row| {
                Ok(SimUser {
                    row: row.get(0)?,
                    id: row.get(1)?,
                    user_principal_name: row.get(2)?,
                    display_name: row.get(3)?,
                    account_enabled: row.get(4)?,
                    usage_location: row.get(5)?,
                })
            },
        )?;
        Ok(user)
    }

    /// The UPN of the `n`-th listed user (0-based, in id order).
    pub fn nth_user(&self, n: u64) -> Result<SimUser, SimError> {
        let upn: Option<String> = self
            .conn
            .query_row(
                "SELECT upn FROM users WHERE deleted = 0 ORDER BY id LIMIT 1 OFFSET ?1",
                [n as i64],
                |row| row.get(0),
            )
            .optional()?;
        let upn = upn.ok_or_else(|| SimError::Unknown {
            what: "user number",
            key: n.to_string(),
        })?;
        self.user(&upn)
    }

    /// Sets `accountEnabled`.
    pub fn set_account_enabled(&mut self, key: &str, enabled: bool) -> Result<(), SimError> {
        let (row, object) = self.existing_user(key)?;
        begin_write_on(&self.conn, |tx| {
            tx.execute(
                "UPDATE users SET enabled = ?2 WHERE id = ?1",
                params![row, enabled],
            )?;
            record_change(tx, row, &object, "changed", "accountEnabled")
        })?;
        Ok(())
    }

    /// Disables the user's account (`accountEnabled: false`).
    pub fn disable_user(&mut self, key: &str) -> Result<(), SimError> {
        self.set_account_enabled(key, false)
    }

    /// Changes the user's `displayName`.
    pub fn rename_user(&mut self, key: &str, display_name: &str) -> Result<(), SimError> {
        let (row, object) = self.existing_user(key)?;
        begin_write_on(&self.conn, |tx| {
            tx.execute(
                "UPDATE users SET display_name = ?2 WHERE id = ?1",
                params![row, display_name],
            )?;
            record_change(tx, row, &object, "changed", "displayName")
        })?;
        Ok(())
    }

    /// Deletes the user into the recycle bin: gone from `/users`, delta
    /// reports `@removed` with reason "changed", and the licenses stay
    /// consumed (as Graph keeps them for the 30 days of a soft delete).
    pub fn soft_delete_user(&mut self, key: &str) -> Result<(), SimError> {
        let (row, object) = self.existing_user(key)?;
        begin_write_on(&self.conn, |tx| {
            tx.execute("UPDATE users SET deleted = 1 WHERE id = ?1", [row])?;
            record_change(tx, row, &object, "soft_deleted", "*")
        })?;
        Ok(())
    }

    /// Deletes the user for good: delta reports `@removed` with reason
    /// "deleted", the user's seats and memberships go with it.
    pub fn delete_user(&mut self, key: &str) -> Result<(), SimError> {
        let (row, object) = self.existing_user(key)?;
        begin_write_on(&self.conn, |tx| {
            let pools = licenses::pools_of_user(tx, row)?;
            tx.execute("DELETE FROM users WHERE id = ?1", [row])?;
            for pool in pools {
                licenses::refresh_consumed(tx, pool)?;
            }
            record_change(tx, row, &object, "deleted", "*")
        })?;
        Ok(())
    }

    /// Creates a user (no licenses, no groups); returns it.
    pub fn add_user(&mut self, user: &NewUser) -> Result<SimUser, SimError> {
        let seed: u64 = meta(&self.conn, "seed")?
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let taken = find_user(&self.conn, &user.user_principal_name)?.is_some();
        if taken {
            return Err(SimError::Refused(format!(
                "another user already has the userPrincipalName {:?}",
                user.user_principal_name
            )));
        }
        begin_write_on(&self.conn, |tx| {
            let row: i64 = tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM users", [], |r| r.get(0))?;
            let object = derived_guid(seed, "user", row);
            tx.execute(
                "INSERT INTO users (id, upn, display_name, usage_location, enabled, source_id) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    row,
                    user.user_principal_name,
                    user.display_name,
                    user.usage_location,
                    user.account_enabled,
                    object
                ],
            )?;
            record_change(tx, row, &object, "changed", "*")
        })?;
        self.user(&user.user_principal_name)
    }

    /// Changes the display name of about `share` (0–1) of the listed users,
    /// spread evenly; a second call changes a different slice. Returns how
    /// many changed. For the delta benchmark.
    pub fn change_users(&mut self, share: f64) -> Result<u64, SimError> {
        if share.is_nan() || share <= 0.0 {
            return Ok(0);
        }
        let step = (1.0 / share.min(1.0)).round().max(1.0) as i64;
        let round: i64 = meta(&self.conn, "change_round")?
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let changed = begin_write_on(&self.conn, |tx| {
            tx.execute(
                "INSERT OR REPLACE INTO sim_meta (key, value) VALUES ('change_round', ?1)",
                [(round + 1).to_string()],
            )?;
            let rows: Vec<(i64, String)> = {
                let mut stmt = tx.prepare(
                    "SELECT id, source_id FROM users WHERE deleted = 0 AND id % ?1 = ?2 ORDER BY id",
                )?;
                let found = stmt.query_map(params![step, round % step], |r| Ok((r.get(0)?, r.get(1)?)))?;
                found.collect::<rusqlite::Result<_>>()?
            };
            let mut rename = tx.prepare(
                "UPDATE users SET display_name = CASE WHEN display_name LIKE '% (updated)' \
                 THEN substr(display_name, 1, length(display_name) - 10) \
                 ELSE display_name || ' (updated)' END WHERE id = ?1",
            )?;
            for (row, object) in &rows {
                rename.execute([row])?;
                record_change(tx, *row, object, "changed", "displayName")?;
            }
            Ok(rows.len() as u64)
        })?;
        Ok(changed)
    }
}
