//! Inventory of all licenses (R-RPT-3): every pool, Microsoft and others,
//! and every agreement, volume and other software, as rows of one list.

use rusqlite::{Connection, Row, named_params};
use serde::Serialize;

use super::Scope;

/// One license: a pool or an agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LicenseRow {
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
}

// Pools first, then agreements. A pool that seats an agreement (kind
// `agreement`) is not listed apart: its consumed seats show on the
// agreement's row, so one license is one row. With a group, only the
// agreements of that group.
const SQL: &str = "SELECT * FROM ( \
    SELECT 0 AS part, p.name, p.kind, p.source, NULL AS grp, p.publisher, NULL AS product, \
           p.total, p.consumed, p.total - p.consumed AS available, p.status \
    FROM pools p WHERE p.agreement_id IS NULL AND :group IS NULL \
    UNION ALL \
    SELECT 1, a.name, a.kind, 'agreement', g.name, \
           coalesce(pub.name, (SELECT group_concat(DISTINCT xpub.name) FROM entitlements e \
              JOIN products x ON x.id = e.product_id JOIN publishers xpub ON xpub.id = x.publisher_id \
              WHERE e.agreement_id = a.id)), \
           coalesce(p.title, (SELECT group_concat(x.title, '; ') FROM entitlements e \
              JOIN products x ON x.id = e.product_id WHERE e.agreement_id = a.id)), \
           t.total, c.consumed, t.total - c.consumed, a.validation \
    FROM agreements a \
    JOIN (SELECT a2.id, CASE a2.kind WHEN 'other' THEN a2.license_count \
            ELSE (SELECT sum(e.quantity) FROM entitlements e WHERE e.agreement_id = a2.id) END AS total \
          FROM agreements a2) t ON t.id = a.id \
    LEFT JOIN (SELECT agreement_id, sum(consumed) AS consumed FROM pools \
               WHERE agreement_id IS NOT NULL GROUP BY agreement_id) c ON c.agreement_id = a.id \
    JOIN license_groups g ON g.id = a.license_group_id \
    LEFT JOIN products p ON p.id = a.product_id LEFT JOIN publishers pub ON pub.id = p.publisher_id \
    WHERE :group IS NULL OR a.license_group_id = :group) \
  ORDER BY part, name COLLATE NOCASE";

/// The report's rows.
pub fn rows(conn: &Connection, scope: &Scope) -> rusqlite::Result<Vec<LicenseRow>> {
    let mut stmt = conn.prepare(SQL)?;
    let rows = stmt.query_map(named_params! {":group": scope.group}, map_row)?;
    rows.collect()
}

fn map_row(row: &Row<'_>) -> rusqlite::Result<LicenseRow> {
    Ok(LicenseRow {
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
    })
}
