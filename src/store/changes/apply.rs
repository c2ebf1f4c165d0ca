//! Writing a staged scratch set into one pool: give seats, or take them back.
//! Each step is one set-based statement; each records the exact items undo
//! needs in `change_items` before it changes the rows.

use rusqlite::params;

use super::ChangeOutcome;
use super::batch::Ctx;
use super::pool::PoolState;
use crate::store::db::{assigned_by_code, state_code, unix_time};

/// Gives a seat to every scratch principal without one (new rows, and rows
/// waiting in state 'error'), grants the scratch groups, and sets the direct
/// flag where asked. The caller checked that the seats are free.
pub(crate) fn give(ctx: &Ctx<'_>, pool: &mut PoolState) -> rusqlite::Result<()> {
    let conn = ctx.conn;
    let (b, p) = (&ctx.batch, pool.id);
    conn.prepare_cached(
        "INSERT INTO change_items (batch_id, op, pool_id, group_id) \
         SELECT ?1, 'group_added', ?2, g.group_id FROM temp.seat_groups g WHERE NOT EXISTS \
         (SELECT 1 FROM group_assignments ga WHERE ga.pool_id = ?2 AND ga.group_id = g.group_id)",
    )?
    .execute(params![b, p])?;
    conn.prepare_cached(
        "INSERT INTO group_assignments (pool_id, group_id, assigned_at, assigned_by) \
         SELECT ?1, group_id, ?2, ?3 FROM temp.seat_groups WHERE true ON CONFLICT DO NOTHING",
    )?
    .execute(params![p, ctx.at, ctx.actor])?;
    // Items first: `held` still tells new rows from waiting ones, whose
    // whole row is kept so undo puts them back to waiting as they were.
    conn.prepare_cached(
        "INSERT INTO change_items (batch_id, op, pool_id, user_id, device_id, direct, via_group_id, state) \
         SELECT ?1, 'seat_added', ?2, CASE WHEN who > 0 THEN who END, CASE WHEN who < 0 THEN -who END, \
                direct, via_group_id, CASE held WHEN 2 THEN 'error' END \
         FROM temp.seat_target WHERE held = 0",
    )?
    .execute(params![b, p])?;
    snapshot(
        ctx,
        "SELECT t.assignment_id FROM temp.seat_target t JOIN assignments a ON a.id = t.assignment_id \
         WHERE t.held = 2 AND a.error = 'CountViolation'",
    )?;
    // The snapshot keeps the row for undo; the marker tells the audit that
    // this waiting member got a seat.
    conn.prepare_cached(
        "INSERT INTO change_items (batch_id, op, pool_id, user_id, device_id) \
         SELECT ?1, 'seat_promoted', a.pool_id, a.user_id, a.device_id \
         FROM temp.seat_target t JOIN assignments a ON a.id = t.assignment_id \
         WHERE t.held = 2 AND a.error = 'CountViolation'",
    )?
    .execute([b])?;
    let (state, invitation) = pool.new_seat_state();
    conn.prepare_cached(concat!(
        "INSERT INTO assignments (pool_id, user_id, device_id, direct, via_group_id, state_code, invitation, \
                                  assigned_unix, assigned_by_code) \
         SELECT ?1, CASE WHEN who > 0 THEN who END, CASE WHEN who < 0 THEN -who END, direct, via_group_id, \
                CASE WHEN who > 0 THEN ",
        state_code!("?2"),
        " ELSE ",
        state_code!("active"),
        " END, CASE WHEN who > 0 THEN ?3 END, ",
        unix_time!("?4"),
        ", ",
        assigned_by_code!("?5"),
        " FROM temp.seat_target WHERE held = 0"
    ))?
    .execute(params![p, state, invitation, ctx.at, ctx.actor])?;
    conn.prepare_cached(concat!(
        "UPDATE assignments SET state_code = ",
        state_code!("?1"),
        ", error = NULL, \
           invitation = CASE WHEN assignments.user_id IS NOT NULL THEN coalesce(?2, invitation) END, \
           direct = max(assignments.direct, t.direct), \
           via_group_id = coalesce(assignments.via_group_id, t.via_group_id), assigned_unix = ",
        unix_time!("?3"),
        ", assigned_by_code = ",
        assigned_by_code!("?4"),
        " \
         FROM temp.seat_target t WHERE t.held = 2 AND assignments.id = t.assignment_id \
           AND assignments.error = 'CountViolation'"
    ))?
    .execute(params![state, invitation, ctx.at, ctx.actor])?;
    set_direct_flags(ctx, p)?;
    pool.reload_consumed(conn)
}

