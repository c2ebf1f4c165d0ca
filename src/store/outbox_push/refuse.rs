//! A change the source refused ("does not have any available licenses", a
//! usage location missing, mutually exclusive plans): in ONE transaction the
//! outbox row is marked failed with the source's message and request id,
//! and the local change of its batch in its pool is rolled back with undo's
//! own inverse (`changes::rollback_pool_in`, queueing nothing, since the
//! source never made the change), audited as "refused by Microsoft Graph:
//! MESSAGE" by "seats sync", naming the batch. The batch's other pending
//! rows for that pool are cancelled (their local change went back too).
//! When the rollback itself is refused (the seats it would give back are
//! taken since), the row is still marked failed and the audit row says the
//! local change stays and why.

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use serde::Serialize;

use super::PUSH_ACTOR;
use crate::store::changes::{ChangeError, rollback_pool_in};
use crate::store::connectors_admin::stamp;

/// What [`refuse`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refused {
    pub outbox_id: i64,
    /// The admin's batch whose change was refused.
    pub batch_id: Option<String>,
    pub pool_id: Option<i64>,
    pub pool_name: Option<String>,
    pub consumed_before: Option<i64>,
    pub consumed_after: Option<i64>,
    /// The rollback's own batch, when the local change went back.
    pub rollback_batch: Option<String>,
    /// Why the local change stays, when it could not be rolled back.
    pub kept_because: Option<String>,
    /// Other pending rows of the batch and pool, cancelled.
    pub cancelled: Vec<i64>,
    /// The audit row's words.
    pub result: String,
}

struct Row {
    batch: Option<String>,
    pool: Option<i64>,
    operation: String,
    payload: String,
    source: String,
}

/// Marks the pending row `id` refused by its source and rolls its local
/// change back, in a transaction of its own. None when the row was not
/// pending (nothing changed).
pub fn refuse(
    conn: &Connection,
    id: i64,
    message: &str,
    request_id: Option<&str>,
) -> Result<Option<Refused>, ChangeError> {
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    let refused = refuse_in(&tx, id, message, request_id)?;
    if refused.is_some() {
        tx.commit()?;
    }
    Ok(refused)
}

/// [`refuse`] inside the caller's open transaction (the pusher settles a
/// whole round in one): the caller commits, or rolls back on an error.
pub fn refuse_in(
    tx: &Connection,
    id: i64,
    message: &str,
    request_id: Option<&str>,
) -> Result<Option<Refused>, ChangeError> {
    let Some(row) = pending_row(tx, id)? else {
        return Ok(None);
    };
    let at = stamp(chrono::Utc::now());
    let text = format!("refused by {}: {message}", row.source);
    tx.execute(
        "UPDATE outbox SET state = 'failed', last_error = ?2, request_id = ?3, finished_at = ?4, \
         next_attempt_at = NULL WHERE id = ?1 AND state = 'pending'",
        params![id, text, request_id, at],
    )?;
    let pool = match row.pool {
        Some(pool) => pool_figures(tx, pool)?,
        None => None,
    };
    let (rollback_batch, kept_because) = match (&row.batch, row.pool) {
        (Some(batch), Some(pool)) => roll_back(tx, batch, pool)?,
        _ => (
            None,
            Some("the row names no batch or pool to roll back".to_owned()),
        ),
    };
    let cancelled = match (&rollback_batch, &row.batch) {
        (Some(by), Some(batch)) => cancel_siblings(tx, id, batch, row.pool, by)?,
        _ => Vec::new(),
    };
    let after = match row.pool {
        Some(pool) => pool_figures(tx, pool)?.map(|(_, consumed)| consumed),
        None => None,
    };
    let refused = Refused {
        outbox_id: id,
        batch_id: row.batch.clone(),
        pool_id: row.pool,
        pool_name: pool.as_ref().map(|(name, _)| name.clone()),
        consumed_before: pool.as_ref().map(|(_, consumed)| *consumed),
        consumed_after: after,
        rollback_batch,
        kept_because,
        cancelled,
        result: text,
    };
    audit(tx, &row, &refused, request_id, &at)?;
    Ok(Some(refused))
}

fn pending_row(conn: &Connection, id: i64) -> rusqlite::Result<Option<Row>> {
    conn.query_row(
        "SELECT o.batch_id, o.pool_id, o.operation, o.payload, \
                CASE c.kind WHEN 'graph' THEN 'Microsoft Graph' ELSE coalesce(c.name, 'the source') END \
         FROM outbox o LEFT JOIN connectors c ON c.id = o.connector_id WHERE o.id = ?1 AND o.state = 'pending'",
        [id],
        |row| {
            Ok(Row {
                batch: row.get(0)?,
                pool: row.get(1)?,
                operation: row.get(2)?,
                payload: row.get(3)?,
                source: row.get(4)?,
            })
        },
    )
    .optional()
}

