//! Releasing seats: unassign users and groups (R-LIC-2), release marked
//! seats by assignment id (the Reclaim view). Releases are always allowed,
//! even on disabled pools; a seat that is still needed (assigned directly,
//! or reached through another assigned group) stays, and the plan says why.

use std::collections::BTreeMap;

use rusqlite::Connection;

use super::admins::{Permission, authorize};
use super::apply::{self, Taken};
use super::batch::{Ctx, Entry};
use super::expand::{self, Audience, Fate};
use super::pool::PoolState;
use super::seat::resolve;
use super::{Actor, ChangeError, ChangeOutcome, Principal, ReleasePlan};
use super::{preview, write_audited};

/// Everyone, active or not: a release looks at every row the change reaches.
const EVERYONE: Audience = Audience {
    users: true,
    devices: true,
    active_only: false,
};

/// Fills the scratch set with the principals an unassignment reaches and
/// decides whose seat goes. Returns whether groups are withdrawn.
pub(super) fn stage(conn: &Connection, pool_id: i64, principals: &[Principal]) -> rusqlite::Result<bool> {
    expand::stage_principals(conn, principals, EVERYONE)?;
    let groups = principals.iter().any(|p| matches!(p, Principal::Group(_)));
    if groups {
        expand::add_seated_via_groups(conn, pool_id)?;
    }
    expand::mark_held(conn, pool_id)?;
    expand::mark_reach(conn, pool_id)?;
    expand::decide_release(conn)?;
    Ok(groups)
}

/// Seats the fates free (rows waiting in state 'error' hold none).
fn freed(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT count(*) FROM temp.seat_target WHERE release = 1 AND held = 1")?
        .query_row([], |row| row.get(0))
}

fn kept(fates: &[Fate]) -> Vec<(String, String)> {
    fates
        .iter()
        .filter_map(|f| f.why.clone().map(|why| (f.name.clone(), why)))
        .collect()
}

/// The plan of the release staged in the scratch set: the rows it takes
/// (seats, and waiting rows that hold none), the seats that stay and why,
/// and the figures after it, waiting members moved up included, exactly
/// as [`finish`] will write them.
pub(crate) fn staged_plan(conn: &Connection, pool: &PoolState) -> rusqlite::Result<ReleasePlan> {
    let fates = expand::fates(conn)?;
    let freed = freed(conn)?;
    let promoted = pool.promotable(conn, freed)?;
    let names = |waiting: bool| -> Vec<String> {
        fates
            .iter()
            .filter(|f| f.released && f.waiting == waiting)
            .map(|f| f.name.clone())
            .collect()
    };
    let (groups_withdrawn, groups_not_assigned) = expand::groups_by_grant(conn, pool.id)?;
    Ok(ReleasePlan {
        pool_id: pool.id,
        pool_name: pool.name.clone(),
        before: pool.seats(),
        after: pool.seats().after(promoted.len() as i64 - freed),
        released: names(false),
        dropped: names(true),
        kept: kept(&fates),
        promoted,
        direct_withdrawn: fates
            .iter()
            .filter(|f| f.direct_withdrawn)
            .map(|f| f.name.clone())
            .collect(),
        groups_withdrawn,
        groups_not_assigned,
        not_held: expand::not_held(conn)?,
    })
}

/// Previews an unassignment: whose seat goes, whose stays and why.
pub fn plan_unassign(
    conn: &Connection,
    pool_id: i64,
    principals: &[Principal],
) -> Result<ReleasePlan, ChangeError> {
    preview(conn, |conn| {
        let pool = PoolState::require(conn, pool_id)?;
        resolve(conn, principals)?;
        stage(conn, pool.id, principals)?;
        Ok(staged_plan(conn, &pool)?)
    })
}

/// Previews [`release_seats`] pool by pool, by the same rule: a seat still
/// reached through an assigned group is listed as kept, with the group.
pub fn plan_release_seats(
    conn: &Connection,
    assignment_ids: &[i64],
) -> Result<Vec<ReleasePlan>, ChangeError> {
    preview(conn, |conn| {
        let mut plans = Vec::new();
        for (pool_id, whos) in seats_by_pool(conn, assignment_ids)? {
            let pool = PoolState::require(conn, pool_id)?;
            stage_seats(conn, pool_id, &whos)?;
            plans.push(staged_plan(conn, &pool)?);
        }
        Ok(plans)
    })
}

/// The principals holding the seats `assignment_ids`, by pool (ids already
/// gone are skipped: another admin released them).
fn seats_by_pool(conn: &Connection, assignment_ids: &[i64]) -> rusqlite::Result<BTreeMap<i64, Vec<i64>>> {
    let mut by_pool: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    let mut stmt =
        conn.prepare_cached("SELECT pool_id, coalesce(user_id, -device_id) FROM assignments WHERE id = ?1")?;
    for id in assignment_ids {
        let mut rows = stmt.query([id])?;
        if let Some(row) = rows.next()? {
            by_pool.entry(row.get(0)?).or_default().push(row.get(1)?);
        }
    }
    Ok(by_pool)
}

/// Stages the release of these principals' seats of one pool: each goes
/// unless an assigned group still reaches it.
fn stage_seats(conn: &Connection, pool_id: i64, whos: &[i64]) -> rusqlite::Result<()> {
    expand::reset(conn)?;
    for &who in whos {
        expand::add_who(conn, who, true, None, None)?;
    }
    expand::mark_held(conn, pool_id)?;
    expand::mark_reach(conn, pool_id)?;
    expand::decide_release(conn)
}

