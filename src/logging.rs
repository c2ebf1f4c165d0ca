//! The tracing log file. Nothing is written to the terminal while the
//! console runs, and a log that cannot be opened never stops seats.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// The log file's name inside the log directory.
pub const LOG_FILE: &str = "seats.log";

/// Starts logging to `dir/seats.log` (level from `SEATS_LOG`, default info).
/// Keep the guard alive until exit so the last lines are flushed.
pub fn init(dir: &Path) -> Option<WorkerGuard> {
    std::fs::create_dir_all(dir).ok()?;
    // The builder reports a file it cannot open; `rolling::never` panics.
    let appender = tracing_appender::rolling::RollingFileAppender::builder()
        .rotation(tracing_appender::rolling::Rotation::NEVER)
        .filename_prefix(LOG_FILE)
        .build(dir)
        .ok()?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env("SEATS_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}
