//! Connectors as the sync worker sees them (issue 7): a Graph connector
//! created from `seats connect graph`, its configuration, the state a sync
//! moves it through (syncing → ok or error, with the next run from its
//! schedule), its `sync_runs` history and its delta link. The lease that
//! keeps two processes from syncing one connector is in [`super::sync_lease`].
//!
//! Secrets never pass through here: `secret_ref` is the PATH of a 0600 file
//! or `env:SEATS_GRAPH_SECRET` (R-CON-9).

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::domain::ConnectorKind;

/// Microsoft Graph's public cloud, the default of `--graph-url`.
pub const GRAPH_URL: &str = "https://graph.microsoft.com";
/// Entra ID's public cloud, the default of `--login-url`.
pub const LOGIN_URL: &str = "https://login.microsoftonline.com";

/// Why a connector was not created or changed. Display is the message.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("a connector named {name:?} exists already; choose another name with --name")]
    NameTaken { name: String },
    #[error(
        "tenant {tenant_id} is connected already, as connector {existing:?}: seats syncs each tenant \
         through one connector (`seats sync --connector {existing:?}` syncs it)"
    )]
    TenantTaken { tenant_id: String, existing: String },
    /// Input that can never work; the message names the field.
    #[error("{0}")]
    Invalid(String),
    #[error("no connector with id {0}; `seats connectors` lists them")]
    NotFound(i64),
    #[error("connector {0:?} is disabled; enable it before syncing")]
    Disabled(String),
    #[error("cache error: {0}; nothing was changed")]
    Store(#[from] rusqlite::Error),
}

/// What `seats connect graph` stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphSettings {
    pub name: String,
    /// The directory (tenant) id or a verified domain.
    pub tenant_id: String,
    pub client_id: String,
    /// The path of the secret file, or `env:SEATS_GRAPH_SECRET`; never the secret.
    pub secret_ref: String,
    pub graph_url: String,
    pub login_url: String,
    /// What the Connectors pane shows as the account (the tenant's domain).
    pub account: Option<String>,
    /// Minutes between scheduled syncs (R-CON-5: 720 by default).
    pub schedule_minutes: i64,
}

impl GraphSettings {
    /// Settings for the public cloud, every 12 hours.
    pub fn new(name: &str, tenant_id: &str, client_id: &str, secret_ref: &str) -> GraphSettings {
        GraphSettings {
            name: name.to_owned(),
            tenant_id: tenant_id.to_owned(),
            client_id: client_id.to_owned(),
            secret_ref: secret_ref.to_owned(),
            graph_url: GRAPH_URL.to_owned(),
            login_url: LOGIN_URL.to_owned(),
            account: None,
            schedule_minutes: 720,
        }
    }

    fn validate(&self) -> Result<(), AdminError> {
        let fields = [
            ("--name", &self.name),
            ("--tenant-id", &self.tenant_id),
            ("--client-id", &self.client_id),
            ("the secret's path", &self.secret_ref),
            ("--graph-url", &self.graph_url),
            ("--login-url", &self.login_url),
        ];
        if let Some((field, _)) = fields.iter().find(|(_, value)| value.trim().is_empty()) {
            return Err(AdminError::Invalid(format!("{field} is empty; give a value")));
        }
        for (field, url) in [("--graph-url", &self.graph_url), ("--login-url", &self.login_url)] {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(AdminError::Invalid(format!(
                    "{field} {url:?} is not an http(s) URL; give one such as {}",
                    if field == "--graph-url" {
                        GRAPH_URL
                    } else {
                        LOGIN_URL
                    }
                )));
            }
        }
        if self.schedule_minutes <= 0 {
            return Err(AdminError::Invalid(format!(
                "the sync interval must be at least 1 minute, not {}",
                self.schedule_minutes
            )));
        }
        Ok(())
    }
}

/// A connector's configuration and sync state, for the worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectorConfig {
    pub id: i64,
    pub name: String,
    pub kind: ConnectorKind,
    pub enabled: bool,
    pub state: String,
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
    pub secret_ref: Option<String>,
    pub graph_url: Option<String>,
    pub login_url: Option<String>,
    pub delta_link: Option<String>,
    pub schedule_minutes: i64,
    pub next_sync_at: Option<String>,
    pub last_sync_at: Option<String>,
    pub last_success_at: Option<String>,
    pub last_error: Option<String>,
    pub last_request_id: Option<String>,
}

/// Figures a finished sync records in `sync_runs`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunCounts {
    pub added: i64,
    pub updated: i64,
    pub removed: i64,
    pub skipped: i64,
}

