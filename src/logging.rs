//! The tracing log file. Nothing is written to the terminal while the
//! console runs, and a log that cannot be opened never stops seats.

use std::fs::File;
use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// The log file's name inside the log directory.
pub const LOG_FILE: &str = "seats.log";

/// Starts logging to `dir/seats.log` (level from `SEATS_LOG`, default info).
/// Keep the guard alive until exit so the last lines are flushed.
pub fn init(dir: &Path) -> Option<WorkerGuard> {
    crate::paths::ensure_private_dir(dir).ok()?;
    let file = open_private(&dir.join(LOG_FILE)).ok()?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter = EnvFilter::try_from_env("SEATS_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}

/// Opens the log for appending, created readable by its owner only (0600):
/// it names users, pools and paths.
fn open_private(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let file = options.open(path)?;
        // A log left by an older seats (0644) is made private too.
        let meta = file.metadata()?;
        if meta.permissions().mode() & 0o077 != 0 {
            let _ = file.set_permissions(std::fs::Permissions::from_mode(0o600));
        }
        Ok(file)
    }
    #[cfg(not(unix))]
    options.open(path)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[allow(clippy::unwrap_used)]
    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn the_log_is_created_0600_and_an_old_0644_log_is_made_private() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("new.log");
        open_private(&fresh).unwrap();
        assert_eq!(mode(&fresh), 0o600);
        let old = dir.path().join("old.log");
        std::fs::write(&old, "earlier lines\n").unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
        open_private(&old).unwrap();
        assert_eq!(mode(&old), 0o600);
        assert_eq!(
            std::fs::read_to_string(&old).unwrap(),
            "earlier lines\n",
            "appended, not truncated"
        );
    }
}
