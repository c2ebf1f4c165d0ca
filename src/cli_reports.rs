//! `seats report purchase|installation|inventory|utilization [--group NAME]
//! [--format table|csv|json]` (issue 9, R-RPT-1..5): the same rows as a
//! table, CSV or a JSON array. Every report says its figures are
//! informational (R-AGR-13): after the table, or on stderr for CSV and JSON
//! so their stdout stays machine-readable.

use std::path::Path;

use clap::{Args, ValueEnum};

use crate::cli::{Failure, print};
use crate::output::{self, Format};
use crate::store::reports::{NOTE, Scope, installation, inventory, purchase, utilization};
use crate::store::{self, OpenMode, license_groups};

/// The reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Report {
    /// Licensed software per license group (R-RPT-1).
    Purchase,
    /// Per product, installed against licensed: covered, short or surplus (R-RPT-2).
    Installation,
    /// Every license, pools and agreements, in one list (R-RPT-3).
    Inventory,
    /// Per pool total / consumed / available and reclaimable seats (R-RPT-5).
    Utilization,
}

/// `seats report` options.
#[derive(Debug, Args)]
pub struct ReportArgs {
    #[arg(value_enum)]
    pub report: Report,
    /// Only the agreements of this license group (and their pools).
    #[arg(long, value_name = "NAME")]
    pub group: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Runs `seats report`.
pub fn run(db: &Path, args: &ReportArgs) -> Result<(), Failure> {
    let conn = store::open(db, OpenMode::MustExist)?;
    let group = match &args.group {
        Some(name) => Some(license_groups::find(&conn, name)?.0),
        None => None,
    };
    let scope = Scope {
        group,
        now: chrono::Utc::now(),
    };
    let format = args.format;
    let mut text = match args.report {
        Report::Purchase => render_purchase(format, &purchase::rows(&conn, &scope)?),
        Report::Installation => render_installation(format, &installation::rows(&conn, &scope)?),
        Report::Inventory => render_inventory(format, &inventory::rows(&conn, &scope)?),
        Report::Utilization => render_utilization(format, &utilization::rows(&conn, &scope)?),
    };
    if format == Format::Table {
        text.push_str(&format!("\n{NOTE}\n"));
    } else {
        eprintln!("seats: {NOTE}");
    }
    print(&text)
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