/// The cache's time format (RFC 3339 UTC, seconds).
pub(crate) fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Creates a Graph connector, refusing a taken name or a tenant connected
/// already. Returns its id. The caller has checked the credentials.
pub fn create_graph_connector(conn: &Connection, settings: &GraphSettings) -> Result<i64, AdminError> {
    settings.validate()?;
    super::db::begin_write_on(conn, |tx| {
        if let Some(refusal) = taken(tx, settings, None)? {
            return Ok(Err(refusal));
        }
        tx.execute(
            "INSERT INTO connectors (name, kind, account, endpoint, enabled, state, schedule_minutes, \
             secret_ref, tenant_id, client_id, graph_url, login_url) \
             VALUES (?1, 'graph', ?2, ?3, 1, 'never', ?4, ?5, ?6, ?7, ?3, ?8)",
            params![
                settings.name,
                settings.account,
                settings.graph_url,
                settings.schedule_minutes,
                settings.secret_ref,
                settings.tenant_id,
                settings.client_id,
                settings.login_url
            ],
        )?;
        Ok(Ok(tx.last_insert_rowid()))
    })?
}

/// Points an existing connector at a tenant (the demo's Graph connector at
/// its simulator): the same checks as [`create_graph_connector`]; the delta
/// link is dropped, since it belongs to the old tenant.
pub fn configure_graph(conn: &Connection, id: i64, settings: &GraphSettings) -> Result<(), AdminError> {
    settings.validate()?;
    super::db::begin_write_on(conn, |tx| {
        if let Some(refusal) = taken(tx, settings, Some(id))? {
            return Ok(Err(refusal));
        }
        let changed = tx.execute(
            "UPDATE connectors SET name = ?2, account = coalesce(?3, account), endpoint = ?4, \
             schedule_minutes = ?5, secret_ref = ?6, tenant_id = ?7, client_id = ?8, graph_url = ?4, \
             login_url = ?9, delta_link = NULL WHERE id = ?1 AND kind = 'graph'",
            params![
                id,
                settings.name,
                settings.account,
                settings.graph_url,
                settings.schedule_minutes,
                settings.secret_ref,
                settings.tenant_id,
                settings.client_id,
                settings.login_url
            ],
        )?;
        Ok(if changed == 0 {
            Err(AdminError::NotFound(id))
        } else {
            Ok(())
        })
    })?
}

/// The refusal of a name or tenant used by another connector than `except`.
fn taken(
    conn: &Connection,
    settings: &GraphSettings,
    except: Option<i64>,
) -> rusqlite::Result<Option<AdminError>> {
    let except = except.unwrap_or(0);
    let name_taken: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM connectors WHERE name = ?1 AND id <> ?2)",
        params![settings.name, except],
        |row| row.get(0),
    )?;
    if name_taken {
        return Ok(Some(AdminError::NameTaken {
            name: settings.name.clone(),
        }));
    }
    let existing: Option<String> = conn
        .query_row(
            "SELECT name FROM connectors WHERE kind = 'graph' AND tenant_id = ?1 COLLATE NOCASE AND id <> ?2",
            params![settings.tenant_id, except],
            |row| row.get(0),
        )
        .optional()?;
    Ok(existing.map(|existing| AdminError::TenantTaken {
        tenant_id: settings.tenant_id.clone(),
        existing,
    }))
}

/// The id of the connector with this name.
pub fn find_connector(conn: &Connection, name: &str) -> rusqlite::Result<Option<i64>> {
    conn.query_row("SELECT id FROM connectors WHERE name = ?1", [name], |row| {
        row.get(0)
    })
    .optional()
}

const CONFIG_COLUMNS: &str = "id, name, kind, enabled, state, tenant_id, client_id, secret_ref, graph_url, \
     login_url, delta_link, schedule_minutes, next_sync_at, last_sync_at, last_success_at, last_error, \
     last_request_id";

fn config_row(row: &Row<'_>) -> rusqlite::Result<ConnectorConfig> {
    Ok(ConnectorConfig {
        id: row.get(0)?,
        name: row.get(1)?,
        kind: super::columns::parse_text(row, "kind")?,
        enabled: row.get(3)?,
        state: row.get(4)?,
        tenant_id: row.get(5)?,
        client_id: row.get(6)?,
        secret_ref: row.get(7)?,
        graph_url: row.get(8)?,
        login_url: row.get(9)?,
        delta_link: row.get(10)?,
        schedule_minutes: row.get(11)?,
        next_sync_at: row.get(12)?,
        last_sync_at: row.get(13)?,
        last_success_at: row.get(14)?,
        last_error: row.get(15)?,
        last_request_id: row.get(16)?,
    })
}

/// One connector's configuration and state.
pub fn connector_config(conn: &Connection, id: i64) -> rusqlite::Result<Option<ConnectorConfig>> {
    conn.query_row(
        &format!("SELECT {CONFIG_COLUMNS} FROM connectors WHERE id = ?1"),
        [id],
        config_row,
    )
    .optional()
}

/// Every connector of a kind, in name order (`seats sync` without --connector).
pub fn connectors_of_kind(conn: &Connection, kind: ConnectorKind) -> rusqlite::Result<Vec<ConnectorConfig>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {CONFIG_COLUMNS} FROM connectors WHERE kind = ?1 ORDER BY name, id"
    ))?;
    let rows = stmt.query_map([kind.as_str()], config_row)?;
    rows.collect()
}

