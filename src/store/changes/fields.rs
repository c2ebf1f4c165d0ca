//! Pool fields a subscription change sets (status, quantity, billing
//! profile, and what the edit form changes), kept per batch so undo can put them back (issue 10): the same
//! batches, audit and `z` as seat changes.

use rusqlite::{Connection, params, types::Value};

use super::batch::Ctx;
use super::{ChangeError, Refusal};

/// The fields undo may restore; each is a column of `pools`.
const FIELDS: &[&str] = &[
    "status",
    "disabled_reason",
    "status_on",
    "total",
    "billing_profile_id",
    // What the console's edit form changes (issue 10).
    "name",
    "price_cents",
    "currency",
    "billing_period",
    "expires_on",
    "activation_url",
    "install_url",
];

fn column(field: &str) -> Result<&'static str, ChangeError> {
    FIELDS
        .iter()
        .find(|f| **f == field)
        .copied()
        .ok_or_else(|| ChangeError::Invalid(format!("{field} is not a pool field undo restores")))
}

/// Sets `field` of `pool_id` to `after` within the batch, keeping what it was.
pub(crate) fn set(ctx: &Ctx<'_>, pool_id: i64, field: &str, after: Value) -> Result<(), ChangeError> {
    let column = column(field)?;
    let before: Value = ctx.conn.query_row(
        &format!("SELECT {column} FROM pools WHERE id = ?1"),
        [pool_id],
        |r| r.get(0),
    )?;
    ctx.conn.execute(
        &format!("UPDATE pools SET {column} = ?2 WHERE id = ?1"),
        params![pool_id, after],
    )?;
    ctx.conn.execute(
        "INSERT INTO pool_field_changes (batch_id, pool_id, field, before, after) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![ctx.batch, pool_id, field, before, after],
    )?;
    Ok(())
}

/// Whether the batch changed pool fields.
pub(crate) fn has_changes(conn: &Connection, batch_id: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM pool_field_changes WHERE batch_id = ?1)",
        [batch_id],
        |r| r.get(0),
    )
}

/// Puts back every field the batch set, refusing when one was changed since
/// (the later change is undone first) or when an activation is undone on a
/// subscription that now has seats.
pub(crate) fn revert(ctx: &Ctx<'_>, batch_id: &str) -> Result<Vec<(i64, String)>, ChangeError> {
    let mut stmt = ctx.conn.prepare(
        "SELECT c.pool_id, p.name, c.field, c.before, c.after FROM pool_field_changes c \
         JOIN pools p ON p.id = c.pool_id WHERE c.batch_id = ?1 ORDER BY c.pool_id, c.field",
    )?;
    let rows: Vec<(i64, String, String, Value, Value)> = stmt
        .query_map([batch_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut pools = Vec::new();
    for (pool_id, name, field, before, after) in rows {
        let column = column(&field)?;
        let now: Value = ctx.conn.query_row(
            &format!("SELECT {column} FROM pools WHERE id = ?1"),
            [pool_id],
            |r| r.get(0),
        )?;
        if now != after {
            let why = format!("{name}'s {field} was changed again since; undo that change first");
            return Err(Refusal::NotUndoable {
                batch: batch_id.to_owned(),
                why,
            }
            .into());
        }
        let seated: i64 = ctx
            .conn
            .query_row("SELECT consumed FROM pools WHERE id = ?1", [pool_id], |r| {
                r.get(0)
            })?;
        if field == "status" && before == Value::Text("pending_activation".into()) && seated > 0 {
            let why = format!("{name} has {seated} seat(s) since it was activated; release them first");
            return Err(Refusal::NotUndoable {
                batch: batch_id.to_owned(),
                why,
            }
            .into());
        }
        if field == "total"
            && let Value::Integer(total) = before
            && total < seated
        {
            let why = format!("{name} has {seated} seats in use now, more than {total}; release some first");
            return Err(Refusal::NotUndoable {
                batch: batch_id.to_owned(),
                why,
            }
            .into());
        }
        set(ctx, pool_id, &field, before)?;
        pools.push((pool_id, name));
    }
    pools.dedup();
    Ok(pools)
}

/// What a subscription change sets: the fields and their new values, the
/// pool's name, and the audit row's detail.
pub struct FieldChange {
    pub pool_name: String,
    pub fields: Vec<(&'static str, Value)>,
    pub detail: serde_json::Value,
}

/// Runs `decide` (which reads the pool inside the transaction and says what
/// to set, or refuses) and writes its fields as one undoable batch with its
/// audit row. Returns the batch id.
pub fn change_pool_fields(
    conn: &Connection,
    actor: &super::Actor,
    action: &str,
    pool_id: i64,
    decide: impl FnOnce(&Connection) -> Result<FieldChange, ChangeError>,
) -> Result<String, ChangeError> {
    super::write_audited(conn, actor, action, |tx, attempt| {
        attempt.pool = super::pool::PoolState::load(tx, pool_id)?;
        super::admins::authorize(tx, actor, super::admins::Permission::ManageSubscriptions)?;
        let change = decide(tx)?;
        let ctx = Ctx::begin(tx, &actor.name, action, None)?;
        for (field, value) in change.fields {
            set(&ctx, pool_id, field, value)?;
        }
        ctx.audit(&super::batch::Entry {
            action,
            pool: Some((pool_id, &change.pool_name)),
            principals: &[],
            before: None,
            after: None,
            result: "ok",
            detail: Some(change.detail),
        })?;
        Ok(ctx.batch)
    })
}
