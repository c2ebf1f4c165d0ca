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

/// One line for the flash message.
pub fn describe(outcome: &ChangeOutcome) -> String {
    let delta = outcome.consumed_after - outcome.consumed_before;
    let queued = if outcome.queued {
        ", queued for the source"
    } else {
        ""
    };
    format!(
        "{}: {delta:+} seat{} (consumed {} → {}){queued}",
        outcome.pool_name,
        if delta.abs() == 1 { "" } else { "s" },
        outcome.consumed_before,
        outcome.consumed_after
    )
}

fn run(conn: &Connection, actor: &Actor, change: &Change) -> Result<Vec<ChangeOutcome>, ChangeError> {
    match change {
        Change::Assign { pool_id, selection } => {
            // Selections arrive resolved to items; an empty index is enough.
            let principals = principals(selection, &mut SearchIndex::default());
            Ok(vec![changes::assign(conn, actor, *pool_id, &principals)?])
        }
        Change::GivePools { user_id, pools } => pools
            .iter()
            .map(|pool| changes::assign(conn, actor, *pool, &[Principal::User(*user_id)]))
            .collect(),
        Change::ReleasePools { user_id, pools } => pools
            .iter()
            .map(|pool| changes::unassign(conn, actor, *pool, &[Principal::User(*user_id)]))
            .collect(),
        Change::ReleaseSeats { seat_ids } => changes::release_seats(conn, actor, seat_ids),
        Change::ReleaseListed { .. } => Err(ChangeError::NotFound(
            "the listed seats were not resolved; open the preview again".to_owned(),
        )),
        Change::RemoveUser {
            user_id,
            with_devices,
        } => changes::remove_user(conn, actor, *user_id, *with_devices),
        Change::Undo { batches } => {
            let mut outcomes = Vec::new();
            for batch in batches.iter().rev() {
                outcomes.extend(changes::undo(conn, actor, batch)?);
            }
            Ok(outcomes)
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
    match run(&conn, actor, change) {
        Ok(outcomes) => {
            let mut batches: Vec<String> = outcomes.iter().map(|o| o.batch_id.clone()).collect();
            batches.dedup();
            let summary = if outcomes.is_empty() {
                vec!["nothing to change".to_owned()]
            } else {
                outcomes.iter().map(describe).collect()
            };
            tracing::info!(actor = %actor.name, ?summary, "change applied");
            WorkerEvent::Written {
                summary,
                batches,
                undo: matches!(change, Change::Undo { .. }),
            }
        }
        Err(err) => {
            tracing::info!(actor = %actor.name, %err, "change refused");
            WorkerEvent::WriteRefused {
                message: err.to_string(),
            }
        }
    }
}
