//! License groups (R-AGR-7, R-AGR-12): at most 500 made by admins, beside
//! the built-in "Unassigned agreements" (id 1) that can be neither renamed
//! nor removed and takes the agreements of a removed group. Every change is
//! audited in its own transaction; a refusal by the rule is audited too.

use rusqlite::{Connection, OptionalExtension as _, Transaction, params};
use serde::Serialize;

pub use super::agreement_error::AgreementError;
use super::changes::{Actor, Permission, authorize};
use super::sync_state::stamp;

/// The most license groups admins can make (R-AGR-12).
pub const MAX_GROUPS: i64 = 500;
/// The built-in group new agreements go to by default (R-AGR-7).
pub const UNASSIGNED: i64 = 1;

/// One license group as `seats license-groups list` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupRow {
    pub id: i64,
    pub name: String,
    pub builtin: bool,
    /// Agreements in the group.
    pub agreements: i64,
}

/// Every group, the built-in one first, then by name.
pub fn list(conn: &Connection) -> rusqlite::Result<Vec<GroupRow>> {
    let mut stmt = conn.prepare(
        "SELECT g.id, g.name, g.builtin, (SELECT count(*) FROM agreements a WHERE a.license_group_id = g.id) \
         FROM license_groups g ORDER BY g.builtin DESC, g.name COLLATE NOCASE, g.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(GroupRow {
            id: r.get(0)?,
            name: r.get(1)?,
            builtin: r.get(2)?,
            agreements: r.get(3)?,
        })
    })?;
    rows.collect()
}

/// The group named `name` (without ASCII case): (id, builtin, its name).
pub fn find(conn: &Connection, name: &str) -> Result<(i64, bool, String), AgreementError> {
    conn.query_row(
        "SELECT id, builtin, name FROM license_groups WHERE name = ?1 COLLATE NOCASE",
        [name.trim()],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()?
    .ok_or_else(|| {
        AgreementError::Invalid(format!(
            "no license group is named {name:?}; `seats license-groups list` shows them"
        ))
    })
}

/// Checks a new group name inside `tx`: well formed, free, and under the
/// limit of 500. Returns it trimmed.
pub(crate) fn check_new(tx: &Connection, name: &str) -> Result<String, AgreementError> {
    let name = check_name(tx, name)?;
    let made: i64 = tx.query_row("SELECT count(*) FROM license_groups WHERE builtin = 0", [], |r| {
        r.get(0)
    })?;
    if made >= MAX_GROUPS {
        return Err(AgreementError::Refused(format!(
            "license group {name:?} was not made: there are {made} license groups, the most there can be \
             (R-AGR-12); remove one you no longer need (`seats license-groups remove NAME`), or add the \
             agreements to an existing group with --group NAME"
        )));
    }
    Ok(name)
}

/// A group name: not empty, at most 256 characters, no control characters,
/// not taken (without ASCII case).
fn check_name(tx: &Connection, name: &str) -> Result<String, AgreementError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 256 || name.chars().any(char::is_control) {
        return Err(AgreementError::Invalid(format!(
            "{name:?} can't name a license group: give 1 to 256 characters, no control characters"
        )));
    }
    let taken: Option<String> = tx
        .query_row(
            "SELECT name FROM license_groups WHERE name = ?1 COLLATE NOCASE",
            [name],
            |r| r.get(0),
        )
        .optional()?;
    match taken {
        Some(taken) => Err(AgreementError::Invalid(format!(
            "a license group {taken:?} exists already; choose another name (or --group {taken:?})"
        ))),
        None => Ok(name.to_owned()),
    }
}

/// Inserts a group already checked by [`check_new`].
pub(crate) fn insert(tx: &Connection, name: &str) -> rusqlite::Result<i64> {
    tx.execute("INSERT INTO license_groups (name) VALUES (?1)", [name])?;
    Ok(tx.last_insert_rowid())
}

/// Makes a license group; the 501st is refused (exit 3) and audited.
pub fn add(conn: &Connection, actor: &Actor, name: &str) -> Result<i64, AgreementError> {
    audited(conn, actor, "license_group_add", name, |tx| {
        let name = check_new(tx, name)?;
        let id = insert(tx, &name)?;
        audit(tx, actor, "license_group_add", &[&name], "ok", None)?;
        Ok(id)
    })
}

