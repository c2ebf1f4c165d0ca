//! `:import PATH` in the Agreements pane (R-AGR-2..5, the console's twin of
//! `seats import agreements`): the file read and checked as the command
//! line does — every bad line listed, nothing imported — then previewed,
//! imported into a license group ("Unassigned agreements" from `:import`,
//! the one chosen from `n`, R-AGR-7) and its sets validated (R-AGR-8).

use rusqlite::Connection;

use crate::app::dialogs::{Preview, PreviewLine};
use crate::domain::agreement_csv::{self, AgreementFile};
use crate::store::agreement_validation::{Scope, validate_agreements};
use crate::store::agreements_entry::GroupChoice;
use crate::store::agreements_import;
use crate::store::changes::Actor;
use crate::store::license_groups::AgreementError;

/// An agreement file holds at most 5,000 short lines (R-AGR-5).
const MAX_FILE_BYTES: u64 = 8 << 20;

/// The file at `path`, read and checked against the rules and the cache;
/// the error says what is wrong with it, line by line.
fn load(conn: &Connection, path: &str) -> Result<(String, AgreementFile), String> {
    let expanded = super::agreement_search::expand_home(path.trim());
    let path = expanded.as_path();
    let cant = |err: std::io::Error| format!("can't read {}: {err}", path.display());
    let size = std::fs::metadata(path).map_err(cant)?.len();
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "{} is {size} bytes: too large for 5,000 lines (R-AGR-5)",
            path.display()
        ));
    }
    let bytes = std::fs::read(path).map_err(cant)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (file, mut problems) = agreement_csv::read(&name, &bytes);
    problems.extend(agreements_import::clashes(conn, &file.sets).map_err(|err| err.to_string())?);
    if problems.is_empty() {
        return Ok((name, file));
    }
    problems.sort_by_key(|p| p.line);
    Err(format!(
        "{}: {}",
        path.display(),
        AgreementError::BadFile(problems)
    ))
}

fn line(text: String) -> PreviewLine {
    PreviewLine { text, alarm: false }
}

/// What importing the file at `path` would add; a refusal lists every bad line.
pub fn preview(conn: &Connection, path: &str, group: &GroupChoice) -> Preview {
    let planned = load(conn, path).and_then(|(name, file)| {
        let plan = agreements_import::plan(conn, &file, group.target()).map_err(|err| err.to_string())?;
        Ok((name, plan))
    });
    let (lines, refusal) = match planned {
        Ok((name, plan)) => {
            let n = plan.sets.len();
            let mut lines = vec![line(format!(
                "adds {n} volume agreement{} from {name} to {:?}; validation follows",
                if n == 1 { "" } else { "s" },
                plan.group
            ))];
            lines.extend(
                plan.sets
                    .iter()
                    .take(12)
                    .map(|s| line(format!("  {} {} {}", s.name, s.first, s.second))),
            );
            if n > 12 {
                lines.push(line(format!("  …and {} more", n - 12)));
            }
            (lines, None)
        }
        Err(why) => (vec![line("nothing will be imported".to_owned())], Some(why)),
    };
    Preview {
        title: "Import agreements (confirm)".into(),
        lines,
        refusal,
    }
}

/// Imports the file at `path` and validates its sets: the line to show.
pub fn import(conn: &Connection, actor: &Actor, path: &str, group: &GroupChoice) -> Result<String, String> {
    let (name, file) = load(conn, path)?;
    let plan =
        agreements_import::import(conn, actor, &name, &file, group.target()).map_err(|e| e.to_string())?;
    let validated =
        validate_agreements(conn, Scope::Pending, chrono::Utc::now()).map_err(|e| e.to_string())?;
    Ok(format!(
        "imported {} volume agreements from {name} into {:?}; {}",
        plan.sets.len(),
        plan.group,
        validated.summary().trim_end()
    ))
}
