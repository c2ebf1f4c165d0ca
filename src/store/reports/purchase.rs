//! License purchase report (R-RPT-1): what each license group's agreements
//! license, per product, beside what is installed, to find gaps.

use rusqlite::{Connection, Row, named_params};
use serde::Serialize;

use super::{LICENSED_CTE, Scope};

/// One product licensed in one license group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PurchaseRow {
    pub group: String,
    pub publisher: String,
    pub product: String,
    pub licensed: i64,
    /// Computers detected with the product, organisation-wide.
    pub installed: i64,
    /// The agreements that license it, with what each grants.
    pub agreements: String,
}

const SQL: &str = "WITH {licensed} \
  SELECT g.name AS grp, pub.name AS publisher, p.title AS product, sum(l.qty) AS licensed, \
         (SELECT count(DISTINCT i.device_id) FROM inventory i WHERE i.product_id = p.id) AS installed, \
         group_concat(l.agreement || ' (' || l.qty || ')', '; ') AS agreements \
  FROM licensed l JOIN license_groups g ON g.id = l.group_id \
  JOIN products p ON p.id = l.product_id JOIN publishers pub ON pub.id = p.publisher_id \
  GROUP BY g.id, p.id \
  ORDER BY g.name COLLATE NOCASE, pub.name COLLATE NOCASE, p.title COLLATE NOCASE";

/// The report's rows.
pub fn rows(conn: &Connection, scope: &Scope) -> rusqlite::Result<Vec<PurchaseRow>> {
    let sql = SQL.replace("{licensed}", LICENSED_CTE);
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(
        named_params! {":group": scope.group, ":today": scope.today()},
        map_row,
    )?;
    rows.collect()
}

fn map_row(row: &Row<'_>) -> rusqlite::Result<PurchaseRow> {
    Ok(PurchaseRow {
        group: row.get("grp")?,
        publisher: row.get("publisher")?,
        product: row.get("product")?,
        licensed: row.get("licensed")?,
        installed: row.get("installed")?,
        agreements: row.get("agreements")?,
    })
}
