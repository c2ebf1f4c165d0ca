//! Inventory of all licenses (R-RPT-3): every pool, Microsoft and others,
//! and every agreement, volume and other software, as rows of one list.

use rusqlite::{Connection, Row};
use serde::Serialize;

use super::{Scope, every};
use crate::domain::FieldKind::{Number, Text};
use crate::store::filter_sql::{FilterColumn, column};
use crate::store::list::{ListSpec, Page, PageRequest, fetch_page};

/// One license: a pool or an agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LicenseRow {
    /// A pool's id × 2, an agreement's × 2 + 1: one number for either.
    #[serde(skip)]
    pub id: i64,
    /// The pool's id, for a pool (the drill-down opens its seats).
    #[serde(skip)]
    pub pool_id: Option<i64>,
    /// The agreement's id, for an agreement.
    #[serde(skip)]
    pub agreement_id: Option<i64>,
    pub name: String,
    /// The pool's kind (`m365`, `vpp`, …) or the agreement's (`volume`, `other`).
    pub kind: String,
    /// The pool's source, or `agreement`.
    pub source: String,
    /// The agreement's license group; null for a pool.
    pub group: Option<String>,
    pub publisher: Option<String>,
    /// An agreement's titles (a volume agreement's: what validation found).
    pub product: Option<String>,
    /// Seats bought; null when unlimited or, for an agreement, not yet known.
    pub total: Option<i64>,
    /// Seats in use: a pool's, or those of the pools seating an agreement
    /// (null when none does: its installs are the installation report's).
    pub consumed: Option<i64>,
    pub available: Option<i64>,
    /// The pool's status, or the agreement's validation.
    pub status: String,
    /// Why the pool is disabled: the console's drill-down refuses `a` at
    /// the key as Licenses does (not in the report itself).
    #[serde(skip)]
    pub disabled_reason: Option<String>,
}

/// Column order of the console's table.
pub const COLUMNS: &[&str] = &["Name", "Kind", "Source", "Total", "Used", "Free", "Status"];

/// What filter conditions may name.
pub const FIELDS: &[FilterColumn] = &[
    column("name", Text, "name"),
    column("kind", Text, "kind"),
    column("source", Text, "source"),
    column("group", Text, "coalesce(grp, '')"),
    column("publisher", Text, "coalesce(publisher, '')"),
    column("product", Text, "coalesce(product, '')"),
    column("total", Number, "total"),
    column("used", Number, "consumed"),
    column("free", Number, "available"),
    column("status", Text, "status"),
];

// Every pool and every agreement, one row each. A pool that seats an agreement (kind
// `agreement`) is not listed apart: its consumed seats show on the
// agreement's row, so one license is one row. With a group (`:scope`),
// only the agreements of that group.
pub const SPEC: ListSpec = ListSpec {
    base: "SELECT p.id * 2 AS id, p.id AS pool_id, NULL AS agreement_id, p.name, p.kind, \
           p.source, NULL AS grp, p.publisher, NULL AS product, \
           p.total, p.consumed, p.total - p.consumed AS available, p.status, p.disabled_reason \
    FROM pools p WHERE p.agreement_id IS NULL AND :scope IS NULL \
    UNION ALL \
    SELECT a.id * 2 + 1, NULL, a.id, a.name, a.kind, 'agreement', g.name, \
           coalesce(pub.name, (SELECT group_concat(DISTINCT xpub.name) FROM entitlements e \
              JOIN products x ON x.id = e.product_id JOIN publishers xpub ON xpub.id = x.publisher_id \
              WHERE e.agreement_id = a.id)), \
           coalesce(p.title, (SELECT group_concat(x.title, '; ') FROM entitlements e \
              JOIN products x ON x.id = e.product_id WHERE e.agreement_id = a.id)), \
           t.total, c.consumed, t.total - c.consumed, a.validation, NULL \
    FROM agreements a \
    JOIN (SELECT a2.id, CASE a2.kind WHEN 'other' THEN a2.license_count \
            ELSE (SELECT sum(e.quantity) FROM entitlements e WHERE e.agreement_id = a2.id) END AS total \
          FROM agreements a2) t ON t.id = a.id \
    LEFT JOIN (SELECT agreement_id, sum(consumed) AS consumed FROM pools \
               WHERE agreement_id IS NOT NULL GROUP BY agreement_id) c ON c.agreement_id = a.id \
    JOIN license_groups g ON g.id = a.license_group_id \
    LEFT JOIN products p ON p.id = a.product_id LEFT JOIN publishers pub ON pub.id = p.publisher_id \
    WHERE :scope IS NULL OR a.license_group_id = :scope",
    haystack: "name || ' ' || kind || ' ' || source || ' ' || coalesce(grp, '') || ' ' || \
               coalesce(publisher, '') || ' ' || coalesce(product, '')",
    fields: FIELDS,
    // Pools and agreements sort together: a text column, then the name,
    // then the kind. Each key is one expression (the fields joined by
    // char(1), below every printable character; NOCASE stops at a NUL),
    // because the list appends its direction to the key's last term only:
    // "name, kind DESC" would keep the names rising.
    sort_keys: &[
        "(name || char(1) || kind) COLLATE NOCASE",
        "(kind || char(1) || name) COLLATE NOCASE",
        "(source || char(1) || name || char(1) || kind) COLLATE NOCASE",
        "total",
        "consumed",
        "available",
        "(status || char(1) || name || char(1) || kind) COLLATE NOCASE",
    ],
    tiebreak: "id",
};

/// The report's rows, as `seats report inventory` prints them.
pub fn rows(conn: &Connection, scope: &Scope) -> rusqlite::Result<Vec<LicenseRow>> {
    every(conn, &SPEC, &scope.request(None, 0, false), map_row)
}

/// Every row passing `request`'s filter, in its order (an export).
pub fn all(conn: &Connection, request: &PageRequest) -> rusqlite::Result<Vec<LicenseRow>> {
    every(conn, &SPEC, request, map_row)
}

/// One window of the report (the console).
pub fn page(conn: &Connection, request: &PageRequest) -> rusqlite::Result<Page<LicenseRow>> {
    fetch_page(conn, &SPEC, request, map_row)
}

fn map_row(row: &Row<'_>) -> rusqlite::Result<LicenseRow> {
    Ok(LicenseRow {
        id: row.get("id")?,
        pool_id: row.get("pool_id")?,
        agreement_id: row.get("agreement_id")?,
        name: row.get("name")?,
        kind: row.get("kind")?,
        source: row.get("source")?,
        group: row.get("grp")?,
        publisher: row.get("publisher")?,
        product: row.get("product")?,
        total: row.get("total")?,
        consumed: row.get("consumed")?,
        available: row.get("available")?,
        status: row.get("status")?,
        disabled_reason: row.get("disabled_reason")?,
    })
}
