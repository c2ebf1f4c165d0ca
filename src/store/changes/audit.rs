//! The audit log as `seats audit` prints it (architecture §5: JSON keys
//! at, actor, action, pool, principals, result; and consumed_before,
//! consumed_after, detail, batch_id, changed).

use std::collections::HashMap;

use rusqlite::Connection;
use serde::Serialize;

/// One audit row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRow {
    pub id: i64,
    /// RFC 3339 UTC.
    pub at: String,
    pub actor: String,
    pub action: String,
    /// The pool's name at the time of the change.
    pub pool: Option<String>,
    /// UPNs, group names, device names or admin names (at most 50, then
    /// "…and N more").
    pub principals: Vec<String>,
    /// Every principal whose seat of the pool this row's change changed,
    /// exactly, from the batch's change items (empty for refusals and rows
    /// without a pool).
    pub changed: Vec<SeatChange>,
    pub consumed_before: Option<i64>,
    pub consumed_after: Option<i64>,
    /// 'ok', or 'refused: …' with the reason.
    pub result: String,
    /// A JSON object: the change's own figures and notes.
    pub detail: Option<serde_json::Value>,
    pub batch_id: Option<String>,
    /// The pool's id, to find the row's change items.
    #[serde(skip)]
    pub pool_id: Option<i64>,
}

/// One principal whose seat changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeatChange {
    /// The UPN, or the device name.
    pub who: String,
    /// seat_added, seat_released, promoted (a waiting member got a seat),
    /// back_to_waiting (an undo took a promoted seat back), waiting (added
    /// waiting for a seat, holding none), waiting_dropped (a waiting row
    /// went, freeing nothing).
    pub change: String,
}

/// Audit rows at or after `since` (an RFC 3339 time or a YYYY-MM-DD date,
/// compared as text, which orders RFC 3339 UTC correctly), oldest first.
pub fn audit_since(conn: &Connection, since: Option<&str>) -> rusqlite::Result<Vec<AuditRow>> {
    // Without a start every row is read anyway; with one, `at >= ?1` alone
    // lets SQLite seek in the index on `at` (an `?1 IS NULL OR` would not).
    let since = since.unwrap_or("");
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, actor, action, pool_name, principals, consumed_before, consumed_after, result, \
         detail, batch_id, pool_id FROM audit WHERE at >= ?1 ORDER BY at, id",
    )?;
    let rows = stmt.query_map([since], |row| {
        let principals: String = row.get(5)?;
        Ok(AuditRow {
            id: row.get(0)?,
            at: row.get(1)?,
            actor: row.get(2)?,
            action: row.get(3)?,
            pool: row.get(4)?,
            principals: serde_json::from_str(&principals).unwrap_or_else(|_| vec![principals]),
            changed: Vec::new(),
            consumed_before: row.get(6)?,
            consumed_after: row.get(7)?,
            result: row.get(8)?,
            detail: row.get::<_, Option<String>>(9)?.map(|text| detail_object(&text)),
            batch_id: row.get(10)?,
            pool_id: row.get(11)?,
        })
    })?;
    let mut rows = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    let mut changes = seat_changes(conn, since)?;
    for row in &mut rows {
        if let (Some(batch), Some(pool)) = (&row.batch_id, row.pool_id)
            && let Some(changed) = changes.get_mut(&(batch.clone(), pool))
        {
            // Two rows of one batch and pool (an undo that restores and
            // retracts) share the list.
            row.changed.clone_from(changed);
        }
    }
    Ok(rows)
}

/// The seat items of every batch audited at or after `since`, by (batch,
/// pool), in the order they were written: one query for the whole log.
fn seat_changes(conn: &Connection, since: &str) -> rusqlite::Result<HashMap<(String, i64), Vec<SeatChange>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.batch_id, c.pool_id, \
                coalesce(u.upn, d.name, CASE WHEN c.user_id IS NOT NULL THEN 'user #' || c.user_id \
                                             ELSE 'device #' || c.device_id END), \
                CASE c.op \
                  WHEN 'seat_added' THEN CASE WHEN c.error = 'CountViolation' THEN 'waiting' ELSE 'seat_added' END \
                  WHEN 'seat_released' THEN CASE WHEN c.state = 'error' THEN 'waiting_dropped' ELSE 'seat_released' END \
                  WHEN 'seat_promoted' THEN 'promoted' \
                  ELSE 'back_to_waiting' END \
         FROM change_items c \
         LEFT JOIN users u ON u.id = c.user_id LEFT JOIN devices d ON d.id = c.device_id \
         WHERE c.batch_id IN (SELECT batch_id FROM audit WHERE at >= ?1 AND batch_id IS NOT NULL) \
           AND c.pool_id IS NOT NULL \
           AND c.op IN ('seat_added', 'seat_released', 'seat_promoted', 'seat_demoted') \
         ORDER BY c.id",
    )?;
    let mut changes: HashMap<(String, i64), Vec<SeatChange>> = HashMap::new();
    let rows = stmt.query_map([since], |row| {
        Ok((
            (row.get::<_, String>(0)?, row.get::<_, i64>(1)?),
            SeatChange {
                who: row.get(2)?,
                change: row.get(3)?,
            },
        ))
    })?;
    for row in rows {
        let (key, change) = row?;
        changes.entry(key).or_default().push(change);
    }
    Ok(changes)
}

/// The stored detail as a JSON object. Details were written as JSON
/// objects from the start, except a few notes in plain text (the demo's
/// build note, admin roles in older caches): those come as `{"note": …}`.
fn detail_object(text: &str) -> serde_json::Value {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value @ serde_json::Value::Object(_)) => value,
        _ => serde_json::json!({ "note": text }),
    }
}

#[cfg(test)]
mod tests {
    use super::detail_object;

    #[test]
    fn details_are_always_objects() {
        assert_eq!(detail_object(r#"{"added":2}"#), serde_json::json!({ "added": 2 }));
        assert_eq!(
            detail_object("role license"),
            serde_json::json!({ "note": "role license" })
        );
        assert_eq!(detail_object("[1]"), serde_json::json!({ "note": "[1]" }));
    }
}
