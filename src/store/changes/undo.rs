//! Undo: the exact inverse of one batch, from its `change_items`, written as
//! a batch of its own (audited as 'undo'). Seats the batch added go again
//! unless something else now needs them; seats it released come back as they
//! were, or the undo is refused when they no longer fit (R-LIC-3).

use rusqlite::{Connection, OptionalExtension, params};

use super::admins::{Permission, authorize};
use super::apply;
use super::batch::{Attempt, Ctx, Entry};
use super::pool::PoolState;
use super::release::{Release, finish};
use super::{Actor, ChangeError, ChangeOutcome, Refusal, write_audited};
use super::{expand, outbox, users};
use crate::store::db::{assigned_by_code, intent_code, state_code, unix_time};

/// The actions undo inverts.
const UNDOABLE: &[&str] = &[
    "assign",
    "unassign",
    "release",
    "remove_user",
    "member_add",
    "set_intent",
    "subscription_activate",
    "subscription_quantity",
    "subscription_profile",
    "subscription_edit",
    super::purchase::ACTION,
    super::scope::ACTION,
];

/// The actor's newest batch that changed something and is not undone yet
/// (undo batches themselves are skipped, so repeated undo walks back).
pub fn last_undoable_batch(conn: &Connection, actor: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached(
        "SELECT id FROM batches b WHERE actor = ?1 AND undone_by IS NULL AND undoes IS NULL \
           AND (action IN ('assign', 'unassign', 'release', 'remove_user', 'member_add') \
                AND EXISTS (SELECT 1 FROM change_items c WHERE c.batch_id = b.id) \
             OR action LIKE 'subscription_%' \
                AND EXISTS (SELECT 1 FROM pool_field_changes f WHERE f.batch_id = b.id) \
             OR action = 'subscriptions_import' \
                AND EXISTS (SELECT 1 FROM pool_purchases r WHERE r.batch_id = b.id) \
             OR action = 'app_install_scope') \
         ORDER BY seq DESC LIMIT 1",
    )?
    .query_row([actor], |row| row.get(0))
    .optional()
}

/// Inverts `batch_id` in one transaction; refuses a batch already undone,
/// an undo, and seats that no longer fit.
pub fn undo(conn: &Connection, actor: &Actor, batch_id: &str) -> Result<Vec<ChangeOutcome>, ChangeError> {
    write_audited(conn, actor, "undo", |tx, attempt| {
        attempt.detail = Some(serde_json::json!({ "undoes": batch_id }));
        let action = batch_action(tx, batch_id)?;
        let permission = if action == "remove_user" {
            Permission::RemoveUser
        } else if action.starts_with("subscription_") || action == super::purchase::ACTION {
            Permission::ManageSubscriptions
        } else {
            Permission::Assign
        };
        authorize(tx, actor, permission)?;
        Ok(undo_in(tx, &actor.name, batch_id, attempt)?.1)
    })
}

