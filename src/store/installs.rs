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
    if let Some(page) = by_user_walk(conn, request)? {
        return Ok(page);
    }
    fetch_page(conn, &SPEC, request, map_row)
}

/// Below this many installs in the list, sorting them all is as quick as
/// walking every user for them.
const WALK_FROM: i64 = 50_000;

// The columns of SPEC for one part of the walk; `{from}` joins the rest.
const WALK_COLUMNS: &str = "SELECT i.id, i.app_id, a.name AS app, {user} AS user, d.name AS device, \
                                   i.state, i.error, i.updated_at";
const WALK_TAIL: &str = "JOIN apps a ON a.id = i.app_id LEFT JOIN devices d ON d.id = i.device_id";

/// The default order (user, then id) with no filter, read by walking
/// indexes (migration 0022) instead of sorting every install: at a million
/// users the sort took ~1 s a window. The same rows as SPEC: installs
/// without a user sort first (their user is ''), by id, then each user's,
/// users by UPN (unique, so no ties between users). None: SPEC's way.
fn by_user_walk(conn: &Connection, request: &PageRequest) -> rusqlite::Result<Option<Page<InstallRow>>> {
    if request.sort != 0 || request.descending || request.filter.is_some() || request.anchor.is_some() {
        return Ok(None);
    }
    // A user whose UPN is empty would sort among the installs without one.
    let blank: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM users WHERE upn = '')", [], |r| {
        r.get(0)
    })?;
    let scope = request.scope;
    let app = if scope.is_some() { " AND i.app_id = ?1" } else { "" };
    // Every install has its app (a foreign key), so the list holds them all.
    let (count, without_user): (i64, i64) = conn.query_row(
        &format!(
            "SELECT (SELECT count(*) FROM installs i WHERE 1{app}), \
                    (SELECT count(*) FROM installs i WHERE i.user_id IS NULL{app})"
        ),
        rusqlite::params_from_iter(scope),
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if blank || (scope.is_some() && count < WALK_FROM) {
        return Ok(None);
    }
    let (offset, limit) = (request.offset, request.limit.min(i64::MAX as usize) as i64);
    // Every app's: in id order straight from the table (through the index
    // the planner would sort all ~40% of installs without a user); one
    // app's come from installs_user in id order.
    let table = if scope.is_some() {
        "installs i"
    } else {
        "installs i NOT INDEXED"
    };
    let no_user = format!(
        "{} FROM {table} {WALK_TAIL} WHERE i.user_id IS NULL{app} ORDER BY i.id LIMIT ?2 OFFSET ?3",
        WALK_COLUMNS.replace("{user}", "NULL")
    );
    let by_user = format!(
        "{} FROM users u CROSS JOIN installs i ON i.user_id = u.id {WALK_TAIL} WHERE 1{app} \
         ORDER BY u.upn COLLATE NOCASE, i.id LIMIT ?2 OFFSET ?3",
        WALK_COLUMNS.replace("{user}", "u.upn")
    );
    let read = |sql: &str, limit: i64, skip: i64| -> rusqlite::Result<Vec<InstallRow>> {
        let mut stmt = conn.prepare_cached(sql)?;
        // Unscoped, ?1 is not in the statement; binding it is harmless.
        let rows = stmt
            .query_map(rusqlite::params![scope, limit, skip], map_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    };
    let skip = offset as i64;
    let mut rows = if skip < without_user {
        read(&no_user, limit, skip)?
    } else {
        Vec::new()
    };
    let missing = limit - rows.len() as i64;
    if missing > 0 {
        rows.extend(read(&by_user, missing, (skip - without_user).max(0))?);
    }
    Ok(Some(Page {
        offset,
        rows,
        count: count.max(0) as usize,
        anchor: None,
    }))
}