/// Withdraws the named users (direct assignment) and groups from the pool
/// and releases every seat no longer needed, in one transaction.
pub fn unassign(
    conn: &Connection,
    actor: &Actor,
    pool_id: i64,
    principals: &[Principal],
) -> Result<ChangeOutcome, ChangeError> {
    write_audited(conn, actor, "unassign", |tx, attempt| {
        let loaded = PoolState::load(tx, pool_id)?;
        attempt.pool.clone_from(&loaded);
        authorize(tx, actor, Permission::Assign)?;
        let mut pool = PoolState::found(loaded, pool_id)?;
        let named = resolve(tx, principals)?;
        let withdraw = stage(tx, pool.id, principals)?;
        let ctx = Ctx::begin(tx, &actor.name, "unassign", None)?;
        let how = Release {
            action: "unassign",
            principals: Some(&named.names),
            withdraw,
            promote: true,
            note: None,
        };
        Ok(finish(&ctx, &mut pool, &how)?)
    })
}

/// Releases seats by `assignments.id` (marked rows of the Reclaim view),
/// across pools, in one transaction and one batch. Ids already gone are
/// skipped (another admin released them). A seat still reached through an
/// assigned group stays: the outcome's `kept` says so.
pub fn release_seats(
    conn: &Connection,
    actor: &Actor,
    assignment_ids: &[i64],
) -> Result<Vec<ChangeOutcome>, ChangeError> {
    write_audited(conn, actor, "release", |tx, attempt| {
        attempt.detail = Some(serde_json::json!({ "seats": assignment_ids.len() }));
        authorize(tx, actor, Permission::Assign)?;
        let by_pool = seats_by_pool(tx, assignment_ids)?;
        if by_pool.is_empty() {
            // Nothing left to release: no batch, so none without its audit row.
            return Ok(Vec::new());
        }
        let ctx = Ctx::begin(tx, &actor.name, "release", None)?;
        let mut outcomes = Vec::new();
        for (pool_id, whos) in by_pool {
            let mut pool = PoolState::require(tx, pool_id)?;
            stage_seats(tx, pool_id, &whos)?;
            let how = Release {
                action: "release",
                principals: None,
                withdraw: false,
                promote: true,
                note: None,
            };
            outcomes.push(finish(&ctx, &mut pool, &how)?);
        }
        Ok(outcomes)
    })
}

/// Frees the seats `ids`, set to uninstall, whose app's removal was
/// reported (an installs import, or at a sync; R-APP-7), in one batch by
/// `actor`, audited as a release with the reason. No role is asked: an
/// administrator chose uninstall; this carries it out. Runs in the
/// caller's transaction.
pub(crate) fn release_uninstalled(
    tx: &Connection,
    actor: &str,
    ids: &[i64],
) -> rusqlite::Result<Vec<ChangeOutcome>> {
    let by_pool = seats_by_pool(tx, ids)?;
    if by_pool.is_empty() {
        return Ok(Vec::new());
    }
    expand::ensure_scratch(tx)?;
    let ctx = Ctx::begin(tx, actor, "release", None)?;
    let mut outcomes = Vec::new();
    for (pool_id, whos) in by_pool {
        let Some(mut pool) = PoolState::load(tx, pool_id)? else {
            continue;
        };
        stage_seats(tx, pool_id, &whos)?;
        let how = Release {
            action: "release",
            principals: None,
            withdraw: false,
            promote: true,
            note: Some(("reason", "set to uninstall; the app's removal was reported")),
        };
        outcomes.push(finish(&ctx, &mut pool, &how)?);
    }
    Ok(outcomes)
}

/// How a staged release is written and audited.
pub(crate) struct Release<'a> {
    pub action: &'a str,
    /// Names for the audit row; None names the principals whose rows it touched.
    pub principals: Option<&'a [String]>,
    /// Withdraw the scratch groups from the pool too.
    pub withdraw: bool,
    /// Give freed seats to waiting members (undo does not: it puts the
    /// pool back as it was).
    pub promote: bool,
    /// Extra detail for the audit row (a reason, the batch undone).
    pub note: Option<(&'a str, &'a str)>,
}

/// Writes a staged release into the pool, queues and audits it.
pub(crate) fn finish(
    ctx: &Ctx<'_>,
    pool: &mut PoolState,
    how: &Release<'_>,
) -> rusqlite::Result<ChangeOutcome> {
    let fates = expand::fates(ctx.conn)?;
    let before = pool.consumed;
    let taken: Taken = apply::take(ctx, pool, how.withdraw, how.promote)?;
    let mut queued = ctx.queue(pool, false)?;
    if !taken.promoted.is_empty() {
        // The source hears about the promoted members as added seats.
        queued |= ctx.queue(pool, true)?;
    }
    let touched: Vec<String>;
    let principals = match how.principals {
        Some(names) => names,
        None => {
            touched = fates.iter().map(|f| f.name.clone()).collect();
            &touched
        }
    };
    let kept = kept(&fates);
    let mut detail = serde_json::json!({
        "released": taken.released, "promoted": taken.promoted.len(), "kept": kept.len(),
        "moved_up": taken.promoted,
    });
    if let Some((key, value)) = how.note {
        detail[key] = value.into();
    }
    ctx.audit(&Entry {
        action: how.action,
        pool: Some((pool.id, &pool.name)),
        principals,
        before: Some(before),
        after: Some(pool.consumed),
        result: "ok",
        detail: Some(detail),
    })?;
    Ok(apply::outcome(ctx, pool, before, (0, taken), queued, kept))
}
