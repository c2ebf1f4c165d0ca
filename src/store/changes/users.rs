//! Users who leave (R-LIC-5): every seat released in the same transaction,
//! by the admin (`remove_user`) or by a sync that sees the user deleted or
//! disabled at the source (`reclaim_user`).

use std::collections::BTreeSet;

use rusqlite::{Connection, OptionalExtension, params};

use super::admins::{Permission, authorize};
use super::batch::{Ctx, Entry};
use super::expand;
use super::pool::PoolState;
use super::release::{Release, finish, staged_plan};
use super::{Actor, ChangeError, ChangeOutcome, ReleasePlan, preview, write_audited};

/// The id of the user with this UPN (case-insensitive).
pub fn find_user(conn: &Connection, upn: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT id FROM users WHERE upn = ?1")?
        .query_row([upn], |row| row.get(0))
        .optional()
}

/// The id of the group with this name (case-insensitive).
pub fn find_group(conn: &Connection, name: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT id FROM groups WHERE name = ?1")?
        .query_row([name], |row| row.get(0))
        .optional()
}

/// Releases every seat of a user who left the source, inside the caller's
/// transaction (a sync's). Group memberships stay as the source has them;
/// users who left get no new seats through groups. Audited as 'reclaim'
/// with `reason`; connector pools are queued (the worker may treat "no such
/// user" at the source as done).
pub fn reclaim_user(
    tx: &Connection,
    actor: &str,
    user_id: i64,
    reason: &str,
) -> rusqlite::Result<Vec<ChangeOutcome>> {
    expand::ensure_scratch(tx)?;
    let holds: bool = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM assignments WHERE user_id = ?1)")?
        .query_row([user_id], |row| row.get(0))?;
    if !holds {
        // Nothing to reclaim: no batch, so none without its audit row.
        return Ok(Vec::new());
    }
    let ctx = Ctx::begin(tx, actor, "reclaim", None)?;
    reclaim_seats(&ctx, &[user_id], "reclaim", reason)
}

/// The admin removes a user who leaves: marks them deleted and disabled,
/// drops their group memberships, and releases every seat they hold (and,
/// `with_devices`, their devices' memberships and seats), in one
/// transaction and one batch that `undo` can invert.
pub fn remove_user(
    conn: &Connection,
    actor: &Actor,
    user_id: i64,
    with_devices: bool,
) -> Result<Vec<ChangeOutcome>, ChangeError> {
    write_audited(conn, actor, "remove_user", |tx, attempt| {
        let upn: Option<String> = tx
            .query_row("SELECT upn FROM users WHERE id = ?1", [user_id], |row| row.get(0))
            .optional()?;
        attempt.principals.extend(upn.clone());
        authorize(tx, actor, Permission::RemoveUser)?;
        let upn = upn.ok_or_else(|| ChangeError::NotFound(format!("no user with id {user_id}")))?;
        expand::ensure_scratch(tx)?;
        let ctx = Ctx::begin(tx, &actor.name, "remove_user", None)?;
        retire(&ctx, user_id)?;
        let whos = leavers(tx, user_id, with_devices)?;
        let memberships = drop_memberships(&ctx, &whos)?;
        let reason = format!("removed by {}", actor.name);
        let outcomes = reclaim_seats(&ctx, &whos, "remove_user", &reason)?;
        let released: i64 = outcomes.iter().map(|o| o.released).sum();
        let detail = serde_json::json!({
            "seats_released": released, "memberships_dropped": memberships,
            "devices": whos.len() - 1, "reason": reason,
        });
        ctx.audit(&Entry {
            action: "remove_user",
            pool: None,
            principals: &[upn],
            before: None,
            after: None,
            result: "ok",
            detail: Some(detail),
        })?;
        Ok(outcomes)
    })
}

/// What [`remove_user`] will do, worked out by the same rule without
/// changing anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovalPlan {
    pub upn: String,
    /// Devices of the user whose seats and memberships go too.
    pub devices: usize,
    /// Group memberships dropped (the user's, and their devices').
    pub memberships: i64,
    /// Every pool where a row goes. Every seat goes, also seats reached
    /// through a group: the memberships go first.
    pub pools: Vec<ReleasePlan>,
}