/// The undo itself, inside the caller's transaction (a write, or the
/// preview's dry run): the undo's batch id and its outcomes.
pub(crate) fn undo_in(
    tx: &Connection,
    actor: &str,
    batch_id: &str,
    attempt: &mut Attempt,
) -> Result<(String, Vec<ChangeOutcome>), ChangeError> {
    batch_action(tx, batch_id)?;
    expand::ensure_scratch(tx)?;
    check_undoable(tx, batch_id)?;
    let ctx = Ctx::begin(tx, actor, "undo", Some(batch_id))?;
    // Subscription field changes and recorded purchases: one audit row per
    // pool put back, marked with what was undone.
    let mut pools_audited = false;
    let mut audit_pools = |pools: Vec<(i64, String)>, what: &str| -> Result<(), ChangeError> {
        pools_audited |= !pools.is_empty();
        for (pool_id, name) in pools {
            ctx.audit(&Entry {
                action: "undo",
                pool: Some((pool_id, &name)),
                principals: &[],
                before: None,
                after: None,
                result: "ok",
                detail: Some(serde_json::json!({ "undoes": batch_id, what: true })),
            })?;
        }
        Ok(())
    };
    if super::fields::has_changes(tx, batch_id)? {
        audit_pools(super::fields::revert(&ctx, batch_id)?, "subscription")?;
    }
    if super::purchase::has_purchases(tx, batch_id)? {
        audit_pools(super::purchase::revert(&ctx, batch_id)?, "purchase_removed")?;
    }
    // An install scope put back is audited with its app's name.
    let scope_reverted = super::scope::revert(&ctx, batch_id)?;
    users::restore_people(&ctx, batch_id)?;
    let mut outcomes = Vec::new();
    for (pool_id, restores, retracts, changed) in pools_of(tx, batch_id)? {
        let Some(mut pool) = PoolState::load(tx, pool_id)? else {
            continue;
        };
        attempt.pool = Some(pool.clone());
        let unsent = outbox::unsent_rows(tx, batch_id, pool_id)?;
        pool.skip_outbox = unsent.is_some();
        let first = outcomes.len();
        if changed {
            let reverted = revert_changed(&ctx, &mut pool, batch_id, (restores, retracts))?;
            outcomes.extend(reverted);
        }
        if restores {
            outcomes.push(restore_pool(&ctx, &mut pool, batch_id)?);
        }
        if retracts {
            outcomes.push(retract_pool(&ctx, &mut pool, batch_id)?);
        }
        if let Some(ids) = unsent {
            outbox::cancel(&ctx, &pool, batch_id, &ids)?;
            if let Some(outcome) = outcomes.get_mut(first) {
                outcome.cancelled = ids.len();
            }
        }
    }
    tx.execute(
        "UPDATE batches SET undone_by = ?2 WHERE id = ?1",
        params![batch_id, ctx.batch],
    )?;
    // The pool-less row only for an undo that wrote no row of its own:
    // each undo is audited once (a subscription's has its pool's row).
    if outcomes.is_empty() && !scope_reverted && !pools_audited {
        ctx.audit(&Entry {
            action: "undo",
            pool: None,
            principals: &[],
            before: None,
            after: None,
            result: "ok",
            detail: Some(serde_json::json!({ "undoes": batch_id })),
        })?;
    }
    Ok((ctx.batch, outcomes))
}

/// Rolls back what `batch_id` did to one pool, inside the caller's
/// transaction, after the source refused it (issue 7): the inverse undo
/// writes for that pool, as a batch of its own ('rollback', undoing
/// `batch_id`), and nothing queued for the source, which never made the
/// change. Other pools of the batch stand, and the batch is not marked
/// undone here.
pub(crate) fn rollback_pool_in(
    tx: &Connection,
    actor: &str,
    batch_id: &str,
    pool_id: i64,
) -> Result<(String, Vec<ChangeOutcome>), ChangeError> {
    expand::ensure_scratch(tx)?;
    let ctx = Ctx::begin(tx, actor, "rollback", Some(batch_id))?;
    let mut outcomes = Vec::new();
    for (id, restores, retracts, changed) in pools_of(tx, batch_id)? {
        let Some(mut pool) = PoolState::load(tx, id)?.filter(|_| id == pool_id) else {
            continue;
        };
        pool.skip_outbox = true;
        if changed {
            outcomes.extend(revert_changed(&ctx, &mut pool, batch_id, (restores, retracts))?);
        }
        if restores {
            outcomes.push(restore_pool(&ctx, &mut pool, batch_id)?);
        }
        if retracts {
            outcomes.push(retract_pool(&ctx, &mut pool, batch_id)?);
        }
    }
    Ok((ctx.batch, outcomes))
}

fn batch_action(conn: &Connection, batch_id: &str) -> Result<String, ChangeError> {
    conn.query_row("SELECT action FROM batches WHERE id = ?1", [batch_id], |row| {
        row.get(0)
    })
    .optional()?
    .ok_or_else(|| {
        ChangeError::NotFound(format!(
            "no batch {batch_id:?}; `seats audit` shows the batch id of every change"
        ))
    })
}

