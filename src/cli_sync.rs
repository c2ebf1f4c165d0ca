//! `seats sync [--connector NAME] [--full]`: push each connector's pending
//! changes, then pull, for cron and systemd timers (issue 7, R-CON-5,
//! R-CON-8). One line per connector on stdout when it synced; a failure's
//! line goes to stderr with the source's request id. Progress shows on
//! stderr, one line redrawn in place, only when stderr is a terminal.

use std::io::{IsTerminal as _, Write as _};
use std::path::Path;

use clap::Args;
use rusqlite::Connection;

use crate::cli::{Failure, print};
use crate::config::Config;
use crate::domain::ConnectorKind;
use crate::store::connectors_admin::{self, ConnectorConfig};
use crate::store::{self, OpenMode};
use crate::worker::sync::{self, SyncError, SyncOptions, SyncProgress};

/// `seats sync` options.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The connector to sync, by name (`seats connectors` lists them);
    /// without it, every enabled Microsoft Graph, Apple and Store for
    /// Business connector.
    #[arg(long, value_name = "NAME")]
    pub connector: Option<String>,
    /// Read everything from the source, even when a delta link would read
    /// only what changed since the last sync.
    #[arg(long)]
    pub full: bool,
    /// Take the Apple content token over from the device-management
    /// product that holds it; the assignments that product made are lost
    /// to it (R-CON-6). Needs --connector.
    #[arg(long, requires = "connector")]
    pub take_over: bool,
}

/// A tokio runtime for the blocking sync API, run from the main thread
/// (entered by the caller, so the demo's simulator can start on it).
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|err| Failure::unexpected(format!("cannot start the network runtime: {err}")))
}

/// Runs `seats sync`.
pub fn run(db: &Path, args: &SyncArgs, config: &Config, read_only: bool) -> Result<(), Failure> {
    if read_only {
        return Err(Failure {
            code: 4,
            message: "seats sync writes what it reads into the cache, and --read-only changes nothing; \
                      run it without --read-only"
                .to_owned(),
        });
    }
    let targets = {
        let conn = store::open(db, OpenMode::MustExist)?;
        let targets = targets(&conn, args.connector.as_deref())?;
        if args.take_over {
            take_over(&conn, &targets)?;
        }
        targets
    };
    let options = SyncOptions {
        full: args.full,
        release_disabled: config.reclaim.release_disabled(),
    };
    let runtime = runtime()?;
    let _entered = runtime.enter();
    let mut failed: Vec<(String, u8)> = Vec::new();
    for target in &targets {
        let mut line = ProgressLine::new(&target.name);
        let result = sync::sync_connector(db, target.id, options, runtime.handle(), &mut |p| {
            line.show(&p);
        });
        line.clear();
        match result {
            Ok(report) => print(&format!("{}\n", report.describe()))?,
            Err(err) => failed.push((failure_line(&target.name, &err), err.exit_code())),
        }
    }
    outcome(targets.len(), failed)
}

/// The connectors to sync: the one named, or every enabled Graph one.
fn targets(conn: &Connection, named: Option<&str>) -> Result<Vec<ConnectorConfig>, Failure> {
    if let Some(name) = named {
        let config = connectors_admin::find_connector(conn, name)?
            .map(|id| connectors_admin::connector_config(conn, id))
            .transpose()?
            .flatten()
            .ok_or_else(|| {
                Failure::usage(format!(
                    "no connector named {name:?}; `seats connectors` lists them"
                ))
            })?;
        if !sync::syncs(config.kind) {
            return Err(Failure::usage(format!(
                "{name:?} is a {} connector: this version of seats syncs Microsoft Graph, Apple Apps and \
                 Books and Microsoft Store for Business connectors only, so its figures stay as they are in the \
                 cache",
                config.kind.label()
            )));
        }
        return Ok(vec![config]);
    }
    let mut all = connectors_admin::connectors_of_kind(conn, ConnectorKind::Graph)?;
    // Graph first: Apple and the store match their seats to the users it brings.
    for kind in [ConnectorKind::AppleVpp, ConnectorKind::StoreBusiness] {
        all.extend(connectors_admin::connectors_of_kind(conn, kind)?);
    }
    let disabled = all.iter().filter(|c| !c.enabled).count();
    let enabled: Vec<ConnectorConfig> = all.into_iter().filter(|c| c.enabled).collect();
    if enabled.is_empty() {
        let more = if disabled > 0 {
            format!(" ({disabled} disabled: `seats connector enable NAME` turns one on)")
        } else {
            String::new()
        };
        return Err(Failure::usage(format!(
            "no enabled Microsoft Graph, Apple or Store for Business connector to sync{more}; link one with \
             `seats connect graph --tenant-id T --client-id C --secret-file PATH`"
        )));
    }
    Ok(enabled)
}

