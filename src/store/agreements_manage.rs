//! Moving an agreement to another license group and deleting one
//! (R-AGR-12), from the console with a confirmation. Each is audited;
//! a deleted agreement's number sets and entitlements go with it.

use rusqlite::{Connection, OptionalExtension as _, params};

use super::agreement_error::AgreementError;
use super::changes::Actor;
use super::license_groups::{audit, audited, find};

/// An agreement as a move or a delete names it: (name, kind, group, sets).
pub fn describe(conn: &Connection, id: i64) -> Result<(String, String, String, i64), AgreementError> {
    conn.query_row(
        "SELECT a.name, a.kind, g.name, (SELECT count(*) FROM agreement_number_sets n WHERE n.agreement_id = a.id) \
         FROM agreements a JOIN license_groups g ON g.id = a.license_group_id WHERE a.id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
    .optional()?
    .ok_or_else(|| AgreementError::Invalid(format!("no agreement with id {id}; `seats agreements` lists them")))
}

/// Moves agreement `id` to the license group named `group`; returns
/// (agreement, group) as named in the cache.
pub fn move_agreement(
    conn: &Connection,
    actor: &Actor,
    id: i64,
    group: &str,
) -> Result<(String, String), AgreementError> {
    let (name, _, from, _) = describe(conn, id)?;
    audited(conn, actor, "agreement_move", &name, |tx| {
        let (group_id, _, group_name) = find(tx, group)?;
        tx.execute(
            "UPDATE agreements SET license_group_id = ?2 WHERE id = ?1",
            params![id, group_id],
        )?;
        let detail = serde_json::json!({ "from": from, "to": group_name });
        audit(tx, actor, "agreement_move", &[&name], "ok", Some(detail))?;
        Ok((name.clone(), group_name))
    })
}

/// Deletes agreement `id` with its number sets and entitlements; returns
/// its name.
pub fn delete_agreement(conn: &Connection, actor: &Actor, id: i64) -> Result<String, AgreementError> {
    let (name, kind, group, sets) = describe(conn, id)?;
    audited(conn, actor, "agreement_delete", &name, |tx| {
        // ON DELETE CASCADE takes the sets and entitlements.
        tx.execute("DELETE FROM agreements WHERE id = ?1", [id])?;
        let detail = serde_json::json!({ "kind": kind, "group": group, "number_sets": sets });
        audit(tx, actor, "agreement_delete", &[&name], "ok", Some(detail))?;
        Ok(name.clone())
    })
}
