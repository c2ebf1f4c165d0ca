//! The intent of app seats (R-APP-7): required, available or uninstall.
//!
//! An intent is seats' own record of what the deployment should do with
//! the app for that user or device; no store has the notion (online and
//! VPP apps are installed by the store), so nothing goes to the outbox.
//! A change is one audited, undoable batch: each row is snapshotted
//! ('seat_changed') before it changes, and undo puts the snapshot back.
//! Uninstall keeps the seat until no install of the app is reported for
//! that user or device; [`uninstalled_seats`] finds the ones to free.

use rusqlite::{Connection, params_from_iter};

use super::apply::{Taken, outcome, snapshot_rows};
use super::batch::{Ctx, Entry};
use super::pool::PoolState;
use super::{Actor, ChangeError, ChangeOutcome, Permission, Refusal, authorize, preview, write_audited};
use crate::store::db::{intent_code, state_code};

/// The intents an app seat may have.
pub const INTENTS: [&str; 3] = ["required", "available", "uninstall"];

/// What setting an intent would do in one pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntentPlan {
    pub pool_id: i64,
    pub pool_name: String,
    pub intent: String,
    /// Who changes (UPN or device name), at most `MAX_NAMES`.
    pub names: Vec<String>,
    /// How many seats change.
    pub changing: usize,
    /// Seats that already have this intent.
    pub unchanged: usize,
    /// Of those changing to uninstall, seats whose app no install reports:
    /// they are freed at once.
    pub frees_now: usize,
    /// Of those changing, seats a group grant reaches: uninstall never
    /// frees them while the group is assigned.
    pub via_group: usize,
}

fn check_intent(intent: &str) -> Result<(), ChangeError> {
    if INTENTS.contains(&intent) {
        return Ok(());
    }
    Err(ChangeError::Invalid(format!(
        "unknown intent {intent:?}: use required, available or uninstall"
    )))
}

/// The seats `seat_ids` by pool (ids already gone are skipped).
fn by_pool(conn: &Connection, seat_ids: &[i64]) -> rusqlite::Result<Vec<(i64, Vec<i64>)>> {
    let mut out: Vec<(i64, Vec<i64>)> = Vec::new();
    let mut stmt = conn.prepare_cached("SELECT pool_id FROM assignments WHERE id = ?1")?;
    for id in seat_ids {
        let pool: Option<i64> = stmt.query_row([id], |row| row.get(0)).ok();
        let Some(pool) = pool else { continue };
        match out.iter_mut().find(|(p, _)| *p == pool) {
            Some((_, ids)) => ids.push(*id),
            None => out.push((pool, vec![*id])),
        }
    }
    Ok(out)
}

/// Intents are for app seats; a license pool has none to change.
fn require_app_pool(pool: &PoolState) -> Result<(), ChangeError> {
    if APP_KINDS.contains(&pool.kind.as_str()) {
        return Ok(());
    }
    Err(Refusal::NotAssignable {
        pool: pool.name.clone(),
        why: "only app seats have an intent (required, available, uninstall); open the app in Apps"
            .to_owned(),
    }
    .into())
}

/// The pool kinds that hold app seats.
const APP_KINDS: [&str; 3] = ["store_online", "store_offline", "vpp"];

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// `FROM … WHERE` selecting the seats of `ids` whose intent differs from
/// `?1` (named first, so the plain `?` of the ids number from 2).
fn changing_rows(ids: &[i64]) -> String {
    format!(
        "FROM assignments a LEFT JOIN users u ON u.id = a.user_id LEFT JOIN devices d ON d.id = a.device_id \
         WHERE a.intent <> ?1 AND a.id IN ({})",
        placeholders(ids.len())
    )
}

// A `&String` becomes a `&dyn ToSql`; a `&str` (unsized) can't.
#[allow(clippy::ptr_arg)]
fn bind<'a>(intent: &'a String, ids: &'a [i64]) -> Vec<&'a dyn rusqlite::ToSql> {
    let mut values: Vec<&dyn rusqlite::ToSql> = vec![intent];
    values.extend(ids.iter().map(|id| id as &dyn rusqlite::ToSql));
    values
}

