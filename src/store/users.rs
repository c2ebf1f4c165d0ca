//! Users with the seats they hold (`seats users`, the Users view).

use rusqlite::{Connection, Row};
use serde::Serialize;

use super::columns::flag;
use super::filter_sql::{FilterColumn, TextIndex, column, column_within};
use super::list::{ListSpec, Page, PageRequest, fetch_page_indexed};
use crate::domain::FieldKind::{Date, Flag, Number, Text};
use crate::domain::filter::Test;
use crate::store::db::state_code;

/// One user and the pools whose seat they hold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserRow {
    #[serde(skip)]
    pub id: i64,
    pub upn: String,
    pub display_name: String,
    pub enabled: bool,
    /// Ids of the pools whose seat the user holds.
    pub pools: Vec<i64>,
    #[serde(skip)]
    pub department: Option<String>,
    #[serde(skip)]
    pub deleted: bool,
    #[serde(skip)]
    pub last_sign_in: Option<String>,
    /// Names of those pools, for the screen.
    #[serde(skip)]
    pub pool_names: Vec<String>,
    /// Seats this user should get through a group but got none (CountViolation).
    #[serde(skip)]
    pub errors: i64,
}

/// Column order of the Users table.
pub const COLUMNS: &[&str] = &["UPN", "Name", "Department", "State", "Seats", "Last sign-in"];

/// What filter conditions may name in Users; `state` is the word the State
/// column shows, `pool` a name of a pool whose seat the user holds, and a
/// user who never signed in counts as having signed in long ago.
pub const FIELDS: &[FilterColumn] = &[
    column("upn", Text, "upn"),
    column("name", Text, "display_name"),
    column("dept", Text, "coalesce(department, '')"),
    column(
        "state",
        Text,
        "CASE WHEN errors > 0 THEN 'error' WHEN deleted THEN 'deleted' \
         WHEN NOT enabled THEN 'disabled' ELSE 'enabled' END",
    ),
    column("enabled", Flag, "enabled"),
    column("deleted", Flag, "deleted"),
    column("seats", Number, "seat_count"),
    column("errors", Number, "errors"),
    // The pools a user holds, found from the pools' side: the few pools
    // whose name matches, then their seats through the pool index.
    column_within(
        "pool",
        Text,
        "p.name",
        concat!(
            "id IN (SELECT s.user_id FROM pools p CROSS JOIN assignments s ON s.pool_id = p.id \
             WHERE s.state_code <> ",
            state_code!("error"),
            " AND s.user_id IS NOT NULL AND {test})"
        ),
    ),
    column("signin", Date, "coalesce(last_sign_in, '0000-01-01')"),
];

/// The columns every Users list reads: `$names` is where the names of the
/// pools a user holds go (NULL where nothing shows them), `$counts` the
/// seat and error counts (`COUNTS`, or zeros where nothing reads them),
/// `$from_hint` an index hint for the users table.
macro_rules! users_base {
    ($names:expr, $counts:expr, $from_hint:literal) => {
        concat!(
            "SELECT u.id, u.upn, u.display_name, u.department, u.enabled, u.deleted, u.last_sign_in, \
               (SELECT group_concat(s.pool_id, ',') FROM assignments s \
                  WHERE s.user_id = u.id AND s.state_code <> ",
            state_code!("error"),
            ") AS pool_ids, ",
            $names,
            " AS pool_names, ",
            $counts,
            " FROM users u",
            $from_hint
        )
    };
}

macro_rules! counts {
    () => {
        concat!(
            "(SELECT count(*) FROM assignments s WHERE s.user_id = u.id AND s.state_code <> ",
            state_code!("error"),
            ") AS seat_count, \
             (SELECT count(*) FROM assignments s WHERE s.user_id = u.id AND s.state_code = ",
            state_code!("error"),
            ") AS errors"
        )
    };
}

const SPEC: ListSpec = ListSpec {
    base: users_base!(
        concat!(
            "(SELECT group_concat(p.name, char(31)) FROM assignments s JOIN pools p ON p.id = s.pool_id \
             WHERE s.user_id = u.id AND s.state_code <> ",
            state_code!("error"),
            ")"
        ),
        counts!(),
        ""
    ),
    // What the filter searches: UPN, name and department, not state words
    // (or "ed" would match every enabled user).
    haystack: "upn || ' ' || display_name || ' ' || coalesce(department, '')",
    fields: FIELDS,
    sort_keys: &[
        "upn COLLATE NOCASE",
        "display_name COLLATE NOCASE",
        "coalesce(department, '')",
        "deleted * 2 + (1 - enabled)",
        "seat_count",
        "coalesce(last_sign_in, '')",
    ],
    tiebreak: "id",
};

fn split<T: std::str::FromStr>(joined: Option<String>, separator: char) -> Vec<T> {
    joined
        .map(|text| {
            text.split(separator)
                .filter_map(|part| part.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

fn map_row(row: &Row<'_>) -> rusqlite::Result<UserRow> {
    Ok(UserRow {
        id: row.get("id")?,
        upn: row.get("upn")?,
        display_name: row.get("display_name")?,
        enabled: flag(row, "enabled")?,
        pools: split(row.get("pool_ids")?, ','),
        department: row.get("department")?,
        deleted: flag(row, "deleted")?,
        last_sign_in: row.get("last_sign_in")?,
        pool_names: split(row.get("pool_names")?, '\u{1f}'),
        errors: row.get("errors")?,
    })
}

/// One window of the Users table.
pub fn page(conn: &Connection, request: &PageRequest) -> rusqlite::Result<Page<UserRow>> {
    fetch_page_indexed(conn, &SPEC, Some(&SEARCH), request, map_row)
}

/// The Users list without the pools' names, for `seats users`, which prints
/// pool ids: at a million users the names, and the counts where no filter
/// term reads them, were most of the time of a search matching many users.
pub fn page_without_names(conn: &Connection, request: &PageRequest) -> rusqlite::Result<Page<UserRow>> {
    // Every row is read, so a scan of the table and one sort beats walking
    // the UPN index with a table lookup per user.
    const COUNTED: &str = users_base!("NULL", counts!(), " NOT INDEXED");
    const UNCOUNTED: &str = users_base!("NULL", "0 AS seat_count, 0 AS errors", " NOT INDEXED");
    let reads_counts = request.filter.as_ref().is_some_and(|filter| {
        filter.terms.iter().any(|term| {
            matches!(&term.test, Test::Condition { field, .. } if matches!(field.name, "seats" | "errors" | "state"))
        })
    });
    let spec = ListSpec {
        base: if reads_counts { COUNTED } else { UNCOUNTED },
        ..SPEC
    };
    fetch_page_indexed(conn, &spec, Some(&SEARCH), request, map_row)
}

/// The trigram index over `SPEC.haystack` (migration 0017, kept by triggers).
const SEARCH: TextIndex = TextIndex {
    table: "users_search",
    key: "id",
};
