//! The scratch set a change works on: the principals it touches in one pool,
//! with groups flattened (R-LIC-7), so every later step is one set-based
//! statement instead of a round trip per member.
//!
//! A principal is one integer `who`: a user id, or minus a device id. That
//! makes "a user reached twice counts once" the table's primary key.

use crate::store::db::state_code;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, params};

/// Per-connection temp tables; `IF NOT EXISTS` keeps this cheap to repeat.
const SCRATCH: &str = "
CREATE TEMP TABLE IF NOT EXISTS seat_groups (group_id INTEGER PRIMARY KEY);
CREATE TEMP TABLE IF NOT EXISTS seat_target (
    who             INTEGER PRIMARY KEY,        -- user id, or minus a device id
    direct          INTEGER NOT NULL DEFAULT 0, -- give directly / clear the direct flag
    via_group_id    INTEGER,                    -- a named group that reaches it
    item_id         INTEGER,                    -- the change_items row it comes from (undo)
    assignment_id   INTEGER,
    held            INTEGER NOT NULL DEFAULT 0, -- 0 no row, 1 holds a seat, 2 waits (error row)
    was_direct      INTEGER NOT NULL DEFAULT 0,
    reach_group     INTEGER,                    -- an assigned group still reaching it
    release         INTEGER NOT NULL DEFAULT 0
);";

/// Flattens the groups in `seat_groups` (cycle-safe: UNION drops repeats)
/// into (root, group) pairs.
const REACH: &str = "WITH RECURSIVE reach(root, group_id) AS ( \
       SELECT group_id, group_id FROM temp.seat_groups \
       UNION \
       SELECT r.root, m.child_group_id FROM reach r JOIN group_child_groups m ON m.group_id = r.group_id) ";

/// The members a pool counts of the groups reached, as (root, who): users
/// when `?1` (active ones only when `?3`), devices (`who` negated) when `?2`.
/// Each kind has its own table (migration 0025).
const MEMBERS: &str = "(SELECT r.root, m.user_id AS who FROM reach r \
       JOIN group_user_members m ON m.group_id = r.group_id WHERE ?1 AND (NOT ?3 OR EXISTS \
       (SELECT 1 FROM users u WHERE u.id = m.user_id AND u.enabled = 1 AND u.deleted = 0)) \
     UNION ALL SELECT r.root, -m.device_id FROM reach r \
       JOIN group_device_members m ON m.group_id = r.group_id WHERE ?2)";

/// Statements one change may keep prepared. rusqlite keeps 16 by default,
/// fewer than one assignment uses, and re-preparing them every time costs
/// more than running them.
const STATEMENT_CACHE: usize = 128;

/// Creates the scratch tables on this connection if needed (a rolled-back
/// transaction may have dropped them), and readies the connection for
/// repeated changes: a statement cache big enough for them, and the query
/// planner's stability guarantee. Without it, this SQLite build (STAT4)
/// re-plans every join whose bound values change, which is every change
/// (a new batch id each time); the plans checked with EXPLAIN QUERY PLAN
/// do not depend on the values. Setting an unchanged flag is free.
pub(crate) fn ensure_scratch(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    let ready: bool = conn
        .prepare_cached(
            "SELECT count(*) = 2 FROM temp.sqlite_master WHERE name IN ('seat_groups', 'seat_target')",
        )?
        .query_row([], |row| row.get(0))?;
    if !ready {
        conn.execute_batch(SCRATCH)?;
    }
    Ok(())
}

/// Empties the scratch set.
pub(crate) fn reset(conn: &Connection) -> rusqlite::Result<()> {
    ensure_scratch(conn)?;
    conn.prepare_cached("DELETE FROM temp.seat_groups")?.execute([])?;
    conn.prepare_cached("DELETE FROM temp.seat_target")?.execute([])?;
    Ok(())
}

