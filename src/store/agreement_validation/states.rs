//! Reading validation back: each set's state and the agreement's overall
//! one, as `seats agreements` shows them (R-AGR-8).

use std::collections::HashMap;

use rusqlite::Connection;
use serde::Serialize;

/// A set's state in SQL (over `n` the set and `a` its agreement). An
/// agreement validated by another source (the demo's simulated portal, a
/// cache from before per-set validation) with none of its sets judged
/// against an export gives its sets its own state: valid, or not_found.
pub const SET_STATE: &str = "(CASE WHEN n.validated_at IS NULL AND a.validation <> 'pending' \
     AND NOT EXISTS (SELECT 1 FROM agreement_number_sets o WHERE o.agreement_id = a.id \
                     AND o.validated_at IS NOT NULL) \
     THEN (CASE a.validation WHEN 'valid' THEN 'valid' ELSE 'not_found' END) \
     ELSE n.validation END)";

/// One number set with its validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetState {
    pub first: String,
    pub second: String,
    /// pending, valid, not_found or mismatched.
    pub validation: String,
    /// Why it is not_found or mismatched.
    pub note: Option<String>,
}

/// Every agreement's sets with their states, in the order they were added.
pub fn set_states(conn: &Connection) -> rusqlite::Result<HashMap<i64, Vec<SetState>>> {
    let sql = format!(
        "SELECT n.agreement_id, n.first_number, n.second_number, {SET_STATE}, n.validation_note \
         FROM agreement_number_sets n JOIN agreements a ON a.id = n.agreement_id ORDER BY n.agreement_id, n.id"
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut sets: HashMap<i64, Vec<SetState>> = HashMap::new();
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        sets.entry(r.get(0)?).or_default().push(SetState {
            first: r.get(1)?,
            second: r.get(2)?,
            validation: r.get(3)?,
            note: r.get(4)?,
        });
    }
    Ok(sets)
}

/// One agreement's sets with their states, in the order they were added.
pub fn sets_of(conn: &Connection, agreement_id: i64) -> rusqlite::Result<Vec<SetState>> {
    let sql = format!(
        "SELECT n.first_number, n.second_number, {SET_STATE}, n.validation_note \
         FROM agreement_number_sets n JOIN agreements a ON a.id = n.agreement_id \
         WHERE n.agreement_id = ?1 ORDER BY n.id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([agreement_id], |r| {
        Ok(SetState {
            first: r.get(0)?,
            second: r.get(1)?,
            validation: r.get(2)?,
            note: r.get(3)?,
        })
    })?;
    rows.collect()
}

/// An agreement's overall state from its sets: pending while any set is
/// (it is not validated yet), else mismatched if any set is, else
/// not_found if any set is, else valid. `fallback` (the agreement's own
/// column) speaks for an agreement without sets (other software).
pub fn overall(sets: &[SetState], fallback: &str) -> String {
    let any = |state: &str| sets.iter().any(|s| s.validation == state);
    let state = if sets.is_empty() {
        // The coarse column's invalid is the finer not_found.
        if fallback == "invalid" {
            "not_found"
        } else {
            fallback
        }
    } else if any("pending") {
        "pending"
    } else if any("mismatched") {
        "mismatched"
    } else if any("not_found") {
        "not_found"
    } else {
        "valid"
    };
    state.to_owned()
}
