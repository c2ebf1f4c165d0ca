//! Applying a change: a job with its own connection, so the reader keeps
//! serving windows while the write runs. Every rule (seats, roles, audit,
//! outbox) is enforced by the store inside one transaction.

mod connectors;
mod products;
mod settings;
mod subscriptions;

use std::path::Path;

use rusqlite::Connection;

use super::plans::principals;
use super::search::SearchIndex;
use crate::app::WorkerEvent;
use crate::app::dialogs::Change;
use crate::app::message::PushTarget;
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
    format!("{}{queued}{}", what_changed(outcome), cancelled(outcome))
}

/// "Pool: +1 seat (consumed 5 → 6)": the change without the outbox notes.
fn what_changed(outcome: &ChangeOutcome) -> String {
    let what = if outcome.action == "set_intent" {
        "intent changed, no seat taken or freed".to_owned()
    } else if is_release(&outcome.action) {
        released(outcome)
    } else {
        let delta = outcome.consumed_after - outcome.consumed_before;
        format!("{delta:+} seat{}", plural(delta))
    };
    format!(
        "{}: {what} (consumed {} → {})",
        outcome.pool_name, outcome.consumed_before, outcome.consumed_after
    )
}

fn cancelled(outcome: &ChangeOutcome) -> String {
    match outcome.cancelled {
        0 => String::new(),
        1 => ", its change not yet sent to the source cancelled".to_owned(),
        n => format!(", its {n} changes not yet sent to the source cancelled"),
    }
}

/// The line of an outcome queued for a connector the console pushes to now.
fn describe_pushed(outcome: &ChangeOutcome, connector: &str) -> String {
    format!(
        "{}, queued for {connector}: sending now{}",
        what_changed(outcome),
        cancelled(outcome)
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
        Change::SetIntent { seat_ids, intent } => settings::set_intent(conn, actor, seat_ids, intent),
        // Not seat changes: `apply` answers them before `run`.
        Change::SetLanguage { .. }
        | Change::TakeOver { .. }
        | Change::SetEnabled { .. }
        | Change::SetInstallScope { .. }
        | Change::Validate
        | Change::DeleteAgreement { .. }
        | Change::MoveAgreement { .. }
        | Change::ImportAgreements { .. }
        | Change::LicenseGroup(_)
        | Change::MapProduct { .. }
        | Change::Subscription(_)
        | Change::AddVolumeAgreement { .. }
        | Change::SaveOtherAgreement { .. } => (Vec::new(), None),
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
    if let Change::SetLanguage {
        connector_id,
        language,
    } = change
    {
        return settings::set_language(&conn, actor, *connector_id, language);
    }
    if let Change::TakeOver { connector_id } = change {
        return connectors::take_over(&conn, actor, *connector_id);
    }
    if let Change::SetEnabled {
        connector_id,
        enabled,
    } = change
    {
        return connectors::set_enabled(&conn, actor, *connector_id, *enabled);
    }
    if let Change::SetInstallScope { app_id, scope } = change {
        return settings::set_install_scope(&conn, actor, *app_id, scope);
    }
    if let Change::Validate = change {
        return settings::validate(&conn, actor);
    }
    if let Change::DeleteAgreement { id } = change {
        return settings::delete_agreement(&conn, actor, *id);
    }
    if let Change::MoveAgreement { id, group } = change {
        return settings::move_agreement(&conn, actor, *id, group);
    }
    if let Change::MapProduct { raw, title } = change {
        return products::map(&conn, actor, raw, title.as_deref());
    }
    if let Change::Subscription(op) = change {
        return subscriptions::apply(&conn, actor, op);
    }
    if let Change::LicenseGroup(op) = change {
        return settings::license_group(&conn, actor, op);
    }
    if let Change::AddVolumeAgreement { name, pairs, group } = change {
        return settings::add_volume(&conn, actor, name, pairs, group);
    }
    if let Change::SaveOtherAgreement { id, agreement, group } = change {
        return settings::save_other(&conn, actor, *id, agreement, group);
    }
    if let Change::ImportAgreements { path, group } = change {
        return settings::written(super::agreements_file::import(&conn, actor, path, group));
    }
    let (outcomes, refused) = run(&conn, actor, change);
    if let (Change::Undo { batches }, true, None) = (change, outcomes.is_empty(), &refused) {
        // A subscription's change moves no seat: its undo names the fields.
        return subscriptions::undone(&conn, batches);
    }
    if outcomes.is_empty() {
        let message = refused.map_or_else(|| "nothing to change".to_owned(), |err| err.to_string());
        tracing::info!(actor = %actor.name, %message, "change refused");
        return WorkerEvent::WriteRefused { message };
    }
    let mut batches: Vec<String> = outcomes.iter().map(|o| o.batch_id.clone()).collect();
    batches.dedup();
    let pushers = push_connectors(&conn, &outcomes);
    let mut push_to: Vec<PushTarget> = Vec::new();
    let mut summary = Vec::new();
    for (outcome, pusher) in outcomes.iter().zip(&pushers) {
        let Some((connector_id, connector)) = pusher else {
            summary.push(describe(outcome));
            continue;
        };
        summary.push(describe_pushed(outcome, connector));
        let line = what_changed(outcome);
        match push_to.iter_mut().find(|t| t.connector_id == *connector_id) {
            Some(target) => target.lines.push(line),
            None => push_to.push(PushTarget {
                connector_id: *connector_id,
                connector: connector.clone(),
                lines: vec![line],
            }),
        }
    }
    let failed = refused.map(|err| err.to_string());
    tracing::info!(actor = %actor.name, ?summary, ?failed, "change applied");
    WorkerEvent::Written {
        summary,
        batches,
        undo: matches!(change, Change::Undo { .. }),
        failed,
        push_to,
    }
}

/// For each outcome queued for a connector that pushes in this version
/// (Graph), that connector's (id, name); None for the others, whose changes
/// wait in the outbox.
fn push_connectors(conn: &Connection, outcomes: &[ChangeOutcome]) -> Vec<Option<(i64, String)>> {
    outcomes
        .iter()
        .map(|outcome| {
            if !outcome.queued {
                return None;
            }
            let found = conn.query_row(
                "SELECT c.id, c.name, c.kind FROM pools p JOIN connectors c ON c.id = p.connector_id \
                 WHERE p.id = ?1",
                [outcome.pool_id],
                |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?)),
            );
            match found {
                Ok((id, name, kind)) => kind
                    .parse::<crate::domain::ConnectorKind>()
                    .ok()
                    .filter(|kind| super::schedule::syncs_in_this_version(*kind))
                    .map(|_| (id, name)),
                Err(err) => {
                    tracing::warn!(%err, pool = outcome.pool_id, "cannot tell which connector pushes a change");
                    None
                }
            }
        })
        .collect()
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
