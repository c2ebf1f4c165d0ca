//! License installation report (R-RPT-2): per product, the computers where
//! the inventory detects it against the licenses agreements grant.

use rusqlite::{Connection, Row};
use serde::Serialize;

use super::{Scope, every, refresh_installed};
use crate::domain::FieldKind::{Number, Text};
use crate::store::filter_sql::{FilterColumn, column};
use crate::store::list::{ListSpec, Page, PageRequest, fetch_page};

/// One product's installed and licensed counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstallationRow {
    /// The product's id in the catalog (the drill-down's scope).
    #[serde(skip)]
    pub id: i64,
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

/// Column order of the console's table.
pub const COLUMNS: &[&str] = &["Publisher", "Product", "Licensed", "Installed", "Status", "Diff"];

/// What filter conditions may name.
pub const FIELDS: &[FilterColumn] = &[
    column("publisher", Text, "publisher"),
    column("product", Text, "product"),
    column("licensed", Number, "licensed"),
    column("installed", Number, "installed"),
    column("status", Text, "status"),
    column("difference", Number, "difference"),
    column("agreement", Text, "coalesce(agreements, '')"),
];

/// Products installed or licensed (with a group, `:scope`: licensed by its
/// agreements), by publisher and title. Installed comes from
/// `temp.report_installed`, filled first (see `refresh_installed`).
pub const SPEC: ListSpec = ListSpec {
    base: BASE,
    haystack: "publisher || ' ' || product || ' ' || status",
    fields: FIELDS,
    sort_keys: &[
        "publisher COLLATE NOCASE, product COLLATE NOCASE",
        "product COLLATE NOCASE",
        "licensed",
        "installed",
        "status",
        "difference",
    ],
    tiebreak: "id",
};

const BASE: &str = concat!(
    "WITH ",
    licensed_cte!(),
    ", \
    lic AS (SELECT product_id, sum(qty) AS licensed, \
              group_concat(agreement || ' (' || qty || ')', '; ') AS agreements \
            FROM licensed GROUP BY product_id) \
  SELECT *, CASE WHEN licensed = installed THEN 'covered' WHEN licensed < installed THEN 'short' \
              ELSE 'surplus' END AS status, licensed - installed AS difference \
  FROM (SELECT p.id, pub.name AS publisher, p.title AS product, \
         coalesce(lic.licensed, 0) AS licensed, coalesce(inst.installed, 0) AS installed, \
         lic.agreements, \
         (SELECT group_concat(a.name || ' ended ' || a.ends_on, '; ') FROM agreements a \
            WHERE a.kind = 'other' AND a.product_id = p.id AND a.ends_on < substr(:as_of, 1, 10)) AS ended \
    FROM products p JOIN publishers pub ON pub.id = p.publisher_id \
    LEFT JOIN lic ON lic.product_id = p.id LEFT JOIN temp.report_installed inst ON inst.product_id = p.id \
    WHERE lic.product_id IS NOT NULL OR (:scope IS NULL AND inst.product_id IS NOT NULL))"
);

/// The report's rows, as `seats report installation` prints them.
pub fn rows(conn: &Connection, scope: &Scope) -> rusqlite::Result<Vec<InstallationRow>> {
    refresh_installed(conn)?;
    every(conn, &SPEC, &scope.request(None, 0, false), map_row)
}

/// Every row passing `request`'s filter, in its order (an export).
pub fn all(conn: &Connection, request: &PageRequest) -> rusqlite::Result<Vec<InstallationRow>> {
    refresh_installed(conn)?;
    every(conn, &SPEC, request, map_row)
}

/// One window of the report (the console).
pub fn page(conn: &Connection, request: &PageRequest) -> rusqlite::Result<Page<InstallationRow>> {
    refresh_installed(conn)?;
    fetch_page(conn, &SPEC, request, map_row)
}

fn map_row(row: &Row<'_>) -> rusqlite::Result<InstallationRow> {
    let installed: i64 = row.get("installed")?;
    let agreements: Option<String> = row.get("agreements")?;
    // An agreement whose term has ended counts no more: say so, or the
    // Agreements view (which still shows it) seems to contradict the report.
    let ended: Option<String> = row.get("ended")?;
    let licensed_by = match (agreements, ended) {
        (Some(a), None) => format!("licensed by {a}"),
        (Some(a), Some(e)) => format!("licensed by {a}; not counted: {e}"),
        (None, Some(e)) => format!("no agreement in force licenses it ({e})"),
        (None, None) => "no agreement licenses it".to_owned(),
    };
    let reason = format!(
        "{licensed_by}; detected on {installed} computer{}",
        if installed == 1 { "" } else { "s" }
    );
    Ok(InstallationRow {
        id: row.get("id")?,
        publisher: row.get("publisher")?,
        product: row.get("product")?,
        licensed: row.get("licensed")?,
        installed,
        status: row.get("status")?,
        difference: row.get("difference")?,
        reason,
    })
}
