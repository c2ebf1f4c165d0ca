//! The audit log as `seats audit` prints it (architecture §5: JSON keys
//! at, actor, action, pool, principals, result; and consumed_before,
//! consumed_after, detail, batch_id).

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
    pub consumed_before: Option<i64>,
    pub consumed_after: Option<i64>,
    /// 'ok', or 'refused: …' with the reason.
    pub result: String,
    /// A JSON object: the change's own figures and notes.
    pub detail: Option<serde_json::Value>,
    pub batch_id: Option<String>,
}

/// Audit rows at or after `since` (an RFC 3339 time or a YYYY-MM-DD date,
/// compared as text, which orders RFC 3339 UTC correctly), oldest first.
pub fn audit_since(conn: &Connection, since: Option<&str>) -> rusqlite::Result<Vec<AuditRow>> {
    // Without a start every row is read anyway; with one, `at >= ?1` alone
    // lets SQLite seek in the index on `at` (an `?1 IS NULL OR` would not).
    let since = since.unwrap_or("");
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, actor, action, pool_name, principals, consumed_before, consumed_after, result, \
         detail, batch_id FROM audit WHERE at >= ?1 ORDER BY at, id",
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
            consumed_before: row.get(6)?,
            consumed_after: row.get(7)?,
            result: row.get(8)?,
            detail: row.get::<_, Option<String>>(9)?.map(|text| detail_object(&text)),
            batch_id: row.get(10)?,
        })
    })?;
    rows.collect()
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
