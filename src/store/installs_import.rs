//! Importing install reports (issue 8 review, B2; R-APP-5, R-APP-7,
//! R-APP-9). seats deploys nothing: the store installs online apps, the
//! device management offline ones, and what they report comes in by
//! `seats import installs FILE`. All or nothing, in one IMMEDIATE
//! transaction with its audit row: the installs of every app the file
//! names are replaced by the file's, each such app records when it was
//! last reported (`install_reports`), and then the seats set to uninstall
//! whose app is no longer reported are freed, as their own batch in the
//! same transaction (R-APP-7: the seat is freed once the removal is
//! reported). A sync frees them too ([`free_uninstalled`]).

mod read;
mod resolve;

use std::fmt;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension as _, params};
use serde_json::json;

use super::agreement_error::AgreementError;
use super::changes::{Actor, Permission};
use super::license_groups::{audit, audited_as};
use super::sync_state::stamp;
pub use read::STATES;

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Outcome {
    /// Install rows the file gave.
    pub rows: usize,
    /// Apps the file named: their installs were replaced.
    pub apps: usize,
    /// Install rows of those apps before the import.
    pub replaced: usize,
    /// Seats set to uninstall freed because the app is no longer reported.
    pub seats_freed: i64,
}

/// A problem of an installs file: where (line; column by number and
/// name) and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: Option<usize>,
    pub column: Option<(usize, String)>,
    pub what: String,
}

impl Problem {
    fn at(line: usize, column: Option<(usize, String)>, what: String) -> Problem {
        Problem {
            line: Some(line),
            column,
            what,
        }
    }

    fn file(what: String) -> Problem {
        Problem {
            line: None,
            column: None,
            what,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, &self.column) {
            (Some(line), Some((n, name))) => write!(f, "line {line}, column {n} ({name}): ")?,
            (Some(line), None) => write!(f, "line {line}: ")?,
            (None, _) => write!(f, "file: ")?,
        }
        f.write_str(&self.what)
    }
}

/// Why an import changed nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file breaks the rules: every problem, one a line (exit 2).
    #[error("{}", describe(.0))]
    BadFile(Vec<Problem>),
    #[error(transparent)]
    Refused(#[from] AgreementError),
}

impl ImportError {
    /// The exit code of the architecture's contract (§5).
    pub fn exit_code(&self) -> u8 {
        match self {
            ImportError::BadFile(_) => 2,
            ImportError::Refused(err) => err.exit_code(),
        }
    }
}

/// The message of a refused file, each problem on a line of its own.
pub fn describe(problems: &[Problem]) -> String {
    let mut out = format!(
        "nothing was imported: {} problem{}; fix the file and import it again:",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    let listed = crate::domain::inventory_csv::MAX_LISTED;
    for problem in problems.iter().take(listed) {
        out.push_str(&format!("\n  {problem}"));
    }
    if problems.len() > listed {
        out.push_str(&format!("\n  …and {} more", problems.len() - listed));
    }
    out
}

/// Imports `bytes` (the file `file_name`) as `actor`, who may assign.
pub fn import(
    conn: &Connection,
    actor: &Actor,
    file_name: &str,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<Outcome, ImportError> {
    let read = read::read(bytes).map_err(ImportError::BadFile)?;
    let mut problems = None;
    let outcome = audited_as(
        conn,
        actor,
        Permission::Assign,
        "installs_import",
        file_name,
        |tx| {
            let installs = match resolve::resolve(tx, &read) {
                Ok(installs) => installs,
                Err(found) => {
                    problems = Some(found);
                    return Err(AgreementError::Invalid("bad file".to_owned()));
                }
            };
            let outcome = write(tx, file_name, &installs, now, &actor.name)?;
            let detail = json!({ "file": file_name, "ignored": read.ignored, "outcome": outcome });
            audit(tx, actor, "installs_import", &[file_name], "ok", Some(detail))?;
            Ok(outcome)
        },
    );
    match (outcome, problems) {
        (_, Some(problems)) => Err(ImportError::BadFile(problems)),
        (outcome, None) => Ok(outcome?),
    }
}

/// Replaces the named apps' installs and frees the uninstalled seats.
fn write(
    tx: &Connection,
    file_name: &str,
    installs: &[resolve::Install],
    now: DateTime<Utc>,
    actor: &str,
) -> rusqlite::Result<Outcome> {
    let at = stamp(now);
    let mut apps: Vec<i64> = installs.iter().map(|i| i.app_id).collect();
    apps.sort_unstable();
    apps.dedup();
    let mut outcome = Outcome {
        rows: installs.len(),
        apps: apps.len(),
        ..Outcome::default()
    };
    let mut clear = tx.prepare_cached("DELETE FROM installs WHERE app_id = ?1")?;
    let mut report = tx.prepare_cached(
        "INSERT OR REPLACE INTO install_reports (app_id, reported_at, file) VALUES (?1, ?2, ?3)",
    )?;
    for app in &apps {
        outcome.replaced += clear.execute([app])?;
        report.execute(params![app, at, file_name])?;
    }
    let mut insert = tx.prepare_cached(
        "INSERT INTO installs (app_id, user_id, device_id, state, error, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for i in installs {
        let when = i.when.as_deref().unwrap_or(&at);
        insert.execute(params![i.app_id, i.user_id, i.device_id, i.state, i.error, when])?;
    }
    outcome.seats_freed = free_uninstalled(tx, actor)?;
    Ok(outcome)
}

/// Frees the seats set to uninstall whose app no install reports any
/// more for them, in the caller's transaction, as `actor`; how many were
/// freed. Only apps with an imported report count: without one, nothing
/// was reported removed.
pub fn free_uninstalled(tx: &Connection, actor: &str) -> rusqlite::Result<i64> {
    let mut reported = tx.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM assignments a JOIN pools p ON p.id = a.pool_id \
           JOIN install_reports r ON r.app_id = p.app_id WHERE a.id = ?1)",
    )?;
    let mut ids = Vec::new();
    for id in super::changes::uninstalled_seats(tx, None)? {
        if reported.query_row([id], |row| row.get::<_, bool>(0))? {
            ids.push(id);
        }
    }
    if ids.is_empty() {
        return Ok(0);
    }
    let outcomes = super::changes::release_uninstalled(tx, actor, &ids)?;
    Ok(outcomes.iter().map(|o| o.released).sum())
}

/// When installs of `app_id` were last reported, and by which file.
pub fn last_report(conn: &Connection, app_id: i64) -> rusqlite::Result<Option<(String, String)>> {
    conn.prepare_cached("SELECT reported_at, file FROM install_reports WHERE app_id = ?1")?
        .query_row([app_id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()
}
