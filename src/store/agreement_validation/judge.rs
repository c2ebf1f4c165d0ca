//! The verdict on one number set against the imported export (R-AGR-8):
//! - valid: the export holds the pair (both numbers, together, without
//!   ASCII case) and, when the agreement has a term of its own, the
//!   export's term for the pair overlaps it;
//! - mismatched: the pair is there but the agreement's term does not
//!   overlap the export's, or the numbers are there the other way round,
//!   or either number is there paired with another number;
//! - not found: neither number is anywhere in the export.

use std::collections::{BTreeSet, HashMap};

use rusqlite::Connection;

use crate::domain::agreement_rules::clash_key;

/// One row of the export as validation needs it.
#[derive(Debug, Clone)]
pub(super) struct Held {
    pub product_id: i64,
    pub quantity: i64,
    pub starts_on: String,
    pub ends_on: Option<String>,
}

/// The whole imported export, by pair and by each number.
#[derive(Default)]
pub(super) struct Export {
    pairs: HashMap<(String, String), Vec<Held>>,
    /// A first number's second numbers, as the export writes them.
    seconds: HashMap<String, BTreeSet<String>>,
    /// A second number's first numbers.
    firsts: HashMap<String, BTreeSet<String>>,
}

/// What validation found for a set, with why when it is not valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Verdict {
    Valid,
    NotFound(String),
    Mismatched(String),
}

impl Export {
    pub(super) fn load(conn: &Connection) -> rusqlite::Result<Export> {
        let mut export = Export::default();
        let mut stmt = conn.prepare(
            "SELECT first_number, second_number, product_id, quantity, starts_on, ends_on FROM vl_entitlements",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (first, second): (String, String) = (r.get(0)?, r.get(1)?);
            let held = Held {
                product_id: r.get(2)?,
                quantity: r.get(3)?,
                starts_on: r.get(4)?,
                ends_on: r.get(5)?,
            };
            let key = (clash_key(&first), clash_key(&second));
            export.pairs.entry(key).or_default().push(held);
            export
                .seconds
                .entry(clash_key(&first))
                .or_default()
                .insert(second.clone());
            export.firsts.entry(clash_key(&second)).or_default().insert(first);
        }
        Ok(export)
    }

    /// The export's rows for a pair (none when it does not hold it).
    pub(super) fn rows(&self, first: &str, second: &str) -> &[Held] {
        self.pairs
            .get(&(clash_key(first), clash_key(second)))
            .map_or(&[], Vec::as_slice)
    }

    /// The verdict on the set (first, second) of an agreement whose own
    /// term is `term` (start, end; either may be unknown).
    pub(super) fn judge(&self, first: &str, second: &str, term: (Option<&str>, Option<&str>)) -> Verdict {
        let rows = self.rows(first, second);
        if !rows.is_empty() {
            let starts = rows
                .iter()
                .map(|h| h.starts_on.as_str())
                .min()
                .unwrap_or_default();
            let ends = if rows.iter().any(|h| h.ends_on.is_none()) {
                None
            } else {
                rows.iter().filter_map(|h| h.ends_on.as_deref()).max()
            };
            let before = term.1.is_some_and(|end| end < starts);
            let after = matches!((term.0, ends), (Some(start), Some(end)) if start > end);
            if before || after {
                return Verdict::Mismatched(format!(
                    "the agreement runs {} to {}, the export's term for this set {starts} to {}",
                    term.0.unwrap_or("?"),
                    term.1.unwrap_or("?"),
                    ends.unwrap_or("(perpetual)")
                ));
            }
            return Verdict::Valid;
        }
        if !self.rows(second, first).is_empty() {
            return Verdict::Mismatched(format!(
                "the export holds these numbers the other way round: {second}, {first}"
            ));
        }
        if let Some(others) = self.seconds.get(&clash_key(first)) {
            return Verdict::Mismatched(format!(
                "the export pairs {first} with {}, not {second}",
                list(others)
            ));
        }
        if let Some(others) = self.firsts.get(&clash_key(second)) {
            return Verdict::Mismatched(format!(
                "the export pairs {second} with {}, not {first}",
                list(others)
            ));
        }
        let numbers = if clash_key(first) == clash_key(second) {
            first.to_owned()
        } else {
            format!("neither {first} nor {second}")
        };
        Verdict::NotFound(format!("{numbers} is not in the imported licensing summary"))
    }
}

fn list(numbers: &BTreeSet<String>) -> String {
    numbers.iter().cloned().collect::<Vec<_>>().join(" or ")
}