/// Adds a group to expand.
pub(crate) fn add_group(conn: &Connection, group_id: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO temp.seat_groups (group_id) VALUES (?1)")?
        .execute([group_id])?;
    Ok(())
}

/// Adds one principal; `direct` marks it as named on its own, `via` is the
/// group that reaches it.
pub(crate) fn add_who(
    conn: &Connection,
    who: i64,
    direct: bool,
    via: Option<i64>,
    item: Option<i64>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO temp.seat_target (who, direct, via_group_id, item_id) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (who) DO UPDATE SET direct = max(direct, excluded.direct), \
         via_group_id = coalesce(via_group_id, excluded.via_group_id), \
         item_id = coalesce(excluded.item_id, item_id)",
    )?
    .execute(params![who, direct, via, item])?;
    Ok(())
}

/// Starts the scratch set over with `principals`: users as they are, groups
/// flattened into the members `audience` counts.
pub(crate) fn stage_principals(
    conn: &Connection,
    principals: &[crate::domain::Principal],
    audience: Audience,
) -> rusqlite::Result<()> {
    use crate::domain::Principal;
    reset(conn)?;
    let mut groups = false;
    for principal in principals {
        match *principal {
            Principal::User(id) => add_who(conn, id, true, None, None)?,
            Principal::Group(id) => {
                add_group(conn, id)?;
                groups = true;
            }
        }
    }
    if groups {
        expand_groups(conn, audience)?;
    }
    Ok(())
}

/// Which members of groups a pool counts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Audience {
    pub users: bool,
    pub devices: bool,
    /// Leave out users who left (disabled or deleted, R-LIC-5): they get no
    /// new seat. Releases look at everyone.
    pub active_only: bool,
}

/// Adds every flattened member of the scratch groups, once each.
pub(crate) fn expand_groups(conn: &Connection, audience: Audience) -> rusqlite::Result<()> {
    let sql = format!(
        "{REACH} INSERT INTO temp.seat_target (who, via_group_id) \
         SELECT who, min(root) FROM {MEMBERS} WHERE true GROUP BY who \
         ON CONFLICT (who) DO UPDATE SET via_group_id = coalesce(seat_target.via_group_id, excluded.via_group_id)"
    );
    conn.prepare_cached(&sql)?
        .execute(params![audience.users, audience.devices, audience.active_only])?;
    Ok(())
}

/// Adds the principals whose seat of the pool was given through one of the
/// scratch groups, members or not: a member who left the group since still
/// holds that seat only through it.
pub(crate) fn add_seated_via_groups(conn: &Connection, pool_id: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO temp.seat_target (who, via_group_id) \
         SELECT coalesce(a.user_id, -a.device_id), a.via_group_id FROM temp.seat_groups g \
         CROSS JOIN main.assignments a \
         WHERE a.via_group_id IS NOT NULL AND a.via_group_id = g.group_id AND a.pool_id = ?1 \
         ON CONFLICT (who) DO NOTHING",
    )?
    .execute([pool_id])?;
    Ok(())
}

/// Distinct members per scratch group (group id, members).
pub(crate) fn members_per_group(conn: &Connection, audience: Audience) -> rusqlite::Result<Vec<(i64, i64)>> {
    let sql = format!("{REACH} SELECT root, count(DISTINCT who) FROM {MEMBERS} GROUP BY root");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        params![audience.users, audience.devices, audience.active_only],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    rows.collect()
}

/// Records which principals already hold a row of the pool, and how.
/// CROSS JOIN keeps the scratch set as the outer loop: a single user must
/// not scan a pool of 100,000 seats.
pub(crate) fn mark_held(conn: &Connection, pool_id: i64) -> rusqlite::Result<()> {
    for (column, who) in [("user_id", "t.who"), ("device_id", "-t.who")] {
        let sign = if column == "user_id" { ">" } else { "<" };
        let sql = format!(
            "UPDATE temp.seat_target SET held = x.held, assignment_id = x.id, was_direct = x.direct \
             FROM (SELECT t.who, CASE a.state_code WHEN {error} THEN 2 ELSE 1 END AS held, a.id, a.direct \
                   FROM temp.seat_target t CROSS JOIN main.assignments a \
                   WHERE t.who {sign} 0 AND a.pool_id = ?1 AND a.{column} = {who}) AS x \
             WHERE seat_target.who = x.who",
            error = state_code!("error")
        );
        conn.prepare_cached(&sql)?.execute([pool_id])?;
    }
    Ok(())
}

