//! `seats import installs FILE` (issue 8 review, B2; R-APP-7, R-APP-9):
//! install states as the device management (or the store) reports them,
//! from a CSV file with a header row: app (pool id or name), user (UPN),
//! device (name or serial number), state (installed, pending, failed,
//! not_installed), when (RFC 3339), error. seats deploys nothing itself;
//! this is how it learns what was installed, and when an app set to
//! uninstall is gone, which frees its seat.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::cli::{Failure, print};
use crate::store::changes::Actor;
use crate::store::installs_import::{self, ImportError, Outcome};
use crate::store::{self, OpenMode};

/// `seats import installs` options.
#[derive(Debug, Args)]
pub struct ImportInstallsArgs {
    /// The CSV file: a header row naming app, user, device, state, when,
    /// error (any order; see README). It replaces the installs of the apps
    /// it names.
    pub file: PathBuf,
}

/// A file larger than this is not read into memory (1M installs of long
/// names fit well below it).
const MAX_FILE_BYTES: u64 = 512 << 20;

impl From<ImportError> for Failure {
    fn from(err: ImportError) -> Self {
        Failure {
            code: err.exit_code(),
            message: err.to_string(),
        }
    }
}

/// Whether `command` is `seats import installs` (it changes the cache).
pub fn changes_cache(command: &crate::cli::Commands) -> bool {
    matches!(
        command,
        crate::cli::Commands::Import {
            what: crate::cli_agreements::ImportWhat::Installs(_)
        }
    )
}

/// Runs `seats import installs`.
pub fn import(db: &Path, actor: &Actor, args: &ImportInstallsArgs) -> Result<(), Failure> {
    let shown = args.file.display().to_string();
    let file_name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let cant = |err: std::io::Error| Failure::usage(format!("can't read {shown}: {err}"));
    let size = std::fs::metadata(&args.file).map_err(cant)?.len();
    if size > MAX_FILE_BYTES {
        return Err(Failure::usage(format!(
            "{shown} is {size} bytes; import at most {MAX_FILE_BYTES} bytes at a time (split the file by app); \
             nothing was imported"
        )));
    }
    let bytes = std::fs::read(&args.file).map_err(cant)?;
    let conn = store::open(db, OpenMode::MustExist)?;
    let outcome = installs_import::import(&conn, actor, &file_name, &bytes, chrono::Utc::now()).map_err(
        |err| match err {
            ImportError::BadFile(_) => Failure {
                code: err.exit_code(),
                message: format!("{shown}: {err}"),
            },
            other => other.into(),
        },
    )?;
    print(&summary(&shown, &outcome))
}

/// What was imported.
fn summary(file: &str, o: &Outcome) -> String {
    let s = |n: usize| if n == 1 { "" } else { "s" };
    let mut out = format!(
        "imported {} install{} of {} app{} from {file}, replacing the {} reported before\n",
        o.rows,
        s(o.rows),
        o.apps,
        s(o.apps),
        o.replaced
    );
    if o.seats_freed > 0 {
        out.push_str(&format!(
            "  {} seat{} set to uninstall freed: the app is no longer reported installed (R-APP-7)\n",
            o.seats_freed,
            s(o.seats_freed as usize)
        ));
    }
    out
}
