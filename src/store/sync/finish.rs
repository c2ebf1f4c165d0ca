//! The end of a commit: users who left the source leave the cache with
//! their seats (R-LIC-5), the sync's audit rows, the drift, the delta link.
//!
//! A user deleted at the source (soft or for good, or no longer reported by
//! a full pull) lost their seats of the connector's pools with the mirror
//! (`seats`); their seats of every other pool (local, other connectors) are
//! released by the normal release path, `changes::reclaim_user`, in this
//! same transaction (audited as 'reclaim' by "seats sync"; seats of other
//! connectors' pools are queued for those sources). A user deleted for good
//! is then removed from the cache (memberships go with the row; audit rows
//! and change items keep their history).

use std::io::Read as _;

use rusqlite::params;

use super::summary::PoolDrift;
use super::{Apply, PullError, SYNC_ACTOR, SyncSummary, seats};

pub(super) fn apply(
    a: &Apply<'_>,
    delta_link: Option<&str>,
    summary: &mut SyncSummary,
) -> Result<(), PullError> {
    reclaim_left(a, summary)?;
    summary.drift = drift(a)?;
    audit(a, summary)?;
    a.conn.execute(
        "UPDATE connectors SET delta_link = ?2 WHERE id = ?1",
        params![a.connector_id, delta_link],
    )?;
    Ok(())
}

fn reclaim_left(a: &Apply<'_>, summary: &mut SyncSummary) -> rusqlite::Result<()> {
    let gone: Vec<i64> = {
        let mut stmt = a.conn.prepare(
            "SELECT user_id FROM temp.pull_left WHERE how IN ('deleted', 'purged') ORDER BY user_id",
        )?;
        stmt.query_map([], |row| row.get(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?
    };
    for user_id in gone {
        let outcomes =
            crate::store::changes::reclaim_user(a.conn, SYNC_ACTOR, user_id, "deleted at Microsoft Graph")?;
        summary.reclaimed += outcomes.iter().map(|o| o.released).sum::<i64>();
    }
    a.conn.execute(
        "DELETE FROM users WHERE id IN (SELECT user_id FROM temp.pull_left WHERE how = 'purged')",
        [],
    )?;
    Ok(())
}

fn drift(a: &Apply<'_>) -> rusqlite::Result<Vec<PoolDrift>> {
    let mut stmt = a.conn.prepare(
        "SELECT id, name, consumed, source_consumed FROM pools WHERE connector_id = ?1 AND kind = 'm365' \
         AND source_consumed IS NOT NULL AND source_consumed <> consumed ORDER BY name, id",
    )?;
    let rows = stmt.query_map([a.connector_id], |row| {
        Ok(PoolDrift {
            pool_id: row.get(0)?,
            name: row.get(1)?,
            consumed: row.get(2)?,
            source_consumed: row.get(3)?,
        })
    })?;
    rows.collect()
}

/// The sync's batch, one audit row per pool it changed, and one for the
/// whole pull.
fn audit(a: &Apply<'_>, summary: &SyncSummary) -> rusqlite::Result<()> {
    let conn = a.conn;
    conn.execute(
        "INSERT INTO batches (id, at, actor, action) VALUES (?1, ?2, ?3, 'sync')",
        params![a.batch, a.at, SYNC_ACTOR],
    )?;
    let mut insert = conn.prepare(
        "INSERT INTO audit (at, actor, action, pool_id, pool_name, principals, consumed_before, consumed_after, \
                            result, detail, batch_id) VALUES (?1, ?2, 'sync', ?3, ?4, '[]', ?5, ?6, 'ok', ?7, ?8)",
    )?;
    for pool in changed_pools(a)? {
        insert.execute(params![
            a.at,
            SYNC_ACTOR,
            pool.id,
            pool.name,
            pool.before,
            pool.after,
            pool.detail.to_string(),
            a.batch
        ])?;
    }
    let detail = serde_json::json!({
        "kind": summary.kind,
        "pools": summary.pools, "users": summary.users, "groups": summary.groups,
        "members": summary.members, "grants": summary.grants, "seats": summary.seats,
        "newly_disabled": summary.newly_disabled.len(), "newly_deleted": summary.newly_deleted.len(),
        "reclaimed": summary.reclaimed, "skipped_pending": summary.skipped_pending,
        "drift": summary.drift.len(), "notes": summary.notes,
    });
    insert.execute(params![
        a.at,
        SYNC_ACTOR,
        None::<i64>,
        None::<String>,
        None::<i64>,
        None::<i64>,
        detail.to_string(),
        a.batch
    ])?;
    Ok(())
}

struct ChangedPool {
    id: i64,
    name: String,
    before: i64,
    after: i64,
    detail: serde_json::Value,
}

/// The connector's pools this pull created or changed (figures, status or
/// seats), with what changed.
fn changed_pools(a: &Apply<'_>) -> rusqlite::Result<Vec<ChangedPool>> {
    let mut stmt = a.conn.prepare(
        "SELECT p.id, p.name, b.consumed, p.consumed, b.total, p.total, b.status, p.status, b.is_new \
         FROM temp.pull_pool_before b JOIN pools p ON p.id = b.pool_id ORDER BY p.id",
    )?;
    let rows = stmt
        .query_map([], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                (row.get::<_, i64>(2)?, row.get::<_, i64>(3)?),
                (row.get::<_, Option<i64>>(4)?, row.get::<_, Option<i64>>(5)?),
                (row.get::<_, String>(6)?, row.get::<_, String>(7)?),
                row.get::<_, bool>(8)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut changed = Vec::new();
    for (id, name, (before, after), (total_before, total), (status_before, status), is_new) in rows {
        let (added, updated, removed, skipped) = seats::per_pool(a.conn, id)?;
        let figures_changed = total_before != total || status_before != status;
        if !is_new && !figures_changed && added + updated + removed + skipped == 0 && before == after {
            continue;
        }
        let mut detail = serde_json::json!({
            "seats_added": added, "seats_updated": updated, "seats_removed": removed,
            "total": total, "status": status,
        });
        if skipped > 0 {
            detail["skipped_pending"] = skipped.into();
        }
        if is_new {
            detail["new_pool"] = true.into();
        } else {
            if total_before != total {
                detail["total_before"] = total_before.into();
            }
            if status_before != status {
                detail["status_before"] = status_before.into();
            }
        }
        changed.push(ChangedPool {
            id,
            name,
            before,
            after,
            detail,
        });
    }
    Ok(changed)
}

/// A random (version 4) UUID for the sync's batch; without /dev/urandom,
/// the time and the process id stand in.
pub(super) fn new_batch_id() -> String {
    let mut bytes = [0u8; 16];
    let random = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    if random.is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        bytes = (nanos ^ (u128::from(std::process::id()) << 96)).to_be_bytes();
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}
