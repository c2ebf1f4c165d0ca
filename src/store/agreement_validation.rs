//! Validating volume agreements' number sets against the imported
//! licensing-summary export (issue 9, R-AGR-8). Each set gets pending,
//! valid, not_found or mismatched (judge.rs says exactly when), and its
//! agreement follows in the same transaction: its coarse
//! `agreements.validation` (pending while any set is; valid when all are;
//! else invalid) and its `entitlements` (what its valid sets hold, per
//! product), which the licensed figures are counted from.
//!
//! Until an export has been imported nothing is judged: "not found" would
//! mean nothing, so every set stays pending.

mod judge;
mod states;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};
use serde::Serialize;

use super::sync_state::stamp;
pub use states::{SET_STATE, SetState, overall, set_states, sets_of};

/// Which sets to judge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Sets not validated yet (after `seats import agreements`).
    Pending,
    /// Every set of every volume agreement (after a new export: what was
    /// not found may be there now, and what was valid may be gone).
    All,
}

/// What one validation run found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Validated {
    pub valid: usize,
    pub not_found: usize,
    pub mismatched: usize,
    /// No export imported yet: every set stays pending.
    pub no_export: bool,
}

impl Validated {
    /// One line for the command line.
    pub fn summary(&self) -> String {
        if self.no_export {
            return "validation pending, figures may differ until validated: no licensing summary \
                    imported yet; download it from the volume-licensing portal and run `seats import entitlements FILE` (R-AGR-8)"
                .to_owned();
        }
        format!(
            "validated {} number set{}: {} valid, {} not found, {} mismatched (R-AGR-8); \
             `seats agreements` says why",
            self.valid + self.not_found + self.mismatched,
            if self.valid + self.not_found + self.mismatched == 1 {
                ""
            } else {
                "s"
            },
            self.valid,
            self.not_found,
            self.mismatched
        )
    }
}

/// Validates the sets in `scope` in one IMMEDIATE transaction. The hook the
/// console's worker calls after an import or a refresh (R-AGR-8).
pub fn validate_agreements(
    conn: &Connection,
    scope: Scope,
    now: DateTime<Utc>,
) -> rusqlite::Result<Validated> {
    super::db::begin_write_on(conn, |tx| validate_on(tx, scope, now))
}

/// As [`validate_agreements`], inside the caller's transaction.
pub(crate) fn validate_on(tx: &Connection, scope: Scope, now: DateTime<Utc>) -> rusqlite::Result<Validated> {
    let imports: i64 = tx.query_row("SELECT count(*) FROM vl_entitlement_imports", [], |r| r.get(0))?;
    if imports == 0 {
        return Ok(Validated {
            no_export: true,
            ..Validated::default()
        });
    }
    let export = judge::Export::load(tx)?;
    let at = stamp(now);
    let sql = format!(
        "SELECT n.id, n.agreement_id, n.first_number, n.second_number, a.starts_on, a.ends_on \
         FROM agreement_number_sets n JOIN agreements a ON a.id = n.agreement_id \
         WHERE a.kind = 'volume' AND (?1 OR {SET_STATE} = 'pending') ORDER BY n.id"
    );
    let mut stmt = tx.prepare(&sql)?;
    let sets: Vec<SetRow> = stmt
        .query_map([scope == Scope::All], |r| {
            Ok(SetRow {
                id: r.get(0)?,
                agreement: r.get(1)?,
                first: r.get(2)?,
                second: r.get(3)?,
                term: (r.get(4)?, r.get(5)?),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut found = Validated::default();
    let mut agreements = BTreeSet::new();
    let mut update = tx.prepare_cached(
        "UPDATE agreement_number_sets SET validation = ?2, validated_at = ?3, validation_note = ?4 WHERE id = ?1",
    )?;
    for set in &sets {
        let term = (set.term.0.as_deref(), set.term.1.as_deref());
        let (state, note) = match export.judge(&set.first, &set.second, term) {
            judge::Verdict::Valid => {
                found.valid += 1;
                ("valid", None)
            }
            judge::Verdict::NotFound(why) => {
                found.not_found += 1;
                ("not_found", Some(why))
            }
            judge::Verdict::Mismatched(why) => {
                found.mismatched += 1;
                ("mismatched", Some(why))
            }
        };
        update.execute(params![set.id, state, at, note])?;
        agreements.insert(set.agreement);
    }
    for agreement in agreements {
        settle(tx, &export, agreement, &at)?;
    }
    Ok(found)
}

/// A set to judge, with its agreement's own term (start, end).
struct SetRow {
    id: i64,
    agreement: i64,
    first: String,
    second: String,
    term: (Option<String>, Option<String>),
}

/// Brings an agreement in line with its sets: its coarse state and the
/// entitlements of its valid sets.
fn settle(tx: &Connection, export: &judge::Export, agreement: i64, at: &str) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare_cached(
        "SELECT first_number, second_number, validation FROM agreement_number_sets WHERE agreement_id = ?1",
    )?;
    let sets: Vec<(String, String, String)> = stmt
        .query_map([agreement], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut held: BTreeMap<i64, i64> = BTreeMap::new();
    for (first, second, _) in sets.iter().filter(|s| s.2 == "valid") {
        for row in export.rows(first, second) {
            *held.entry(row.product_id).or_default() += row.quantity;
        }
    }
    tx.execute("DELETE FROM entitlements WHERE agreement_id = ?1", [agreement])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO entitlements (agreement_id, product_id, quantity) VALUES (?1, ?2, ?3)",
    )?;
    for (product, quantity) in held {
        insert.execute(params![agreement, product, quantity])?;
    }
    let coarse = if sets.iter().any(|s| s.2 == "pending") {
        "pending"
    } else if sets.iter().all(|s| s.2 == "valid") {
        "valid"
    } else {
        "invalid"
    };
    let validated_at = (coarse != "pending").then_some(at);
    tx.execute(
        "UPDATE agreements SET validation = ?2, validated_at = ?3 WHERE id = ?1",
        params![agreement, coarse, validated_at],
    )?;
    Ok(())
}
