//! Users with the seats they hold (`seats users`, the Users view).

use rusqlite::{Connection, Row};
use serde::Serialize;

use super::columns::flag;
use super::filter_sql::{FilterColumn, TextIndex, column, column_within};
use super::list::{ListSpec, Page, PageRequest, fetch_page_indexed};
use super::users_route::{rarest, size};
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

pub(super) const SPEC: ListSpec = ListSpec {
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

pub(super) fn map_row(row: &Row<'_>) -> rusqlite::Result<UserRow> {
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

/// One window of the Users table. Under a filter, the first rows in UPN or
/// name order come from `users_window`; the rest (other sorts, anchored
/// windows, the count) from the full query with the index narrowing the
/// rarest word when that reads fewer rows than the table.
pub fn page(conn: &Connection, request: &PageRequest) -> rusqlite::Result<Page<UserRow>> {
    if let Some(mut page) = super::users_window::rows(conn, request)? {
        if page.count_pending() && !request.count_later {
            page.count = count(conn, request)?;
        }
        return Ok(page);
    }
    fetch_page_indexed(conn, &SPEC, Some(&narrowing(conn, request)?), request, map_row)
}

/// How many users pass the request's filter.
fn count(conn: &Connection, request: &PageRequest) -> rusqlite::Result<usize> {
    let count_only = PageRequest {
        offset: 0,
        limit: 0,
        anchor: None,
        count_later: false,
        ..request.clone()
    };
    Ok(fetch_page_indexed(
        conn,
        &SPEC,
        Some(&narrowing(conn, request)?),
        &count_only,
        map_row,
    )?
    .count)
}

/// The index narrowing a query that reads every match: by the rarest word
/// when it is in under a third of the users (measured at 1M: "sales", 15 %,
/// counts in 170 ms narrowed and 410 ms over the table; a word every user
/// holds costs 1M lookups narrowed, 8× the table).
fn narrowing(conn: &Connection, request: &PageRequest) -> rusqlite::Result<TextIndex> {
    let cap = size(conn)? / 3 + 1;
    Ok(TextIndex {
        pick: rarest(conn, request.filter.as_ref(), cap)?,
        ..SEARCH
    })
}

/// Every user passing the request's filter, in its order, with what `seats
/// users` prints (UPN, name, enabled, pool ids; the other fields empty),
/// handed to `each` as it is read (`seats users` prints the
/// pool ids and streams its output: at a million users the names, the
/// counts where no filter term reads them, and a list held whole were most
/// of the time of a search matching many users). One query, one pass.
pub fn each_without_names<E: From<rusqlite::Error>>(
    conn: &Connection,
    request: &PageRequest,
    mut each: impl FnMut(UserRow) -> Result<(), E>,
) -> Result<(), E> {
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
    let index = narrowing(conn, request)?;
    // Only what `seats users` prints is read and sorted.
    let listed = |row: &Row<'_>| -> rusqlite::Result<UserRow> {
        Ok(UserRow {
            id: row.get(0)?,
            upn: row.get(1)?,
            display_name: row.get(2)?,
            enabled: row.get::<_, i64>(3)? != 0,
            pools: split(row.get(4)?, ','),
            department: None,
            deleted: false,
            last_sign_in: None,
            pool_names: Vec::new(),
            errors: 0,
        })
    };
    let columns = "id, upn, display_name, enabled, pool_ids";
    super::users_window::each(conn, (&spec, columns), &index, request, |row| each(listed(row)?))
}

/// The trigram index over `SPEC.haystack` (migration 0017, kept by
/// triggers); which word it narrows is chosen per query.
pub(super) const SEARCH: TextIndex = TextIndex {
    table: "users_search",
    key: "id",
    pick: None,
};
