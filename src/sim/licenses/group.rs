//! Group-based licensing: `POST /groups/{id}/assignLicense` records the
//! group's licenses and answers 202; the members get them later (on the
//! first request after the processing delay), each one a seat while seats
//! last and a `CountViolation` error after that.

use std::collections::{BTreeSet, HashMap};

use rusqlite::{Connection, params};

use super::{LicenseChange, Refusal, now_text, refresh_consumed, sku_by_id};
use crate::sim::tenant::record_license_changes;
use crate::store::db::begin_write_on;
use crate::store::db::{assigned_by_code, state_code, unix_time};

/// Records a group's license change and queues its processing at `due_ms`.
pub(crate) fn assign_group(
    tx: &Connection,
    group: i64,
    change: &LicenseChange,
    due_ms: i64,
) -> rusqlite::Result<Result<(), Refusal>> {
    let mut pools = Vec::new();
    for sku_id in &change.remove {
        match sku_by_id(tx, sku_id)? {
            Ok(sku) => {
                tx.execute(
                    "DELETE FROM group_assignments WHERE pool_id = ?1 AND group_id = ?2",
                    params![sku.pool, group],
                )?;
                pools.push(sku.pool);
            }
            Err(refusal) => return Ok(Err(refusal)),
        }
    }
    for sku_id in &change.add {
        match sku_by_id(tx, sku_id)? {
            Ok(sku) => {
                tx.execute(
                    "INSERT OR IGNORE INTO group_assignments (pool_id, group_id, intent, assigned_at, assigned_by) \
                     VALUES (?1, ?2, 'required', ?3, 'graph')",
                    params![sku.pool, group, now_text()],
                )?;
                pools.push(sku.pool);
            }
            Err(refusal) => return Ok(Err(refusal)),
        }
    }
    for pool in pools {
        enqueue(tx, group, pool, due_ms, true)?;
    }
    Ok(Ok(()))
}

fn enqueue(conn: &Connection, group: i64, pool: i64, due_ms: i64, retry: bool) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO sim_group_jobs (group_id, pool_id, due_ms, retry) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![group, pool, due_ms, retry])?;
    Ok(())
}

