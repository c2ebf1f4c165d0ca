//! Seat utilization (R-RPT-5): every pool of every source with total,
//! consumed and available seats, and the seats that could be reclaimed.

use std::collections::HashMap;

use rusqlite::{Connection, Row, named_params};
use serde::Serialize;

use super::Scope;
use crate::store::PageRequest;
use crate::store::reclaim;

/// One pool's use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UtilizationRow {
    pub pool: String,
    pub kind: String,
    pub source: String,
    /// Null: unlimited.
    pub total: Option<i64>,
    pub consumed: i64,
    pub available: Option<i64>,
    /// Seats held by deleted, disabled or long-inactive users (R-LIC-5, the
    /// rule of `store::reclaim`).
    pub reclaimable: i64,
}

// With a group, only the pools of its agreements.
const SQL: &str = "SELECT p.id, p.name, p.kind, p.source, p.total, p.consumed, \
         p.total - p.consumed AS available \
  FROM pools p LEFT JOIN agreements a ON a.id = p.agreement_id \
  WHERE :group IS NULL OR a.license_group_id = :group \
  ORDER BY p.source, p.name COLLATE NOCASE, p.id";

/// The report's rows; `scope.now` is the moment inactivity is counted to.
pub fn rows(conn: &Connection, scope: &Scope) -> rusqlite::Result<Vec<UtilizationRow>> {
    let request = PageRequest {
        limit: usize::MAX >> 1,
        as_of: Some(scope.now.to_rfc3339()),
        ..PageRequest::default()
    };
    let mut held: HashMap<i64, i64> = HashMap::new();
    for seat in reclaim::page(conn, &request)?.rows {
        *held.entry(seat.pool_id).or_default() += 1;
    }
    let mut stmt = conn.prepare(SQL)?;
    let rows = stmt.query_map(named_params! {":group": scope.group}, |row| map_row(row, &held))?;
    rows.collect()
}

fn map_row(row: &Row<'_>, held: &HashMap<i64, i64>) -> rusqlite::Result<UtilizationRow> {
    let id: i64 = row.get("id")?;
    Ok(UtilizationRow {
        pool: row.get("name")?,
        kind: row.get("kind")?,
        source: row.get("source")?,
        total: row.get("total")?,
        consumed: row.get("consumed")?,
        available: row.get("available")?,
        reclaimable: held.get(&id).copied().unwrap_or(0),
    })
}
