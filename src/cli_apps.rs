//! `seats apps [--filter F] [--format table|csv|json]`: the store apps
//! (Apple Apps and Books, Microsoft Store for Business) with their seats
//! and installs (issue 8). Vendor (ISV) apps are subscriptions and are
//! listed with them, not here.

use std::path::Path;

use clap::Args;
use serde::Serialize;

use crate::app::PaneId;
use crate::cli::{Failure, print};
use crate::output::{self, Format};
use crate::store::apps::{self, AppRow};
use crate::store::{self, OpenMode, PageRequest};

/// `seats apps` options.
#[derive(Debug, Args)]
pub struct AppsArgs {
    /// Keep apps that pass the console's filter (`license:vpp`,
    /// `failed>0`, `free=0`).
    #[arg(long, value_name = "FILTER")]
    pub filter: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// One app as `seats apps` prints it (JSON keys are the contract).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppLine {
    /// The id of the app's pool (what `seats assign --pool` takes).
    pub id: Option<i64>,
    pub name: String,
    /// `apple` or `store_business`.
    pub store: &'static str,
    /// `online`, `offline` or `vpp`.
    pub license: String,
    /// Null when unlimited (free apps).
    pub total: Option<i64>,
    pub consumed: i64,
    /// Null when unlimited.
    pub available: Option<i64>,
    pub installed: i64,
    pub pending: i64,
    pub failed: i64,
    /// Installs reported not installed (R-APP-9).
    pub not_installed: i64,
    /// True when the app's seats are unlimited (`total` and `available`
    /// null for that reason, not for lack of a pool).
    pub unlimited: bool,
    /// Why the last sync skipped the app (then `id` is null and nothing is
    /// counted), e.g. an encrypted package (R-APP-3).
    pub skipped: Option<String>,
}

/// Runs `seats apps`.
pub fn run(db: &Path, args: &AppsArgs) -> Result<(), Failure> {
    let filter = crate::headless::parse_filter(PaneId::Apps, args.filter.as_deref())
        .map_err(|err| Failure::usage(format!("--filter {err}")))?;
    let conn = store::open(db, OpenMode::MustExist)?;
    let request = PageRequest {
        filter,
        limit: usize::MAX >> 1,
        ..PageRequest::default()
    };
    let lines: Vec<AppLine> = apps::page(&conn, &request)?
        .rows
        .into_iter()
        .filter_map(line)
        .collect();
    print(&render(args.format, &lines))
}

/// The line of a store app; None for an app of no store.
fn line(row: AppRow) -> Option<AppLine> {
    let store = match row.source.as_str() {
        "apple_vpp" => "apple",
        "store_business" => "store_business",
        _ => return None,
    };
    let consumed = row.consumed.unwrap_or(0);
    Some(AppLine {
        id: row.pool_id,
        name: row.name,
        store,
        license: row.license_type,
        total: row.total,
        consumed,
        available: row.total.map(|total| (total - consumed).max(0)),
        installed: row.installed,
        pending: row.pending,
        failed: row.failed,
        not_installed: row.not_installed,
        unlimited: row.pool_id.is_some() && row.total.is_none(),
        skipped: row
            .pool_id
            .is_none()
            .then(|| row.skip_reason.unwrap_or_else(|| row.sync_status.clone())),
    })
}

fn render(format: Format, lines: &[AppLine]) -> String {
    let headers = [
        "id",
        "name",
        "store",
        "license",
        "total",
        "consumed",
        "available",
        "installed",
        "pending",
        "failed",
        "not_installed",
        "skipped",
    ];
    let cells: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            // An app with no pool (skipped by sync) has no seats to count:
            // empty, so a CSV's numeric columns hold numbers or nothing.
            let count = |n: Option<i64>| match (l.id, n) {
                (None, _) => String::new(),
                (Some(_), None) => "unlimited".to_owned(),
                (Some(_), Some(n)) => n.to_string(),
            };
            vec![
                l.id.map(|id| id.to_string()).unwrap_or_default(),
                l.name.clone(),
                l.store.to_owned(),
                l.license.clone(),
                count(l.total),
                l.consumed.to_string(),
                count(l.available),
                l.installed.to_string(),
                l.pending.to_string(),
                l.failed.to_string(),
                l.not_installed.to_string(),
                l.skipped.clone().unwrap_or_default(),
            ]
        })
        .collect();
    output::render(format, &headers, &cells, lines)
}
