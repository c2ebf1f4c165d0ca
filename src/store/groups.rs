//! Groups with their members, the pools they are given, and members in
//! error (no seat was free when they joined: Graph's CountViolation, R-LIC-7).

use rusqlite::{Connection, Row};

use super::filter_sql::{FilterColumn, column};
use super::list::{ListSpec, Page, PageRequest, fetch_page};
use crate::domain::FieldKind::{Number, Text};
use crate::store::db::state_code;

/// One group as the Groups view shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    /// Direct members (users, devices, nested groups).
    pub members: i64,
    /// Pools this group is assigned.
    pub pools: i64,
    /// Members whose seat through this group is in error.
    pub errors: i64,
    /// Names of the assigned pools.
    pub pool_names: Vec<String>,
}

/// Column order of the Groups table.
pub const COLUMNS: &[&str] = &["Name", "Kind", "Members", "Pools", "Errors"];

/// What filter conditions may name in Groups; `pool` is the name of a pool
/// the group is given.
pub const FIELDS: &[FilterColumn] = &[
    column("name", Text, "name"),
    column("kind", Text, "kind"),
    column("members", Number, "members"),
    column("pools", Number, "pools"),
    column("errors", Number, "errors"),
    column("pool", Text, "coalesce(pool_names, '')"),
];

const SPEC: ListSpec = ListSpec {
    base: concat!(
        // Direct members: kept with the group by triggers (migration 0026).
        "SELECT g.id, g.name, g.kind, g.member_count AS members, \
           (SELECT count(*) FROM group_assignments ga WHERE ga.group_id = g.id) AS pools, \
           (SELECT count(*) FROM assignments s WHERE s.via_group_id = g.id AND s.state_code = ",
        state_code!("error"),
        ") AS errors, \
           (SELECT group_concat(p.name, char(31)) FROM group_assignments ga JOIN pools p ON p.id = ga.pool_id \
              WHERE ga.group_id = g.id) AS pool_names \
         FROM groups g"
    ),
    haystack: "name || ' ' || kind || CASE WHEN errors > 0 THEN ' error CountViolation' ELSE '' END",
    fields: FIELDS,
    sort_keys: &["name COLLATE NOCASE", "kind", "members", "pools", "errors"],
    tiebreak: "id",
};

fn map_row(row: &Row<'_>) -> rusqlite::Result<GroupRow> {
    let names: Option<String> = row.get("pool_names")?;
    Ok(GroupRow {
        id: row.get("id")?,
        name: row.get("name")?,
        kind: row.get("kind")?,
        members: row.get("members")?,
        pools: row.get("pools")?,
        errors: row.get("errors")?,
        pool_names: names
            .map(|n| n.split('\u{1f}').map(str::to_owned).collect())
            .unwrap_or_default(),
    })
}

/// One window of the Groups view.
pub fn page(conn: &Connection, request: &PageRequest) -> rusqlite::Result<Page<GroupRow>> {
    fetch_page(conn, &SPEC, request, map_row)
}