/// Held seats named directly get the direct flag; held seats without a
/// group reference get the group that reaches them.
pub(crate) fn set_direct_flags(ctx: &Ctx<'_>, pool_id: i64) -> rusqlite::Result<()> {
    let conn = ctx.conn;
    snapshot(
        ctx,
        "SELECT t.assignment_id FROM temp.seat_target t JOIN assignments a ON a.id = t.assignment_id \
         WHERE t.held = 1 AND ((t.direct = 1 AND t.was_direct = 0) \
           OR (t.via_group_id IS NOT NULL AND a.via_group_id IS NULL))",
    )?;
    conn.prepare_cached(
        "INSERT INTO change_items (batch_id, op, pool_id, user_id, device_id) \
         SELECT ?1, 'direct_set', ?2, CASE WHEN who > 0 THEN who END, CASE WHEN who < 0 THEN -who END \
         FROM temp.seat_target WHERE held = 1 AND direct = 1 AND was_direct = 0",
    )?
    .execute(params![ctx.batch, pool_id])?;
    conn.prepare_cached(
        "UPDATE assignments SET direct = 1 FROM temp.seat_target t \
         WHERE t.held = 1 AND t.direct = 1 AND t.was_direct = 0 AND assignments.id = t.assignment_id",
    )?
    .execute([])?;
    conn.prepare_cached(
        "UPDATE assignments SET via_group_id = t.via_group_id FROM temp.seat_target t \
         WHERE t.held = 1 AND t.via_group_id IS NOT NULL AND assignments.id = t.assignment_id \
           AND assignments.via_group_id IS NULL",
    )?
    .execute([])?;
    Ok(())
}

/// Records, once per batch and principal, the seat rows whose ids `rows`
/// selects as they are now (op 'seat_changed'), before the batch changes
/// them in place: undo puts them back exactly (state, error, direct flag,
/// group reference, time and author).
pub(crate) fn snapshot(ctx: &Ctx<'_>, rows: &str) -> rusqlite::Result<()> {
    snapshot_rows(ctx.conn, &ctx.batch, rows, &[])
}

/// [`snapshot`] for callers without a [`Ctx`]; `rows` may use `?2`, `?3`…
/// bound to `more`.
pub(crate) fn snapshot_rows(
    conn: &rusqlite::Connection,
    batch: &str,
    rows: &str,
    more: &[&dyn rusqlite::ToSql],
) -> rusqlite::Result<()> {
    let sql = format!(
        "INSERT INTO change_items (batch_id, op, pool_id, user_id, device_id, direct, via_group_id, intent, \
                                   state, error, invitation, assigned_at, assigned_by) \
         SELECT ?1, 'seat_changed', a.pool_id, a.user_id, a.device_id, a.direct, a.via_group_id, a.intent, \
                a.state, a.error, a.invitation, a.assigned_at, a.assigned_by \
         FROM assignments a WHERE a.id IN ({rows}) \
           AND NOT EXISTS (SELECT 1 FROM change_items c WHERE c.batch_id = ?1 AND c.pool_id = a.pool_id \
                 AND c.op = 'seat_changed' AND c.user_id = a.user_id) \
           AND NOT EXISTS (SELECT 1 FROM change_items c WHERE c.batch_id = ?1 AND c.pool_id = a.pool_id \
                 AND c.op = 'seat_changed' AND c.device_id = a.device_id)"
    );
    let mut all: Vec<&dyn rusqlite::ToSql> = vec![&batch];
    all.extend_from_slice(more);
    conn.prepare_cached(&sql)?.execute(all.as_slice())?;
    Ok(())
}

/// What [`take`] did.
#[derive(Debug, Clone, Default)]
pub(crate) struct Taken {
    /// Seats freed (rows waiting in state 'error' hold none).
    pub released: i64,
    /// Waiting members that got a freed seat, by name.
    pub promoted: Vec<String>,
}

