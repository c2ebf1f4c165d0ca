//! The reports as text: a table, CSV or a JSON array, one function per
//! report over its rows. `seats report` and the console's `:export csv|json`
//! both call `render`, so a file exported from the console holds exactly
//! what the command line prints for the same rows (R-RPT-4).

use rusqlite::Connection;

use super::{Kind, installation, inventory, purchase, utilization};
use crate::output::{self, Format};
use crate::store::list::PageRequest;

/// Every row of report `kind` that passes `request`'s filter, in its
/// order, rendered as `format`; with the number of rows.
pub fn render(
    conn: &Connection,
    kind: Kind,
    format: Format,
    request: &PageRequest,
) -> rusqlite::Result<(usize, String)> {
    Ok(match kind {
        Kind::Purchase => {
            let rows = purchase::all(conn, request)?;
            (rows.len(), render_purchase(format, &rows))
        }
        Kind::Installation => {
            let rows = installation::all(conn, request)?;
            (rows.len(), render_installation(format, &rows))
        }
        Kind::Inventory => {
            let rows = inventory::all(conn, request)?;
            (rows.len(), render_inventory(format, &rows))
        }
        Kind::Utilization => {
            let rows = utilization::all(conn, request)?;
            (rows.len(), render_utilization(format, &rows))
        }
    })
}

fn num(value: Option<i64>) -> String {
    value.map(|n| n.to_string()).unwrap_or_default()
}

fn render_purchase(format: Format, rows: &[purchase::PurchaseRow]) -> String {
    let headers = [
        "group",
        "publisher",
        "product",
        "licensed",
        "installed",
        "agreements",
    ];
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.group.clone(),
                r.publisher.clone(),
                r.product.clone(),
                r.licensed.to_string(),
                r.installed.to_string(),
                r.agreements.clone(),
            ]
        })
        .collect();
    output::render(format, &headers, &cells, rows)
}

fn render_installation(format: Format, rows: &[installation::InstallationRow]) -> String {
    let headers = [
        "publisher",
        "product",
        "licensed",
        "installed",
        "status",
        "difference",
        "reason",
    ];
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            // People read "short by 3"; CSV keeps the plain status.
            let status = match (format, r.status.as_str()) {
                (Format::Table, "short") => format!("short by {}", -r.difference),
                (Format::Table, "surplus") => format!("surplus {}", r.difference),
                _ => r.status.clone(),
            };
            vec![
                r.publisher.clone(),
                r.product.clone(),
                r.licensed.to_string(),
                r.installed.to_string(),
                status,
                r.difference.to_string(),
                r.reason.clone(),
            ]
        })
        .collect();
    output::render(format, &headers, &cells, rows)
}

fn render_inventory(format: Format, rows: &[inventory::LicenseRow]) -> String {
    let headers = [
        "name",
        "kind",
        "source",
        "group",
        "publisher",
        "product",
        "total",
        "consumed",
        "available",
        "status",
    ];
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.name.clone(),
                r.kind.clone(),
                r.source.clone(),
                text(&r.group),
                text(&r.publisher),
                text(&r.product),
                num(r.total),
                num(r.consumed),
                num(r.available),
                r.status.clone(),
            ]
        })
        .collect();
    output::render(format, &headers, &cells, rows)
}

fn render_utilization(format: Format, rows: &[utilization::UtilizationRow]) -> String {
    let headers = [
        "pool",
        "kind",
        "source",
        "total",
        "consumed",
        "available",
        "reclaimable",
    ];
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.pool.clone(),
                r.kind.clone(),
                r.source.clone(),
                r.total.map_or_else(|| "unlimited".to_owned(), |n| n.to_string()),
                r.consumed.to_string(),
                num(r.available),
                r.reclaimable.to_string(),
            ]
        })
        .collect();
    output::render(format, &headers, &cells, rows)
}
