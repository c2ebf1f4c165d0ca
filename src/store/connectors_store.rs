//! Microsoft Store for Business connectors (issue 8): one per
//! organization's store account (its directory tenant), linked for good
//! (R-CON-2). New credentials of the same tenant replace the old ones and
//! keep every app and seat; another tenant is refused while one is linked.
//!
//! The client secret is never stored: `secret_ref` is the PATH of its 0600
//! file or `env:SEATS_STORE_SECRET` (R-CON-9).

use rusqlite::{Connection, OptionalExtension as _, params};

use super::connectors_admin::AdminError;
use super::connectors_link::Account;
pub use super::connectors_link::Linked;

/// What `seats connect store` stores, after the credentials were checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreSettings {
    pub name: String,
    /// The directory (tenant) id or domain the store account belongs to.
    pub tenant_id: String,
    pub client_id: String,
    /// The secret file's absolute path, or `env:SEATS_STORE_SECRET`.
    pub secret_ref: String,
    /// The store's base, `/V1` included.
    pub api_url: String,
    pub login_url: String,
    /// RFC 4646 language of app names (R-CON-1).
    pub language: String,
    pub schedule_minutes: i64,
}

/// How a Store connector is reached, for the sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreConnection {
    pub id: i64,
    pub name: String,
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
    pub secret_ref: Option<String>,
    pub api_url: Option<String>,
    pub login_url: Option<String>,
    pub language: Option<String>,
}

/// The refusal of a second store account (exit 3 on the command line).
pub fn other_account(existing: &str, bound: &str, offered: &str) -> AdminError {
    AdminError::Invalid(format!(
        "seats is linked to the Store for Business account of tenant {bound:?} (connector {existing:?}); \
         these credentials open tenant {offered:?}. An organization links one store account for good: it \
         can't be moved to another one (R-CON-2). Give new credentials of {bound:?} instead"
    ))
}

/// Links (or renews) the Store connector, audited as `connector_add` by
/// `actor` in the same transaction.
pub fn link_store(conn: &Connection, settings: &StoreSettings, actor: &str) -> Result<Linked, AdminError> {
    super::connectors_link::link(conn, settings, actor)
}

impl Account for StoreSettings {
    const KIND: &'static str = "store_business";

    fn name(&self) -> &str {
        &self.name
    }

    fn is_bound_to(&self, tenant: &str) -> bool {
        tenant.eq_ignore_ascii_case(&self.tenant_id)
    }

    fn refusal(&self, existing: &str, tenant: &str, _account: Option<String>) -> AdminError {
        other_account(existing, tenant, &self.tenant_id)
    }

    fn insert(&self, tx: &Connection) -> rusqlite::Result<i64> {
        tx.execute(
            "INSERT INTO connectors (name, kind, account, endpoint, enabled, state, language, schedule_minutes, \
             secret_ref, tenant_id, client_id, api_url, login_url) \
             VALUES (?1, 'store_business', ?2, ?3, 1, 'never', ?4, ?5, ?6, ?2, ?7, ?3, ?8)",
            params![
                self.name,
                self.tenant_id,
                self.api_url,
                self.language,
                self.schedule_minutes,
                self.secret_ref,
                self.client_id,
                self.login_url
            ],
        )?;
        Ok(tx.last_insert_rowid())
    }

    fn renew(&self, tx: &Connection, id: i64) -> rusqlite::Result<()> {
        tx.execute(
            "UPDATE connectors SET client_id = ?2, secret_ref = ?3, api_url = ?4, endpoint = ?4, login_url = ?5, \
             language = ?6 WHERE id = ?1",
            params![id, self.client_id, self.secret_ref, self.api_url, self.login_url, self.language],
        )?;
        Ok(())
    }

    fn detail(&self, renewed: bool) -> serde_json::Value {
        serde_json::json!({
            "connector": self.name, "kind": "store_business", "tenant": self.tenant_id,
            "client_id": self.client_id, "language": self.language, "secret_ref": self.secret_ref,
            "renewed": renewed,
        })
    }
}

/// How connector `id` is reached, when it is a Store one.
pub fn store_connection(conn: &Connection, id: i64) -> rusqlite::Result<Option<StoreConnection>> {
    conn.query_row(
        "SELECT id, name, tenant_id, client_id, secret_ref, api_url, login_url, language FROM connectors \
         WHERE id = ?1 AND kind = 'store_business'",
        [id],
        |r| {
            Ok(StoreConnection {
                id: r.get(0)?,
                name: r.get(1)?,
                tenant_id: r.get(2)?,
                client_id: r.get(3)?,
                secret_ref: r.get(4)?,
                api_url: r.get(5)?,
                login_url: r.get(6)?,
                language: r.get(7)?,
            })
        },
    )
    .optional()
}

/// The last pull's report (R-APP-3): (outcome, app, reason), skipped
/// first, then by app name.
pub fn last_report(
    conn: &Connection,
    connector_id: i64,
) -> rusqlite::Result<Vec<(String, String, Option<String>)>> {
    let mut stmt = conn.prepare(
        "SELECT outcome, app, reason FROM sync_report_apps WHERE connector_id = ?1 \
         ORDER BY outcome = 'skipped' DESC, outcome, app",
    )?;
    let rows = stmt.query_map([connector_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    rows.collect()
}
