//! Connectors as the sync worker sees them (issue 7): a Graph connector
//! created from `seats connect graph`, and its configuration. The state a
//! sync moves it through, its runs and its delta link are in
//! [`super::sync_state`] (re-exported here); the lease that keeps two
//! processes from syncing one connector is in [`super::sync_lease`].
//!
//! Secrets never pass through here: `secret_ref` is the PATH of a 0600 file
//! or `env:SEATS_GRAPH_SECRET` (R-CON-9).

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::domain::ConnectorKind;

pub(crate) use super::sync_state::stamp;
pub use super::sync_state::{
    RunCounts, delta_link, due_connectors, set_delta_link, sync_failed, sync_started, sync_succeeded,
};

/// Microsoft Graph's public cloud, the default of `--graph-url`.
pub const GRAPH_URL: &str = "https://graph.microsoft.com";
/// Entra ID's public cloud, the default of `--login-url`.
pub const LOGIN_URL: &str = "https://login.microsoftonline.com";
/// The scheme of a URL that names the in-process simulator
/// (`sim:users=N,seed=S`, see `worker::sync::source`).
pub const SIM_SCHEME: &str = "sim:";

/// Why a connector was not created or changed. Display is the message.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error(
        "a connector named {name:?} exists already; choose another name (--name, or the Name field of the link form)"
    )]
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
    #[error(
        "connector {0:?} is disabled; enable it before syncing (`seats connector enable {0:?}`, or :enable in \
         Connectors)"
    )]
    Disabled(String),
    /// A rule refuses the change; the message says which and why.
    #[error("{0}")]
    Refused(String),
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

    /// Refuses settings that can never work, naming the field.
    pub fn validate(&self) -> Result<(), AdminError> {
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
            // `sim:users=N,seed=S`: the in-process simulator (the demo's).
            if !(url.starts_with("https://") || url.starts_with("http://") || url.starts_with(SIM_SCHEME)) {
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
        let secret = self.secret_ref.as_str();
        if !(secret.starts_with('/') || secret.starts_with("env:")) {
            return Err(AdminError::Invalid(format!(
                "the secret is referred to by the absolute path of its file or as env:SEATS_GRAPH_SECRET, \
                 not {}; seats never stores the secret itself",
                if secret.contains('/') {
                    format!("{secret:?}")
                } else {
                    "this value".to_owned()
                }
            )));
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

/// Creates a Graph connector, refusing a taken name or a tenant connected
/// already. Returns its id. The caller has checked the credentials.
pub fn create_graph_connector(conn: &Connection, settings: &GraphSettings) -> Result<i64, AdminError> {
    create_graph_connector_by(conn, settings, None)
}

/// As [`create_graph_connector`], audited as `connector_add` by `actor` in
/// the same transaction (`seats connect graph`). The audit names the
/// secret's reference (a path or `env:NAME`), never the secret.
pub fn create_graph_connector_by(
    conn: &Connection,
    settings: &GraphSettings,
    actor: Option<&str>,
) -> Result<i64, AdminError> {
    settings.validate()?;
    super::db::begin_write_on(conn, |tx| {
        if let Some(refusal) = taken(tx, settings, None)? {
            return Ok(Err(refusal));
        }
        let id = insert_graph(tx, settings)?;
        if let Some(actor) = actor {
            let detail = serde_json::json!({
                "connector": settings.name,
                "kind": "graph",
                "tenant_id": settings.tenant_id,
                "client_id": settings.client_id,
                "graph_url": settings.graph_url,
                "login_url": settings.login_url,
                "secret_ref": settings.secret_ref,
            });
            super::connectors_link::audit_add(tx, actor, &settings.name, &detail)?;
        }
        Ok(Ok(id))
    })?
}

fn insert_graph(tx: &Connection, settings: &GraphSettings) -> rusqlite::Result<i64> {
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
    Ok(tx.last_insert_rowid())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sim_url_is_accepted_and_other_schemes_are_refused() {
        let mut settings = GraphSettings::new("Demo", "t", "c", "env:SEATS_GRAPH_SECRET");
        settings.graph_url = "sim:users=300,seed=42".to_owned();
        settings.login_url = settings.graph_url.clone();
        assert!(settings.validate().is_ok());
        settings.graph_url = "ftp://graph.example".to_owned();
        let err = settings.validate().unwrap_err().to_string();
        assert!(err.contains("--graph-url") && err.contains(GRAPH_URL), "{err}");
    }
}
