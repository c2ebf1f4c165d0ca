//! How an offline app installs (R-APP-4): for the one user on a device
//! (per user) or for every user of the device (per device). Online and VPP
//! apps are installed by their store per user, so only offline apps have
//! the choice. Changed by `changes::set_install_scope`, audited as
//! `app_install_scope` and undoable.

use rusqlite::{Connection, OptionalExtension as _};

use super::connectors_admin::AdminError;

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