/// Records the admin's choice to take an Apple token over (R-CON-6).
fn take_over(conn: &Connection, targets: &[ConnectorConfig]) -> Result<(), Failure> {
    for target in targets {
        if target.kind != ConnectorKind::AppleVpp {
            return Err(Failure::usage(format!(
                "--take-over is for Apple connectors; {:?} is a {} connector",
                target.name,
                target.kind.label()
            )));
        }
        crate::store::connectors_apple::set_take_over(conn, target.id, &crate::paths::os_user())?;
    }
    Ok(())
}

/// "NAME: sync failed: WHY (request id R); the cache keeps …"
fn failure_line(name: &str, err: &SyncError) -> String {
    let request = err
        .request_id()
        .map_or(String::new(), |id| format!(" (request id {id})"));
    let kept = match err.exit_code() {
        // Another process syncs it: nothing to say about the cache.
        3 => "",
        _ => "; the cache keeps what it held before this sync",
    };
    format!("{name}: sync failed: {err}{request}{kept}")
}

/// Exit 0 when every connector synced; otherwise each failure's line and
/// the worst code: 1 (the cache) over 5 (the source) over 2 (settings)
/// over 3 (another process is syncing it, which will finish the job).
fn outcome(total: usize, failed: Vec<(String, u8)>) -> Result<(), Failure> {
    let rank = |code: u8| match code {
        1 => 4,
        5 => 3,
        2 => 2,
        _ => 1,
    };
    let Some(worst) = failed
        .iter()
        .map(|(_, code)| *code)
        .max_by_key(|code| rank(*code))
    else {
        return Ok(());
    };
    if let [(line, _)] = failed.as_slice()
        && total == 1
    {
        return Err(Failure {
            code: worst,
            message: line.clone(),
        });
    }
    for (line, _) in &failed {
        eprintln!("seats: {line}");
    }
    Err(Failure {
        code: worst,
        message: format!("{} of {total} connectors did not sync", failed.len()),
    })
}

/// The progress of one sync on stderr, redrawn in place on a terminal.
struct ProgressLine<'a> {
    name: &'a str,
    terminal: bool,
    shown: String,
}

impl<'a> ProgressLine<'a> {
    fn new(name: &'a str) -> ProgressLine<'a> {
        ProgressLine {
            name,
            terminal: std::io::stderr().is_terminal(),
            shown: String::new(),
        }
    }

    fn show(&mut self, progress: &SyncProgress) {
        if !self.terminal {
            return;
        }
        let figures = match (progress.done, progress.total) {
            (0, _) => String::new(),
            (done, 0) => format!(" ({done})"),
            (done, total) => format!(" ({done} of about {total})"),
        };
        let text = format!("{}: {}{figures}", self.name, progress.stage);
        if text != self.shown {
            let mut stderr = std::io::stderr().lock();
            // Carriage return and erase-line: the line is redrawn, not appended.
            let _ = write!(stderr, "\r\x1b[2K{text}");
            let _ = stderr.flush();
            self.shown = text;
        }
    }

    fn clear(&mut self) {
        if self.terminal && !self.shown.is_empty() {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "\r\x1b[2K");
            let _ = stderr.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_code_wins_and_one_failure_is_its_own_message() {
        assert!(outcome(2, Vec::new()).is_ok());
        let one = outcome(1, vec![("G: sync failed: down".into(), 5)]).unwrap_err();
        assert_eq!((one.code, one.message.as_str()), (5, "G: sync failed: down"));
        let several = outcome(3, vec![("a".into(), 3), ("b".into(), 5), ("c".into(), 2)]).unwrap_err();
        assert_eq!(several.code, 5);
        assert_eq!(several.message, "3 of 3 connectors did not sync");
        let cache = outcome(2, vec![("a".into(), 5), ("b".into(), 1)]).unwrap_err();
        assert_eq!(cache.code, 1);
    }
}
