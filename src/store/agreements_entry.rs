//! Agreements entered by hand from the console: a volume agreement with
//! its number sets (R-AGR-6) and an other-software agreement, new or
//! edited (R-AGR-10, R-AGR-11), each into a license group (R-AGR-7). The
//! rules are the CSV's (`domain::agreement_rules`) and the form's
//! (`domain::agreement_entry`), checked again here inside the write's
//! IMMEDIATE transaction, with the cache's (names and sets taken, the
//! catalog); each write is audited.

use rusqlite::{Connection, OptionalExtension as _, params};
use serde_json::json;

use super::agreement_error::AgreementError;
use super::agreements_import::{Target, clashes};
use super::changes::Actor;
use super::license_groups::{self, UNASSIGNED, audit, audited};
use super::sync_state::stamp;
use crate::domain::agreement_csv::SetLine;
use crate::domain::agreement_entry::{OtherAgreement, name_problem, pair_problem, rule_text};

/// Where a new agreement goes (R-AGR-7), as the form chose it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupChoice {
    /// "Unassigned agreements".
    Unassigned,
    /// An existing group, by name.
    Existing(String),
    /// A group made with the agreement, named here.
    New(String),
}

impl GroupChoice {
    /// The import's view of the choice.
    pub fn target(&self) -> Target<'_> {
        match self {
            GroupChoice::Unassigned => Target::Unassigned,
            GroupChoice::Existing(name) => Target::Group(name),
            GroupChoice::New(name) => Target::NewGroup(name),
        }
    }
}

/// The group a new agreement goes to: (its name, whether it is made now).
pub fn plan_group(conn: &Connection, group: &GroupChoice) -> Result<(String, bool), AgreementError> {
    Ok(match group.target() {
        Target::Unassigned => (license_groups_name(conn, UNASSIGNED)?, false),
        Target::Group(name) => (license_groups::find(conn, name)?.2, false),
        Target::NewGroup(name) => (license_groups::check_new(conn, name)?, true),
    })
}

fn license_groups_name(conn: &Connection, id: i64) -> rusqlite::Result<String> {
    conn.query_row("SELECT name FROM license_groups WHERE id = ?1", [id], |r| {
        r.get(0)
    })
}

fn group_id(tx: &Connection, name: &str, new: bool) -> Result<i64, AgreementError> {
    Ok(if new {
        license_groups::insert(tx, name)?
    } else {
        license_groups::find(tx, name)?.0
    })
}

/// Checks a volume agreement by hand against the rules and the cache;
/// returns its group (name, made now). Changes nothing.
pub fn plan_volume(
    conn: &Connection,
    name: &str,
    pairs: &[(String, String)],
    group: &GroupChoice,
) -> Result<(String, bool), AgreementError> {
    let name = name.trim();
    let mut problems: Vec<String> = Vec::new();
    if name.is_empty() {
        problems.push("the agreement's name is needed (R-AGR-6)".to_owned());
    }
    problems.extend(name_problem(name));
    if pairs.is_empty() {
        problems.push("add at least one number pair (R-AGR-6)".to_owned());
    }
    for (at, (first, second)) in pairs.iter().enumerate() {
        problems.extend(pair_problem(first, second, &pairs[..at], true));
    }
    let sets: Vec<SetLine> = (1..)
        .zip(pairs)
        .map(|(line, (first, second))| SetLine {
            line,
            first: first.clone(),
            second: second.clone(),
            name: name.to_owned(),
            named: true,
        })
        .collect();
    for problem in clashes(conn, &sets)? {
        let text = rule_text(problem.rule, &problem.what);
        if !problems.contains(&text) {
            problems.push(text);
        }
    }
    if !problems.is_empty() {
        return Err(AgreementError::Invalid(format!(
            "the agreement was not added: {}",
            problems.join("; ")
        )));
    }
    plan_group(conn, group)
}

/// Adds a volume agreement holding every pair (R-AGR-6), validation
/// pending; returns the group's name.
pub fn add_volume(
    conn: &Connection,
    actor: &Actor,
    name: &str,
    pairs: &[(String, String)],
    group: &GroupChoice,
) -> Result<String, AgreementError> {
    let name = name.trim();
    audited(conn, actor, "agreement_add", name, |tx| {
        let (group, new_group) = plan_volume(tx, name, pairs, group)?;
        let group_id = group_id(tx, &group, new_group)?;
        // One pair repeating its number is Open Value's form (R-AGR-2).
        let program = match pairs {
            [(first, second)] if first.eq_ignore_ascii_case(second) => Some("open_value"),
            _ => None,
        };
        tx.execute(
            "INSERT INTO agreements (name, kind, license_group_id, program, validation, created_at) \
             VALUES (?1, 'volume', ?2, ?3, 'pending', ?4)",
            params![name, group_id, program, stamp(chrono::Utc::now())],
        )?;
        let id = tx.last_insert_rowid();
        let mut insert = tx.prepare_cached(
            "INSERT INTO agreement_number_sets (agreement_id, first_number, second_number) VALUES (?1, ?2, ?3)",
        )?;
        for (first, second) in pairs {
            insert.execute(params![id, first.trim(), second.trim()])?;
        }
        let detail =
            json!({ "kind": "volume", "group": group, "new_group": new_group, "number_sets": pairs.len() });
        audit(tx, actor, "agreement_add", &[name], "ok", Some(detail))?;
        Ok(group)
    })
}