/// Withdraws the scratch groups (when `withdraw_groups`), deletes the rows
/// marked for release, clears the direct flag of kept rows where asked, and
/// moves waiting members up into freed seats.
pub(crate) fn take(
    ctx: &Ctx<'_>,
    pool: &mut PoolState,
    withdraw_groups: bool,
    promote: bool,
) -> rusqlite::Result<Taken> {
    let conn = ctx.conn;
    let (b, p) = (&ctx.batch, pool.id);
    if withdraw_groups {
        conn.prepare_cached(
            "INSERT INTO change_items (batch_id, op, pool_id, group_id, intent, assigned_at, assigned_by) \
             SELECT ?1, 'group_removed', ga.pool_id, ga.group_id, ga.intent, ga.assigned_at, ga.assigned_by \
             FROM group_assignments ga JOIN temp.seat_groups g ON g.group_id = ga.group_id WHERE ga.pool_id = ?2",
        )?
        .execute(params![b, p])?;
        conn.prepare_cached(
            "DELETE FROM group_assignments WHERE pool_id = ?1 AND group_id IN (SELECT group_id FROM temp.seat_groups)",
        )?
        .execute([p])?;
    }
    let released: i64 = conn
        .prepare_cached("SELECT count(*) FROM temp.seat_target WHERE release = 1 AND held = 1")?
        .query_row([], |row| row.get(0))?;
    conn.prepare_cached(
        "INSERT INTO change_items (batch_id, op, pool_id, user_id, device_id, direct, via_group_id, intent, \
                                   state, error, invitation, assigned_at, assigned_by) \
         SELECT ?1, 'seat_released', a.pool_id, a.user_id, a.device_id, a.direct, a.via_group_id, a.intent, \
                a.state, a.error, a.invitation, a.assigned_at, a.assigned_by \
         FROM temp.seat_target t JOIN assignments a ON a.id = t.assignment_id WHERE t.release = 1",
    )?
    .execute([b])?;
    conn.prepare_cached(
        "DELETE FROM assignments WHERE id IN (SELECT assignment_id FROM temp.seat_target WHERE release = 1)",
    )?
    .execute([])?;
    clear_direct_flags(ctx, p)?;
    pool.reload_consumed(conn)?;
    let promoted = if promote {
        pool.promote_waiting(conn, b, released)?
    } else {
        Vec::new()
    };
    Ok(Taken { released, promoted })
}

/// Kept seats lose the direct flag where asked, and point at a group that
/// still reaches them when theirs was withdrawn.
fn clear_direct_flags(ctx: &Ctx<'_>, pool_id: i64) -> rusqlite::Result<()> {
    let conn = ctx.conn;
    let kept = "t.held > 0 AND t.release = 0 AND assignments.id = t.assignment_id";
    snapshot(
        ctx,
        "SELECT t.assignment_id FROM temp.seat_target t JOIN assignments a ON a.id = t.assignment_id \
         WHERE t.held > 0 AND t.release = 0 AND ((t.direct = 1 AND t.was_direct = 1) \
           OR (a.via_group_id IS NOT t.reach_group AND (a.via_group_id IS NULL OR t.reach_group IS NULL \
               OR a.via_group_id IN (SELECT group_id FROM temp.seat_groups))))",
    )?;
    conn.prepare_cached(
        "INSERT INTO change_items (batch_id, op, pool_id, user_id, device_id) \
         SELECT ?1, 'direct_cleared', ?2, CASE WHEN who > 0 THEN who END, CASE WHEN who < 0 THEN -who END \
         FROM temp.seat_target WHERE held > 0 AND release = 0 AND direct = 1 AND was_direct = 1",
    )?
    .execute(params![ctx.batch, pool_id])?;
    conn.prepare_cached(&format!(
        "UPDATE assignments SET direct = 0 FROM temp.seat_target t \
         WHERE {kept} AND t.direct = 1 AND t.was_direct = 1"
    ))?
    .execute([])?;
    conn.prepare_cached(&format!(
        "UPDATE assignments SET via_group_id = t.reach_group FROM temp.seat_target t \
         WHERE {kept} AND assignments.via_group_id IS NOT t.reach_group \
           AND (assignments.via_group_id IS NULL OR t.reach_group IS NULL \
                OR assignments.via_group_id IN (SELECT group_id FROM temp.seat_groups))"
    ))?
    .execute([])?;
    Ok(())
}

/// The outcome of one pool's change, from its figures before and now.
pub(crate) fn outcome(
    ctx: &Ctx<'_>,
    pool: &PoolState,
    before: i64,
    (added, taken): (i64, Taken),
    queued: bool,
    kept: Vec<(String, String)>,
) -> ChangeOutcome {
    ChangeOutcome {
        batch_id: ctx.batch.clone(),
        pool_id: pool.id,
        pool_name: pool.name.clone(),
        added,
        action: ctx.action.clone(),
        released: taken.released,
        promoted: taken.promoted.len() as i64,
        promoted_names: taken.promoted,
        consumed_before: before,
        consumed_after: pool.consumed,
        total: pool.total,
        queued,
        connector: if queued { pool.connector.clone() } else { None },
        cancelled: 0,
        kept,
    }
}

/// Audits a change that added `added` seats to `pool` (whose consumed was
/// `before`) and returns its outcome: the tail of an assign and of the undo
/// of a release.
pub(crate) fn audit_added(
    ctx: &Ctx<'_>,
    pool: &PoolState,
    before: i64,
    (added, queued): (i64, bool),
    (action, principals): (&str, &[String]),
    detail: serde_json::Value,
) -> rusqlite::Result<ChangeOutcome> {
    ctx.audit(&super::batch::Entry {
        action,
        pool: Some((pool.id, &pool.name)),
        principals,
        before: Some(before),
        after: Some(pool.consumed),
        result: "ok",
        detail: Some(detail),
    })?;
    Ok(outcome(
        ctx,
        pool,
        before,
        (added, Taken::default()),
        queued,
        Vec::new(),
    ))
}
