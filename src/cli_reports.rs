//! `seats report purchase|installation|inventory|utilization [--group NAME]
//! [--format table|csv|json]` (issue 9, R-RPT-1..5): the same rows as a
//! table, CSV or a JSON array. Every report says its figures are
//! informational (R-AGR-13): after the table, or on stderr for CSV and JSON
//! so their stdout stays machine-readable.

use std::path::Path;

use clap::{Args, ValueEnum};

use crate::cli::{Failure, print};
use crate::output::Format;
use crate::store::reports::render::render;
use crate::store::reports::{Kind, NOTE, Scope};
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

impl Report {
    /// The store's name for the report.
    pub fn kind(self) -> Kind {
        match self {
            Report::Purchase => Kind::Purchase,
            Report::Installation => Kind::Installation,
            Report::Inventory => Kind::Inventory,
            Report::Utilization => Kind::Utilization,
        }
    }
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
    let request = scope.request(None, 0, false);
    let (_, mut text) = render(&conn, args.report.kind(), format, &request)?;
    if format == Format::Table {
        text.push_str(&format!("\n{NOTE}\n"));
    } else {
        eprintln!("seats: {NOTE}");
    }
    print(&text)
}
