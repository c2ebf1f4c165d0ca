//! The audit log as a windowed list (the Audit view).

use rusqlite::{Connection, Row};

use super::filter_sql::{FilterColumn, column};
use super::list::{ListSpec, Page, PageRequest, fetch_page};
use crate::domain::FieldKind::{Date, Number, Text};

/// One audit entry as the Audit view shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub pool: Option<String>,
    /// JSON array of principal names.
    pub principals: String,
    pub consumed_before: Option<i64>,
    pub consumed_after: Option<i64>,
    pub result: String,
    pub detail: Option<String>,
    pub batch_id: Option<String>,
}

impl AuditEntry {
    /// The principals as a comma-separated list.
    pub fn principal_list(&self) -> String {
        serde_json::from_str::<Vec<String>>(&self.principals)
            .map(|names| names.join(", "))
            .unwrap_or_else(|_| self.principals.clone())
    }
}

/// Column order of the Audit table (newest first by default is `S`).
pub const COLUMNS: &[&str] = &["At", "Actor", "Action", "Pool", "Seats", "Result"];

/// What filter conditions may name in the audit log; `seats` is the change
/// in consumed seats (`seats<0` finds releases).
pub const FIELDS: &[FilterColumn] = &[
    column("at", Date, "at"),
    column("actor", Text, "actor"),
    column("action", Text, "action"),
    column("pool", Text, "coalesce(pool, '')"),
    column("who", Text, "principals"),
    column("result", Text, "result"),
    column(
        "seats",
        Number,
        "coalesce(consumed_after, 0) - coalesce(consumed_before, 0)",
    ),
    column("batch", Text, "coalesce(batch_id, '')"),
];

const SPEC: ListSpec = ListSpec {
    base: "SELECT id, at, actor, action, pool_name AS pool, principals, consumed_before, consumed_after, \
             result, detail, batch_id FROM audit",
    haystack: "at || ' ' || actor || ' ' || action || ' ' || coalesce(pool, '') || ' ' || principals || ' ' || result",
    fields: FIELDS,
    sort_keys: &[
        "at",
        "actor",
        "action",
        "coalesce(pool, '') COLLATE NOCASE",
        "coalesce(consumed_after, 0) - coalesce(consumed_before, 0)",
        "result",
    ],
    tiebreak: "id",
};

fn map_row(row: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        id: row.get("id")?,
        at: row.get("at")?,
        actor: row.get("actor")?,
        action: row.get("action")?,
        pool: row.get("pool")?,
        principals: row.get("principals")?,
        consumed_before: row.get("consumed_before")?,
        consumed_after: row.get("consumed_after")?,
        result: row.get("result")?,
        detail: row.get("detail")?,
        batch_id: row.get("batch_id")?,
    })
}

/// One window of the audit log.
pub fn page(conn: &Connection, request: &PageRequest) -> rusqlite::Result<Page<AuditEntry>> {
    fetch_page(conn, &SPEC, request, map_row)
}

/// The entries of one batch, oldest first.
pub fn batch(conn: &Connection, batch_id: &str) -> rusqlite::Result<Vec<AuditEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, actor, action, pool_name AS pool, principals, consumed_before, consumed_after, \
           result, detail, batch_id FROM audit WHERE batch_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([batch_id], map_row)?;
    rows.collect()
}
