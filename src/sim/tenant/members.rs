//! Changes to group memberships. A group that carries licenses (itself or
//! through a group it is nested in) reprocesses them afterwards, as Graph's
//! group-based licensing does.

use rusqlite::{Connection, OptionalExtension, params};

use super::SimTenant;
use super::record::now_ms;
use super::users::find_user;
use crate::sim::error::SimError;
use crate::sim::licenses;
use crate::store::db::begin_write_on;

/// A member of a group, by UPN, group name or device name (or object id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member {
    User(String),
    Group(String),
    Device(String),
}

/// The row id of a group named by display name or object id.
pub(crate) fn find_group(conn: &Connection, key: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT id FROM groups WHERE source_id = ?1 OR name = ?1 COLLATE NOCASE")?
        .query_row([key], |row| row.get(0))
        .optional()
}

fn find_device(conn: &Connection, key: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT id FROM devices WHERE source_id = ?1 OR name = ?1 COLLATE NOCASE")?
        .query_row([key], |row| row.get(0))
        .optional()
}

impl SimTenant {
    /// (membership table, its member column, row id) of a member (the
    /// tables of migration 0025).
    fn member_row(&self, member: &Member) -> Result<(&'static str, &'static str, i64), SimError> {
        let unknown = |what, key: &String| SimError::Unknown {
            what,
            key: key.clone(),
        };
        Ok(match member {
            Member::User(key) => (
                "group_user_members",
                "user_id",
                find_user(&self.conn, key)?.ok_or_else(|| unknown("user", key))?.0,
            ),
            Member::Group(key) => (
                "group_child_groups",
                "child_group_id",
                find_group(&self.conn, key)?.ok_or_else(|| unknown("group", key))?,
            ),
            Member::Device(key) => (
                "group_device_members",
                "device_id",
                find_device(&self.conn, key)?.ok_or_else(|| unknown("device", key))?,
            ),
        })
    }

    fn existing_group(&self, key: &str) -> Result<i64, SimError> {
        find_group(&self.conn, key)?.ok_or_else(|| SimError::Unknown {
            what: "group",
            key: key.to_owned(),
        })
    }

    /// Adds a member to a group (nothing if it is one already).
    pub fn add_group_member(&mut self, group: &str, member: &Member) -> Result<(), SimError> {
        let group = self.existing_group(group)?;
        let (table, column, id) = self.member_row(member)?;
        if column == "child_group_id" && licenses::reaches(&self.conn, id, group)? {
            return Err(SimError::Refused("a group cannot be nested in itself".to_owned()));
        }
        begin_write_on(&self.conn, |tx| {
            let sql = format!("SELECT count(*) FROM {table} WHERE group_id = ?1 AND {column} = ?2");
            let present: i64 = tx.query_row(&sql, params![group, id], |row| row.get(0))?;
            if present == 0 {
                let sql = format!("INSERT INTO {table} (group_id, {column}) VALUES (?1, ?2)");
                tx.execute(&sql, params![group, id])?;
                licenses::enqueue_for_members_of(tx, group, now_ms())?;
            }
            Ok(())
        })?;
        Ok(())
    }

    /// Removes a member from a group (nothing if it is not one).
    pub fn remove_group_member(&mut self, group: &str, member: &Member) -> Result<(), SimError> {
        let group = self.existing_group(group)?;
        let (table, column, id) = self.member_row(member)?;
        begin_write_on(&self.conn, |tx| {
            let sql = format!("DELETE FROM {table} WHERE group_id = ?1 AND {column} = ?2");
            if tx.execute(&sql, params![group, id])? > 0 {
                licenses::enqueue_for_members_of(tx, group, now_ms())?;
            }
            Ok(())
        })?;
        Ok(())
    }
}
