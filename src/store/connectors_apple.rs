//! Apple Apps and Books connectors (issue 8): one per organization's
//! Apple location, linked for good (R-CON-2, R-CON-3). A renewed token of
//! the same location replaces the old one and keeps every assignment; a
//! token of another location is refused while one is linked.
//!
//! The content token is never stored: `secret_ref` is the PATH of its
//! 0600 file or `env:SEATS_VPP_TOKEN` (R-CON-9).

use rusqlite::{Connection, OptionalExtension as _, params};

use super::connectors_admin::{AdminError, stamp};
use super::connectors_link::Account;
pub use super::connectors_link::Linked;

/// What `seats connect apple` stores, after the token was checked at Apple.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppleSettings {
    pub name: String,
    /// The Apple ID of the administrator who owns the token.
    pub apple_id: String,
    /// The token's name as Apple Business Manager shows it (its orgName).
    pub token_name: String,
    /// The token file's absolute path, or `env:SEATS_VPP_TOKEN`.
    pub secret_ref: String,
    pub api_url: String,
    pub lookup_url: String,
    /// The location the token opens (`uId`) and its name.
    pub location_uid: String,
    pub location_name: String,
    /// RFC 3339.
    pub token_expires: String,
    pub schedule_minutes: i64,
}

/// How an Apple connector is reached, for the sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppleConnection {
    pub id: i64,
    pub name: String,
    pub secret_ref: Option<String>,
    pub api_url: Option<String>,
    pub lookup_url: Option<String>,
    /// The location it is bound to, once synced or linked.
    pub location_uid: Option<String>,
    /// The admin chose to take the token from another product (R-CON-6).
    pub take_over: bool,
}

/// The refusal of a second Apple location (exit 3 on the command line).
pub fn other_location(existing: &str, bound: &str, offered: &str) -> AdminError {
    AdminError::Invalid(format!(
        "seats is linked to the Apple location {bound:?} (connector {existing:?}); this token opens \
         {offered:?}. An organization links one Apple account for good: it can't be moved to another one \
         (R-CON-3). Upload a renewed token of {bound:?} instead"
    ))
}

/// Links (or renews) the Apple connector, audited as `connector_add` by
/// `actor` in the same transaction.
pub fn link_apple(conn: &Connection, settings: &AppleSettings, actor: &str) -> Result<Linked, AdminError> {
    super::connectors_link::link(conn, settings, actor)
}

impl Account for AppleSettings {
    const KIND: &'static str = "apple_vpp";

    fn name(&self) -> &str {
        &self.name
    }

    fn is_bound_to(&self, tenant: &str) -> bool {
        tenant == self.location_uid
    }

    fn refusal(&self, existing: &str, _tenant: &str, account: Option<String>) -> AdminError {
        let bound = account.unwrap_or_else(|| "another location".into());
        other_location(existing, &bound, &self.location_name)
    }

    fn insert(&self, tx: &Connection) -> rusqlite::Result<i64> {
        let now = stamp(chrono::Utc::now());
        tx.execute(
            "INSERT INTO connectors (name, kind, account, endpoint, enabled, state, schedule_minutes, token_name, \
             apple_id, token_updated_at, token_expires_at, secret_ref, tenant_id, api_url, lookup_url) \
             VALUES (?1, 'apple_vpp', ?2, ?3, 1, 'never', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?3, ?11)",
            params![
                self.name,
                self.location_name,
                self.api_url,
                self.schedule_minutes,
                self.token_name,
                self.apple_id,
                now,
                self.token_expires,
                self.secret_ref,
                self.location_uid,
                self.lookup_url
            ],
        )?;
        Ok(tx.last_insert_rowid())
    }

    fn renew(&self, tx: &Connection, id: i64) -> rusqlite::Result<()> {
        tx.execute(
            "UPDATE connectors SET token_name = ?2, apple_id = ?3, token_updated_at = ?4, token_expires_at = ?5, \
             secret_ref = ?6, api_url = ?7, endpoint = ?7, lookup_url = ?8, claimed_by = NULL WHERE id = ?1",
            params![
                id,
                self.token_name,
                self.apple_id,
                stamp(chrono::Utc::now()),
                self.token_expires,
                self.secret_ref,
                self.api_url,
                self.lookup_url
            ],
        )?;
        // A relinked token starts again from a full read.
        super::sync_apple::forget_versions(tx, id)
    }

    fn detail(&self, renewed: bool) -> serde_json::Value {
        serde_json::json!({
            "connector": self.name, "kind": "apple_vpp", "location": self.location_name,
            "location_uid": self.location_uid, "apple_id": self.apple_id, "token_expires": self.token_expires,
            "secret_ref": self.secret_ref, "renewed": renewed,
            "acknowledged": "links the organization's Apple account for good",
        })
    }
}

/// How connector `id` is reached, when it is an Apple one.
pub fn apple_connection(conn: &Connection, id: i64) -> rusqlite::Result<Option<AppleConnection>> {
    conn.query_row(
        "SELECT id, name, secret_ref, api_url, lookup_url, tenant_id, take_over FROM connectors \
         WHERE id = ?1 AND kind = 'apple_vpp'",
        [id],
        |r| {
            Ok(AppleConnection {
                id: r.get(0)?,
                name: r.get(1)?,
                secret_ref: r.get(2)?,
                api_url: r.get(3)?,
                lookup_url: r.get(4)?,
                location_uid: r.get(5)?,
                take_over: r.get::<_, i64>(6)? == 1,
            })
        },
    )
    .optional()
}

/// Records the admin's choice to take the token from the product that
/// holds it (R-CON-6), audited.
pub fn set_take_over(conn: &Connection, id: i64, actor: &str) -> rusqlite::Result<()> {
    super::db::begin_write_on(conn, |tx| {
        tx.execute("UPDATE connectors SET take_over = 1 WHERE id = ?1", [id])?;
        // What the other product did is read whole by the next pull.
        super::sync_apple::forget_versions(tx, id)?;
        tx.execute(
            "INSERT INTO audit (at, actor, action, principals, result, detail) \
             VALUES (?1, ?2, 'connector_take_over', json_array((SELECT name FROM connectors WHERE id = ?3)), 'ok', \
             json_object('claimed_by', (SELECT claimed_by FROM connectors WHERE id = ?3)))",
            params![stamp(chrono::Utc::now()), actor, id],
        )?;
        Ok(())
    })
}

/// Records which product holds the connector's token now (R-CON-6), when
/// a sync refused to take it.
pub fn record_claim(conn: &Connection, id: i64, manager: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE connectors SET claimed_by = ?2 WHERE id = ?1",
        params![id, manager],
    )?;
    Ok(())
}