/// Renames a group; the built-in one is refused (exit 3).
pub fn rename(conn: &Connection, actor: &Actor, old: &str, new: &str) -> Result<(), AgreementError> {
    audited(conn, actor, "license_group_rename", old, |tx| {
        let (id, builtin, was) = find(tx, old)?;
        refuse_builtin(builtin, &was, "renamed")?;
        let new = if new.trim().eq_ignore_ascii_case(&was) {
            new.trim().to_owned()
        } else {
            check_name(tx, new)?
        };
        tx.execute(
            "UPDATE license_groups SET name = ?2 WHERE id = ?1",
            params![id, new],
        )?;
        let detail = serde_json::json!({ "was": was, "now": new });
        Ok(audit(
            tx,
            actor,
            "license_group_rename",
            &[&new],
            "ok",
            Some(detail),
        )?)
    })
}

/// Removes a group; its agreements move to "Unassigned agreements".
/// Returns how many moved.
pub fn remove(conn: &Connection, actor: &Actor, name: &str) -> Result<usize, AgreementError> {
    audited(conn, actor, "license_group_remove", name, |tx| {
        let (id, builtin, was) = find(tx, name)?;
        refuse_builtin(builtin, &was, "removed")?;
        let moved = tx.execute(
            "UPDATE agreements SET license_group_id = ?2 WHERE license_group_id = ?1",
            params![id, UNASSIGNED],
        )?;
        tx.execute("DELETE FROM license_groups WHERE id = ?1", [id])?;
        let detail = serde_json::json!({ "agreements_moved": moved });
        audit(tx, actor, "license_group_remove", &[&was], "ok", Some(detail))?;
        Ok(moved)
    })
}

fn refuse_builtin(builtin: bool, name: &str, what: &str) -> Result<(), AgreementError> {
    if builtin {
        return Err(AgreementError::Refused(format!(
            "{name:?} is where agreements without a group stay; it can't be {what} (R-AGR-12)"
        )));
    }
    Ok(())
}

/// Runs `body` in an IMMEDIATE transaction after checking the role; a
/// refusal (rule or role) is audited in a transaction of its own.
pub(crate) fn audited<T>(
    conn: &Connection,
    actor: &Actor,
    action: &str,
    subject: &str,
    body: impl FnOnce(&Transaction<'_>) -> Result<T, AgreementError>,
) -> Result<T, AgreementError> {
    audited_as(conn, actor, Permission::ManageAgreements, action, subject, body)
}

/// `audited` for a change that `permission` allows.
pub(crate) fn audited_as<T>(
    conn: &Connection,
    actor: &Actor,
    permission: Permission,
    action: &str,
    subject: &str,
    body: impl FnOnce(&Transaction<'_>) -> Result<T, AgreementError>,
) -> Result<T, AgreementError> {
    let result = (|| {
        let tx = Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
        authorize(&tx, actor, permission)?;
        let value = body(&tx)?;
        tx.commit()?;
        Ok(value)
    })();
    if let Err(err @ (AgreementError::Refused(_) | AgreementError::NotPermitted(_))) = &result
        && !actor.read_only
    {
        let written = super::db::begin_write_on(conn, |tx| {
            audit(tx, actor, action, &[subject], &format!("refused: {err}"), None)
        });
        if let Err(err) = written {
            tracing::warn!(%err, "could not record a refused {action} in the audit log");
        }
    }
    result
}

/// One audit row of an agreement or group change.
pub(crate) fn audit(
    tx: &Connection,
    actor: &Actor,
    action: &str,
    names: &[&str],
    result: &str,
    detail: Option<serde_json::Value>,
) -> rusqlite::Result<()> {
    let names = serde_json::to_string(names).unwrap_or_else(|_| "[]".to_owned());
    tx.execute(
        "INSERT INTO audit (at, actor, action, principals, result, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            stamp(chrono::Utc::now()),
            actor.name,
            action,
            names,
            result,
            detail.map(|d| d.to_string())
        ],
    )?;
    Ok(())
}