fn pool_figures(conn: &Connection, pool: i64) -> rusqlite::Result<Option<(String, i64)>> {
    conn.query_row("SELECT name, consumed FROM pools WHERE id = ?1", [pool], |row| {
        Ok((row.get(0)?, row.get(1)?))
    })
    .optional()
}

/// Rolls the batch back in the pool inside a savepoint: (the rollback's
/// batch, or why the local change stays). A batch whose only change was in
/// this pool is marked undone by the rollback, so it is never inverted twice.
fn roll_back(
    tx: &Connection,
    batch: &str,
    pool: i64,
) -> Result<(Option<String>, Option<String>), ChangeError> {
    tx.execute_batch("SAVEPOINT seats_refuse")?;
    match rollback_pool_in(tx, PUSH_ACTOR, batch, pool) {
        Ok((by, _)) => {
            tx.execute_batch("RELEASE seats_refuse")?;
            tx.execute(
                "UPDATE batches SET undone_by = ?2 WHERE id = ?1 AND undone_by IS NULL \
                 AND NOT EXISTS (SELECT 1 FROM change_items WHERE batch_id = ?1 \
                       AND (pool_id IS NULL OR pool_id <> ?3))",
                params![batch, by, pool],
            )?;
            Ok((Some(by), None))
        }
        Err(ChangeError::Refused(why)) => {
            tx.execute_batch("ROLLBACK TO seats_refuse; RELEASE seats_refuse")?;
            Ok((None, Some(why.to_string())))
        }
        Err(other) => Err(other),
    }
}

/// Cancels the batch's other pending rows for the pool: their local change
/// was rolled back with this one.
fn cancel_siblings(
    tx: &Connection,
    id: i64,
    batch: &str,
    pool: Option<i64>,
    by: &str,
) -> rusqlite::Result<Vec<i64>> {
    let mut stmt = tx.prepare(
        "UPDATE outbox SET state = 'cancelled', cancelled_by = ?4 \
         WHERE batch_id = ?2 AND pool_id IS ?3 AND state = 'pending' AND id <> ?1 RETURNING id",
    )?;
    let mut ids = stmt
        .query_map(params![id, batch, pool, by], |row| row.get(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    ids.sort_unstable();
    Ok(ids)
}

/// The audit row of the refusal, in the rollback's batch (or the refused
/// batch when nothing was rolled back), naming the principals of the row.
fn audit(
    tx: &Connection,
    row: &Row,
    refused: &Refused,
    request_id: Option<&str>,
    at: &str,
) -> rusqlite::Result<()> {
    let payload: serde_json::Value = serde_json::from_str(&row.payload).unwrap_or_default();
    let mut names: Vec<String> = ["users", "direct", "devices"]
        .iter()
        .filter_map(|key| payload[key].as_array())
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    names.extend(
        payload["groups"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|g| g["name"].as_str().map(str::to_owned)),
    );
    let mut seen = std::collections::HashSet::new();
    names.retain(|name| seen.insert(name.to_lowercase()));
    let principals = capped(&names);
    let detail = serde_json::json!({
        "batch": refused.batch_id, "outbox_id": refused.outbox_id, "operation": row.operation,
        "request_id": request_id, "rolled_back": refused.rollback_batch.is_some(),
        "kept_because": refused.kept_because, "cancelled": refused.cancelled,
    });
    let result = match &refused.kept_because {
        None => format!("{}; the local change was rolled back", refused.result),
        Some(why) => format!("{}; the local change stays: {why}", refused.result),
    };
    tx.execute(
        "INSERT INTO audit (at, actor, action, pool_id, pool_name, principals, consumed_before, consumed_after, \
                            result, detail, batch_id) VALUES (?1, ?2, 'refused', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            at,
            PUSH_ACTOR,
            refused.pool_id,
            refused.pool_name,
            principals,
            refused.consumed_before,
            refused.consumed_after,
            result,
            detail.to_string(),
            refused.rollback_batch.as_ref().or(refused.batch_id.as_ref()),
        ],
    )?;
    Ok(())
}

/// At most 50 names, then "…and N more", as every audit row.
fn capped(names: &[String]) -> String {
    const SHOWN: usize = 50;
    let mut shown: Vec<String> = names.iter().take(SHOWN).cloned().collect();
    if names.len() > SHOWN {
        shown.push(format!("…and {} more", names.len() - SHOWN));
    }
    serde_json::to_string(&shown).unwrap_or_else(|_| "[]".to_owned())
}
