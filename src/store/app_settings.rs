//! How an offline app installs (R-APP-4): for the one user on a device
//! (per user) or for every user of the device (per device). Online and VPP
//! apps are installed by their store per user, so only offline apps have
//! the choice. Audited as `app_install_scope`.

use rusqlite::{Connection, OptionalExtension as _, params};

use super::connectors_admin::{AdminError, stamp};

/// The install scopes an offline app may have.
pub const SCOPES: [&str; 2] = ["user", "device"];

/// Why `app_id` can't take an install scope, if it can't: (name, before).
pub fn check(conn: &Connection, app_id: i64) -> Result<(String, Option<String>), AdminError> {
    let found: Option<(String, String, Option<String>)> = conn
        .query_row(
            "SELECT name, license_type, install_scope FROM apps WHERE id = ?1",
            [app_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    match found {
        None => Err(AdminError::Invalid(format!(
            "no app with id {app_id}; `seats apps` lists them"
        ))),
        Some((name, license, _)) if license != "offline" => Err(AdminError::Invalid(format!(
            "{name} is a {license} app: its store installs it per user, so there is no per-device choice; \
             only offline apps have one"
        ))),
        Some((name, _, before)) => Ok((name, before)),
    }
}

/// Sets how offline app `app_id` installs; returns its name.
pub fn set_install_scope(
    conn: &Connection,
    app_id: i64,
    scope: &str,
    actor: &str,
) -> Result<String, AdminError> {
    if !SCOPES.contains(&scope) {
        return Err(AdminError::Invalid(format!(
            "unknown install scope {scope:?}: use user or device"
        )));
    }
    super::db::begin_write_on(conn, |tx| {
        let (name, before) = match check(tx, app_id) {
            Ok(found) => found,
            Err(err) => return Ok(Err(err)),
        };
        tx.execute(
            "UPDATE apps SET install_scope = ?2 WHERE id = ?1",
            params![app_id, scope],
        )?;
        let detail = serde_json::json!({ "app": name, "install_scope": scope, "before": before });
        tx.execute(
            "INSERT INTO audit (at, actor, action, principals, result, detail) \
             VALUES (?1, ?2, 'app_install_scope', json_array(?3), 'ok', ?4)",
            params![stamp(chrono::Utc::now()), actor, name, detail.to_string()],
        )?;
        Ok(Ok(name))
    })?
}
