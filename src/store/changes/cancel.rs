//! Cancelling a subscription (R-SUB-7): it is disabled and every seat goes
//! back through the usual release path — the direct users and the groups
//! are withdrawn, audited, in the same transaction and batch as the status
//! change, so a failure leaves both as they were.

use rusqlite::{Connection, Transaction};

use super::admins::{Permission, authorize};
use super::batch::Ctx;
use super::pool::PoolState;
use super::release::{Release, finish, stage};
use super::seat::resolve;
use super::write_audited;
use super::{Actor, ChangeError, ChangeOutcome, Principal};

/// Who holds the pool's seats: its direct users and its assigned groups
/// (SaaS and ISV seats are given to users, never to devices).
fn holders(conn: &Connection, pool_id: i64) -> rusqlite::Result<Vec<Principal>> {
    let mut out = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT user_id FROM assignments WHERE pool_id = ?1 AND direct = 1 AND user_id IS NOT NULL \
         ORDER BY user_id",
    )?;
    for id in stmt.query_map([pool_id], |r| r.get::<_, i64>(0))? {
        out.push(Principal::User(id?));
    }
    let mut stmt =
        conn.prepare("SELECT group_id FROM group_assignments WHERE pool_id = ?1 ORDER BY group_id")?;
    for id in stmt.query_map([pool_id], |r| r.get::<_, i64>(0))? {
        out.push(Principal::Group(id?));
    }
    Ok(out)
}

/// Runs `disable` (the status change, which refuses a forbidden
/// transition) and releases every seat of the pool, in one transaction.
/// None when the pool held no seat and no group.
pub fn cancel_subscription(
    conn: &Connection,
    actor: &Actor,
    pool_id: i64,
    disable: impl FnOnce(&Transaction<'_>) -> Result<(), ChangeError>,
) -> Result<Option<ChangeOutcome>, ChangeError> {
    write_audited(conn, actor, "cancel", |tx, attempt| {
        let loaded = PoolState::load(tx, pool_id)?;
        attempt.pool.clone_from(&loaded);
        authorize(tx, actor, Permission::ManageSubscriptions)?;
        let mut pool = PoolState::found(loaded, pool_id)?;
        disable(tx)?;
        let principals = holders(tx, pool_id)?;
        if principals.is_empty() {
            return Ok(None);
        }
        let named = resolve(tx, &principals)?;
        let withdraw = stage(tx, pool.id, &principals)?;
        let ctx = Ctx::begin(tx, &actor.name, "cancel", None)?;
        let how = Release {
            action: "cancel",
            principals: Some(&named.names),
            withdraw,
            // A cancelled subscription gives no seat to anyone waiting.
            promote: false,
            note: Some(("reason", "the subscription was cancelled")),
        };
        Ok(Some(finish(&ctx, &mut pool, &how)?))
    })
}
