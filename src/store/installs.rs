//! Installs of apps for users and devices (R-APP-9): the Installs view,
//! opened from Apps with `I` for one app (`:scope`) or with `:installs`
//! for every app, filtered by state like any pane (`state=failed`).

use rusqlite::{Connection, Row};

use super::filter_sql::{FilterColumn, column, column_within};
use super::list::{ListSpec, Page, PageRequest, fetch_page};
use crate::domain::FieldKind::{Date, Text};

/// One install as the Installs view shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct InstallRow {
    pub id: i64,
    pub app_id: i64,
    pub app: String,
    /// The user's UPN; None for a device install with no user.
    pub user: Option<String>,
    pub device: Option<String>,
    /// installed, pending, failed or not_installed.
    pub state: String,
    pub error: Option<String>,
    /// When the state was last reported (RFC 3339).
    pub updated_at: String,
}

/// Column order of the Installs table.
pub const COLUMNS: &[&str] = &["User", "Device", "State", "When", "Error", "App"];

/// What filter conditions may name in Installs.
pub const FIELDS: &[FilterColumn] = &[
    column("user", Text, "coalesce(user, '')"),
    column("device", Text, "coalesce(device, '')"),
    // As stored (not_installed) or as the screen shows it (not installed).
    column_within(
        "state",
        Text,
        "spelled.value",
        "EXISTS (SELECT 1 FROM json_each(json_array(state, replace(state, '_', ' '))) AS spelled WHERE {test})",
    ),
    column("when", Date, "updated_at"),
    column("error", Text, "coalesce(error, '')"),
    column("app", Text, "app"),
];

// Scoped to one app when `:scope` is set (the app's id), else every app.
const SPEC: ListSpec = ListSpec {
    base: "SELECT i.id, i.app_id, a.name AS app, u.upn AS user, d.name AS device, i.state, i.error, \
                  i.updated_at \
           FROM installs i JOIN apps a ON a.id = i.app_id \
           LEFT JOIN users u ON u.id = i.user_id LEFT JOIN devices d ON d.id = i.device_id \
           WHERE (:scope IS NULL OR i.app_id = :scope)",
    haystack: "coalesce(user, '') || ' ' || coalesce(device, '') || ' ' || state || ' ' || \
               coalesce(error, '') || ' ' || app",
    fields: FIELDS,
    sort_keys: &[
        "coalesce(user, '') COLLATE NOCASE",
        "coalesce(device, '') COLLATE NOCASE",
        // Failed first, then pending: what needs the admin comes up top.
        "CASE state WHEN 'failed' THEN 0 WHEN 'pending' THEN 1 WHEN 'not_installed' THEN 2 ELSE 3 END",
        "updated_at",
        "coalesce(error, '')",
        "app COLLATE NOCASE",
    ],
    tiebreak: "id",
};

fn map_row(row: &Row<'_>) -> rusqlite::Result<InstallRow> {
    Ok(InstallRow {
        id: row.get("id")?,
        app_id: row.get("app_id")?,
        app: row.get("app")?,
        user: row.get("user")?,
        device: row.get("device")?,
        state: row.get("state")?,
        error: row.get("error")?,
        updated_at: row.get("updated_at")?,
    })
}

/// One window of the installs of app `request.scope` (every app when None).
pub fn page(conn: &Connection, request: &PageRequest) -> rusqlite::Result<Page<InstallRow>> {
    fetch_page(conn, &SPEC, request, map_row)
}
