//! Connectors to the sources and their health (R-CON-*).

use rusqlite::{Connection, Row};

use super::columns::{flag, parse_text};
use super::filter_sql::{FilterColumn, column};
use super::list::{ListSpec, Page, PageRequest, fetch_page};
use crate::domain::ConnectorKind;
use crate::domain::FieldKind::{Date, Flag, Number, Text};

/// One connector as the Connectors pane shows it. Secrets never leave the
/// store: only whether one is configured (R-CON-9).
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectorRow {
    pub id: i64,
    pub name: String,
    pub kind: ConnectorKind,
    pub account: Option<String>,
    pub endpoint: Option<String>,
    pub enabled: bool,
    pub state: String,
    pub language: Option<String>,
    pub schedule_minutes: i64,
    pub token_name: Option<String>,
    pub apple_id: Option<String>,
    pub token_updated_at: Option<String>,
    pub token_expires_at: Option<String>,
    pub claimed_by: Option<String>,
    pub last_sync_at: Option<String>,
    pub last_success_at: Option<String>,
    pub last_error: Option<String>,
    pub has_secret: bool,
    pub pools: i64,
    pub pending_changes: i64,
}

/// Column order of the Connectors table.
pub const COLUMNS: &[&str] = &["Name", "Kind", "State", "Last sync", "Last success", "Token"];

/// What filter conditions may name in Connectors; a date never reached
/// (no sync yet) counts as long ago, a token without expiry as never
/// expiring.
pub const FIELDS: &[FilterColumn] = &[
    column("name", Text, "name"),
    column("kind", Text, "kind"),
    column("state", Text, "state"),
    column("enabled", Flag, "enabled"),
    column("account", Text, "coalesce(account, '')"),
    column("error", Text, "coalesce(last_error, '')"),
    column("sync", Date, "coalesce(last_sync_at, '0000-01-01')"),
    column("success", Date, "coalesce(last_success_at, '0000-01-01')"),
    column("token", Date, "coalesce(token_expires_at, '9999-12-31')"),
    column("pools", Number, "pools"),
    column("pending", Number, "pending_changes"),
];

const SPEC: ListSpec = ListSpec {
    base: "SELECT c.*, c.secret_ref IS NOT NULL AS has_secret, \
             (SELECT count(*) FROM pools p WHERE p.connector_id = c.id) AS pools, \
             (SELECT count(*) FROM outbox o WHERE o.connector_id = c.id AND o.state = 'pending') AS pending_changes \
           FROM connectors c",
    haystack: "name || ' ' || kind || ' ' || state || ' ' || coalesce(account, '') || ' ' || \
               coalesce(last_error, '')",
    fields: FIELDS,
    sort_keys: &[
        "name COLLATE NOCASE",
        "kind",
        "state",
        "coalesce(last_sync_at, '')",
        "coalesce(last_success_at, '')",
        "coalesce(token_expires_at, '9999')",
    ],
    tiebreak: "id",
};

fn map_row(row: &Row<'_>) -> rusqlite::Result<ConnectorRow> {
    Ok(ConnectorRow {
        id: row.get("id")?,
        name: row.get("name")?,
        kind: parse_text(row, "kind")?,
        account: row.get("account")?,
        endpoint: row.get("endpoint")?,
        enabled: flag(row, "enabled")?,
        state: row.get("state")?,
        language: row.get("language")?,
        schedule_minutes: row.get("schedule_minutes")?,
        token_name: row.get("token_name")?,
        apple_id: row.get("apple_id")?,
        token_updated_at: row.get("token_updated_at")?,
        token_expires_at: row.get("token_expires_at")?,
        claimed_by: row.get("claimed_by")?,
        last_sync_at: row.get("last_sync_at")?,
        last_success_at: row.get("last_success_at")?,
        last_error: row.get("last_error")?,
        has_secret: flag(row, "has_secret")?,
        pools: row.get("pools")?,
        pending_changes: row.get("pending_changes")?,
    })
}

/// One window of the Connectors table.
pub fn page(conn: &Connection, request: &PageRequest) -> rusqlite::Result<Page<ConnectorRow>> {
    fetch_page(conn, &SPEC, request, map_row)
}
