//! Adding and editing a billing profile by hand (R-SUB-6), audited. A
//! card is stored as its last four digits only (the domain refuses more;
//! the cache's CHECK refuses it again). Adding one takes a role that
//! manages subscriptions; editing one also takes a role the profile names.

use rusqlite::{Connection, OptionalExtension as _, params};
use serde_json::json;

use super::agreement_error::AgreementError;
use super::changes::{Actor, Permission};
use super::license_groups::{audit, audited_as};
use crate::domain::subscription_billing::ProfileEntry;

/// Adds `entry` (id None) or writes it over its profile; says what it did.
pub fn save_profile(
    conn: &Connection,
    actor: &Actor,
    entry: &ProfileEntry,
) -> Result<String, AgreementError> {
    let action = if entry.id.is_some() {
        "billing_profile_edit"
    } else {
        "billing_profile_add"
    };
    audited_as(
        conn,
        actor,
        Permission::ManageSubscriptions,
        action,
        &entry.name,
        |tx| {
            check(tx, actor, entry)?;
            let roles = entry.editable_by.join(",");
            match entry.id {
            Some(id) => tx.execute(
                "UPDATE billing_profiles SET name = ?2, payment_method = ?3, card_last4 = ?4, contact_name = ?5, \
                 contact_email = ?6, address = ?7, editable_by = ?8 WHERE id = ?1",
                params![
                    id,
                    entry.name,
                    entry.payment_method,
                    entry.card_last4,
                    entry.contact_name,
                    entry.contact_email,
                    entry.address,
                    roles
                ],
            )?,
            None => tx.execute(
                "INSERT INTO billing_profiles (name, payment_method, card_last4, contact_name, contact_email, \
                 address, editable_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    entry.name,
                    entry.payment_method,
                    entry.card_last4,
                    entry.contact_name,
                    entry.contact_email,
                    entry.address,
                    roles
                ],
            )?,
        };
            // The detail never holds more of a card than the stored four digits.
            let detail = json!({
                "payment_method": entry.payment_method,
                "card_last4": entry.card_last4,
                "editable_by": entry.editable_by,
            });
            audit(tx, actor, action, &[&entry.name], "ok", Some(detail))?;
            Ok(match entry.id {
                Some(_) => format!("billing profile {} is changed", entry.name),
                None => format!("billing profile {} is added", entry.name),
            })
        },
    )
}

/// Refuses a name another profile has, an unknown profile, or an edit by a
/// role the profile does not name.
pub fn check(conn: &Connection, actor: &Actor, entry: &ProfileEntry) -> Result<(), AgreementError> {
    let other: Option<i64> = conn
        .query_row(
            "SELECT id FROM billing_profiles WHERE name = ?1 COLLATE NOCASE AND id IS NOT ?2",
            params![entry.name, entry.id],
            |r| r.get(0),
        )
        .optional()?;
    if other.is_some() {
        return Err(AgreementError::Refused(format!(
            "a billing profile is named {:?} already; choose another name",
            entry.name
        )));
    }
    let Some(id) = entry.id else {
        return Ok(());
    };
    let roles: Option<String> = conn
        .query_row(
            "SELECT editable_by FROM billing_profiles WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(roles) = roles else {
        return Err(AgreementError::Refused(format!(
            "no billing profile with id {id}: removed since?"
        )));
    };
    let role: String = conn
        .query_row("SELECT role FROM admins WHERE os_user = ?1", [&actor.name], |r| {
            r.get(0)
        })
        .optional()?
        .unwrap_or_default();
    if roles.split(',').any(|r| r.trim() == role) {
        Ok(())
    } else {
        Err(AgreementError::NotPermitted(format!(
            "billing profile {} may be changed by the {roles} roles only; you are {}",
            entry.name,
            if role.is_empty() { "no admin" } else { &role }
        )))
    }
}
