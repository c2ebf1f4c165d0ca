//! Roles (R-LIC-6): who may change what, and managing the admins table.
//! The roles guard admins from mistakes on a shared host; the file's own
//! permissions are what keep others out.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::batch::{Ctx, Entry};
use super::{Actor, ChangeError, Refusal, write_audited};
use crate::domain::Role;
use crate::store::status::role_of;

/// What a change needs permission for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Assign, unassign, release, undo, add group members: global, license or user.
    Assign,
    /// Remove a user who leaves: global or user.
    RemoveUser,
    /// Add, change or remove admins: global.
    ManageAdmins,
    /// Import agreements, manage license groups (R-AGR-*): global or license.
    ManageAgreements,
    /// Record, activate, resize or cancel subscriptions (R-SUB-*): global or license.
    ManageSubscriptions,
}

impl Permission {
    fn allows(self, role: Role) -> bool {
        match self {
            Permission::Assign => role.may_assign(),
            Permission::RemoveUser => matches!(role, Role::Global | Role::User),
            Permission::ManageAdmins => role == Role::Global,
            Permission::ManageAgreements | Permission::ManageSubscriptions => {
                matches!(role, Role::Global | Role::License)
            }
        }
    }

    /// The roles that may, in words.
    fn roles(self) -> &'static str {
        match self {
            Permission::Assign => "global, license or user administrator",
            Permission::RemoveUser => "global or user administrator",
            Permission::ManageAdmins => "global administrator",
            Permission::ManageAgreements | Permission::ManageSubscriptions => {
                "global or license administrator"
            }
        }
    }

    /// The role to suggest granting.
    fn suggest(self) -> Role {
        match self {
            Permission::Assign => Role::License,
            Permission::RemoveUser => Role::User,
            Permission::ManageAdmins => Role::Global,
            Permission::ManageAgreements | Permission::ManageSubscriptions => Role::License,
        }
    }

    fn what(self) -> &'static str {
        match self {
            Permission::Assign => "assigning and releasing seats",
            Permission::RemoveUser => "removing users",
            Permission::ManageAdmins => "managing admins",
            Permission::ManageAgreements => "changing agreements and license groups",
            Permission::ManageSubscriptions => "changing subscriptions",
        }
    }
}

/// The actor's role if it allows `action`; otherwise says which role is
/// needed and how to get it. `--read-only` refuses every change.
pub fn authorize(conn: &Connection, actor: &Actor, action: Permission) -> Result<Role, ChangeError> {
    if actor.read_only {
        return Err(ChangeError::NotPermitted(format!(
            "opened with --read-only: {} is not possible in this session; run seats without --read-only",
            action.what()
        )));
    }
    let grant = format!(
        "{} needs the {} role; a global administrator can grant it with \
         `seats admins add {} --role {}`",
        action.what(),
        action.roles(),
        actor.name,
        action.suggest()
    );
    match role_of(conn, &actor.name)? {
        Some(role) if action.allows(role) => Ok(role),
        Some(role) => Err(ChangeError::NotPermitted(format!(
            "{} has the {} role; {grant}",
            actor.name,
            role.label()
        ))),
        None => Err(ChangeError::NotPermitted(format!(
            "{} is not an admin of this cache; {grant}",
            actor.name
        ))),
    }
}

/// One admin and their role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdminRow {
    pub os_user: String,
    pub role: Role,
    pub added_at: String,
    pub added_by: String,
}

/// Every admin, by OS user name.
pub fn list_admins(conn: &Connection) -> rusqlite::Result<Vec<AdminRow>> {
    let mut stmt =
        conn.prepare_cached("SELECT os_user, role, added_at, added_by FROM admins ORDER BY os_user")?;
    let rows = stmt.query_map([], |row| {
        let role: String = row.get(1)?;
        Ok(AdminRow {
            os_user: row.get(0)?,
            role: role.parse().unwrap_or(Role::Reader),
            added_at: row.get(2)?,
            added_by: row.get(3)?,
        })
    })?;
    rows.collect()
}