/// Previews [`remove_user`]: the seats released pool by pool with the
/// figures after them (waiting members moved up), and the memberships
/// dropped.
pub fn plan_remove_user(
    conn: &Connection,
    user_id: i64,
    with_devices: bool,
) -> Result<RemovalPlan, ChangeError> {
    preview(conn, |conn| {
        let upn: String = conn
            .query_row("SELECT upn FROM users WHERE id = ?1", [user_id], |row| row.get(0))
            .optional()?
            .ok_or_else(|| ChangeError::NotFound(format!("no user with id {user_id}")))?;
        let whos = leavers(conn, user_id, with_devices)?;
        let mut memberships = 0;
        for &who in &whos {
            let (table, column, _) = memberships_of(who);
            memberships += conn
                .prepare_cached(&format!("SELECT count(*) FROM {table} WHERE {column} = ?1"))?
                .query_row([who.abs()], |row| row.get::<_, i64>(0))?;
        }
        let mut pools = Vec::new();
        for pool_id in pools_held(conn, &whos)? {
            if let Some(pool) = PoolState::load(conn, pool_id)? {
                stage_leavers(conn, pool_id, &whos)?;
                pools.push(staged_plan(conn, &pool)?);
            }
        }
        Ok(RemovalPlan {
            upn,
            devices: whos.len() - 1,
            memberships,
            pools,
        })
    })
}

/// The membership table of a principal (a user id, or a device's id
/// negated), its member column, and the (user_id, device_id) columns of
/// `change_items` a removed membership is kept in (migration 0025).
fn memberships_of(who: i64) -> (&'static str, &'static str, &'static str) {
    if who > 0 {
        ("group_user_members", "user_id", "user_id, NULL")
    } else {
        ("group_device_members", "device_id", "NULL, device_id")
    }
}

/// The user, and with `with_devices` the devices they own (as principals).
fn leavers(conn: &Connection, user_id: i64, with_devices: bool) -> rusqlite::Result<Vec<i64>> {
    let mut whos = vec![user_id];
    if with_devices {
        let mut stmt = conn.prepare_cached("SELECT -id FROM devices WHERE owner_id = ?1 ORDER BY id")?;
        let devices = stmt.query_map([user_id], |row| row.get::<_, i64>(0))?;
        whos.extend(devices.collect::<rusqlite::Result<Vec<_>>>()?);
    }
    Ok(whos)
}

/// The pools where the principals hold a row (a seat, or a waiting row).
fn pools_held(conn: &Connection, whos: &[i64]) -> rusqlite::Result<BTreeSet<i64>> {
    let mut pools = BTreeSet::new();
    for &who in whos {
        let column = if who > 0 { "user_id" } else { "device_id" };
        let mut stmt =
            conn.prepare_cached(&format!("SELECT pool_id FROM assignments WHERE {column} = ?1"))?;
        let ids = stmt.query_map([who.abs()], |row| row.get::<_, i64>(0))?;
        for id in ids {
            pools.insert(id?);
        }
    }
    Ok(pools)
}

/// Stages the release of every row the principals hold in one pool,
/// whatever reaches them.
fn stage_leavers(conn: &Connection, pool_id: i64, whos: &[i64]) -> rusqlite::Result<()> {
    expand::reset(conn)?;
    for &who in whos {
        expand::add_who(conn, who, true, None, None)?;
    }
    expand::mark_held(conn, pool_id)?;
    expand::release_all(conn)
}

/// Marks the user deleted and disabled, remembering how they were.
fn retire(ctx: &Ctx<'_>, user_id: i64) -> rusqlite::Result<()> {
    ctx.conn.execute(
        "INSERT INTO change_items (batch_id, op, user_id, was_enabled, was_deleted) \
         SELECT ?1, 'user_retired', id, enabled, deleted FROM users WHERE id = ?2",
        params![ctx.batch, user_id],
    )?;
    ctx.conn.execute(
        "UPDATE users SET enabled = 0, deleted = 1 WHERE id = ?1",
        [user_id],
    )?;
    Ok(())
}

