//! License pools (R-LIC-1, R-RPT-5): the Licenses pane and `seats pools`.

use rusqlite::{Connection, Row};
use serde::Serialize;

use super::columns::{flag, parse_text};
use super::filter_sql::{FilterColumn, column};
use super::list::{ListSpec, Page, PageRequest, fetch_page};
use crate::domain::FieldKind::{Date, Number, Share, Text};
use crate::domain::{Filter, PoolKind, PoolStatus, Seats, Source};

/// One pool as the Licenses pane and the CLI show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolRow {
    pub id: i64,
    pub name: String,
    pub kind: PoolKind,
    pub source: Source,
    pub total: Option<i64>,
    pub consumed: i64,
    pub available: Option<i64>,
    /// The contract's status, derived from the source's (see
    /// `domain::lifecycle`).
    pub status: PoolStatus,
    /// The end of the term as RFC 3339 (the start of that day, UTC).
    pub expires: Option<String>,
    #[serde(skip)]
    pub detail: PoolDetail,
}

/// The rest of a pool's attributes, for the detail panel.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PoolDetail {
    pub sku_part_number: Option<String>,
    pub source_consumed: Option<i64>,
    /// Seats of `consumed` held at an Apple location by another
    /// device-management product's users or by devices, which no seat row
    /// shows (R-CON-7; migration 0010).
    pub foreign_consumed: i64,
    /// What the source said (active, pending_activation, warning,
    /// suspended, disabled).
    pub status: String,
    pub disabled_reason: Option<String>,
    pub pricing: Option<String>,
    pub channel: Option<String>,
    pub billing_period: Option<String>,
    pub price_cents: Option<i64>,
    pub vendor_managed: bool,
    pub assignable_to: String,
    pub starts_on: Option<String>,
    pub expires_on: Option<String>,
    pub publisher: Option<String>,
    pub connector: Option<String>,
    pub app_name: Option<String>,
    pub install_url: Option<String>,
    pub groups_assigned: i64,
    pub pending_changes: i64,
}

impl PoolRow {
    /// The pool's seat figures.
    pub fn seats(&self) -> Seats {
        Seats::new(self.total, self.consumed)
    }
}

/// Column order of the Licenses table; the sort keys follow it.
pub const COLUMNS: &[&str] = &[
    "Name", "Kind", "Source", "Total", "Used", "Free", "Status", "Expires",
];

/// What filter conditions may name in Licenses. An unlimited pool counts as
/// more seats than any number (`free>10` keeps it, `free<10` drops it); a
/// pool without an end date as never expiring.
pub const FIELDS: &[FilterColumn] = &[
    column("name", Text, "name"),
    column("kind", Text, "kind"),
    column("source", Text, "source"),
    column("status", Text, "status"),
    column("sku", Text, "coalesce(sku_part_number, '')"),
    column("publisher", Text, "coalesce(publisher, '')"),
    column("connector", Text, "coalesce(connector, '')"),
    column("total", Number, "coalesce(total, 9223372036854775807)"),
    column("used", Share, "consumed"),
    column("free", Share, "coalesce(available, 9223372036854775807)"),
    column("expires", Date, "coalesce(expires_on, '9999-12-31')"),
    column("pending", Number, "pending_changes"),
];

const SPEC: ListSpec = ListSpec {
    base: "SELECT p.id, p.name, p.kind, p.source, p.total, p.consumed, \
             p.total - p.consumed AS available, p.sku_part_number, p.source_consumed, \
             p.foreign_consumed, p.status AS raw_status, \
             CASE WHEN p.status IN ('pending_activation', 'suspended') THEN p.status \
                  WHEN p.status = 'warning' OR (p.status = 'disabled' AND p.disabled_reason = 'expired') \
                    THEN 'expired' \
                  WHEN p.status = 'disabled' THEN 'disabled' \
                  WHEN substr(p.expires_on, 1, 10) <= substr(:as_of, 1, 10) THEN 'expired' \
                  ELSE 'active' END AS status, \
             p.disabled_reason, p.pricing, p.channel, p.billing_period, p.price_cents, \
             p.vendor_managed, p.assignable_to, p.starts_on, p.expires_on, p.publisher, \
             c.name AS connector, a.name AS app_name, a.install_url, \
             (SELECT count(*) FROM group_assignments g WHERE g.pool_id = p.id) AS groups_assigned, \
             (SELECT count(*) FROM outbox o WHERE o.pool_id = p.id AND o.state = 'pending') AS pending_changes \
           FROM pools p \
           LEFT JOIN connectors c ON c.id = p.connector_id \
           LEFT JOIN apps a ON a.id = p.app_id",
    haystack: "name || ' ' || kind || ' ' || source || ' ' || \
               coalesce(sku_part_number, '') || ' ' || coalesce(publisher, '')",
    fields: FIELDS,
    sort_keys: &[
        "name COLLATE NOCASE",
        "kind",
        "source",
        "coalesce(total, 9223372036854775807)",
        "consumed",
        "coalesce(available, 9223372036854775807)",
        "status",
        "coalesce(expires_on, '9999')",
    ],
    tiebreak: "id",
};