/// Re-checked inside the write transaction, so two admins undoing the same
/// batch at once cannot both succeed.
fn check_undoable(conn: &Connection, batch_id: &str) -> Result<(), ChangeError> {
    let (action, undoes, undone_by): (String, Option<String>, Option<String>) = conn.query_row(
        "SELECT action, undoes, undone_by FROM batches WHERE id = ?1",
        [batch_id],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    let batch = batch_id.to_owned();
    if let Some(by) = undone_by {
        return Err(Refusal::AlreadyUndone { batch, by }.into());
    }
    if undoes.is_some() {
        let why = "it is itself an undo; assign or unassign again instead".to_owned();
        return Err(Refusal::NotUndoable { batch, why }.into());
    }
    if !UNDOABLE.contains(&action.as_str()) {
        let why = format!("undo inverts seat changes, and this batch was {action}");
        return Err(Refusal::NotUndoable { batch, why }.into());
    }
    Ok(())
}

/// (pool, has items to put back, has items to take back, has rows changed
/// in place) per pool touched.
fn pools_of(conn: &Connection, batch_id: &str) -> rusqlite::Result<Vec<(i64, bool, bool, bool)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT pool_id, max(op IN ('seat_released', 'direct_cleared', 'group_removed')), \
                max(op IN ('seat_added', 'direct_set', 'group_added')), max(op = 'seat_changed') \
         FROM change_items WHERE batch_id = ?1 AND pool_id IS NOT NULL GROUP BY pool_id ORDER BY pool_id",
    )?;
    let rows = stmt.query_map([batch_id], |row| {
        Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
    })?;
    rows.collect()
}

