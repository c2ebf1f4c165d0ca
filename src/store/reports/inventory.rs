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
    /// The agreement's license group (a pool's: its agreement's, if any).
    pub group: Option<String>,
    pub publisher: Option<String>,
    /// An agreement's titles (a volume agreement's: what validation found).
    pub product: Option<String>,
    /// Seats bought; null when unlimited or, for an agreement, not yet known.
    pub total: Option<i64>,
    /// Seats in use (pools only: an agreement's use is the installation report's).
    pub consumed: Option<i64>,
    pub available: Option<i64>,
    /// The pool's status, or the agreement's validation.
    pub status: String,
}

// Pools first, then agreements; with a group, only agreements of that group
// and the pools that belong to one of them.
const SQL: &str = "SELECT * FROM ( \
    SELECT 0 AS part, p.name, p.kind, p.source, g.name AS grp, p.publisher, NULL AS product, \
           p.total, p.consumed, p.total - p.consumed AS available, p.status \
    FROM pools p LEFT JOIN agreements a ON a.id = p.agreement_id \
    LEFT JOIN license_groups g ON g.id = a.license_group_id \
    WHERE :group IS NULL OR a.license_group_id = :group \
    UNION ALL \
    SELECT 1, a.name, a.kind, 'agreement', g.name, \
           coalesce(pub.name, (SELECT group_concat(DISTINCT xpub.name) FROM entitlements e \
              JOIN products x ON x.id = e.product_id JOIN publishers xpub ON xpub.id = x.publisher_id \
              WHERE e.agreement_id = a.id)), \
           coalesce(p.title, (SELECT group_concat(x.title, '; ') FROM entitlements e \
              JOIN products x ON x.id = e.product_id WHERE e.agreement_id = a.id)), \
           CASE a.kind WHEN 'other' THEN a.license_count \
             ELSE (SELECT sum(e.quantity) FROM entitlements e WHERE e.agreement_id = a.id) END, \
           NULL, NULL, a.validation \
    FROM agreements a JOIN license_groups g ON g.id = a.license_group_id \
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