fn map_row(row: &Row<'_>) -> rusqlite::Result<PoolRow> {
    Ok(PoolRow {
        id: row.get("id")?,
        name: row.get("name")?,
        kind: parse_text(row, "kind")?,
        source: parse_text(row, "source")?,
        total: row.get("total")?,
        consumed: row.get("consumed")?,
        available: row.get("available")?,
        status: parse_text(row, "status")?,
        expires: row
            .get::<_, Option<String>>("expires_on")?
            .as_deref()
            .and_then(crate::domain::expiry::parse_date)
            .map(|date| format!("{date}T00:00:00Z")),
        detail: PoolDetail {
            sku_part_number: row.get("sku_part_number")?,
            source_consumed: row.get("source_consumed")?,
            foreign_consumed: row.get("foreign_consumed")?,
            status: row.get("raw_status")?,
            disabled_reason: row.get("disabled_reason")?,
            pricing: row.get("pricing")?,
            channel: row.get("channel")?,
            billing_period: row.get("billing_period")?,
            price_cents: row.get("price_cents")?,
            vendor_managed: flag(row, "vendor_managed")?,
            assignable_to: row.get("assignable_to")?,
            starts_on: row.get("starts_on")?,
            expires_on: row.get("expires_on")?,
            publisher: row.get("publisher")?,
            connector: row.get("connector")?,
            app_name: row.get("app_name")?,
            install_url: row.get("install_url")?,
            groups_assigned: row.get("groups_assigned")?,
            pending_changes: row.get("pending_changes")?,
        },
    })
}

/// One window of the Licenses table.
pub fn page(conn: &Connection, request: &PageRequest) -> rusqlite::Result<Page<PoolRow>> {
    fetch_page(conn, &SPEC, request, map_row)
}

/// Every pool, sorted by name, for the CLI (pools number in the hundreds).
pub fn all(conn: &Connection) -> rusqlite::Result<Vec<PoolRow>> {
    list(conn, None, None)
}

/// Every pool that passes `filter`, sorted by name; statuses and relative
/// dates are measured at `as_of` (RFC 3339; None = the wall clock).
pub fn list(
    conn: &Connection,
    filter: Option<Filter>,
    as_of: Option<String>,
) -> rusqlite::Result<Vec<PoolRow>> {
    let request = PageRequest {
        filter,
        as_of,
        limit: usize::MAX >> 1,
        ..PageRequest::default()
    };
    Ok(page(conn, &request)?.rows)
}

/// What a pool key (id, exact name or SKU part number) names.
#[derive(Debug, Clone, PartialEq)]
pub enum PoolLookup {
    /// Exactly one pool.
    Found(Box<PoolRow>),
    /// No pool.
    Missing,
    /// Several pools share the name: (id, name) of each.
    Ambiguous(Vec<(i64, String)>),
}

/// Resolves a pool key: an id wins; otherwise the exact name (any case) or
/// SKU part number must name one pool only, since names are not unique.
pub fn lookup(conn: &Connection, key: &str) -> rusqlite::Result<PoolLookup> {
    let sql = format!(
        "SELECT * FROM ({}) WHERE name = :key COLLATE NOCASE OR sku_part_number = :key COLLATE NOCASE \
         OR CAST(id AS TEXT) = :key ORDER BY CAST(id AS TEXT) = :key DESC, id",
        SPEC.base
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let now = chrono::Utc::now().to_rfc3339();
    let mut found: Vec<PoolRow> = stmt
        .query_map(rusqlite::named_params! {":key": key, ":as_of": now}, map_row)?
        .collect::<rusqlite::Result<_>>()?;
    let by_id = found.first().is_some_and(|p| p.id.to_string() == key);
    Ok(match found.len() {
        0 => PoolLookup::Missing,
        1 => PoolLookup::Found(Box::new(found.remove(0))),
        _ if by_id => PoolLookup::Found(Box::new(found.remove(0))),
        _ => PoolLookup::Ambiguous(found.into_iter().map(|p| (p.id, p.name)).collect()),
    })
}

/// Finds a pool by id, exact name (case-insensitive) or SKU part number;
/// None when there is none or the name is shared by several.
pub fn find(conn: &Connection, key: &str) -> rusqlite::Result<Option<PoolRow>> {
    Ok(match lookup(conn, key)? {
        PoolLookup::Found(pool) => Some(*pool),
        PoolLookup::Missing | PoolLookup::Ambiguous(_) => None,
    })
}