/// Rows in state 'error' for another reason than a missing seat (not
/// CountViolation) get no seat from an assignment: they count as held, and
/// stay as they are until the source settles them.
pub(crate) fn hold_other_errors(conn: &Connection) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE temp.seat_target SET held = 1 WHERE held = 2 AND NOT EXISTS \
         (SELECT 1 FROM main.assignments a WHERE a.id = seat_target.assignment_id AND a.error = 'CountViolation')",
    )?
    .execute([])?;
    Ok(())
}

/// (principals without a seat, principals holding one) in the scratch set:
/// rows waiting in state 'error' need a seat too.
pub(crate) fn counts(conn: &Connection) -> rusqlite::Result<(i64, i64)> {
    conn.prepare_cached(
        "SELECT coalesce(sum(held <> 1), 0), coalesce(sum(held = 1), 0) FROM temp.seat_target",
    )?
    .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))
}

/// For every held principal, an assigned group of the pool that still
/// reaches it once the scratch groups are withdrawn (walking up from the
/// member, so only the principals at hand are visited).
pub(crate) fn mark_reach(conn: &Connection, pool_id: i64) -> rusqlite::Result<()> {
    mark_reach_since(conn, pool_id, None)
}

/// [`mark_reach`], counting only groups granted after the batch `since`
/// (seq, time) when given: a group already assigned before a batch is no
/// reason to keep a seat that batch gave (undo puts back the state before).
pub(crate) fn mark_reach_since(
    conn: &Connection,
    pool_id: i64,
    since: Option<(i64, &str)>,
) -> rusqlite::Result<()> {
    let (seq, at) = since.map_or((None, None), |(seq, at)| (Some(seq), Some(at)));
    let sql = "WITH RECURSIVE up(who, group_id) AS ( \
           SELECT t.who, m.group_id FROM temp.seat_target t CROSS JOIN group_user_members m \
           WHERE t.who > 0 AND t.held > 0 AND m.user_id = t.who \
           UNION \
           SELECT t.who, m.group_id FROM temp.seat_target t CROSS JOIN group_device_members m \
           WHERE t.who < 0 AND t.held > 0 AND m.device_id = -t.who \
           UNION \
           SELECT up.who, m.group_id FROM up JOIN group_child_groups m ON m.child_group_id = up.group_id) \
         UPDATE temp.seat_target SET reach_group = r.g FROM ( \
           SELECT up.who, min(up.group_id) AS g FROM up \
           JOIN group_assignments ga ON ga.pool_id = ?1 AND ga.group_id = up.group_id \
           WHERE up.group_id NOT IN (SELECT group_id FROM temp.seat_groups) \
             AND (?2 IS NULL OR ga.assigned_at > ?3 OR EXISTS (SELECT 1 FROM change_items c \
                  WHERE c.batch_id IN (SELECT id FROM batches WHERE seq > ?2) \
                  AND c.pool_id = ?1 AND c.op = 'group_added' AND c.group_id = ga.group_id)) \
           GROUP BY up.who) AS r \
         WHERE seat_target.who = r.who";
    conn.prepare_cached(sql)?.execute(params![pool_id, seq, at])?;
    Ok(())
}

/// Marks for release every held principal that keeps no reason to hold the
/// seat: not direct after the change, and not reached by another group.
pub(crate) fn decide_release(conn: &Connection) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE temp.seat_target SET release = 1 \
         WHERE held > 0 AND reach_group IS NULL AND (direct = 1 OR was_direct = 0)",
    )?
    .execute([])?;
    Ok(())
}

