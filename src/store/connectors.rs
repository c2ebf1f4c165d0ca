//! Connectors to the sources and their health (R-CON-*).

use chrono::{DateTime, Utc};
use rusqlite::{Connection, Row, params};

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
    /// When the schedule syncs it next (None: never scheduled, due now).
    pub next_sync_at: Option<String>,
    /// The source's request id of the last error, shown beside it.
    pub last_request_id: Option<String>,
    /// Who holds its sync lease now ("user@host pid N"), if anyone.
    pub sync_holder: Option<String>,
    /// Why its newest pending change waits (its last attempt's error).
    pub pending_error: Option<String>,
    /// What its last successful sync reported ("full sync done; 3 added,
    /// …; warnings").
    pub last_run: Option<String>,
    /// A Store for Business connector's last sync report (R-APP-3):
    /// (added | updated | removed | skipped, app, reason), skipped first.
    pub report: Vec<(String, String, Option<String>)>,
}

impl ConnectorRow {
    /// Whether its last successful sync could not read users' sign-in
    /// activity (a permission the source did not grant).
    pub fn sign_ins_unreadable(&self) -> bool {
        self.last_run
            .as_deref()
            .is_some_and(|run| run.contains(crate::domain::source::SIGN_IN_WARNING))
    }
}

/// Column order of the Connectors table.
pub const COLUMNS: &[&str] = &["Name", "Kind", "State", "Last sync", "Next sync", "Token"];

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
    column("next", Date, "coalesce(next_sync_at, '0000-01-01')"),
    column("token", Date, "coalesce(token_expires_at, '9999-12-31')"),
    column("pools", Number, "pools"),
    column("pending", Number, "pending_changes"),
];

const SPEC: ListSpec = ListSpec {
    base: "SELECT c.*, c.secret_ref IS NOT NULL AS has_secret, \
             (SELECT count(*) FROM pools p WHERE p.connector_id = c.id) AS pools, \
             (SELECT count(*) FROM outbox o WHERE o.connector_id = c.id AND o.state = 'pending') AS pending_changes, \
             (SELECT holder FROM sync_leases l WHERE l.connector_id = c.id \
                AND l.expires_at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now')) AS sync_holder, \
             (SELECT o.last_error FROM outbox o WHERE o.connector_id = c.id AND o.state = 'pending' \
                AND o.attempts > 0 ORDER BY o.id DESC LIMIT 1) AS pending_error, \
             (SELECT r.message FROM sync_runs r WHERE r.connector_id = c.id AND r.result = 'ok' \
                ORDER BY r.started_at DESC, r.id DESC LIMIT 1) AS last_run \
           FROM connectors c",
    haystack: "name || ' ' || kind || ' ' || state || ' ' || coalesce(account, '') || ' ' || \
               coalesce(last_error, '')",
    fields: FIELDS,
    sort_keys: &[
        "name COLLATE NOCASE",
        "kind",
        "state",
        "coalesce(last_sync_at, '')",
        "coalesce(next_sync_at, '')",
        "coalesce(token_expires_at, '9999')",
    ],
    tiebreak: "id",
};

/// What a connector left 'syncing' by a process that is gone shows: no
/// process holds its lease, so nothing syncs it, whatever the column says.
const INTERRUPTED: &str = "the last sync was interrupted: its process ended before it finished, and nothing \
     of it was kept; it runs again when due, or now with `seats sync --connector NAME`";