/// What saving an other-software agreement resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherPlan {
    pub product_id: i64,
    /// Publisher and title as the catalog spells them.
    pub publisher: String,
    pub product: String,
    /// Managed computers where the publisher's software was detected.
    pub computers: i64,
    /// (group, made now); None when editing (the group stays).
    pub group: Option<(String, bool)>,
}

/// Checks an other-software agreement (new when `id` is None) against the
/// rules, the catalog and the names taken. Changes nothing.
pub fn plan_other(
    conn: &Connection,
    id: Option<i64>,
    other: &OtherAgreement,
    group: &GroupChoice,
) -> Result<OtherPlan, AgreementError> {
    let problems = other.problems();
    if !problems.is_empty() {
        return Err(AgreementError::Invalid(problems.join("; ")));
    }
    if let Some(id) = id {
        let kind: Option<String> = conn
            .query_row("SELECT kind FROM agreements WHERE id = ?1", [id], |r| r.get(0))
            .optional()?;
        if kind.as_deref() != Some("other") {
            return Err(AgreementError::Invalid(format!(
                "agreement {id} is not an other-software agreement: only those are edited here"
            )));
        }
    }
    let taken: Option<String> = conn
        .query_row(
            "SELECT name FROM agreements WHERE name = ?1 AND id IS NOT ?2",
            params![other.name.trim(), id],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(taken) = taken {
        return Err(AgreementError::Invalid(format!(
            "an agreement named {taken:?} exists already (R-AGR-4); give this one its own name"
        )));
    }
    let (publisher_id, publisher) = conn
        .query_row(
            "SELECT id, name FROM publishers WHERE name = ?1",
            [other.publisher.trim()],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
        )
        .optional()?
        .ok_or_else(|| {
            AgreementError::Invalid(format!(
                "{:?} is not a publisher of the software catalog: choose one it lists (R-AGR-11)",
                other.publisher
            ))
        })?;
    let (product_id, product) = conn
        .query_row(
            "SELECT id, title FROM products WHERE publisher_id = ?1 AND title = ?2 COLLATE NOCASE",
            params![publisher_id, other.product.trim()],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
        )
        .optional()?
        .ok_or_else(|| {
            AgreementError::Invalid(format!(
                "{publisher} has no product {:?} in the catalog: choose one of its titles",
                other.product
            ))
        })?;
    let computers = managed_computers(conn, publisher_id)?;
    if computers == 0 {
        return Err(AgreementError::Refused(format!(
            "no managed computer has software of {publisher} detected: an other-software agreement needs \
             one (R-AGR-11); `seats import inventory FILE` brings the inventory"
        )));
    }
    let group = match id {
        Some(_) => None,
        None => Some(plan_group(conn, group)?),
    };
    Ok(OtherPlan {
        product_id,
        publisher,
        product,
        computers,
        group,
    })
}

fn managed_computers(conn: &Connection, publisher_id: i64) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT count(DISTINCT i.device_id) FROM products pr JOIN inventory i ON i.product_id = pr.id \
         JOIN devices d ON d.id = i.device_id WHERE pr.publisher_id = ?1 AND d.managed = 1",
        [publisher_id],
        |r| r.get(0),
    )
}

/// Adds (`id` None) or edits an other-software agreement; returns the plan
/// it was saved by.
pub fn save_other(
    conn: &Connection,
    actor: &Actor,
    id: Option<i64>,
    other: &OtherAgreement,
    group: &GroupChoice,
) -> Result<OtherPlan, AgreementError> {
    let action = if id.is_some() {
        "agreement_edit"
    } else {
        "agreement_add"
    };
    let name = other.name.trim();
    audited(conn, actor, action, name, |tx| {
        let plan = plan_other(tx, id, other, group)?;
        let text = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let (starts, ends, details) = (text(&other.starts_on), text(&other.ends_on), text(&other.details));
        match (id, &plan.group) {
            (Some(id), _) => {
                tx.execute(
                    "UPDATE agreements SET name = ?1, product_id = ?2, license_count = ?3, starts_on = ?4, \
                     ends_on = ?5, details = ?6 WHERE id = ?7",
                    params![
                        name,
                        plan.product_id,
                        other.license_count,
                        starts,
                        ends,
                        details,
                        id
                    ],
                )?;
            }
            (None, group) => {
                let (group, new) = group.clone().unwrap_or_default();
                let group_id = group_id(tx, &group, new)?;
                tx.execute(
                    "INSERT INTO agreements (name, product_id, license_count, starts_on, ends_on, details, kind, \
                     license_group_id, validation, created_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'other', ?7, 'valid', ?8)",
                    params![
                        name,
                        plan.product_id,
                        other.license_count,
                        starts,
                        ends,
                        details,
                        group_id,
                        stamp(chrono::Utc::now())
                    ],
                )?;
            }
        }
        let detail = json!({
            "kind": "other", "publisher": plan.publisher, "product": plan.product,
            "licenses": other.license_count, "starts_on": other.starts_on, "ends_on": other.ends_on,
            "group": plan.group.as_ref().map(|g| &g.0), "new_group": plan.group.as_ref().is_some_and(|g| g.1),
        });
        audit(tx, actor, action, &[name], "ok", Some(detail))?;
        Ok(plan)
    })
}
