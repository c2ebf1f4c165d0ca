//! `seats import entitlements FILE` (issue 9, R-AGR-8): the licensing-summary
//! export of the volume-licensing portal, then every volume agreement's
//! number sets validated against it.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::cli::{Failure, print};
use crate::domain::entitlement_csv;
use crate::domain::entitlement_problem::describe;
use crate::store::changes::Actor;
use crate::store::entitlements_import::{self, Imported};
use crate::store::{self, OpenMode};

/// `seats import entitlements` options.
#[derive(Debug, Args)]
pub struct ImportEntitlementsArgs {
    /// The licensing-summary CSV downloaded from the volume-licensing
    /// portal (agreement and enrollment numbers, product, quantity, start
    /// and end dates; see README).
    pub file: PathBuf,
}

/// 100,000 rows of numbers, a title and dates fit well under this.
const MAX_FILE_BYTES: u64 = 64 << 20;

/// Runs `seats import entitlements FILE`.
pub fn import(db: &Path, actor: &Actor, args: &ImportEntitlementsArgs) -> Result<(), Failure> {
    let shown = args.file.display().to_string();
    let bytes = read_file(&args.file)?;
    let rows = entitlement_csv::parse(&bytes).map_err(|problems| Failure {
        code: 2,
        message: format!("{shown}: {}", describe(&problems)),
    })?;
    let file_name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let conn = store::open(db, OpenMode::MustExist)?;
    let imported = entitlements_import::import(&conn, actor, &file_name, &rows, chrono::Utc::now())?;
    print(&summary(&shown, &imported))
}

fn read_file(path: &Path) -> Result<Vec<u8>, Failure> {
    let cant = |err: std::io::Error| Failure::usage(format!("can't read {}: {err}", path.display()));
    let size = std::fs::metadata(path).map_err(cant)?.len();
    if size > MAX_FILE_BYTES {
        return Err(Failure::usage(format!(
            "{} is {size} bytes, too large for a licensing summary; nothing was imported",
            path.display()
        )));
    }
    std::fs::read(path).map_err(cant)
}

fn summary(file: &str, imported: &Imported) -> String {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let mut out = format!(
        "imported {} entitlement{} ({} number set{}) from {file}, replacing the previous licensing summary\n",
        imported.rows,
        plural(imported.rows),
        imported.pairs,
        plural(imported.pairs)
    );
    if !imported.new_products.is_empty() {
        out.push_str(&format!(
            "added to the software catalog under Microsoft: {}\n",
            imported.new_products.join(", ")
        ));
    }
    out.push_str(&imported.validated.summary());
    out.push('\n');
    out
}
