//! Seat utilization (R-RPT-5): every pool of every source with total,
//! consumed and available seats, and the seats that could be reclaimed.

use std::sync::LazyLock;

use rusqlite::{Connection, Row};
use serde::Serialize;

use super::{Scope, every};
use crate::domain::FieldKind::{Number, Text};
use crate::store::filter_sql::{FilterColumn, column};
use crate::store::list::{ListSpec, Page, PageRequest, fetch_page};
use crate::store::reclaim;

/// One pool's use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UtilizationRow {
    /// The pool's id (the drill-down opens its seats).
    #[serde(skip)]
    pub id: i64,
    pub pool: String,
    pub kind: String,
    pub source: String,
    /// Null: unlimited.
    pub total: Option<i64>,
    pub consumed: i64,
    pub available: Option<i64>,
    /// Seats held by deleted, disabled or long-inactive users (R-LIC-5, the
    /// rule of `store::reclaim`).
    pub reclaimable: i64,
}

/// Column order of the console's table.
pub const COLUMNS: &[&str] = &["Source", "Pool", "Kind", "Total", "Used", "Free", "Reclaim"];

/// What filter conditions may name.
pub const FIELDS: &[FilterColumn] = &[
    column("source", Text, "source"),
    column("pool", Text, "pool"),
    column("kind", Text, "kind"),
    column("total", Number, "total"),
    column("used", Number, "consumed"),
    column("free", Number, "available"),
    column("reclaim", Number, "reclaimable"),
];

// The reclaimable seats are the Reclaim view's own rows counted per pool,
// so the two can never disagree. With a group (`:scope`), only the pools
// of its agreements.
static BASE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT p.id, p.name AS pool, p.kind, p.source, p.total, p.consumed, \
                p.total - p.consumed AS available, coalesce(r.reclaimable, 0) AS reclaimable \
         FROM pools p LEFT JOIN agreements a ON a.id = p.agreement_id \
         LEFT JOIN (SELECT pool_id, count(*) AS reclaimable FROM ({}) GROUP BY pool_id) r \
           ON r.pool_id = p.id \
         WHERE :scope IS NULL OR a.license_group_id = :scope",
        reclaim::SPEC.base
    )
});

fn spec() -> ListSpec {
    ListSpec {
        base: BASE.as_str(),
        haystack: "pool || ' ' || kind || ' ' || source",
        fields: FIELDS,
        sort_keys: &[
            "source, pool COLLATE NOCASE",
            "pool COLLATE NOCASE",
            "kind",
            "total",
            "consumed",
            "available",
            "reclaimable",
        ],
        tiebreak: "id",
    }
}

/// The report's rows; `scope.now` is the moment inactivity is counted to.
pub fn rows(conn: &Connection, scope: &Scope) -> rusqlite::Result<Vec<UtilizationRow>> {
    every(conn, &spec(), &scope.request(None, 0, false), map_row)
}

/// Every row passing `request`'s filter, in its order (an export).
pub fn all(conn: &Connection, request: &PageRequest) -> rusqlite::Result<Vec<UtilizationRow>> {
    every(conn, &spec(), request, map_row)
}

/// One window of the report (the console).
pub fn page(conn: &Connection, request: &PageRequest) -> rusqlite::Result<Page<UtilizationRow>> {
    fetch_page(conn, &spec(), request, map_row)
}

fn map_row(row: &Row<'_>) -> rusqlite::Result<UtilizationRow> {
    Ok(UtilizationRow {
        id: row.get("id")?,
        pool: row.get("pool")?,
        kind: row.get("kind")?,
        source: row.get("source")?,
        total: row.get("total")?,
        consumed: row.get("consumed")?,
        available: row.get("available")?,
        reclaimable: row.get("reclaimable")?,
    })
}
