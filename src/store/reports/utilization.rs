//! Seat utilization (R-RPT-5): every pool of every source with total,
//! consumed and available seats, and the seats that could be reclaimed.

use rusqlite::{Connection, Row};
use serde::Serialize;

use super::{Scope, every};
use crate::domain::FieldKind::{Number, Text};
use crate::store::filter_sql::{FilterColumn, column};
use crate::store::list::{COUNT_LATER, ListSpec, Page, PageRequest, fetch_page};
use crate::store::reclaim;

/// One pool's use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UtilizationRow {
    /// The pool's id (the drill-down opens its seats).
    #[serde(skip)]
    pub id: i64,
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
    /// `reclaimable` is still being counted (a first frame, see
    /// `PageRequest::count_later`); the rows come again with it.
    #[serde(skip)]
    pub pending: bool,
    /// The pool's status and why it is disabled: the console's drill-down
    /// refuses `a` at the key as Licenses does (not in the report itself).
    #[serde(skip)]
    pub status: String,
    #[serde(skip)]
    pub disabled_reason: Option<String>,
}

/// Column order of the console's table.
pub const COLUMNS: &[&str] = &["Source", "Pool", "Kind", "Total", "Used", "Free", "Reclaim"];

/// What filter conditions may name.
pub const FIELDS: &[FilterColumn] = &[
    column("source", Text, "source"),
    column("pool", Text, "pool"),
    column("kind", Text, "kind"),
    column("total", Number, "total"),
    column("used", Number, "consumed"),
    column("free", Number, "available"),
    column("reclaim", Number, "reclaimable"),
];

// The reclaimable seats are the Reclaim view's own rows counted per pool
// (`temp.report_reclaimable`, filled first), so the two can never
// disagree. With a group (`:scope`), only the pools of its agreements.
const BASE: &str = "SELECT p.id, p.name AS pool, p.kind, p.source, p.total, p.consumed, \
        p.total - p.consumed AS available, coalesce(r.reclaimable, 0) AS reclaimable, 0 AS pending, \
        p.status, p.disabled_reason \
    FROM pools p LEFT JOIN agreements a ON a.id = p.agreement_id \
    LEFT JOIN temp.report_reclaimable r ON r.pool_id = p.id \
    WHERE :scope IS NULL OR a.license_group_id = :scope";

// The pools alone, their reclaimable seats to come: a first frame's rows
// while `temp.report_reclaimable` is refilled (a pass over every user).
const BASE_PENDING: &str = "SELECT p.id, p.name AS pool, p.kind, p.source, p.total, p.consumed, \
        p.total - p.consumed AS available, 0 AS reclaimable, 1 AS pending, \
        p.status, p.disabled_reason \
    FROM pools p LEFT JOIN agreements a ON a.id = p.agreement_id \
    WHERE :scope IS NULL OR a.license_group_id = :scope";

/// Fills `temp.report_reclaimable` (pool_id, reclaimable) for the minute
/// of `as_of` (None: now) unless it holds that minute's count of the cache
/// as it is. Counting them is a pass over every user (~0.1 s at 100,000),
/// too slow for each key of the view (issue 9: key p99 ≤ 8 ms); the count
/// is taken at the minute's start, by the console and `seats report` alike.
/// Refilled after any change, or in a new minute (`store::temp_cache`).
fn refresh_reclaimable(conn: &Connection, as_of: Option<&str>) -> rusqlite::Result<()> {
    let minute = minute_of(as_of);
    super::super::temp_cache::refresh(
        conn,
        "report_reclaimable",
        "pool_id INTEGER PRIMARY KEY, reclaimable INTEGER NOT NULL",
        &minute,
        |conn| {
            conn.execute(
                &format!(
                    "INSERT INTO temp.report_reclaimable SELECT pool_id, count(*) FROM ({}) GROUP BY pool_id",
                    reclaim::SPEC.base.replace(":as_of", "?1")
                ),
                [&minute],
            )
            .map(drop)
        },
    )
}

/// The minute of `as_of` (None: now) the reclaimable seats are counted at.
fn minute_of(as_of: Option<&str>) -> String {
    let now = chrono::Utc::now().to_rfc3339();
    as_of.unwrap_or(&now).chars().take(16).collect()
}

fn spec(base: &'static str) -> ListSpec {
    ListSpec {
        base,
        haystack: "pool || ' ' || kind || ' ' || source",
        fields: FIELDS,
        sort_keys: &[
            "source, pool COLLATE NOCASE",
            "pool COLLATE NOCASE",
            "kind",
            "total",
            "consumed",
            "available",
            "reclaimable",
        ],
        tiebreak: "id",
    }
}

/// The report's rows; `scope.now` is the moment inactivity is counted to.
pub fn rows(conn: &Connection, scope: &Scope) -> rusqlite::Result<Vec<UtilizationRow>> {
    all(conn, &scope.request(None, 0, false))
}

/// Every row passing `request`'s filter, in its order (an export).
pub fn all(conn: &Connection, request: &PageRequest) -> rusqlite::Result<Vec<UtilizationRow>> {
    refresh_reclaimable(conn, request.as_of.as_deref())?;
    every(conn, &spec(BASE), request, map_row)
}

/// One window of the report (the console).
/// A first frame (`count_later`) sorted by anything but the reclaimable
/// seats and unfiltered shows the pools before those are counted.
pub fn page(conn: &Connection, request: &PageRequest) -> rusqlite::Result<Page<UtilizationRow>> {
    let waits = request.count_later && request.sort != 6 && request.filter.is_none();
    let minute = minute_of(request.as_of.as_deref());
    if waits && !super::super::temp_cache::is_fresh(conn, "report_reclaimable", &minute)? {
        let mut page = fetch_page(conn, &spec(BASE_PENDING), request, map_row)?;
        page.count = COUNT_LATER;
        return Ok(page);
    }
    refresh_reclaimable(conn, request.as_of.as_deref())?;
    fetch_page(conn, &spec(BASE), request, map_row)
}

fn map_row(row: &Row<'_>) -> rusqlite::Result<UtilizationRow> {
    Ok(UtilizationRow {
        id: row.get("id")?,
        pool: row.get("pool")?,
        kind: row.get("kind")?,
        source: row.get("source")?,
        total: row.get("total")?,
        consumed: row.get("consumed")?,
        available: row.get("available")?,
        reclaimable: row.get("reclaimable")?,
        pending: row.get("pending")?,
        status: row.get("status")?,
        disabled_reason: row.get("disabled_reason")?,
    })
}
