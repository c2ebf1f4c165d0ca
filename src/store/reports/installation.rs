//! License installation report (R-RPT-2): per product, the computers where
//! the inventory detects it against the licenses agreements grant.

use rusqlite::{Connection, Row, named_params};
use serde::Serialize;

use super::{LICENSED_CTE, Scope};

/// One product's installed and licensed counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstallationRow {
    pub publisher: String,
    pub product: String,
    pub licensed: i64,
    /// Distinct computers where the inventory detects the title.
    pub installed: i64,
    /// `covered`, `short` or `surplus`.
    pub status: String,
    /// licensed − installed: negative when short, positive when surplus.
    pub difference: i64,
    /// Which agreements count, with what each grants.
    pub reason: String,
}

/// Products installed or licensed (with a group: licensed by its
/// agreements), by publisher and title.
pub const SQL: &str = "WITH {licensed}, \
    lic AS (SELECT product_id, sum(qty) AS licensed, \
              group_concat(agreement || ' (' || qty || ')', '; ') AS agreements \
            FROM licensed GROUP BY product_id), \
    inst AS (SELECT product_id, count(DISTINCT device_id) AS installed \
             FROM inventory GROUP BY product_id) \
  SELECT pub.name AS publisher, p.title AS product, \
         coalesce(lic.licensed, 0) AS licensed, coalesce(inst.installed, 0) AS installed, \
         lic.agreements \
  FROM products p JOIN publishers pub ON pub.id = p.publisher_id \
  LEFT JOIN lic ON lic.product_id = p.id LEFT JOIN inst ON inst.product_id = p.id \
  WHERE lic.product_id IS NOT NULL OR (:group IS NULL AND inst.product_id IS NOT NULL) \
  ORDER BY pub.name COLLATE NOCASE, p.title COLLATE NOCASE";

/// The report's rows.
pub fn rows(conn: &Connection, scope: &Scope) -> rusqlite::Result<Vec<InstallationRow>> {
    let sql = SQL.replace("{licensed}", LICENSED_CTE);
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(
        named_params! {":group": scope.group, ":today": scope.today()},
        map_row,
    )?;
    rows.collect()
}

fn map_row(row: &Row<'_>) -> rusqlite::Result<InstallationRow> {
    let (licensed, installed): (i64, i64) = (row.get("licensed")?, row.get("installed")?);
    let agreements: Option<String> = row.get("agreements")?;
    let status = match licensed.cmp(&installed) {
        std::cmp::Ordering::Equal => "covered",
        std::cmp::Ordering::Less => "short",
        std::cmp::Ordering::Greater => "surplus",
    };
    let reason = format!(
        "{}; detected on {installed} computer{}",
        agreements.map_or_else(
            || "no agreement licenses it".to_owned(),
            |a| format!("licensed by {a}")
        ),
        if installed == 1 { "" } else { "s" }
    );
    Ok(InstallationRow {
        publisher: row.get("publisher")?,
        product: row.get("product")?,
        licensed,
        installed,
        status: status.to_owned(),
        difference: licensed - installed,
        reason,
    })
}
