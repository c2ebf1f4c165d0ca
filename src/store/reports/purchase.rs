//! License purchase report (R-RPT-1): what each license group's agreements
//! license, per product, beside what is installed, to find gaps.

use rusqlite::{Connection, Row};
use serde::Serialize;

use super::{Scope, every, refresh_installed};
use crate::domain::FieldKind::{Number, Text};
use crate::store::filter_sql::{FilterColumn, column};
use crate::store::list::{ListSpec, Page, PageRequest, fetch_page};

/// One product licensed in one license group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PurchaseRow {
    /// The group's and the product's ids in one number (group << 32 | product).
    #[serde(skip)]
    pub id: i64,
    /// The product's id in the catalog (the drill-down's scope).
    #[serde(skip)]
    pub product_id: i64,
    pub group: String,
    pub publisher: String,
    pub product: String,
    pub licensed: i64,
    /// Computers detected with the product, organisation-wide.
    pub installed: i64,
    /// The agreements that license it, with what each grants.
    pub agreements: String,
}

/// Column order of the console's table.
pub const COLUMNS: &[&str] = &["Group", "Publisher", "Product", "Licensed", "Installed"];

/// What filter conditions may name.
pub const FIELDS: &[FilterColumn] = &[
    column("group", Text, "grp"),
    column("publisher", Text, "publisher"),
    column("product", Text, "product"),
    column("licensed", Number, "licensed"),
    column("installed", Number, "installed"),
    column("gap", Number, "installed - licensed"),
    column("agreement", Text, "agreements"),
];

/// Per license group (`:scope`: only that one) and product; installed from
/// `temp.report_installed`, filled first.
pub const SPEC: ListSpec = ListSpec {
    base: concat!(
        "WITH ",
        licensed_cte!(),
        " SELECT (g.id << 32) | p.id AS id, p.id AS product_id, g.name AS grp, pub.name AS publisher, \
           p.title AS product, sum(l.qty) AS licensed, \
           coalesce((SELECT n.installed FROM temp.report_installed n WHERE n.product_id = p.id), 0) AS installed, \
           group_concat(l.agreement || ' (' || l.qty || ')', '; ') AS agreements \
    FROM licensed l JOIN license_groups g ON g.id = l.group_id \
    JOIN products p ON p.id = l.product_id JOIN publishers pub ON pub.id = p.publisher_id \
    GROUP BY g.id, p.id"
    ),
    haystack: "grp || ' ' || publisher || ' ' || product",
    fields: FIELDS,
    sort_keys: &[
        "grp COLLATE NOCASE, publisher COLLATE NOCASE, product COLLATE NOCASE",
        "publisher COLLATE NOCASE, product COLLATE NOCASE",
        "product COLLATE NOCASE",
        "licensed",
        "installed",
    ],
    tiebreak: "id",
};

/// The report's rows, as `seats report purchase` prints them.
pub fn rows(conn: &Connection, scope: &Scope) -> rusqlite::Result<Vec<PurchaseRow>> {
    refresh_installed(conn)?;
    every(conn, &SPEC, &scope.request(None, 0, false), map_row)
}

/// Every row passing `request`'s filter, in its order (an export).
pub fn all(conn: &Connection, request: &PageRequest) -> rusqlite::Result<Vec<PurchaseRow>> {
    refresh_installed(conn)?;
    every(conn, &SPEC, request, map_row)
}

/// One window of the report (the console).
pub fn page(conn: &Connection, request: &PageRequest) -> rusqlite::Result<Page<PurchaseRow>> {
    refresh_installed(conn)?;
    fetch_page(conn, &SPEC, request, map_row)
}

fn map_row(row: &Row<'_>) -> rusqlite::Result<PurchaseRow> {
    Ok(PurchaseRow {
        id: row.get("id")?,
        product_id: row.get("product_id")?,
        group: row.get("grp")?,
        publisher: row.get("publisher")?,
        product: row.get("product")?,
        licensed: row.get("licensed")?,
        installed: row.get("installed")?,
        agreements: row.get("agreements")?,
    })
}
