//! The reports of issue 9 (R-RPT-1..5): each a `ListSpec` over plain SQL
//! with a short mapper, so `seats report`, the console's Reports view and
//! its exports read the same rows through the same query and cannot drift.
//! The figures are informational (R-AGR-13): nothing here writes.

// The license counts each agreement grants per product, as a CTE named
// `licensed` (product_id, qty, agreement_id, agreement, group_id): the
// entitlements of validated volume agreements (R-AGR-8) and the count of
// other-software agreements whose term has not ended by the day of
// `:as_of` (RFC 3339, UTC). Only agreements of license group `:scope`
// when it is not NULL.
macro_rules! licensed_cte {
    () => {
        "licensed AS ( \
       SELECT e.product_id, e.quantity AS qty, a.id AS agreement_id, a.name AS agreement, \
              a.license_group_id AS group_id \
       FROM entitlements e JOIN agreements a ON a.id = e.agreement_id \
       WHERE a.kind = 'volume' AND a.validation = 'valid' \
         AND (:scope IS NULL OR a.license_group_id = :scope) \
       UNION ALL \
       SELECT a.product_id, a.license_count, a.id, a.name, a.license_group_id \
       FROM agreements a \
       WHERE a.kind = 'other' AND a.product_id IS NOT NULL AND a.license_count IS NOT NULL \
         AND (a.ends_on IS NULL OR a.ends_on >= substr(:as_of, 1, 10)) \
         AND (:scope IS NULL OR a.license_group_id = :scope))"
    };
}

pub mod installation;
pub mod inventory;
pub mod purchase;
pub mod render;
pub mod utilization;

use rusqlite::{Connection, Row};

use super::list::{ListSpec, Page, PageRequest, fetch_page};
use crate::domain::Filter;

/// What every report says about its figures (R-AGR-13).
pub const NOTE: &str = "The figures are informational, not a compliance statement; \
                        they change no real entitlement.";

/// The `licensed` CTE (see `licensed_cte!`), for plain SQL beside the reports.
pub const LICENSED_CTE: &str = licensed_cte!();

/// What a report is asked for: an optional license group id and the moment
/// that decides which terms have ended and who is inactive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub group: Option<i64>,
    pub now: chrono::DateTime<chrono::Utc>,
}

impl Scope {
    /// The day of `now`, as agreements store their terms (YYYY-MM-DD).
    pub fn today(&self) -> String {
        self.now.date_naive().to_string()
    }

    /// Every row of the report in its default order (column 0 ascending),
    /// kept by `filter`: what the CLI prints and an export writes.
    pub fn request(&self, filter: Option<Filter>, sort: usize, descending: bool) -> PageRequest {
        PageRequest {
            sort,
            descending,
            filter,
            offset: 0,
            limit: usize::MAX >> 1,
            scope: self.group,
            as_of: Some(self.now.to_rfc3339()),
            anchor: None,
            count_later: false,
        }
    }
}

/// The four reports, in the order of the console's keys 1–4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Purchase,
    Installation,
    Inventory,
    Utilization,
}

impl Kind {
    /// The report's name, as `seats report NAME` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Purchase => "purchase",
            Kind::Installation => "installation",
            Kind::Inventory => "inventory",
            Kind::Utilization => "utilization",
        }
    }
}

/// Fills `temp.report_installed` (product_id, installed: distinct
/// computers detected with it) unless it holds the figures of the cache as
/// it is. The installation and purchase reports read it, so a keystroke in
/// their view reads the catalog, not every detection (issue 9: report pane
/// key p99 ≤ 8 ms). Refilled after any change (`store::temp_cache`).
fn refresh_installed(conn: &Connection) -> rusqlite::Result<()> {
    super::temp_cache::refresh(
        conn,
        "report_installed",
        "product_id INTEGER PRIMARY KEY, installed INTEGER NOT NULL",
        "",
        |conn| {
            conn.execute_batch(
                "INSERT INTO temp.report_installed \
                 SELECT product_id, count(DISTINCT device_id) FROM inventory GROUP BY product_id;",
            )
        },
    )
}

/// Every row a list yields for `request` (no window: the CLI and exports).
fn every<T>(
    conn: &Connection,
    spec: &ListSpec,
    request: &PageRequest,
    map: impl Fn(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    let all = PageRequest {
        offset: 0,
        limit: usize::MAX >> 1,
        anchor: None,
        ..request.clone()
    };
    fetch_page(conn, spec, &all, map).map(|page: Page<T>| page.rows)
}
