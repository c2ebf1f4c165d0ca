//! Changing a subscription (issue 10): activate (R-SUB-3), cancel with its
//! seats (R-SUB-7), quantity (R-SUB-5, R-LIC-8) and billing profile
//! (R-SUB-6). Each checks the domain's rule inside its write transaction,
//! is audited, and is a batch that undo inverts (cancel's seats come back
//! only onto a subscription that takes seats, which a cancelled one never
//! does again). A refusal changes nothing and says what to do.

use rusqlite::{Connection, OptionalExtension as _, params, types::Value};
use serde_json::json;

use super::changes::{self, Actor, ChangeError, ChangeOutcome, FieldChange, Refusal};
use super::subscriptions::{self, SubscriptionRow};
use crate::domain::subscription::{self, Pricing, SubAction, SubStatus};

/// What a change did: the line to show and its batch (for undo).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub message: String,
    pub batch: String,
}

/// The subscription `id` or the error naming it (exit 2).
pub(crate) fn require(conn: &Connection, id: i64) -> Result<SubscriptionRow, ChangeError> {
    subscriptions::get(conn, id)?.ok_or_else(|| {
        ChangeError::NotFound(format!(
            "no subscription with id {id}; `seats subscriptions` lists them with their ids"
        ))
    })
}

pub(crate) fn status_of(row: &SubscriptionRow) -> SubStatus {
    SubStatus::from_cache(&row.status, row.disabled_reason.as_deref())
}

/// A rule's refusal, named after the subscription (exit 3).
pub(crate) fn refused(row: &SubscriptionRow, why: String) -> ChangeError {
    ChangeError::Refused(Refusal::NotAssignable {
        pool: row.name.clone(),
        why,
    })
}

/// Runs one field change of subscription `id` as an undoable batch.
pub(crate) fn change(
    conn: &Connection,
    actor: &Actor,
    action: &str,
    id: i64,
    decide: impl FnOnce(&Connection, &SubscriptionRow) -> Result<(FieldChange, String), ChangeError>,
) -> Result<Changed, ChangeError> {
    let mut message = String::new();
    let batch = changes::change_pool_fields(conn, actor, action, id, |tx| {
        let row = require(tx, id)?;
        let (change, said) = decide(tx, &row)?;
        message = said;
        Ok(change)
    })?;
    Ok(Changed { message, batch })
}

/// `seats subscription activate ID`: the admin activated it at the
/// publisher; seats can be assigned from now on.
pub fn activate(conn: &Connection, actor: &Actor, id: i64, today: &str) -> Result<Changed, ChangeError> {
    change(conn, actor, "subscription_activate", id, |_, row| {
        subscription::transition(status_of(row), SubAction::Activate)
            .map_err(|why| refused(row, format!("can't be activated: {why}")))?;
        let fields = vec![
            ("status", Value::Text("active".into())),
            ("disabled_reason", Value::Null),
            ("status_on", Value::Text(today.to_owned())),
        ];
        let change = FieldChange {
            pool_name: row.name.clone(),
            fields,
            detail: json!({ "pool": id, "from": row.status, "to": "active" }),
        };
        Ok((
            change,
            format!("{} is active: its seats can be assigned", row.name),
        ))
    })
}

/// `seats subscription cancel ID`: disabled for good, every seat released
/// through the release path (one batch, audited).
pub fn cancel(
    conn: &Connection,
    actor: &Actor,
    id: i64,
    today: &str,
) -> Result<(SubscriptionRow, Option<ChangeOutcome>), ChangeError> {
    let row = require(conn, id)?;
    let outcome = changes::cancel_subscription(conn, actor, id, |tx| {
        let now = require(tx, id)?;
        subscription::transition(status_of(&now), SubAction::Cancel)
            .map_err(|why| refused(&now, format!("can't be cancelled: {why}")))?;
        tx.execute(
            "UPDATE pools SET status = 'disabled', disabled_reason = 'cancelled', status_on = ?2 WHERE id = ?1",
            params![id, today],
        )?;
        Ok(())
    })?;
    Ok((row, outcome))
}

/// `seats subscription quantity ID N` (seat-based only).
pub fn set_quantity(conn: &Connection, actor: &Actor, id: i64, wanted: i64) -> Result<Changed, ChangeError> {
    change(conn, actor, "subscription_quantity", id, |_, row| {
        let pricing = if row.pricing.as_deref() == Some("flat") {
            Pricing::Flat
        } else {
            Pricing::PerSeat
        };
        let status = status_of(row);
        subscription::check_quantity(
            pricing,
            row.vendor_managed,
            status,
            row.quantity,
            row.consumed,
            wanted,
        )
        .map_err(|why| refused(row, why.to_string()))?;
        let from = row.quantity.map_or("unlimited".to_owned(), |q| q.to_string());
        let change = FieldChange {
            pool_name: row.name.clone(),
            fields: vec![("total", Value::Integer(wanted))],
            detail: json!({ "pool": id, "from": row.quantity, "to": wanted }),
        };
        Ok((
            change,
            format!("{}: {from} → {wanted} seats ({} in use)", row.name, row.consumed),
        ))
    })
}

/// The actor's role, as the admins table has it.
pub(crate) fn role_of(conn: &Connection, actor: &Actor) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT role FROM admins WHERE os_user = ?1", [&actor.name], |r| {
        r.get(0)
    })
    .optional()
}

/// A billing profile by name or id: (id, name, roles that may use it).
pub(crate) fn profile(conn: &Connection, key: &str) -> Result<(i64, String, String), ChangeError> {
    conn.query_row(
        "SELECT id, name, editable_by FROM billing_profiles WHERE name = ?1 COLLATE NOCASE \
         OR CAST(id AS TEXT) = ?1",
        [key.trim()],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()?
    .ok_or_else(|| {
        ChangeError::NotFound(format!(
            "no billing profile {key:?}; `seats billing-profiles` lists them"
        ))
    })
}

/// `seats subscription profile ID PROFILE`: bill it to another profile,
/// which the actor's role must be allowed to use (its `editable_by`).
pub fn set_profile(conn: &Connection, actor: &Actor, id: i64, key: &str) -> Result<Changed, ChangeError> {
    change(conn, actor, "subscription_profile", id, |tx, row| {
        let (profile_id, name, editable_by) = profile(tx, key)?;
        let role = role_of(tx, actor)?.unwrap_or_default();
        if !editable_by.split(',').any(|r| r.trim() == role) {
            let you = if role.is_empty() { "no admin" } else { &role };
            return Err(ChangeError::NotPermitted(format!(
                "billing profile {name} may be used by the {editable_by} roles only; you are {you}"
            )));
        }
        if row.billing_profile.as_deref() == Some(name.as_str()) {
            return Err(refused(row, format!("is billed to {name} already")));
        }
        let change = FieldChange {
            pool_name: row.name.clone(),
            fields: vec![("billing_profile_id", Value::Integer(profile_id))],
            detail: json!({ "pool": id, "from": row.billing_profile, "to": name }),
        };
        Ok((change, format!("{} is billed to {name} from now on", row.name)))
    })
}