fn plan_pool(
    conn: &Connection,
    pool: &PoolState,
    ids: &[i64],
    intent: &str,
) -> Result<IntentPlan, ChangeError> {
    require_app_pool(pool)?;
    let intent = &intent.to_owned();
    let sql = format!(
        "SELECT coalesce(u.upn, d.name, '?') {} ORDER BY 1",
        changing_rows(ids)
    );
    let mut stmt = conn.prepare(&sql)?;
    let names: Vec<String> = stmt
        .query_map(params_from_iter(bind(intent, ids)), |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let frees_now = if intent == "uninstall" {
        let ids_sql = format!("SELECT a.id {}", changing_rows(ids));
        count_not_installed(conn, &ids_sql, &bind(intent, ids))?
    } else {
        0
    };
    let via_group = {
        let sql = format!(
            "SELECT count(*) {} AND a.via_group_id IS NOT NULL",
            changing_rows(ids)
        );
        let n: i64 = conn.query_row(&sql, params_from_iter(bind(intent, ids)), |row| row.get(0))?;
        usize::try_from(n).unwrap_or(0)
    };
    Ok(IntentPlan {
        via_group,
        pool_id: pool.id,
        pool_name: pool.name.clone(),
        intent: intent.to_owned(),
        changing: names.len(),
        unchanged: ids.len() - names.len(),
        names: names.into_iter().take(super::batch::MAX_NAMES).collect(),
        frees_now,
    })
}

/// No install of the seat's app is reported installed, pending or failed
/// for the seat's user or device: the app is gone (or never came). Only a
/// seat held on its own is freed; one a group grant reaches stays while
/// the group is assigned (the preview says so).
///
/// The user's and the device's installs are two lookups, not one `OR`:
/// with `i.user_id = a.user_id OR i.device_id = a.device_id` SQLite read
/// every install of the app for each seat (installs_app), which at a
/// million users — 74k seats set to uninstall, 324k installs of the
/// commonest app — kept the sync's last step busy for many minutes.
const NOT_INSTALLED: &str = concat!(
    "a.state_code <> ",
    state_code!("error"),
    " AND a.via_group_id IS NULL AND NOT EXISTS (SELECT 1 FROM pools p JOIN installs i ON i.app_id = p.app_id \
     WHERE p.id = a.pool_id AND i.state IN ('installed', 'pending', 'failed') AND i.user_id = a.user_id) \
     AND (a.device_id IS NULL OR NOT EXISTS (SELECT 1 FROM pools p JOIN installs i ON i.app_id = p.app_id \
       WHERE p.id = a.pool_id AND i.state IN ('installed', 'pending', 'failed') AND i.device_id = a.device_id))"
);

fn count_not_installed(
    conn: &Connection,
    ids_sql: &str,
    values: &[&dyn rusqlite::ToSql],
) -> rusqlite::Result<usize> {
    let sql = format!("SELECT count(*) FROM assignments a WHERE a.id IN ({ids_sql}) AND {NOT_INSTALLED}");
    let count: i64 = conn.query_row(&sql, params_from_iter(values), |row| row.get(0))?;
    Ok(usize::try_from(count).unwrap_or(0))
}

/// What [`set_intent`] would do, pool by pool; changes nothing.
pub fn plan_intent(
    conn: &Connection,
    seat_ids: &[i64],
    intent: &str,
) -> Result<Vec<IntentPlan>, ChangeError> {
    check_intent(intent)?;
    preview(conn, |conn| {
        let mut plans = Vec::new();
        for (pool_id, ids) in by_pool(conn, seat_ids)? {
            let pool = PoolState::require(conn, pool_id)?;
            plans.push(plan_pool(conn, &pool, &ids, intent)?);
        }
        Ok(plans)
    })
}

/// Sets the intent of the app seats `seat_ids` (R-APP-7), one audited,
/// undoable batch. Seats that already have it are left alone.
pub fn set_intent(
    conn: &Connection,
    actor: &Actor,
    seat_ids: &[i64],
    intent: &str,
) -> Result<Vec<ChangeOutcome>, ChangeError> {
    check_intent(intent)?;
    write_audited(conn, actor, "set_intent", |tx, attempt| {
        attempt.detail = Some(serde_json::json!({ "intent": intent, "seats": seat_ids.len() }));
        authorize(tx, actor, Permission::Assign)?;
        let pools = by_pool(tx, seat_ids)?;
        if pools.is_empty() {
            return Ok(Vec::new());
        }
        let ctx = Ctx::begin(tx, &actor.name, "set_intent", None)?;
        let mut outcomes = Vec::new();
        for (pool_id, ids) in pools {
            let pool = PoolState::require(tx, pool_id)?;
            attempt.pool = Some(pool.clone());
            let plan = plan_pool(tx, &pool, &ids, intent)?;
            if plan.changing > 0 {
                outcomes.push(change_pool(&ctx, &pool, &ids, &plan)?);
            }
        }
        Ok(outcomes)
    })
}

fn change_pool(
    ctx: &Ctx<'_>,
    pool: &PoolState,
    ids: &[i64],
    plan: &IntentPlan,
) -> Result<ChangeOutcome, ChangeError> {
    let values = bind(&plan.intent, ids);
    // Numbered from ?2 so the snapshot's own ?1 (the batch) comes first.
    let rows = format!(
        "SELECT a.id FROM assignments a WHERE a.id IN ({}) AND a.intent <> ?{}",
        (0..ids.len())
            .map(|i| format!("?{}", i + 2))
            .collect::<Vec<_>>()
            .join(", "),
        ids.len() + 2
    );
    let mut snapshot_values: Vec<&dyn rusqlite::ToSql> =
        ids.iter().map(|id| id as &dyn rusqlite::ToSql).collect();
    snapshot_values.push(&plan.intent);
    snapshot_rows(ctx.conn, &ctx.batch, &rows, &snapshot_values)?;
    let sql = format!(
        concat!(
            "UPDATE assignments SET intent_code = ",
            intent_code!("?1"),
            " WHERE id IN ({}) AND intent <> ?1"
        ),
        placeholders(ids.len())
    );
    ctx.conn.execute(&sql, params_from_iter(values))?;
    ctx.audit(&Entry {
        action: "set_intent",
        pool: Some((pool.id, &pool.name)),
        principals: &plan.names,
        before: Some(pool.consumed),
        after: Some(pool.consumed),
        result: "ok",
        detail: Some(serde_json::json!({ "intent": plan.intent, "seats": plan.changing })),
    })?;
    Ok(outcome(
        ctx,
        pool,
        pool.consumed,
        (0, Taken::default()),
        false,
        Vec::new(),
    ))
}

/// Seats set to uninstall whose app no install reports any more: the app
/// was removed, so the seat can be freed (R-APP-7). `pool` narrows it.
pub fn uninstalled_seats(conn: &Connection, pool: Option<i64>) -> rusqlite::Result<Vec<i64>> {
    let sql = format!(
        "SELECT a.id FROM assignments a WHERE a.intent = 'uninstall' AND (?1 IS NULL OR a.pool_id = ?1) \
         AND {NOT_INSTALLED} ORDER BY a.id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let ids = stmt.query_map([pool], |row| row.get(0))?;
    ids.collect()
}
