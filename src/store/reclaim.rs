//! Seats held by users who left or stopped working: deleted or disabled at
//! the source, or inactive for 90 days (R-LIC-5). The Reclaim view lists the
//! seats a release frees: seats held through a group stay while the group
//! reaches the user (removing the user, `D` in Users, drops those too).

use rusqlite::{Connection, Row};

use super::filter_sql::{FilterColumn, column};
use super::list::{ListSpec, Page, PageRequest, fetch_page};
use crate::domain::FieldKind::{Date, Number, Text};
use crate::store::db::state_code;

/// Days without a sign-in after which a user counts as long inactive.
pub const INACTIVE_DAYS: i64 = 90;

/// One reclaimable seat.
#[derive(Debug, Clone, PartialEq)]
pub struct ReclaimRow {
    /// The assignment's id.
    pub id: i64,
    pub upn: String,
    pub display_name: String,
    pub pool_id: i64,
    pub pool: String,
    /// deleted, disabled or inactive.
    pub reason: String,
    pub last_sign_in: Option<String>,
    pub inactive_days: Option<i64>,
}

/// Column order of the Reclaim table.
pub const COLUMNS: &[&str] = &["User", "Pool", "Reason", "Inactive", "Last sign-in"];

/// What filter conditions may name in Reclaim; a user who never signed in
/// counts as inactive for longer than any number of days.
pub const FIELDS: &[FilterColumn] = &[
    column("user", Text, "upn"),
    column("name", Text, "display_name"),
    column("pool", Text, "pool"),
    column("reason", Text, "reason"),
    column("inactive", Number, "coalesce(inactive_days, 9223372036854775807)"),
    column("signin", Date, "coalesce(last_sign_in, '0000-01-01')"),
];

// Users drive the join (CROSS JOIN fixes the order): few of them have left,
// and their seats come from the index on assignments(user_id), instead of
// scanning a million seats for the few that are reclaimable. Public: the
// utilization report (store::reports) counts these seats per pool.
pub const SPEC: ListSpec = ListSpec {
    base: concat!(
        "SELECT s.id, u.upn, u.display_name, p.id AS pool_id, p.name AS pool, u.last_sign_in, \
           CAST(julianday(:as_of) - julianday(u.last_sign_in) AS INTEGER) AS inactive_days, \
           CASE WHEN u.deleted THEN 'deleted' WHEN NOT u.enabled THEN 'disabled' ELSE 'inactive' END AS reason \
         FROM users u \
         CROSS JOIN assignments s ON s.user_id = u.id \
         JOIN pools p ON p.id = s.pool_id \
         WHERE s.state_code <> ",
        state_code!("error"),
        " AND s.via_group_id IS NULL AND (u.deleted = 1 OR u.enabled = 0 OR u.last_sign_in IS NULL \
               OR julianday(:as_of) - julianday(u.last_sign_in) > 90)"
    ),
    haystack: "upn || ' ' || display_name || ' ' || pool || ' ' || reason",
    fields: FIELDS,
    sort_keys: &[
        "upn COLLATE NOCASE",
        "pool COLLATE NOCASE",
        "reason",
        "coalesce(inactive_days, 999999)",
        "coalesce(last_sign_in, '')",
    ],
    tiebreak: "id",
};

fn map_row(row: &Row<'_>) -> rusqlite::Result<ReclaimRow> {
    Ok(ReclaimRow {
        id: row.get("id")?,
        upn: row.get("upn")?,
        display_name: row.get("display_name")?,
        pool_id: row.get("pool_id")?,
        pool: row.get("pool")?,
        reason: row.get("reason")?,
        last_sign_in: row.get("last_sign_in")?,
        inactive_days: row.get("inactive_days")?,
    })
}

/// One window of reclaimable seats.
pub fn page(conn: &Connection, request: &PageRequest) -> rusqlite::Result<Page<ReclaimRow>> {
    fetch_page(conn, &SPEC, request, map_row)
}

/// The ids of every reclaimable seat that passes `request`'s filter, for
/// "release all listed".
pub fn all_ids(conn: &Connection, request: &PageRequest) -> rusqlite::Result<Vec<i64>> {
    let all = PageRequest {
        offset: 0,
        limit: usize::MAX >> 1,
        ..request.clone()
    };
    Ok(page(conn, &all)?.rows.into_iter().map(|r| r.id).collect())
}
