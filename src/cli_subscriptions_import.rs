//! `seats import subscriptions FILE [--dry-run]` (issue 10): records SaaS
//! and ISV purchases from a CSV with a header row (README lists the
//! columns). A file with any bad row imports nothing and lists every bad
//! row with its line, column, value and rule (exit 2).

use std::path::{Path, PathBuf};

use clap::Args;

use crate::cli::{Failure, print};
use crate::domain::subscription_csv;
use crate::output::{self, Format};
use crate::store::changes::Actor;
use crate::store::subscriptions::SubscriptionRow;
use crate::store::{self, OpenMode, subscriptions_import};

/// `seats subscriptions --format csv`'s columns: the ones this import
/// reads, under its names, so a listing imports into another cache as it
/// is. `id` and `consumed` are this cache's (the import ignores them).
pub const EXPORT_HEADERS: &[&str] = &[
    "id",
    "name",
    "publisher",
    "kind",
    "channel",
    "pricing",
    "status",
    "disabled_reason",
    "quantity",
    "consumed",
    "price",
    "currency",
    "period",
    "starts",
    "term_end",
    "region",
    "billing_profile",
    "activation_url",
    "install_url",
    "vendor_managed",
];

/// The subscriptions as the import reads them: the price apart from its
/// currency, an empty quantity for unlimited, `yes`/`no` for the vendor.
pub fn export_csv(rows: &[SubscriptionRow]) -> String {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                r.name.clone(),
                text(&r.publisher),
                r.kind.clone(),
                text(&r.channel),
                text(&r.pricing),
                r.status.clone(),
                text(&r.disabled_reason),
                r.quantity.map(|q| q.to_string()).unwrap_or_default(),
                r.consumed.to_string(),
                r.price.map(|p| format!("{p:.2}")).unwrap_or_default(),
                text(&r.currency),
                text(&r.period),
                text(&r.starts_on),
                text(&r.term_end),
                text(&r.region),
                text(&r.billing_profile),
                text(&r.activation_url),
                text(&r.install_url),
                if r.vendor_managed { "yes" } else { "no" }.to_owned(),
            ]
        })
        .collect();
    output::render(Format::Csv, EXPORT_HEADERS, &cells, rows)
}

/// The largest subscriptions file read (5,000 rows of generous width).
const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// `seats import subscriptions` options.
#[derive(Debug, Args)]
pub struct ImportSubscriptionsArgs {
    /// The CSV file: a header row, then one purchase a row.
    pub file: PathBuf,
    /// Show what would be recorded; change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    let cant = |err: std::io::Error| {
        Failure::usage(format!(
            "can't read {}: {err}; nothing was imported",
            path.display()
        ))
    };
    let size = std::fs::metadata(path).map_err(cant)?.len();
    if size > MAX_FILE_BYTES {
        return Err(Failure::usage(format!(
            "{} is {size} bytes, more than a subscriptions file of 5,000 rows needs; nothing was imported",
            path.display()
        )));
    }
    std::fs::read(path).map_err(cant)
}

pub fn import(db: &Path, actor: &Actor, args: &ImportSubscriptionsArgs) -> Result<(), Failure> {
    let shown = args.file.display().to_string();
    let bytes = read(&args.file)?;
    let conn = store::open(db, OpenMode::MustExist)?;
    let refuse = |problems: Vec<String>| Failure {
        code: 2,
        message: format!("{shown}: nothing was imported:\n{}", problems.join("\n")),
    };
    let rows = subscription_csv::parse(&bytes).map_err(refuse)?;
    let clashes = subscriptions_import::clashes(&conn, &rows)?;
    if !clashes.is_empty() {
        return Err(refuse(clashes));
    }
    let listed: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "  {} ({}, {}, {})",
                r.name,
                r.kind,
                r.region,
                r.status.replace('_', " ")
            )
        })
        .collect();
    if args.dry_run {
        return print(&format!(
            "dry run: would record {} subscription(s) from {shown}; nothing changed\n{}\n",
            rows.len(),
            listed.join("\n")
        ));
    }
    let file_name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let today = chrono::Utc::now().date_naive().to_string();
    let (added, _) =
        subscriptions_import::import(&conn, actor, &file_name, &rows, &today).map_err(|err| match err {
            crate::store::license_groups::AgreementError::Invalid(text) => Failure {
                code: 2,
                message: format!("{shown}: nothing was imported:\n{text}"),
            },
            other => other.into(),
        })?;
    print(&format!(
        "recorded {added} subscription(s) from {shown}; pending ones are activated at the publisher, then with \
         `seats subscription activate ID`\n{}\n",
        listed.join("\n")
    ))
}