/// After a membership change of `group`: reprocess the licenses of it and
/// of every group it is nested in.
pub(crate) fn enqueue_for_members_of(conn: &Connection, group: i64, due_ms: i64) -> rusqlite::Result<()> {
    let grants: Vec<(i64, i64)> = {
        let mut stmt = conn.prepare_cached(
            "WITH RECURSIVE up(id) AS (SELECT ?1 UNION SELECT gm.group_id FROM group_child_groups gm \
             JOIN up ON gm.child_group_id = up.id) \
             SELECT ga.group_id, ga.pool_id FROM group_assignments ga JOIN pools p ON p.id = ga.pool_id \
             WHERE ga.group_id IN up AND p.source = 'graph'",
        )?;
        let rows = stmt.query_map([group], |row| Ok((row.get(0)?, row.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (group, pool) in grants {
        enqueue(conn, group, pool, due_ms, false)?;
    }
    Ok(())
}

/// Whether `target` is `from` or nested (at any depth) in it.
pub(crate) fn reaches(conn: &Connection, from: i64, target: i64) -> rusqlite::Result<bool> {
    conn.query_row(
        "WITH RECURSIVE down(id) AS (SELECT ?1 UNION SELECT gm.child_group_id FROM group_child_groups gm \
         JOIN down ON gm.group_id = down.id) \
         SELECT count(*) > 0 FROM down WHERE id = ?2",
        params![from, target],
        |row| row.get(0),
    )
}

/// Processes the group jobs due by `now_ms`; returns how many there were.
pub(crate) fn process_due_jobs(conn: &Connection, now_ms: i64) -> rusqlite::Result<usize> {
    let due: i64 = conn
        .prepare_cached("SELECT count(*) FROM sim_group_jobs WHERE due_ms <= ?1")?
        .query_row([now_ms], |row| row.get(0))?;
    if due == 0 {
        return Ok(0);
    }
    begin_write_on(conn, |tx| {
        let jobs: BTreeSet<(i64, i64, bool)> = {
            let mut stmt = tx.prepare(
                "SELECT group_id, pool_id, max(retry) FROM sim_group_jobs WHERE due_ms <= ?1 GROUP BY group_id, pool_id",
            )?;
            let rows = stmt.query_map([now_ms], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        tx.execute("DELETE FROM sim_group_jobs WHERE due_ms <= ?1", [now_ms])?;
        for (group, pool, retry) in &jobs {
            reconcile(tx, *group, *pool, *retry)?;
        }
        Ok(jobs.len())
    })
}

/// Users reached through `group`, nested groups flattened (listed users only).
fn members(conn: &Connection, group: i64) -> rusqlite::Result<BTreeSet<i64>> {
    let mut stmt = conn.prepare_cached(
        "WITH RECURSIVE down(id) AS (SELECT ?1 UNION SELECT gm.child_group_id FROM group_child_groups gm \
         JOIN down ON gm.group_id = down.id) \
         SELECT DISTINCT gm.user_id FROM group_user_members gm JOIN users u ON u.id = gm.user_id \
         WHERE gm.group_id IN down AND u.deleted = 0",
    )?;
    let rows = stmt.query_map([group], |row| row.get(0))?;
    rows.collect()
}

/// Brings the seats that `group` gives in `pool` in line with its members
/// and its grant: members without a seat get one while seats last (else a
/// CountViolation row), rows of users no longer reached are released or
/// handed to another path (direct, or another granted group). Members in
/// error get a seat only on a `retry` (the group's own assignLicense): as
/// in Entra, freed seats do not reach them until the group is reprocessed.
fn reconcile(tx: &Connection, group: i64, pool: i64, retry: bool) -> rusqlite::Result<()> {
    let granted: bool = tx.query_row(
        "SELECT count(*) > 0 FROM group_assignments WHERE pool_id = ?1 AND group_id = ?2",
        params![pool, group],
        |row| row.get(0),
    )?;
    let wanted = if granted {
        members(tx, group)?
    } else {
        BTreeSet::new()
    };
    let mut touched = release_leavers(tx, group, pool, &wanted)?;
    let sku_id: String = tx.query_row("SELECT sku_id FROM pools WHERE id = ?1", [pool], |row| row.get(0))?;
    let mut free = match sku_by_id(tx, &sku_id)? {
        Ok(sku) => sku.free(tx)?,
        Err(_) => 0,
    };
    let mut find = tx.prepare_cached(
        "SELECT id, via_group_id, state FROM assignments WHERE pool_id = ?1 AND user_id = ?2",
    )?;
    for user in &wanted {
        let row: Option<(i64, Option<i64>, String)> = find
            .query_row(params![pool, user], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .ok();
        match row {
            None => {
                let (state, error) = if free > 0 {
                    ("active", None)
                } else {
                    ("error", Some("CountViolation"))
                };
                free -= i64::from(free > 0);
                tx.execute(
                    concat!(
                        "INSERT INTO assignments (pool_id, user_id, direct, via_group_id, state_code, error, \
                         assigned_unix, assigned_by_code) VALUES (?1, ?2, 0, ?3, ",
                        state_code!("?4"),
                        ", ?5, ",
                        unix_time!("?6"),
                        ", ",
                        assigned_by_code!("'graph'"),
                        ")"
                    ),
                    params![pool, user, group, state, error, now_text()],
                )?;
            }
            Some((id, None, state)) if state != "error" => {
                tx.execute(
                    "UPDATE assignments SET via_group_id = ?2 WHERE id = ?1",
                    params![id, group],
                )?;
            }
            Some((id, via, state)) if state == "error" && retry && free > 0 => {
                free -= 1;
                tx.execute(
                    concat!(
                        "UPDATE assignments SET state_code = ",
                        state_code!("active"),
                        ", error = NULL, via_group_id = ?2 WHERE id = ?1"
                    ),
                    params![id, via.unwrap_or(group)],
                )?;
            }
            // Held already (through another group), or still no seat.
            Some(_) => continue,
        }
        touched.push(*user);
    }
    refresh_consumed(tx, pool)?;
    touched.sort_unstable();
    touched.dedup();
    record_license_changes(tx, &touched)
}

/// Rows through `group` whose user it no longer reaches: handed to another
/// granted group that reaches the user, kept as direct, or deleted.
fn release_leavers(
    tx: &Connection,
    group: i64,
    pool: i64,
    wanted: &BTreeSet<i64>,
) -> rusqlite::Result<Vec<i64>> {
    let rows: Vec<(i64, i64, bool)> = {
        let mut stmt = tx.prepare(
            "SELECT id, user_id, direct FROM assignments WHERE pool_id = ?1 AND via_group_id = ?2 AND user_id IS NOT NULL",
        )?;
        let found = stmt.query_map(params![pool, group], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        found.collect::<rusqlite::Result<_>>()?
    };
    let leavers: Vec<_> = rows
        .into_iter()
        .filter(|(_, user, _)| !wanted.contains(user))
        .collect();
    if leavers.is_empty() {
        return Ok(Vec::new());
    }
    let others: Vec<i64> = {
        let mut stmt =
            tx.prepare("SELECT group_id FROM group_assignments WHERE pool_id = ?1 AND group_id <> ?2")?;
        let found = stmt.query_map(params![pool, group], |r| r.get(0))?;
        found.collect::<rusqlite::Result<_>>()?
    };
    let mut reached: HashMap<i64, BTreeSet<i64>> = HashMap::new();
    for other in &others {
        reached.insert(*other, members(tx, *other)?);
    }
    let mut touched = Vec::new();
    for (id, user, direct) in leavers {
        let other = others
            .iter()
            .find(|g| reached.get(g).is_some_and(|m| m.contains(&user)));
        match (other, direct) {
            (Some(other), _) => tx.execute(
                "UPDATE assignments SET via_group_id = ?2 WHERE id = ?1",
                params![id, other],
            )?,
            (None, true) => tx.execute("UPDATE assignments SET via_group_id = NULL WHERE id = ?1", [id])?,
            (None, false) => tx.execute("DELETE FROM assignments WHERE id = ?1", [id])?,
        };
        touched.push(user);
    }
    Ok(touched)
}
