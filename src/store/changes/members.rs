//! A member joining a group later (R-LIC-7): a seat in each pool the group
//! (or a group it is nested in) holds, when one is free; otherwise a row in
//! state 'error' (CountViolation) that holds no seat and moves up when a
//! seat frees.

use rusqlite::{Connection, params};
use serde::Serialize;

use super::admins::{Permission, authorize};
use super::batch::{Ctx, Entry};
use super::expand;
use super::pool::PoolState;
use super::seat::{give, group_name, user_name};
use super::{Actor, ChangeError, write_audited};
use crate::store::db::{assigned_by_code, state_code, unix_time};

/// A pool by id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PoolRef {
    pub id: i64,
    pub name: String,
}

/// What adding a member did, pool by pool.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct MemberOutcome {
    pub batch_id: String,
    /// False when the user already was a direct member.
    pub membership_added: bool,
    /// Pools where the user got a seat.
    pub seated: Vec<PoolRef>,
    /// Pools with no free seat: the user waits in state 'error'.
    pub in_error: Vec<PoolRef>,
    /// Pools where the user already held a seat.
    pub already_held: Vec<PoolRef>,
    /// Pools that give no seat now, and why (disabled, user left, devices only).
    pub skipped: Vec<(PoolRef, String)>,
}

/// Adds the user to the group and seats them in every pool the group
/// reaches, in one transaction and one batch.
pub fn add_group_member(
    conn: &Connection,
    actor: &Actor,
    group_id: i64,
    user_id: i64,
) -> Result<MemberOutcome, ChangeError> {
    write_audited(conn, actor, "member_add", |tx, attempt| {
        let (user, group) = (user_name(tx, user_id)?, group_name(tx, group_id)?);
        attempt.principals.extend(user.iter().map(|(upn, _)| upn.clone()));
        attempt.principals.extend(group.iter().cloned());
        authorize(tx, actor, Permission::Assign)?;
        let group = group.ok_or_else(|| ChangeError::NotFound(format!("no group with id {group_id}")))?;
        let (upn, active) =
            user.ok_or_else(|| ChangeError::NotFound(format!("no user with id {user_id}")))?;
        expand::ensure_scratch(tx)?;
        let ctx = Ctx::begin(tx, &actor.name, "member_add", None)?;
        let mut out = MemberOutcome {
            batch_id: ctx.batch.clone(),
            membership_added: join(&ctx, group_id, user_id)?,
            ..MemberOutcome::default()
        };
        let names = [upn, group];
        for (pool_id, via) in pools_reached(tx, group_id)? {
            let Some(mut pool) = PoolState::load(tx, pool_id)? else {
                continue;
            };
            let pool_ref = PoolRef {
                id: pool.id,
                name: pool.name.clone(),
            };
            let skip = if !pool.takes_users() {
                Some("its seats go to devices".to_owned())
            } else if !active {
                Some(format!("{} has left; users who left get no new seats", names[0]))
            } else {
                pool.status_refusal().map(|r| r.to_string())
            };
            if let Some(why) = skip {
                out.skipped.push((pool_ref, why));
                continue;
            }
            let seat = seat_member(&ctx, &mut pool, user_id, via, &names)?;
            match seat {
                Seat::Seated => out.seated.push(pool_ref),
                Seat::Waiting => out.in_error.push(pool_ref),
                Seat::Held => out.already_held.push(pool_ref),
            }
        }
        let detail = serde_json::json!({
            "seated": out.seated.len(), "waiting": out.in_error.len(),
            "membership_added": out.membership_added,
        });
        ctx.audit(&Entry {
            action: "member_add",
            pool: None,
            principals: &names,
            before: None,
            after: None,
            result: "ok",
            detail: Some(detail),
        })?;
        Ok(out)
    })
}

/// Adds the membership unless the user already is a direct member.
fn join(ctx: &Ctx<'_>, group_id: i64, user_id: i64) -> rusqlite::Result<bool> {
    let member: bool = ctx.conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM group_user_members WHERE group_id = ?1 AND user_id = ?2)",
        params![group_id, user_id],
        |row| row.get(0),
    )?;
    if member {
        return Ok(false);
    }
    ctx.conn.execute(
        "INSERT INTO group_user_members (group_id, user_id) VALUES (?1, ?2)",
        params![group_id, user_id],
    )?;
    ctx.conn.execute(
        "INSERT INTO change_items (batch_id, op, group_id, user_id) VALUES (?1, 'member_added', ?2, ?3)",
        params![ctx.batch, group_id, user_id],
    )?;
    Ok(true)
}

/// (pool, assigned group) for every pool assigned to the group or to a
/// group it is nested in (cycle-safe).
fn pools_reached(conn: &Connection, group_id: i64) -> rusqlite::Result<Vec<(i64, i64)>> {
    let mut stmt = conn.prepare_cached(
        "WITH RECURSIVE up(group_id) AS ( \
           SELECT ?1 UNION SELECT m.group_id FROM up JOIN group_child_groups m ON m.child_group_id = up.group_id) \
         SELECT ga.pool_id, min(ga.group_id) FROM up JOIN group_assignments ga ON ga.group_id = up.group_id \
         GROUP BY ga.pool_id ORDER BY ga.pool_id",
    )?;
    let rows = stmt.query_map([group_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
    rows.collect()
}

enum Seat {
    Seated,
    Waiting,
    Held,
}

/// Seats the new member in one pool, or records them as waiting.
fn seat_member(
    ctx: &Ctx<'_>,
    pool: &mut PoolState,
    user_id: i64,
    via: i64,
    names: &[String],
) -> Result<Seat, ChangeError> {
    expand::reset(ctx.conn)?;
    expand::add_who(ctx.conn, user_id, false, Some(via), None)?;
    expand::mark_held(ctx.conn, pool.id)?;
    expand::hold_other_errors(ctx.conn)?;
    let (needed, held) = expand::counts(ctx.conn)?;
    if held > 0 {
        return Ok(Seat::Held);
    }
    if pool.seats().check(needed).is_ok() {
        give(ctx, pool, "member_add", names, (needed, held), None)?;
        return Ok(Seat::Seated);
    }
    let waiting: bool = ctx.conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM temp.seat_target WHERE held = 2)",
        [],
        |row| row.get(0),
    )?;
    if !waiting {
        ctx.conn.execute(
            concat!(
                "INSERT INTO assignments (pool_id, user_id, direct, via_group_id, state_code, error, assigned_unix, \
                 assigned_by_code) VALUES (?1, ?2, 0, ?3, ",
                state_code!("error"),
                ", 'CountViolation', ",
                unix_time!("?4"),
                ", ",
                assigned_by_code!("?5"),
                ")"
            ),
            params![pool.id, user_id, via, ctx.at, ctx.actor],
        )?;
        ctx.conn.execute(
            // The error marks a row added waiting, holding no seat (the audit
            // tells it from a seat); undo deletes the row either way.
            "INSERT INTO change_items (batch_id, op, pool_id, user_id, via_group_id, error) \
             VALUES (?1, 'seat_added', ?2, ?3, ?4, 'CountViolation')",
            params![ctx.batch, pool.id, user_id, via],
        )?;
    }
    ctx.audit(&Entry {
        action: "member_add",
        pool: Some((pool.id, &pool.name)),
        principals: names,
        before: Some(pool.consumed),
        after: Some(pool.consumed),
        result: "ok: no free seat, the member waits (CountViolation)",
        detail: None,
    })?;
    Ok(Seat::Waiting)
}
