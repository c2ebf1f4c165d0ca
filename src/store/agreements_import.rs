//! Importing a volume-licensing agreement file (R-AGR-1..5, R-AGR-7): each
//! set of the file becomes a volume agreement holding it, in one license
//! group, validation pending (R-AGR-8). All or nothing: the checks against
//! the cache (names and sets already there) and every insert run in one
//! IMMEDIATE transaction with the audit row, so a refused or interrupted
//! import leaves the cache as it was.

use std::collections::HashMap;

use rusqlite::{Connection, params};
use serde_json::json;

use super::changes::Actor;
use super::license_groups::{self, AgreementError, UNASSIGNED, audit, audited};
use super::sync_state::stamp;
use crate::domain::agreement_csv::{AgreementFile, SetLine};
use crate::domain::agreement_rules::{Column, Problem, Rule, clash_key};

/// Where the new agreements go (R-AGR-7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    /// "Unassigned agreements".
    Unassigned,
    /// An existing group, by name.
    Group(&'a str),
    /// A group made by this import.
    NewGroup(&'a str),
}

/// What an import adds (or, for a dry run, would add).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportPlan {
    /// The group's name.
    pub group: String,
    /// Whether the import makes the group.
    pub new_group: bool,
    /// One agreement per set, in file order.
    pub sets: Vec<SetLine>,
}

/// Audit rows list at most this many agreement names.
const MAX_NAMES: usize = 50;

/// What importing `file` into `target` would add, checked against the
/// cache; changes nothing. Err: the group can't be used, or the file's
/// names or sets clash with agreements already there (each line listed).
pub fn plan(
    conn: &Connection,
    file: &AgreementFile,
    target: Target<'_>,
) -> Result<ImportPlan, AgreementError> {
    let (group, new_group) = match target {
        Target::Unassigned => (license_groups_name(conn, UNASSIGNED)?, false),
        Target::Group(name) => (license_groups::find(conn, name)?.2, false),
        Target::NewGroup(name) => (license_groups::check_new(conn, name)?, true),
    };
    let problems = clashes(conn, &file.sets)?;
    if !problems.is_empty() {
        return Err(AgreementError::BadFile(problems));
    }
    Ok(ImportPlan {
        group,
        new_group,
        sets: file.sets.clone(),
    })
}

fn license_groups_name(conn: &Connection, id: i64) -> rusqlite::Result<String> {
    conn.query_row("SELECT name FROM license_groups WHERE id = ?1", [id], |r| {
        r.get(0)
    })
}

/// Lines whose name or set the cache holds already, one problem each.
pub fn clashes(conn: &Connection, sets: &[SetLine]) -> rusqlite::Result<Vec<Problem>> {
    let mut names: HashMap<String, String> = HashMap::new();
    let mut stmt = conn.prepare("SELECT name FROM agreements")?;
    for name in stmt.query_map([], |r| r.get::<_, String>(0))? {
        let name = name?;
        names.insert(clash_key(&name), name);
    }
    let mut pairs: HashMap<(String, String), String> = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT n.first_number, n.second_number, a.name FROM agreement_number_sets n \
         JOIN agreements a ON a.id = n.agreement_id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?))
    })?;
    for row in rows {
        let (first, second, name) = row?;
        pairs.insert((clash_key(&first), clash_key(&second)), name);
    }
    let mut problems = Vec::new();
    for set in sets {
        let held = pairs.get(&(clash_key(&set.first), clash_key(&set.second)));
        if let Some(agreement) = held {
            problems.push(Problem {
                line: Some(set.line),
                column: Some(Column::Pair),
                rule: Rule::DuplicatePair,
                what: format!(
                    "the number set {}, {} is in agreement {agreement:?} already",
                    set.first, set.second
                ),
            });
        } else if let Some(taken) = names.get(&clash_key(&set.name)) {
            problems.push(Problem {
                line: Some(set.line),
                column: Some(if set.named { Column::Name } else { Column::Pair }),
                rule: Rule::DuplicateName,
                what: format!("an agreement named {taken:?} exists already"),
            });
        }
    }
    Ok(problems)
}

/// Imports `file` (called `file_name`) into `target`, all or nothing, and
/// audits it as `agreements_import`. The 501st group is refused (exit 3).
pub fn import(
    conn: &Connection,
    actor: &Actor,
    file_name: &str,
    file: &AgreementFile,
    target: Target<'_>,
) -> Result<ImportPlan, AgreementError> {
    audited(conn, actor, "agreements_import", file_name, |tx| {
        let plan = plan(tx, file, target)?;
        let group_id = if plan.new_group {
            license_groups::insert(tx, &plan.group)?
        } else {
            license_groups::find(tx, &plan.group)?.0
        };
        let at = stamp(chrono::Utc::now());
        let mut agreement = tx.prepare_cached(
            "INSERT INTO agreements (name, kind, license_group_id, program, validation, source_file, created_at) \
             VALUES (?1, 'volume', ?2, ?3, 'pending', ?4, ?5)",
        )?;
        let mut number_set = tx.prepare_cached(
            "INSERT INTO agreement_number_sets (agreement_id, first_number, second_number) VALUES (?1, ?2, ?3)",
        )?;
        for set in &plan.sets {
            // Open Value repeats its agreement number (R-AGR-2); Open and
            // Select/Enterprise pairs look alike, so they stay unknown.
            let program = set
                .first
                .eq_ignore_ascii_case(&set.second)
                .then_some("open_value");
            agreement.execute(params![set.name, group_id, program, file_name, at])?;
            number_set.execute(params![tx.last_insert_rowid(), set.first, set.second])?;
        }
        let mut names: Vec<&str> = plan
            .sets
            .iter()
            .take(MAX_NAMES)
            .map(|s| s.name.as_str())
            .collect();
        let more = format!("…and {} more", plan.sets.len().saturating_sub(MAX_NAMES));
        if plan.sets.len() > MAX_NAMES {
            names.push(&more);
        }
        let detail = json!({
            "file": file_name, "group": plan.group, "new_group": plan.new_group,
            "agreements": plan.sets.len(), "number_sets": plan.sets.len(),
        });
        audit(tx, actor, "agreements_import", &names, "ok", Some(detail))?;
        Ok(plan)
    })
}