/// Drops every group membership of the principals; returns how many.
fn drop_memberships(ctx: &Ctx<'_>, whos: &[i64]) -> rusqlite::Result<usize> {
    let mut dropped = 0;
    for &who in whos {
        let (table, column, kept) = memberships_of(who);
        ctx.conn.execute(
            &format!(
                "INSERT INTO change_items (batch_id, op, group_id, user_id, device_id) \
                 SELECT ?1, 'member_removed', group_id, {kept} FROM {table} \
                 WHERE {column} = ?2"
            ),
            params![ctx.batch, who.abs()],
        )?;
        dropped += ctx
            .conn
            .execute(&format!("DELETE FROM {table} WHERE {column} = ?1"), [who.abs()])?;
    }
    Ok(dropped)
}

/// Releases every row the principals hold, pool by pool, whatever reaches
/// them; one audit row per pool.
fn reclaim_seats(
    ctx: &Ctx<'_>,
    whos: &[i64],
    action: &str,
    reason: &str,
) -> rusqlite::Result<Vec<ChangeOutcome>> {
    let pools = pools_held(ctx.conn, whos)?;
    let mut outcomes = Vec::with_capacity(pools.len());
    for pool_id in pools {
        let Some(mut pool) = PoolState::load(ctx.conn, pool_id)? else {
            continue;
        };
        stage_leavers(ctx.conn, pool_id, whos)?;
        let how = Release {
            action,
            principals: None,
            withdraw: false,
            promote: true,
            note: Some(("reason", reason)),
        };
        outcomes.push(finish(ctx, &mut pool, &how)?);
    }
    Ok(outcomes)
}

/// Undo's part: puts back the user flags and group memberships a batch
/// changed (remove_user), and drops the memberships it added (member_add).
pub(crate) fn restore_people(ctx: &Ctx<'_>, batch_id: &str) -> rusqlite::Result<()> {
    let conn = ctx.conn;
    conn.execute(
        "UPDATE users SET enabled = c.was_enabled, deleted = c.was_deleted FROM change_items c \
         WHERE c.batch_id = ?1 AND c.op = 'user_retired' AND users.id = c.user_id",
        [batch_id],
    )?;
    let exists = "EXISTS (SELECT 1 FROM groups g WHERE g.id = c.group_id) \
        AND (c.user_id IS NULL OR EXISTS (SELECT 1 FROM users u WHERE u.id = c.user_id)) \
        AND (c.device_id IS NULL OR EXISTS (SELECT 1 FROM devices d WHERE d.id = c.device_id))";
    conn.execute(
        &format!(
            "INSERT INTO change_items (batch_id, op, group_id, user_id, device_id) \
             SELECT ?2, 'member_added', group_id, user_id, device_id FROM change_items c \
             WHERE c.batch_id = ?1 AND c.op = 'member_removed' AND {exists}"
        ),
        params![batch_id, ctx.batch],
    )?;
    for (table, column) in [
        ("group_user_members", "user_id"),
        ("group_device_members", "device_id"),
    ] {
        conn.execute(
            &format!(
                "INSERT OR IGNORE INTO {table} (group_id, {column}) \
                 SELECT group_id, {column} FROM change_items c \
                 WHERE c.batch_id = ?1 AND c.op = 'member_removed' AND c.{column} IS NOT NULL AND {exists}"
            ),
            [batch_id],
        )?;
    }
    conn.execute(
        "INSERT INTO change_items (batch_id, op, group_id, user_id) \
         SELECT ?2, 'member_removed', group_id, user_id FROM change_items \
         WHERE batch_id = ?1 AND op = 'member_added'",
        params![batch_id, ctx.batch],
    )?;
    conn.execute(
        "DELETE FROM group_user_members WHERE (group_id, user_id) IN (SELECT c.group_id, c.user_id \
         FROM change_items c WHERE c.batch_id = ?1 AND c.op = 'member_added')",
        [batch_id],
    )?;
    Ok(())
}
