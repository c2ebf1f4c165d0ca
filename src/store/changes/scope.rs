//! An offline app's install scope (R-APP-4) changed as an undoable batch,
//! like the seat changes (issue 8 polish): `z` puts the scope back.
//!
//! The batch's audit row, written in the same transaction, keeps the app
//! and the scope before and after; undo reads it back from there, so the
//! change needs no table of its own.

use rusqlite::{Connection, OptionalExtension as _, params};

use super::batch::{Ctx, Entry};
use super::{Actor, ChangeError, Permission, Refusal, authorize, write_audited};
use crate::store::app_settings::{SCOPES, check};

/// The batch's action and its audit row's.
pub const ACTION: &str = "app_install_scope";

/// Sets how offline app `app_id` installs, one audited batch: the app's
/// name and the batch undo takes.
pub fn set_install_scope(
    conn: &Connection,
    actor: &Actor,
    app_id: i64,
    scope: &str,
) -> Result<(String, String), ChangeError> {
    if !SCOPES.contains(&scope) {
        return Err(ChangeError::Invalid(format!(
            "unknown install scope {scope:?}: use user or device"
        )));
    }
    write_audited(conn, actor, ACTION, |tx, attempt| {
        attempt.detail = Some(serde_json::json!({ "app_id": app_id, "install_scope": scope }));
        authorize(tx, actor, Permission::Assign)?;
        let (name, before) = check(tx, app_id).map_err(|err| ChangeError::Invalid(err.to_string()))?;
        let ctx = Ctx::begin(tx, &actor.name, ACTION, None)?;
        tx.execute(
            "UPDATE apps SET install_scope = ?2 WHERE id = ?1",
            params![app_id, scope],
        )?;
        let pool = app_pool(tx, app_id)?;
        ctx.audit(&Entry {
            action: ACTION,
            pool: pool.as_ref().map(|(id, name)| (*id, name.as_str())),
            principals: std::slice::from_ref(&name),
            before: None,
            after: None,
            result: "ok",
            detail: Some(serde_json::json!({
                "app": name, "app_id": app_id, "install_scope": scope, "before": before
            })),
        })?;
        Ok((name, ctx.batch))
    })
}

/// One scope change a batch made: (app id, app name, before, after).
type ScopeChange = (i64, String, Option<String>, String);

/// The scope changes `batch_id` made, from its audit rows.
pub(crate) fn changes_of(conn: &Connection, batch_id: &str) -> rusqlite::Result<Vec<ScopeChange>> {
    let mut stmt = conn.prepare_cached(
        "SELECT json_extract(detail, '$.app_id'), json_extract(detail, '$.app'), \
                json_extract(detail, '$.before'), json_extract(detail, '$.install_scope') \
         FROM audit WHERE batch_id = ?1 AND action = ?2 AND result = 'ok' ORDER BY id",
    )?;
    let rows = stmt.query_map(params![batch_id, ACTION], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    rows.collect()
}

/// Puts back the scope of every app `batch_id` changed; refuses when one
/// was changed again since (that change is undone first). Whether any was.
pub(crate) fn revert(ctx: &Ctx<'_>, batch_id: &str) -> Result<bool, ChangeError> {
    let mut reverted = false;
    for (app_id, name, before, after) in changes_of(ctx.conn, batch_id)? {
        let now: Option<Option<String>> = ctx
            .conn
            .query_row("SELECT install_scope FROM apps WHERE id = ?1", [app_id], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(now) = now else {
            // The app went (a sync removed it): nothing to put back.
            continue;
        };
        if now.as_deref() != Some(after.as_str()) {
            let why = format!("{name}'s install scope was changed again since; undo that change first");
            return Err(Refusal::NotUndoable {
                batch: batch_id.to_owned(),
                why,
            }
            .into());
        }
        ctx.conn.execute(
            "UPDATE apps SET install_scope = ?2 WHERE id = ?1",
            params![app_id, before],
        )?;
        reverted = true;
        let pool = app_pool(ctx.conn, app_id)?;
        ctx.audit(&Entry {
            action: "undo",
            pool: pool.as_ref().map(|(id, name)| (*id, name.as_str())),
            principals: std::slice::from_ref(&name),
            before: None,
            after: None,
            result: "ok",
            detail: Some(serde_json::json!({ "undoes": batch_id, "install_scope": before })),
        })?;
    }
    Ok(reverted)
}

/// The pool of app `app_id` (id, name), for the audit rows' Pool column.
fn app_pool(conn: &Connection, app_id: i64) -> rusqlite::Result<Option<(i64, String)>> {
    conn.query_row(
        "SELECT id, name FROM pools WHERE app_id = ?1 ORDER BY id LIMIT 1",
        [app_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

/// "Contoso App: installs per device → back to per user", one per app
/// `batches` changed (the undo's preview and its message).
pub fn scope_reverts(conn: &Connection, batches: &[String]) -> rusqlite::Result<Vec<String>> {
    let mut out = Vec::new();
    for batch in batches {
        for (_, name, before, after) in changes_of(conn, batch)? {
            let before = before.unwrap_or_else(|| "user".to_owned());
            out.push(format!("{name}: installs per {after} → back to per {before}"));
        }
    }
    Ok(out)
}