/// Adds an admin, or changes their role; refuses to demote the last global
/// administrator. Audited as 'admin_add'.
pub fn add_admin(conn: &Connection, actor: &Actor, os_user: &str, role: Role) -> Result<(), ChangeError> {
    write_audited(conn, actor, "admin_add", |tx, attempt| {
        attempt.principals.push(os_user.to_owned());
        attempt.detail = Some(serde_json::json!({ "role": role.as_str() }));
        authorize(tx, actor, Permission::ManageAdmins)?;
        check_name(os_user)?;
        let was = current_role(tx, os_user)?;
        if was == Some(Role::Global) && role != Role::Global {
            refuse_last_global(tx, os_user)?;
        }
        let ctx = Ctx::begin(tx, &actor.name, "admin_add", None)?;
        tx.execute(
            "INSERT INTO admins (os_user, role, added_at, added_by) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (os_user) DO UPDATE SET role = excluded.role",
            params![os_user, role.as_str(), ctx.at, actor.name],
        )?;
        let detail = match was {
            Some(old) => serde_json::json!({ "role": role.as_str(), "was": old.as_str() }),
            None => serde_json::json!({ "role": role.as_str() }),
        };
        audit_admin(&ctx, "admin_add", os_user, detail)
    })
}

/// Removes an admin; refuses to remove the last global administrator.
/// Audited as 'admin_remove'.
pub fn remove_admin(conn: &Connection, actor: &Actor, os_user: &str) -> Result<(), ChangeError> {
    write_audited(conn, actor, "admin_remove", |tx, attempt| {
        attempt.principals.push(os_user.to_owned());
        authorize(tx, actor, Permission::ManageAdmins)?;
        let was = current_role(tx, os_user)?.ok_or_else(|| {
            ChangeError::NotFound(format!(
                "{os_user:?} is not an admin of this cache; `seats admins list` shows who is"
            ))
        })?;
        if was == Role::Global {
            refuse_last_global(tx, os_user)?;
        }
        let ctx = Ctx::begin(tx, &actor.name, "admin_remove", None)?;
        tx.execute("DELETE FROM admins WHERE os_user = ?1", [os_user])?;
        audit_admin(
            &ctx,
            "admin_remove",
            os_user,
            serde_json::json!({ "role": was.as_str() }),
        )
    })
}

fn check_name(os_user: &str) -> Result<(), ChangeError> {
    let bad = os_user.is_empty()
        || os_user.len() > 64
        || os_user.chars().any(|c| c.is_whitespace() || c.is_control());
    if bad {
        return Err(ChangeError::Invalid(format!(
            "{os_user:?} is not an OS user name: give the login name, 1 to 64 characters, no spaces"
        )));
    }
    Ok(())
}

fn current_role(conn: &Connection, os_user: &str) -> rusqlite::Result<Option<Role>> {
    let text: Option<String> = conn
        .query_row("SELECT role FROM admins WHERE os_user = ?1", [os_user], |row| {
            row.get(0)
        })
        .optional()?;
    Ok(text.and_then(|t| t.parse().ok()))
}

fn refuse_last_global(conn: &Connection, os_user: &str) -> Result<(), ChangeError> {
    let globals: i64 = conn.query_row("SELECT count(*) FROM admins WHERE role = 'global'", [], |row| {
        row.get(0)
    })?;
    if globals <= 1 {
        return Err(Refusal::LastGlobalAdmin {
            os_user: os_user.to_owned(),
        }
        .into());
    }
    Ok(())
}

fn audit_admin(
    ctx: &Ctx<'_>,
    action: &str,
    os_user: &str,
    detail: serde_json::Value,
) -> Result<(), ChangeError> {
    ctx.audit(&Entry {
        action,
        pool: None,
        principals: &[os_user.to_owned()],
        before: None,
        after: None,
        result: "ok",
        detail: Some(detail),
    })?;
    Ok(())
}
