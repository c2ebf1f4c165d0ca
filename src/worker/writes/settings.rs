//! Writes of app and agreement settings from the console: the intent of
//! app seats (R-APP-7; an uninstall may free seats at once), an offline
//! app's install scope (R-APP-4), a Store connector's language (R-CON-1)
//! validating agreements (R-AGR-8), adding one by hand or editing one
//! (R-AGR-6, R-AGR-10), moving and deleting one (R-AGR-12).
//! All but the intent change no seat and make no batch.

use rusqlite::Connection;

use super::{Applied, whole};
use crate::app::WorkerEvent;
use crate::domain::agreement_entry::OtherAgreement;
use crate::store::agreements_entry::{self, GroupChoice};
use crate::store::changes::{self, Actor};

/// Sets the intent; for uninstall, then frees at once the seats whose app
/// no install reports (a batch of its own: undo takes back both).
pub(super) fn set_intent(conn: &Connection, actor: &Actor, seat_ids: &[i64], intent: &str) -> Applied {
    let (mut outcomes, refused) = whole(changes::set_intent(conn, actor, seat_ids, intent));
    if refused.is_some() || intent != "uninstall" {
        return (outcomes, refused);
    }
    let gone: Vec<i64> = match changes::uninstalled_seats(conn, None) {
        Ok(ids) => ids.into_iter().filter(|id| seat_ids.contains(id)).collect(),
        Err(err) => return (outcomes, Some(err.into())),
    };
    if gone.is_empty() {
        return (outcomes, None);
    }
    let (freed, refused) = whole(changes::release_seats(conn, actor, &gone));
    outcomes.extend(freed);
    (outcomes, refused)
}

/// A Store connector's app-name language (R-CON-1): no seat, no batch.
/// Who may manage apps may choose how their names show.
pub(super) fn set_language(
    conn: &Connection,
    actor: &Actor,
    connector_id: i64,
    language: &str,
) -> WorkerEvent {
    written(
        authorized(conn, actor, changes::Permission::Assign).and_then(|()| {
            crate::store::connectors_language::set_language(conn, connector_id, language, &actor.name)
                .map(|(name, _)| format!("{name}: app names in {language} from the next sync"))
                .map_err(|err| err.to_string())
        }),
    )
}

/// Every volume agreement's sets against the last imported entitlements
/// export (R-AGR-8): no seat, no batch.
pub(super) fn validate(conn: &Connection, actor: &Actor) -> WorkerEvent {
    use crate::store::agreement_validation::{Scope, validate_agreements};
    written(
        authorized(conn, actor, changes::Permission::ManageAgreements).and_then(
            |()| match validate_agreements(conn, Scope::All, chrono::Utc::now()) {
                Ok(done) if done.no_export => {
                    Ok("no entitlements export imported yet: `seats import entitlements \
                 FILE` brings the Volume Licensing portal's licensing summary; the agreements stay pending"
                        .to_owned())
                }
                Ok(done) => Ok(format!(
                    "agreements validated: {} sets valid, {} not found, {} mismatched",
                    done.valid, done.not_found, done.mismatched
                )),
                Err(err) => Err(format!("validation failed: {err}; nothing was changed")),
            },
        ),
    )
}

/// How an offline app installs (R-APP-4): no seat moves, but it is a
/// batch z undoes, as a seat change is.
pub(super) fn set_install_scope(conn: &Connection, actor: &Actor, app_id: i64, scope: &str) -> WorkerEvent {
    match changes::set_install_scope(conn, actor, app_id, scope) {
        Ok((name, batch)) => WorkerEvent::Written {
            summary: vec![format!("{name}: installs per {scope}")],
            batches: vec![batch],
            undo: false,
            failed: None,
            push_to: Vec::new(),
        },
        Err(err) => WorkerEvent::WriteRefused {
            message: err.to_string(),
        },
    }
}

/// The actor's role allows `permission`, or why not.
fn authorized(conn: &Connection, actor: &Actor, permission: changes::Permission) -> Result<(), String> {
    changes::authorize(conn, actor, permission)
        .map(|_| ())
        .map_err(|err| err.to_string())
}

/// An agreement deleted with its sets (R-AGR-12).
pub(super) fn delete_agreement(conn: &Connection, actor: &Actor, id: i64) -> WorkerEvent {
    written(
        crate::store::agreements_manage::delete_agreement(conn, actor, id)
            .map(|name| format!("{name} deleted")),
    )
}

/// An agreement moved to another license group (R-AGR-12).
pub(super) fn move_agreement(conn: &Connection, actor: &Actor, id: i64, group: &str) -> WorkerEvent {
    written(
        crate::store::agreements_manage::move_agreement(conn, actor, id, group)
            .map(|(name, group)| format!("{name} moved to {group}")),
    )
}

/// A setting's outcome as the console shows it.
pub(super) fn written(outcome: Result<String, impl std::fmt::Display>) -> WorkerEvent {
    match outcome {
        Ok(summary) => WorkerEvent::Written {
            summary: vec![summary],
            batches: Vec::new(),
            undo: false,
            failed: None,
            push_to: Vec::new(),
        },
        Err(err) => WorkerEvent::WriteRefused {
            message: err.to_string(),
        },
    }
}

/// A license group made, renamed or removed (R-AGR-7, R-AGR-12).
pub(super) fn license_group(
    conn: &Connection,
    actor: &Actor,
    op: &crate::app::dialogs::GroupOp,
) -> WorkerEvent {
    use crate::app::dialogs::GroupOp;
    use crate::store::license_groups;
    written(match op {
        GroupOp::Add(name) => {
            license_groups::add(conn, actor, name).map(|_| format!("license group {name:?} made"))
        }
        GroupOp::Rename { old, new } => license_groups::rename(conn, actor, old, new)
            .map(|()| format!("license group {old:?} renamed {new:?}")),
        GroupOp::Remove(name) => license_groups::remove(conn, actor, name).map(|moved| {
            format!("license group {name:?} removed; {moved} agreements moved to \"Unassigned agreements\"")
        }),
    })
}

/// A volume agreement entered by hand (R-AGR-6), then its sets validated
/// like an import's (R-AGR-8).
pub(super) fn add_volume(
    conn: &Connection,
    actor: &Actor,
    name: &str,
    pairs: &[(String, String)],
    group: &GroupChoice,
) -> WorkerEvent {
    use crate::store::agreement_validation::{Scope, validate_agreements};
    written(
        agreements_entry::add_volume(conn, actor, name, pairs, group)
            .map_err(|err| err.to_string())
            .map(|group| {
                let added = format!(
                    "{} added to {group:?} with {} number sets",
                    name.trim(),
                    pairs.len()
                );
                match validate_agreements(conn, Scope::Pending, chrono::Utc::now()) {
                    Ok(done) => format!("{added}; {}", done.summary().trim_end()),
                    Err(err) => format!("{added}; validation failed: {err} (r validates again)"),
                }
            }),
    )
}

/// An other-software agreement added or edited (R-AGR-10, R-AGR-11).
pub(super) fn save_other(
    conn: &Connection,
    actor: &Actor,
    id: Option<i64>,
    other: &OtherAgreement,
    group: &GroupChoice,
) -> WorkerEvent {
    written(
        agreements_entry::save_other(conn, actor, id, other, group).map(|plan| match plan.group {
            Some((group, _)) => format!("{} added to {group:?}", other.name.trim()),
            None => format!("{} saved", other.name.trim()),
        }),
    )
}
