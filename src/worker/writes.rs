//! Applying a change: a job with its own connection, so the reader keeps
//! serving windows while the write runs. Every rule (seats, roles, audit,
//! outbox) is enforced by the store inside one transaction.

use std::path::Path;

use rusqlite::Connection;

use super::plans::principals;
use super::search::SearchIndex;
use crate::app::WorkerEvent;
use crate::app::dialogs::Change;
use crate::domain::principal::Principal;
use crate::store::changes::{self, Actor, ChangeError, ChangeOutcome};
use crate::store::{self, OpenMode};

/// One line for the flash message: a release says what it released and
/// who moved up; other changes give the seat delta.
pub fn describe(outcome: &ChangeOutcome) -> String {
    let queued = if outcome.queued {
        ", queued for the source (not sent yet)"
    } else {
        ""
    };
    let cancelled = match outcome.cancelled {
        0 => String::new(),
        1 => ", its change not yet sent to the source cancelled".to_owned(),
        n => format!(", its {n} changes not yet sent to the source cancelled"),
    };
    let what = if is_release(&outcome.action) {
        released(outcome)
    } else {
        let delta = outcome.consumed_after - outcome.consumed_before;
        format!("{delta:+} seat{}", plural(delta))
    };
    format!(
        "{}: {what} (consumed {} → {}){queued}{cancelled}",
        outcome.pool_name, outcome.consumed_before, outcome.consumed_after
    )
}

/// The actions that release seats (undo gives the delta instead: it may
/// add or take).
fn is_release(action: &str) -> bool {
    matches!(action, "unassign" | "release" | "remove_user" | "reclaim")
}

/// "released 2 seats, 1 waiting member moved up: james.tanaka, 1 kept".
fn released(outcome: &ChangeOutcome) -> String {
    let mut text = format!("released {} seat{}", outcome.released, plural(outcome.released));
    match outcome.promoted_names.as_slice() {
        [] => {}
        [one] => text.push_str(&format!(", 1 waiting member moved up: {one}")),
        many => text.push_str(&format!(
            ", {} waiting members moved up: {}",
            many.len(),
            super::plans::listed(many)
        )),
    }
    if !outcome.kept.is_empty() {
        text.push_str(&format!(", {} kept", outcome.kept.len()));
    }
    text
}

fn plural(n: i64) -> &'static str {
    if n.abs() == 1 { "" } else { "s" }
}

/// The outcomes committed so far and, if a part was refused, why. A change
/// over several pools (or several batches to undo) runs one transaction per
/// part, so what committed before a refusal is reported, not hidden.
type Applied = (Vec<ChangeOutcome>, Option<ChangeError>);

fn each<T>(parts: &[T], mut apply: impl FnMut(&T) -> Result<Vec<ChangeOutcome>, ChangeError>) -> Applied {
    let mut done = Vec::new();
    for part in parts {
        match apply(part) {
            Ok(outcomes) => done.extend(outcomes),
            Err(err) => return (done, Some(err)),
        }
    }
    (done, None)
}

fn whole(result: Result<Vec<ChangeOutcome>, ChangeError>) -> Applied {
    match result {
        Ok(outcomes) => (outcomes, None),
        Err(err) => (Vec::new(), Some(err)),
    }
}

fn run(conn: &Connection, actor: &Actor, change: &Change) -> Applied {
    match change {
        Change::Assign { pool_id, selection } => {
            // Selections arrive resolved to items; an empty index is enough.
            let principals = principals(selection, &mut SearchIndex::default());
            whole(changes::assign(conn, actor, *pool_id, &principals).map(|o| vec![o]))
        }
        Change::GivePools { user_id, pools } => each(pools, |pool| {
            changes::assign(conn, actor, *pool, &[Principal::User(*user_id)]).map(|o| vec![o])
        }),
        Change::ReleasePools { user_id, pools } => each(pools, |pool| {
            changes::unassign(conn, actor, *pool, &[Principal::User(*user_id)]).map(|o| vec![o])
        }),
        Change::ReleaseSeats { seat_ids } => whole(changes::release_seats(conn, actor, seat_ids)),
        Change::ReleaseListed { .. } => whole(Err(ChangeError::NotFound(
            "the listed seats were not resolved; open the preview again".to_owned(),
        ))),
        Change::RemoveUser {
            user_id,
            with_devices,
        } => whole(changes::remove_user(conn, actor, *user_id, *with_devices)),
        Change::Undo { batches } => {
            let newest_first: Vec<&String> = batches.iter().rev().collect();
            each(&newest_first, |batch| changes::undo(conn, actor, batch))
        }
    }
}

/// Applies `change` and reports the outcome as an event.
pub fn apply(path: &Path, actor: &Actor, change: &Change) -> WorkerEvent {
    let conn = match store::open(path, OpenMode::MustExist) {
        Ok(conn) => conn,
        Err(err) => {
            return WorkerEvent::WriteRefused {
                message: err.to_string(),
            };
        }
    };
    let (outcomes, refused) = run(&conn, actor, change);
    if outcomes.is_empty() {
        let message = refused.map_or_else(|| "nothing to change".to_owned(), |err| err.to_string());
        tracing::info!(actor = %actor.name, %message, "change refused");
        return WorkerEvent::WriteRefused { message };
    }
    let mut batches: Vec<String> = outcomes.iter().map(|o| o.batch_id.clone()).collect();
    batches.dedup();
    let summary: Vec<String> = outcomes.iter().map(describe).collect();
    let failed = refused.map(|err| err.to_string());
    tracing::info!(actor = %actor.name, ?summary, ?failed, "change applied");
    WorkerEvent::Written {
        summary,
        batches,
        undo: matches!(change, Change::Undo { .. }),
        failed,
    }
}

/// Audits an assignment the console refused at the key; a failure to write
/// the row is logged (the refusal itself was already shown).
pub fn audit_refused_assign(path: &Path, actor: &Actor, pool_id: i64) {
    let result = store::open(path, OpenMode::MustExist)
        .map_err(|err| err.to_string())
        .and_then(|conn| changes::audit_refused_assign(&conn, actor, pool_id).map_err(|err| err.to_string()));
    if let Err(err) = result {
        tracing::warn!(%err, "could not audit a refused assign");
    }
}
