//! Assigning a pool's seats to users and groups (R-LIC-2, R-LIC-3, R-LIC-7).

use rusqlite::{Connection, OptionalExtension};

use super::admins::{Permission, authorize};
use super::batch::Ctx;
use super::expand::{self, Audience};
use super::pool::PoolState;
use super::{Actor, ChangeError, ChangeOutcome, GroupReach, Principal, Refusal, SeatPlan};
use super::{apply, preview, write_audited};

/// The named principals of a change, resolved to their names.
pub(crate) struct Named {
    /// UPNs and group names as named, for the audit row.
    pub names: Vec<String>,
    pub groups: Vec<(i64, String)>,
    /// Users named directly.
    pub users: usize,
    /// UPNs of users named directly who left (disabled or deleted).
    pub left: Vec<String>,
}

/// Looks every principal up; an unknown id is named in the error.
pub(crate) fn resolve(conn: &Connection, principals: &[Principal]) -> Result<Named, ChangeError> {
    if principals.is_empty() {
        return Err(ChangeError::Invalid(
            "name at least one user or group to change seats for".to_owned(),
        ));
    }
    let mut named = Named {
        names: Vec::with_capacity(principals.len()),
        groups: Vec::new(),
        users: 0,
        left: Vec::new(),
    };
    for principal in principals {
        match *principal {
            Principal::User(id) => {
                let (upn, active) = user_name(conn, id)?
                    .ok_or_else(|| ChangeError::NotFound(format!("no user with id {id}")))?;
                if !active {
                    named.left.push(upn.clone());
                }
                named.users += 1;
                named.names.push(upn);
            }
            Principal::Group(id) => {
                let name = group_name(conn, id)?
                    .ok_or_else(|| ChangeError::NotFound(format!("no group with id {id}")))?;
                named.groups.push((id, name.clone()));
                named.names.push(name);
            }
        }
    }
    Ok(named)
}

/// A user's UPN and whether they are still active (enabled, not deleted).
pub(crate) fn user_name(conn: &Connection, id: i64) -> rusqlite::Result<Option<(String, bool)>> {
    conn.prepare_cached("SELECT upn, enabled = 1 AND deleted = 0 FROM users WHERE id = ?1")?
        .query_row([id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()
}

/// A group's name.
pub(crate) fn group_name(conn: &Connection, id: i64) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT name FROM groups WHERE id = ?1")?
        .query_row([id], |row| row.get(0))
        .optional()
}

/// Which group members a pool gives seats to.
fn audience(pool: &PoolState) -> Audience {
    Audience {
        users: pool.takes_users(),
        devices: pool.takes_devices(),
        active_only: true,
    }
}

/// Fills the scratch set with everyone the assignment reaches, marks who
/// holds a seat already, and returns (seats needed, already held).
fn stage(conn: &Connection, pool: &PoolState, principals: &[Principal]) -> rusqlite::Result<(i64, i64)> {
    expand::stage_principals(conn, principals, audience(pool))?;
    expand::mark_held(conn, pool.id)?;
    expand::hold_other_errors(conn)?;
    expand::counts(conn)
}

/// The first rule that refuses this assignment, if any; the staged
/// devices' platforms are checked first (a seat no device can use).
fn refusal(
    conn: &Connection,
    pool: &PoolState,
    named: &Named,
    needed: i64,
) -> rusqlite::Result<Option<Refusal>> {
    let status = pool.status_refusal();
    if status.is_some() {
        return Ok(status);
    }
    if let Some(refused) = super::platform::refusal(conn, pool)? {
        return Ok(Some(refused));
    }
    Ok(rules(pool, named, needed))
}

/// The rules on the pool and the people named.
fn rules(pool: &PoolState, named: &Named, needed: i64) -> Option<Refusal> {
    let not_assignable = |why: String| Refusal::NotAssignable {
        pool: pool.name.clone(),
        why,
    };
    if let Some(refusal) = pool.status_refusal() {
        return Some(refusal);
    }
    if named.users > 0 && !pool.takes_users() {
        let why = "its seats go to devices, not users; assign a device group instead";
        return Some(not_assignable(why.to_owned()));
    }
    if let Some(upn) = named.left.first() {
        let why = format!(
            "{upn} has left (disabled or deleted), and users who left get no new seats; \
             enable the account at the source and sync first"
        );
        return Some(not_assignable(why));
    }
    pool.refusal_for(needed)
}

/// Previews an assignment: the seat delta and what would refuse it.
pub fn plan_assign(
    conn: &Connection,
    pool_id: i64,
    principals: &[Principal],
) -> Result<SeatPlan, ChangeError> {
    preview(conn, |conn| {
        let pool = PoolState::require(conn, pool_id)?;
        let named = resolve(conn, principals)?;
        let (new_seats, already_held) = stage(conn, &pool, principals)?;
        let counts = expand::members_per_group(conn, audience(&pool))?;
        let groups = named
            .groups
            .iter()
            .map(|(id, name)| GroupReach {
                group_id: *id,
                name: name.clone(),
                members: counts.iter().find(|(g, _)| g == id).map_or(0, |(_, n)| *n),
            })
            .collect();
        Ok(SeatPlan {
            pool_id: pool.id,
            pool_name: pool.name.clone(),
            before: pool.seats(),
            new_seats,
            already_held,
            groups,
            refusal: refusal(conn, &pool, &named, new_seats)?,
        })
    })
}

/// Gives a seat of the pool to every distinct principal reached that lacks
/// one, or refuses and changes nothing (R-LIC-3). Check and write share one
/// IMMEDIATE transaction, so concurrent admins never oversubscribe (R-LIC-4).
pub fn assign(
    conn: &Connection,
    actor: &Actor,
    pool_id: i64,
    principals: &[Principal],
) -> Result<ChangeOutcome, ChangeError> {
    write_audited(conn, actor, "assign", |tx, attempt| {
        let loaded = PoolState::load(tx, pool_id)?;
        attempt.pool.clone_from(&loaded);
        authorize(tx, actor, Permission::Assign)?;
        let mut pool = PoolState::found(loaded, pool_id)?;
        let named = resolve(tx, principals)?;
        attempt.principals.clone_from(&named.names);
        let (needed, held) = stage(tx, &pool, principals)?;
        if let Some(refused) = refusal(tx, &pool, &named, needed)? {
            return Err(refused.into());
        }
        let ctx = Ctx::begin(tx, &actor.name, "assign", None)?;
        give(&ctx, &mut pool, "assign", &named.names, (needed, held), None)
    })
}

/// Writes a staged assignment of `needed` new seats into the pool, queues
/// and audits it.
pub(crate) fn give(
    ctx: &Ctx<'_>,
    pool: &mut PoolState,
    action: &str,
    principals: &[String],
    (needed, held): (i64, i64),
    undoes: Option<&str>,
) -> Result<ChangeOutcome, ChangeError> {
    let before = pool.consumed;
    apply::give(ctx, pool)?;
    let queued = ctx.queue(pool, true)?;
    let mut detail = serde_json::json!({ "added": needed, "already_held": held });
    if let Some(batch) = undoes {
        detail["undoes"] = batch.into();
    }
    Ok(apply::audit_added(
        ctx,
        pool,
        before,
        (needed, queued),
        (action, principals),
        detail,
    )?)
}