fn map_row(row: &Row<'_>) -> rusqlite::Result<ConnectorRow> {
    let sync_holder: Option<String> = row.get("sync_holder")?;
    let mut state: String = row.get("state")?;
    let mut last_error: Option<String> = row.get("last_error")?;
    // A sync takes the lease before it says 'syncing' and gives it back
    // after its outcome is written; a console that quits mid-sync gives it
    // back at once, a killed process when it expires.
    if state == "syncing" && sync_holder.is_none() {
        state = "error".to_owned();
        last_error = Some(INTERRUPTED.to_owned());
    }
    Ok(ConnectorRow {
        id: row.get("id")?,
        name: row.get("name")?,
        kind: parse_text(row, "kind")?,
        account: row.get("account")?,
        endpoint: row.get("endpoint")?,
        enabled: flag(row, "enabled")?,
        state,
        language: row.get("language")?,
        schedule_minutes: row.get("schedule_minutes")?,
        token_name: row.get("token_name")?,
        apple_id: row.get("apple_id")?,
        token_updated_at: row.get("token_updated_at")?,
        token_expires_at: row.get("token_expires_at")?,
        claimed_by: row.get("claimed_by")?,
        last_sync_at: row.get("last_sync_at")?,
        last_success_at: row.get("last_success_at")?,
        last_error,
        has_secret: flag(row, "has_secret")?,
        pools: row.get("pools")?,
        pending_changes: row.get("pending_changes")?,
        next_sync_at: row.get("next_sync_at")?,
        last_request_id: row.get("last_request_id")?,
        sync_holder,
        pending_error: row.get("pending_error")?,
        last_run: row.get("last_run")?,
        report: Vec::new(),
    })
}

/// One window of the Connectors table.
/// A Store for Business connector carries its last sync report, opened
/// with Enter (a handful of connectors: one small query each).
pub fn page(conn: &Connection, request: &PageRequest) -> rusqlite::Result<Page<ConnectorRow>> {
    let mut page = fetch_page(conn, &SPEC, request, map_row)?;
    for row in &mut page.rows {
        if row.kind == ConnectorKind::StoreBusiness {
            row.report = super::connectors_store::last_report(conn, row.id)?;
        }
    }
    Ok(page)
}

/// Brings every enabled connector's next sync forward to `now + minutes`
/// at the latest: the config's `[sync] interval_minutes` is the longest a
/// connector waits, its own `schedule_minutes` may be shorter (R-CON-5).
/// Changes only rows scheduled later, so running it on every tick is cheap
/// and moves nothing twice. Returns the connectors moved.
pub fn cap_next_sync(conn: &Connection, now: DateTime<Utc>, minutes: u32) -> rusqlite::Result<usize> {
    let cap = super::sync_state::stamp(now + chrono::Duration::minutes(i64::from(minutes)));
    conn.execute(
        "UPDATE connectors SET next_sync_at = ?1 WHERE enabled = 1 AND next_sync_at > ?1",
        params![cap],
    )
}

/// Graph connectors with changes that failed for a passing reason and
/// whose retry is due at `now`: the console's worker pushes them again.
pub fn push_retry_due(conn: &Connection, now: DateTime<Utc>) -> rusqlite::Result<Vec<i64>> {
    let mut stmt = conn.prepare(
        "SELECT DISTINCT c.id FROM connectors c JOIN outbox o ON o.connector_id = c.id \
         WHERE c.enabled = 1 AND c.kind IN ('graph', 'apple_vpp') AND o.state = 'pending' AND o.attempts > 0 \
           AND coalesce(o.next_attempt_at, '') <= ?1 ORDER BY c.id",
    )?;
    let rows = stmt.query_map([super::sync_state::stamp(now)], |row| row.get(0))?;
    rows.collect()
}

/// Why the connector's newest change still waits (the error of its last
/// attempt), if one was tried and kept for a retry.
pub fn waiting_reason(conn: &Connection, connector_id: i64) -> rusqlite::Result<Option<String>> {
    use rusqlite::OptionalExtension;
    conn.query_row(
        "SELECT last_error FROM outbox WHERE connector_id = ?1 AND state = 'pending' \
         AND attempts > 0 AND last_error IS NOT NULL ORDER BY id DESC LIMIT 1",
        [connector_id],
        |row| row.get(0),
    )
    .optional()
}

/// A connector in brief, for "sync all".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectorBrief {
    pub id: i64,
    pub name: String,
    pub kind: ConnectorKind,
    pub enabled: bool,
}

/// Every connector, in name order.
pub fn all_connectors(conn: &Connection) -> rusqlite::Result<Vec<ConnectorBrief>> {
    let mut stmt =
        conn.prepare("SELECT id, name, kind, enabled FROM connectors ORDER BY name COLLATE NOCASE, id")?;
    let rows = stmt.query_map([], |row| {
        Ok(ConnectorBrief {
            id: row.get("id")?,
            name: row.get("name")?,
            kind: parse_text(row, "kind")?,
            enabled: flag(row, "enabled")?,
        })
    })?;
    rows.collect()
}