/// Marks every held principal for release (the principal leaves).
pub(crate) fn release_all(conn: &Connection) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE temp.seat_target SET release = 1 WHERE held > 0")?
        .execute([])?;
    Ok(())
}

/// One held principal of the scratch set, by name, with its fate.
#[derive(Debug, Clone)]
pub(crate) struct Fate {
    pub name: String,
    pub released: bool,
    /// The row waits for a seat (state 'error') and holds none.
    pub waiting: bool,
    /// The row stays, but its direct assignment is withdrawn.
    pub direct_withdrawn: bool,
    /// Why the seat stays, for kept principals.
    pub why: Option<String>,
}

/// The held principals by name: released first, then kept with the reason.
pub(crate) fn fates(conn: &Connection) -> rusqlite::Result<Vec<Fate>> {
    let sql = "SELECT t.release, coalesce(u.upn, d.name, '#' || t.who), \
                      t.was_direct = 1 AND t.direct = 0, g.name, t.held = 2, \
                      t.was_direct = 1 AND t.direct = 1 \
               FROM temp.seat_target t \
               LEFT JOIN users u ON t.who > 0 AND u.id = t.who \
               LEFT JOIN devices d ON t.who < 0 AND d.id = -t.who \
               LEFT JOIN groups g ON g.id = t.reach_group \
               WHERE t.held > 0 ORDER BY t.release DESC, 2";
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([], |row| {
        let released: bool = row.get(0)?;
        let direct: bool = row.get(2)?;
        let group: Option<String> = row.get(3)?;
        let direct_withdrawn: bool = row.get(5)?;
        let why = match (released, direct, group) {
            (true, _, _) => None,
            (false, true, _) => Some("also assigned directly".to_owned()),
            (false, false, Some(group)) if direct_withdrawn => Some(format!(
                "still reached through group {group} (its direct assignment goes)"
            )),
            (false, false, Some(group)) => Some(format!("still reached through group {group}")),
            (false, false, None) => Some("kept".to_owned()),
        };
        Ok(Fate {
            name: row.get(1)?,
            released,
            waiting: row.get(4)?,
            direct_withdrawn: !released && direct_withdrawn,
            why,
        })
    })?;
    rows.collect()
}

/// Named principals of the scratch set that hold no row of the pool, by
/// name: an unassignment has nothing of theirs to release.
pub(crate) fn not_held(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let sql = "SELECT coalesce(u.upn, d.name, '#' || t.who) FROM temp.seat_target t \
               LEFT JOIN users u ON t.who > 0 AND u.id = t.who \
               LEFT JOIN devices d ON t.who < 0 AND d.id = -t.who \
               WHERE t.held = 0 AND t.direct = 1 ORDER BY 1";
    let mut stmt = conn.prepare_cached(sql)?;
    let names = stmt.query_map([], |row| row.get(0))?;
    names.collect()
}

/// The scratch groups by name: (assigned to the pool, not assigned).
pub(crate) fn groups_by_grant(
    conn: &Connection,
    pool_id: i64,
) -> rusqlite::Result<(Vec<String>, Vec<String>)> {
    let sql = "SELECT g.name, EXISTS (SELECT 1 FROM group_assignments ga \
                 WHERE ga.pool_id = ?1 AND ga.group_id = s.group_id) \
               FROM temp.seat_groups s JOIN groups g ON g.id = s.group_id ORDER BY g.name";
    let mut stmt = conn.prepare_cached(sql)?;
    let mut assigned = Vec::new();
    let mut not_assigned = Vec::new();
    let rows = stmt.query_map([pool_id], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, bool>(1)?))
    })?;
    for row in rows {
        let (name, granted) = row?;
        if granted {
            assigned.push(name);
        } else {
            not_assigned.push(name);
        }
    }
    Ok((assigned, not_assigned))
}
