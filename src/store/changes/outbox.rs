//! Undo and the outbox (issue 6 item 6): a batch whose changes to a
//! connector pool were never sent is cancelled there, not answered with the
//! opposite change; one the source may have seen gets the opposite change
//! queued after it, so the source ends where the cache is.

use rusqlite::{Connection, params};

use super::batch::{Ctx, Entry};
use super::pool::PoolState;

/// The outbox rows `batch` queued for the pool, when every one of them is
/// still pending and was never tried: the source has not heard of the
/// batch there. None when there are none, or when any was sent or tried
/// (applied, failed, or pending after an attempt that may have reached it).
pub(crate) fn unsent_rows(
    conn: &Connection,
    batch: &str,
    pool_id: i64,
) -> rusqlite::Result<Option<Vec<i64>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, state = 'pending' AND attempts = 0 FROM outbox \
         WHERE batch_id = ?1 AND pool_id = ?2 AND state <> 'cancelled' ORDER BY id",
    )?;
    let rows = stmt
        .query_map(params![batch, pool_id], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, bool>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if rows.is_empty() || rows.iter().any(|(_, unsent)| !unsent) {
        return Ok(None);
    }
    Ok(Some(rows.into_iter().map(|(id, _)| id).collect()))
}

/// Cancels the rows (still pending: checked in this same transaction) and
/// audits which, as part of the undo of `batch`.
pub(crate) fn cancel(ctx: &Ctx<'_>, pool: &PoolState, batch: &str, ids: &[i64]) -> rusqlite::Result<()> {
    let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_owned());
    let operations: Vec<String> = {
        let mut stmt = ctx.conn.prepare_cached(
            "SELECT operation FROM outbox WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id",
        )?;
        stmt.query_map([&list], |row| row.get(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?
    };
    ctx.conn
        .prepare_cached(
            "UPDATE outbox SET state = 'cancelled', cancelled_by = ?2 \
             WHERE id IN (SELECT value FROM json_each(?1)) AND state = 'pending'",
        )?
        .execute(params![list, ctx.batch])?;
    let connector = pool.connector.as_deref().unwrap_or("the source");
    let result = format!(
        "ok: cancelled {} change{} not yet sent to {connector}",
        ids.len(),
        if ids.len() == 1 { "" } else { "s" }
    );
    ctx.audit(&Entry {
        action: "undo",
        pool: Some((pool.id, &pool.name)),
        principals: &[],
        before: None,
        after: None,
        result: &result,
        detail: Some(serde_json::json!({
            "undoes": batch, "outbox_cancelled": ids, "operations": operations,
        })),
    })
}