/// Enabled connectors whose next scheduled sync is due at `now` (never
/// scheduled counts as due), in id order.
pub fn due_connectors(conn: &Connection, now: DateTime<Utc>) -> rusqlite::Result<Vec<i64>> {
    let mut stmt = conn.prepare(
        "SELECT id FROM connectors WHERE enabled = 1 AND (next_sync_at IS NULL OR next_sync_at <= ?1) \
         ORDER BY id",
    )?;
    let rows = stmt.query_map([stamp(now)], |row| row.get(0))?;
    rows.collect()
}

/// A sync begins: the connector shows 'syncing', and a `sync_runs` row
/// 'running' is opened (its id is returned). Runs a killed process left
/// 'running' are closed as failed first: the lease says no other sync runs.
pub fn sync_started(conn: &Connection, id: i64, what: &str, now: DateTime<Utc>) -> Result<i64, AdminError> {
    let at = stamp(now);
    super::db::begin_write_on(conn, |tx| {
        let found: Option<(String, bool)> = tx
            .query_row(
                "SELECT name, enabled FROM connectors WHERE id = ?1",
                [id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        match found {
            None => return Ok(Err(AdminError::NotFound(id))),
            Some((name, false)) => return Ok(Err(AdminError::Disabled(name))),
            Some(_) => {}
        }
        tx.execute(
            "UPDATE sync_runs SET result = 'failed', finished_at = ?2, \
             message = 'interrupted: the process ended before the sync finished; nothing of it was kept' \
             WHERE connector_id = ?1 AND result = 'running'",
            params![id, at],
        )?;
        tx.execute(
            "UPDATE connectors SET state = 'syncing', last_sync_at = ?2 WHERE id = ?1",
            params![id, at],
        )?;
        tx.execute(
            "INSERT INTO sync_runs (connector_id, started_at, result, message) VALUES (?1, ?2, 'running', ?3)",
            params![id, at, what],
        )?;
        Ok(Ok(tx.last_insert_rowid()))
    })?
}

/// The sync succeeded: state 'ok', the success time, no error, the next
/// run one schedule interval from `now`; the run row closes with its figures.
pub fn sync_succeeded(
    conn: &Connection,
    id: i64,
    run_id: i64,
    counts: RunCounts,
    message: Option<&str>,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let at = stamp(now);
    super::db::begin_write_on(conn, |tx| {
        tx.execute(
            "UPDATE connectors SET state = 'ok', last_success_at = ?2, last_error = NULL, last_request_id = NULL, \
             next_sync_at = strftime('%Y-%m-%dT%H:%M:%SZ', ?2, '+' || schedule_minutes || ' minutes') \
             WHERE id = ?1",
            params![id, at],
        )?;
        tx.execute(
            "UPDATE sync_runs SET finished_at = ?2, result = 'ok', added = ?3, updated = ?4, removed = ?5, \
             skipped = ?6, message = coalesce(?7, message) WHERE id = ?1",
            params![
                run_id,
                at,
                counts.added,
                counts.updated,
                counts.removed,
                counts.skipped,
                message
            ],
        )?;
        Ok(())
    })
}

/// The sync failed: state 'error' with the source's message and request
/// id; the schedule goes on (the next run one interval from `now`); the run
/// row closes as failed. The cache itself was left as it was (R-CON-8).
pub fn sync_failed(
    conn: &Connection,
    id: i64,
    run_id: i64,
    message: &str,
    request_id: Option<&str>,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let at = stamp(now);
    super::db::begin_write_on(conn, |tx| {
        tx.execute(
            "UPDATE connectors SET state = 'error', last_error = ?2, last_request_id = ?3, \
             next_sync_at = strftime('%Y-%m-%dT%H:%M:%SZ', ?4, '+' || schedule_minutes || ' minutes') \
             WHERE id = ?1",
            params![id, message, request_id, at],
        )?;
        let text = match request_id {
            Some(request) => format!("{message} (request id {request})"),
            None => message.to_owned(),
        };
        tx.execute(
            "UPDATE sync_runs SET finished_at = ?2, result = 'failed', message = ?3 WHERE id = ?1",
            params![run_id, at, text],
        )?;
        Ok(())
    })
}

/// The stored `@odata.deltaLink`, if a full pull left one.
pub fn delta_link(conn: &Connection, id: i64) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT delta_link FROM connectors WHERE id = ?1", [id], |row| {
        row.get(0)
    })
    .optional()
    .map(Option::flatten)
}

/// Stores (Some) or forgets (None: the next pull is full) the delta link.
/// A pull's commit stores it in its own transaction; this is for the
/// worker's fallback when the source says the link expired.
pub fn set_delta_link(conn: &Connection, id: i64, link: Option<&str>) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE connectors SET delta_link = ?2 WHERE id = ?1",
        params![id, link],
    )?;
    Ok(())
}
