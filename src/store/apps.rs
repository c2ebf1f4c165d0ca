//! Store, VPP and vendor apps with their seats and installs (R-APP-*).

use rusqlite::{Connection, Row};

use super::columns::flag;
use super::filter_sql::{FilterColumn, column};
use super::list::{ListSpec, Page, PageRequest, fetch_page};
use crate::domain::FieldKind::{Flag, Number, Share, Text};
use crate::store::db::state_code;

/// One app as the Apps pane shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct AppRow {
    pub id: i64,
    pub name: String,
    pub publisher: Option<String>,
    pub platform: String,
    pub source: String,
    pub license_type: String,
    pub price_cents: i64,
    pub encrypted: bool,
    pub sync_status: String,
    pub skip_reason: Option<String>,
    pub install_scope: Option<String>,
    pub install_url: Option<String>,
    pub pool_id: Option<i64>,
    pub total: Option<i64>,
    pub consumed: Option<i64>,
    pub installed: i64,
    pub pending: i64,
    pub failed: i64,
    /// Installs reported not installed (R-APP-9).
    pub not_installed: i64,
    /// When installs were last reported (`seats import installs`), RFC 3339.
    pub reported_at: Option<String>,
    /// Seats the deployment needs but can't get: group members waiting
    /// because every seat is used (R-APP-6).
    pub waiting: i64,
    /// Seats held outside seats (another product's, unknown devices').
    pub foreign: i64,
    /// Who the pool's seats may go to: user, device or user_or_device.
    pub assignable_to: Option<String>,
}

/// Column order of the Apps table.
pub const COLUMNS: &[&str] = &[
    "Name", "License", "Platform", "Total", "Used", "Free", "Installs", "State",
];

/// What filter conditions may name in Apps. An app without a pool has no
/// seats: its total, used and free match no condition.
pub const FIELDS: &[FilterColumn] = &[
    column("name", Text, "name"),
    column("publisher", Text, "coalesce(publisher, '')"),
    column("license", Text, "license_type"),
    column("platform", Text, "platform"),
    column("source", Text, "source"),
    column("sync", Text, "sync_status"),
    column(
        "total",
        Number,
        "CASE WHEN pool_id IS NULL THEN NULL ELSE coalesce(total, 9223372036854775807) END",
    ),
    column("used", Share, "consumed"),
    column(
        "free",
        Share,
        "CASE WHEN pool_id IS NULL THEN NULL ELSE coalesce(available, 9223372036854775807) END",
    ),
    column("installs", Number, "installed"),
    column("pending", Number, "pending"),
    column("failed", Number, "failed"),
    column("encrypted", Flag, "encrypted"),
    column("waiting", Number, "waiting"),
    column(
        "state",
        Text,
        "CASE WHEN waiting > 0 THEN 'no seat' ELSE sync_status END",
    ),
];

const SPEC: ListSpec = ListSpec {
    base: concat!(
        "SELECT a.id, a.name, a.publisher, a.platform, a.source, a.license_type, a.price_cents, \
             a.encrypted, a.sync_status, a.skip_reason, a.install_scope, a.install_url, \
             p.id AS pool_id, p.total, p.consumed, p.total - p.consumed AS available, \
             coalesce(p.foreign_consumed, 0) AS foreign_held, p.assignable_to, \
             (SELECT count(*) FROM installs i WHERE i.app_id = a.id AND i.state = 'installed') AS installed, \
             (SELECT count(*) FROM installs i WHERE i.app_id = a.id AND i.state = 'pending') AS pending, \
             (SELECT count(*) FROM installs i WHERE i.app_id = a.id AND i.state = 'failed') AS failed, \
             (SELECT count(*) FROM installs i WHERE i.app_id = a.id AND i.state = 'not_installed') AS not_installed, \
             (SELECT r.reported_at FROM install_reports r WHERE r.app_id = a.id) AS reported_at, \
             (SELECT count(*) FROM assignments w WHERE w.pool_id = p.id AND w.state_code = ",
        state_code!("error"),
        " AND w.error IS NOT 'Other') AS waiting \
           FROM apps a LEFT JOIN pools p ON p.app_id = a.id"
    ),
    haystack: "name || ' ' || license_type || ' ' || platform || ' ' || source || ' ' || \
               sync_status || ' ' || coalesce(publisher, '')",
    fields: FIELDS,
    sort_keys: &[
        "name COLLATE NOCASE",
        "license_type",
        "platform",
        "coalesce(total, 9223372036854775807)",
        "coalesce(consumed, 0)",
        "coalesce(available, 9223372036854775807)",
        "installed",
        "waiting DESC, sync_status",
    ],
    tiebreak: "id",
};

fn map_row(row: &Row<'_>) -> rusqlite::Result<AppRow> {
    Ok(AppRow {
        id: row.get("id")?,
        name: row.get("name")?,
        publisher: row.get("publisher")?,
        platform: row.get("platform")?,
        source: row.get("source")?,
        license_type: row.get("license_type")?,
        price_cents: row.get("price_cents")?,
        encrypted: flag(row, "encrypted")?,
        sync_status: row.get("sync_status")?,
        skip_reason: row.get("skip_reason")?,
        install_scope: row.get("install_scope")?,
        install_url: row.get("install_url")?,
        pool_id: row.get("pool_id")?,
        total: row.get("total")?,
        consumed: row.get("consumed")?,
        installed: row.get("installed")?,
        pending: row.get("pending")?,
        failed: row.get("failed")?,
        not_installed: row.get("not_installed")?,
        reported_at: row.get("reported_at")?,
        waiting: row.get("waiting")?,
        foreign: row.get("foreign_held")?,
        assignable_to: row.get("assignable_to")?,
    })
}

/// One window of the Apps table.
pub fn page(conn: &Connection, request: &PageRequest) -> rusqlite::Result<Page<AppRow>> {
    fetch_page(conn, &SPEC, request, map_row)
}