/// Takes back what the batch gave in one pool: its group grants, its direct
/// flags, and its seats unless still needed.
fn retract_pool(ctx: &Ctx<'_>, pool: &mut PoolState, batch_id: &str) -> rusqlite::Result<ChangeOutcome> {
    let conn = ctx.conn;
    expand::reset(conn)?;
    conn.prepare_cached(
        "INSERT OR IGNORE INTO temp.seat_groups (group_id) \
         SELECT group_id FROM change_items WHERE batch_id = ?1 AND pool_id = ?2 AND op = 'group_added'",
    )?
    .execute(params![batch_id, pool.id])?;
    conn.prepare_cached(
        "INSERT INTO temp.seat_target (who, direct) \
         SELECT coalesce(user_id, -device_id) AS who, max(op = 'direct_set' OR coalesce(direct, 0) = 1) \
         FROM change_items c WHERE batch_id = ?1 AND pool_id = ?2 AND (op = 'seat_added' OR (op = 'direct_set' \
           AND NOT EXISTS (SELECT 1 FROM change_items s WHERE s.batch_id = ?1 AND s.pool_id = ?2 \
             AND s.op = 'seat_changed' AND (s.user_id = c.user_id OR s.device_id = c.device_id)))) \
         GROUP BY who",
    )?
    .execute(params![batch_id, pool.id])?;
    expand::mark_held(conn, pool.id)?;
    let since: (i64, String) = conn
        .prepare_cached("SELECT seq, at FROM batches WHERE id = ?1")?
        .query_row([batch_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
    expand::mark_reach_since(conn, pool.id, Some((since.0, &since.1)))?;
    expand::decide_release(conn)?;
    let how = Release {
        action: "undo",
        principals: None,
        withdraw: true,
        promote: false,
        note: Some(("undoes", batch_id)),
    };
    finish(ctx, pool, &how)
}

/// Puts back what the batch took in one pool: group grants, direct flags,
/// and the released rows as they were, if the seats still fit.
fn restore_pool(ctx: &Ctx<'_>, pool: &mut PoolState, batch_id: &str) -> Result<ChangeOutcome, ChangeError> {
    let conn = ctx.conn;
    expand::reset(conn)?;
    let present = "(c.user_id IS NULL OR EXISTS (SELECT 1 FROM users u WHERE u.id = c.user_id)) \
        AND (c.device_id IS NULL OR EXISTS (SELECT 1 FROM devices d WHERE d.id = c.device_id))";
    conn.prepare_cached(&format!(
        "INSERT OR IGNORE INTO temp.seat_target (who, direct, item_id) \
         SELECT coalesce(c.user_id, -c.device_id), c.op = 'direct_cleared' OR coalesce(c.direct, 0) = 1, c.id \
         FROM change_items c WHERE c.batch_id = ?1 AND c.pool_id = ?2 \
           AND c.op IN ('seat_released', 'direct_cleared') AND {present}"
    ))?
    .execute(params![batch_id, pool.id])?;
    expand::mark_held(conn, pool.id)?;
    let needed: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM temp.seat_target t JOIN change_items c ON c.id = t.item_id \
             WHERE c.op = 'seat_released' AND c.state <> 'error' AND t.held <> 1",
        )?
        .query_row([], |row| row.get(0))?;
    if needed > 0
        && let Some(refusal) = pool.refusal_for(needed)
    {
        return Err(refusal.into());
    }
    let before = pool.consumed;
    regrant_groups(ctx, pool.id, batch_id)?;
    reinsert_rows(ctx, pool.id)?;
    apply::set_direct_flags(ctx, pool.id)?;
    pool.reload_consumed(conn)?;
    let queued = ctx.queue(pool, true)?;
    let names = expand::fates(conn)?
        .into_iter()
        .map(|f| f.name)
        .collect::<Vec<_>>();
    let detail = serde_json::json!({ "undoes": batch_id, "added": needed });
    Ok(apply::audit_added(
        ctx,
        pool,
        before,
        (needed, queued),
        ("undo", &names),
        detail,
    )?)
}

/// Puts the rows the batch changed in place (seated from waiting, promoted,
/// direct flag or group reference rewritten) back as they were, before the
/// rest of the pool's undo. The source hears about seats that go back to
/// waiting (or come back) unless the pool's restore or retract queues anyway.
fn revert_changed(
    ctx: &Ctx<'_>,
    pool: &mut PoolState,
    batch_id: &str,
    (restores, retracts): (bool, bool),
) -> Result<Option<ChangeOutcome>, ChangeError> {
    let conn = ctx.conn;
    let before = pool.consumed;
    let items = "FROM change_items c JOIN assignments a ON a.pool_id = c.pool_id \
        AND (a.user_id = c.user_id OR a.device_id = c.device_id) \
        WHERE c.batch_id = ?1 AND c.pool_id = ?2 AND c.op = 'seat_changed'";
    let (gained, lost): (i64, i64) = conn
        .prepare_cached(&format!(
            "SELECT coalesce(sum(c.state <> 'error' AND a.state_code = {error}), 0), \
                    coalesce(sum(c.state = 'error' AND a.state_code <> {error}), 0) {items}",
            error = state_code!("error")
        ))?
        .query_row(params![batch_id, pool.id], |row| Ok((row.get(0)?, row.get(1)?)))?;
    if gained > lost
        && let Some(refusal) = pool.refusal_for(gained - lost)
    {
        return Err(refusal.into());
    }
    apply::snapshot_rows(
        conn,
        &ctx.batch,
        &format!("SELECT a.id {}", items.replace("?2", "?3").replace("?1", "?2")),
        &[&batch_id, &pool.id],
    )?;
    // Markers for the audit: who gets a seat back, who goes back to waiting.
    conn.prepare_cached(&format!(
        "INSERT INTO change_items (batch_id, op, pool_id, user_id, device_id) \
         SELECT ?3, CASE WHEN c.state = 'error' THEN 'seat_demoted' ELSE 'seat_promoted' END, \
                a.pool_id, a.user_id, a.device_id {items} AND (c.state = 'error') <> (a.state_code = {error})",
        error = state_code!("error")
    ))?
    .execute(params![batch_id, pool.id, ctx.batch])?;
    conn.prepare_cached(&format!(
        "UPDATE assignments SET direct = x.direct, via_group_id = x.via_group_id, intent_code = {intent}, \
           state_code = {state}, error = x.error, invitation = x.invitation, \
           assigned_unix = {at}, assigned_by_code = {by} \
         FROM (SELECT a.id, c.direct, (SELECT g.id FROM groups g WHERE g.id = c.via_group_id) AS via_group_id, \
                      c.intent, c.state, c.error, c.invitation, c.assigned_at, c.assigned_by {items}) AS x \
         WHERE assignments.id = x.id",
        at = unix_time!("x.assigned_at"),
        intent = intent_code!("x.intent"),
        state = state_code!("x.state"),
        by = assigned_by_code!("x.assigned_by")
    ))?
    .execute(params![batch_id, pool.id])?;
    pool.reload_consumed(conn)?;
    let mut queued = false;
    if lost > 0 && !retracts {
        queued |= ctx.queue(pool, false)?;
    }
    if gained > 0 && !restores {
        queued |= ctx.queue(pool, true)?;
    }
    if restores || retracts {
        // Their own outcome and audit row follow.
        return Ok(None);
    }
    ctx.audit(&Entry {
        action: "undo",
        pool: Some((pool.id, &pool.name)),
        principals: &[],
        before: Some(before),
        after: Some(pool.consumed),
        result: "ok",
        detail: Some(serde_json::json!({ "undoes": batch_id, "reverted": gained + lost })),
    })?;
    let taken = apply::Taken {
        released: lost,
        promoted: Vec::new(),
    };
    Ok(Some(apply::outcome(
        ctx,
        pool,
        before,
        (gained, taken),
        queued,
        Vec::new(),
    )))
}

/// Grants the pool again to the groups the batch withdrew.
fn regrant_groups(ctx: &Ctx<'_>, pool_id: i64, batch_id: &str) -> rusqlite::Result<()> {
    let missing = "c.batch_id = ?1 AND c.pool_id = ?2 AND c.op = 'group_removed' \
        AND EXISTS (SELECT 1 FROM groups g WHERE g.id = c.group_id) \
        AND NOT EXISTS (SELECT 1 FROM group_assignments ga WHERE ga.pool_id = ?2 AND ga.group_id = c.group_id)";
    ctx.conn.execute(
        &format!(
            "INSERT INTO change_items (batch_id, op, pool_id, group_id) \
             SELECT ?3, 'group_added', ?2, c.group_id FROM change_items c WHERE {missing}"
        ),
        params![batch_id, pool_id, ctx.batch],
    )?;
    ctx.conn.execute(
        &format!(
            "INSERT INTO group_assignments (pool_id, group_id, intent, assigned_at, assigned_by) \
             SELECT ?2, c.group_id, c.intent, c.assigned_at, c.assigned_by FROM change_items c WHERE {missing}"
        ),
        params![batch_id, pool_id],
    )?;
    Ok(())
}

/// Re-inserts released rows as they were; a row now waiting in state
/// 'error' gets its old state back.
fn reinsert_rows(ctx: &Ctx<'_>, pool_id: i64) -> rusqlite::Result<()> {
    let conn = ctx.conn;
    let from = "FROM temp.seat_target t JOIN change_items c ON c.id = t.item_id WHERE c.op = 'seat_released'";
    conn.prepare_cached(&format!(
        "INSERT INTO change_items (batch_id, op, pool_id, user_id, device_id, direct, via_group_id, state) \
         SELECT ?1, 'seat_added', ?2, c.user_id, c.device_id, c.direct, c.via_group_id, \
                CASE t.held WHEN 2 THEN 'error' END \
         {from} AND (t.held = 0 OR (t.held = 2 AND c.state <> 'error'))"
    ))?
    .execute(params![ctx.batch, pool_id])?;
    conn.prepare_cached(&format!(
        "INSERT INTO assignments (pool_id, user_id, device_id, direct, via_group_id, intent_code, state_code, \
                                  error, invitation, assigned_unix, assigned_by_code) \
         SELECT ?1, c.user_id, c.device_id, c.direct, (SELECT g.id FROM groups g WHERE g.id = c.via_group_id), \
                {intent}, {state}, c.error, c.invitation, {at}, {by} \
         {from} AND t.held = 0",
        at = unix_time!("c.assigned_at"),
        intent = intent_code!("c.intent"),
        state = state_code!("c.state"),
        by = assigned_by_code!("c.assigned_by")
    ))?
    .execute([pool_id])?;
    conn.prepare_cached(&format!(
        "UPDATE assignments SET state_code = {state}, error = x.error, invitation = x.invitation, \
           direct = max(assignments.direct, x.direct) \
         FROM (SELECT t.assignment_id, c.state, c.error, c.invitation, c.direct \
               {from} AND t.held = 2 AND c.state <> 'error') AS x \
         WHERE assignments.id = x.assignment_id",
        state = state_code!("x.state")
    ))?
    .execute([])?;
    Ok(())
}
