//! Changing a subscription (issue 10): activate (R-SUB-3), cancel with its
//! seats (R-SUB-7), quantity (R-SUB-5, R-LIC-8) and billing profile
//! (R-SUB-6). Each checks the domain's rule inside its write transaction
//! and is audited; a refusal changes nothing and says what to do.
//! Errors reuse the settings' error type: its exit codes are the contract's
//! (2 unknown id, 3 a rule, 4 a role).

use rusqlite::{Connection, OptionalExtension as _, Transaction, params};
use serde_json::json;

use super::agreement_error::AgreementError as SettingError;
use super::changes::{self, Actor, ChangeError, ChangeOutcome, Permission, Refusal};
use super::license_groups::{audit, audited_as};
use super::subscriptions::{self, SubscriptionRow};
use crate::domain::subscription::{self, Pricing, SubAction, SubStatus};

/// The subscription `id` or the error naming it (exit 2).
fn require(conn: &Connection, id: i64) -> Result<SubscriptionRow, SettingError> {
    subscriptions::get(conn, id)?.ok_or_else(|| {
        SettingError::Invalid(format!(
            "no subscription with id {id}; `seats subscriptions` lists them with their ids"
        ))
    })
}

fn status_of(row: &SubscriptionRow) -> SubStatus {
    SubStatus::from_cache(&row.status, row.disabled_reason.as_deref())
}

/// `seats subscription activate ID`: the admin activated it at the
/// publisher; seats can be assigned from now on.
pub fn activate(conn: &Connection, actor: &Actor, id: i64, today: &str) -> Result<String, SettingError> {
    let name = id.to_string();
    audited_as(
        conn,
        actor,
        Permission::ManageSubscriptions,
        "subscription_activate",
        &name,
        |tx| {
            let row = require(tx, id)?;
            subscription::transition(status_of(&row), SubAction::Activate)
                .map_err(|why| SettingError::Refused(format!("{} can't be activated: {why}", row.name)))?;
            tx.execute(
                "UPDATE pools SET status = 'active', disabled_reason = NULL, status_on = ?2 WHERE id = ?1",
                params![id, today],
            )?;
            audit(
                tx,
                actor,
                "subscription_activate",
                &[&row.name],
                "ok",
                Some(json!({ "pool": id })),
            )?;
            Ok(format!("{} is active: its seats can be assigned", row.name))
        },
    )
}

/// `seats subscription cancel ID`: disabled for good, every seat released
/// through the release path (one batch, audited).
pub fn cancel(
    conn: &Connection,
    actor: &Actor,
    id: i64,
    today: &str,
) -> Result<(SubscriptionRow, Option<ChangeOutcome>), ChangeError> {
    let row = subscriptions::get(conn, id)?.ok_or_else(|| {
        ChangeError::NotFound(format!(
            "no subscription with id {id}; `seats subscriptions` lists them with their ids"
        ))
    })?;
    let outcome = changes::cancel_subscription(conn, actor, id, |tx: &Transaction<'_>| {
        let now = subscriptions::get(tx, id)?.unwrap_or_else(|| row.clone());
        subscription::transition(status_of(&now), SubAction::Cancel).map_err(|why| {
            ChangeError::Refused(Refusal::NotAssignable {
                pool: now.name.clone(),
                why: format!("can't be cancelled: {why}"),
            })
        })?;
        tx.execute(
            "UPDATE pools SET status = 'disabled', disabled_reason = 'cancelled', status_on = ?2 WHERE id = ?1",
            params![id, today],
        )?;
        Ok(())
    })?;
    Ok((row, outcome))
}

/// `seats subscription quantity ID N` (seat-based only).
pub fn set_quantity(conn: &Connection, actor: &Actor, id: i64, wanted: i64) -> Result<String, SettingError> {
    let name = id.to_string();
    audited_as(
        conn,
        actor,
        Permission::ManageSubscriptions,
        "subscription_quantity",
        &name,
        |tx| {
            let row = require(tx, id)?;
            let pricing = if row.pricing.as_deref() == Some("flat") {
                Pricing::Flat
            } else {
                Pricing::PerSeat
            };
            subscription::check_quantity(
                pricing,
                row.vendor_managed,
                status_of(&row),
                row.quantity,
                row.consumed,
                wanted,
            )
            .map_err(|why| SettingError::Refused(format!("{}: {why}", row.name)))?;
            tx.execute("UPDATE pools SET total = ?2 WHERE id = ?1", params![id, wanted])?;
            let detail = json!({ "pool": id, "from": row.quantity, "to": wanted });
            audit(
                tx,
                actor,
                "subscription_quantity",
                &[&row.name],
                "ok",
                Some(detail),
            )?;
            let from = row.quantity.map_or("unlimited".to_owned(), |q| q.to_string());
            Ok(format!(
                "{}: {from} → {wanted} seats ({} in use)",
                row.name, row.consumed
            ))
        },
    )
}

/// The actor's role, as the admins table has it.
fn role_of(conn: &Connection, actor: &Actor) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT role FROM admins WHERE os_user = ?1", [&actor.name], |r| {
        r.get(0)
    })
    .optional()
}

/// `seats subscription profile ID PROFILE`: bill it to another profile,
/// which the actor's role must be allowed to use (its `editable_by`).
pub fn set_profile(conn: &Connection, actor: &Actor, id: i64, profile: &str) -> Result<String, SettingError> {
    let name = id.to_string();
    audited_as(
        conn,
        actor,
        Permission::ManageSubscriptions,
        "subscription_profile",
        &name,
        |tx| {
            let row = require(tx, id)?;
            let found: Option<(i64, String, String)> = tx
            .query_row(
                "SELECT id, name, editable_by FROM billing_profiles WHERE name = ?1 COLLATE NOCASE OR CAST(id AS TEXT) = ?1",
                [profile.trim()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
            let Some((profile_id, profile_name, editable_by)) = found else {
                return Err(SettingError::Invalid(format!(
                    "no billing profile {profile:?}; `seats billing-profiles` lists them"
                )));
            };
            let role = role_of(tx, actor)?.unwrap_or_default();
            if !editable_by.split(',').any(|r| r.trim() == role) {
                return Err(SettingError::NotPermitted(format!(
                    "billing profile {profile_name} may be used by the {editable_by} roles only; you are {}",
                    if role.is_empty() { "no admin" } else { &role }
                )));
            }
            if row.billing_profile.as_deref() == Some(profile_name.as_str()) {
                return Err(SettingError::Refused(format!(
                    "{} is billed to {profile_name} already",
                    row.name
                )));
            }
            tx.execute(
                "UPDATE pools SET billing_profile_id = ?2 WHERE id = ?1",
                params![id, profile_id],
            )?;
            let detail = json!({ "pool": id, "from": row.billing_profile, "to": profile_name });
            audit(
                tx,
                actor,
                "subscription_profile",
                &[&row.name],
                "ok",
                Some(detail),
            )?;
            Ok(format!("{} is billed to {profile_name} from now on", row.name))
        },
    )
}
