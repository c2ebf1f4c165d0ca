//! Recording bought subscriptions from the console (issue 10, R-SUB-4,
//! R-SUB-8): `:import subscriptions FILE` reads the CSV `seats import
//! subscriptions` reads, previews every purchase — or every bad row, and
//! then nothing is recorded — and records them all at once.

use rusqlite::Connection;

use crate::app::dialogs::Preview;
use crate::domain::subscription_csv::{self, Purchase};
use crate::store::changes::Actor;
use crate::store::subscriptions_import;

/// The largest subscriptions file read (5,000 rows of generous width).
const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Bad rows listed in the preview before "…and N more".
const LISTED: usize = 14;

/// The purchases of `path`, or every problem with it.
fn read(conn: &Connection, path: &str) -> Result<Vec<Purchase>, Vec<String>> {
    let size = std::fs::metadata(path)
        .map_err(|err| vec![format!("can't read {path}: {err}")])?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(vec![format!(
            "{path} is {size} bytes, more than a subscriptions file of 5,000 rows needs"
        )]);
    }
    let bytes = std::fs::read(path).map_err(|err| vec![format!("can't read {path}: {err}")])?;
    let rows = subscription_csv::parse(&bytes)?;
    let clashes = subscriptions_import::clashes(conn, &rows).map_err(|err| vec![err.to_string()])?;
    if clashes.is_empty() {
        Ok(rows)
    } else {
        Err(clashes)
    }
}

/// What importing `path` would record, or why nothing would be.
pub fn preview(conn: &Connection, path: &str) -> Preview {
    let title = "Record purchases (confirm)".to_owned();
    match read(conn, path) {
        Ok(rows) => {
            let mut lines = vec![super::plans::line(format!(
                "records {} subscription(s) from {path}:",
                rows.len()
            ))];
            lines.extend(rows.iter().map(|r| {
                super::plans::line(format!(
                    "  {} ({}, {}, {})",
                    r.name,
                    r.kind,
                    r.region,
                    r.status.replace('_', " ")
                ))
            }));
            lines.push(super::plans::line(
                "pending ones are activated at the publisher, then A records it",
            ));
            Preview {
                title,
                lines,
                refusal: None,
            }
        }
        Err(problems) => {
            let mut lines: Vec<_> = problems
                .iter()
                .take(LISTED)
                .map(|p| super::plans::alarm(p.clone()))
                .collect();
            if problems.len() > LISTED {
                lines.push(super::plans::alarm(format!(
                    "…and {} more",
                    problems.len() - LISTED
                )));
            }
            Preview {
                title,
                lines,
                refusal: Some(format!(
                    "{path}: nothing would be recorded; fix the file and try again"
                )),
            }
        }
    }
}

/// Records every purchase of `path`, or none: the message and the batch z
/// undoes.
pub fn import(conn: &Connection, actor: &Actor, path: &str) -> Result<(String, String), String> {
    let rows = read(conn, path).map_err(|problems| problems.join("; "))?;
    let file_name = std::path::Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let today = chrono::Utc::now().date_naive().to_string();
    subscriptions_import::import(conn, actor, &file_name, &rows, &today)
        .map(|(added, batch)| (format!("recorded {added} subscription(s) from {path}"), batch))
        .map_err(|err| err.to_string())
}
