//! The simulated tenant: built once by the demo generator into the state
//! file, completed with Graph object ids, SKU details and credentials, and
//! changed between syncs through [`SimTenant`].

mod detected;
mod members;
mod record;
mod skus;
mod users;

use std::path::Path;

use chrono::Utc;
use rusqlite::{Connection, OptionalExtension, params};

use super::SimConfig;
use super::error::SimError;
use super::rng::{derived_guid, random_text};
use crate::demo::{self, DemoOptions};
use crate::store::{self, OpenMode, begin_write};

pub use members::Member;
pub(crate) use record::{now_ms, record_license_changes};
pub use skus::CapabilityStatus;
pub use users::{NewUser, SimUser};

const SCHEMA: &str = include_str!("schema.sql");

/// How the simulated Intune answers reads of detected apps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetectedAppsAccess {
    /// The app registration holds DeviceManagementManagedDevices.Read.All.
    Granted,
    /// It does not: both reads answer 403.
    Forbidden,
    /// It does, but each app's `managedDevices` answers 503 (with
    /// `Retry-After: 0`) however often it is asked: a read that fails
    /// midway, after the list of apps.
    Unavailable,
}

impl DetectedAppsAccess {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            DetectedAppsAccess::Granted => "granted",
            DetectedAppsAccess::Forbidden => "forbidden",
            DetectedAppsAccess::Unavailable => "unavailable",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<DetectedAppsAccess> {
        [Self::Granted, Self::Forbidden, Self::Unavailable]
            .into_iter()
            .find(|a| a.as_str() == text)
    }
}

/// What a client needs to sign in to the simulated tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The directory (tenant) id, a GUID derived from the seed.
    pub tenant_id: String,
    /// The organization's name (`organization.displayName`).
    pub tenant_name: String,
    /// Its verified domain; the token endpoint accepts it for the tenant id.
    pub domain: String,
    /// Its initial `*.onmicrosoft.com` domain, accepted too.
    pub initial_domain: String,
    /// The application (client) id.
    pub client_id: String,
    /// The client secret, generated when the tenant was built.
    pub client_secret: String,
}

/// Opens or builds the tenant of `config` and returns its credentials.
pub(crate) fn prepare(config: &SimConfig) -> Result<Credentials, SimError> {
    let mut conn = store::open(&config.state, OpenMode::Create)?;
    if has_tenant(&conn)? && !is_sim_state(&conn)? {
        return Err(SimError::NotSimState {
            path: config.state.clone(),
        });
    }
    conn.execute_batch(SCHEMA)?;
    let options = DemoOptions {
        users: config.users,
        seed: config.seed,
        now: config.built_at.unwrap_or_else(Utc::now),
        actor: "sim".to_owned(),
    };
    demo::generate(&mut conn, &options, &mut |_| {})?;
    complete(&mut conn, config.seed)?;
    detected::prepare(&mut conn, config.seed)?;
    super::store_business::prepare(&mut conn, config.seed, options.now)?;
    credentials(&conn)
}

fn has_tenant(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row("SELECT count(*) > 0 FROM tenant", [], |row| row.get(0))
}

fn is_sim_state(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'sim_meta'",
        [],
        |row| row.get(0),
    )
}

/// Adds what the generator does not write, once (under the write lock, so
/// two processes starting on one new file agree).
fn complete(conn: &mut Connection, seed: u64) -> Result<(), SimError> {
    let tx = begin_write(conn)?;
    if meta(&tx, "tenant_id")?.is_some() {
        return Ok(());
    }
    for (table, kind) in [("users", "user"), ("groups", "group"), ("devices", "device")] {
        fill_object_ids(&tx, table, kind, seed)?;
    }
    let mut stmt = tx.prepare(
        "INSERT INTO sim_skus (pool_id, capability_status, subscription_id) \
         SELECT id, CASE status WHEN 'warning' THEN 'Warning' WHEN 'suspended' THEN 'Suspended' \
         WHEN 'disabled' THEN 'LockedOut' ELSE 'Enabled' END, ?2 FROM pools WHERE id = ?1",
    )?;
    for pool in graph_pool_ids(&tx)? {
        stmt.execute(params![pool, derived_guid(seed, "subscription", pool)])?;
    }
    drop(stmt);
    let values = [
        ("tenant_id", derived_guid(seed, "tenant", 0)),
        ("client_id", derived_guid(seed, "client", 0)),
        ("client_secret", random_text(40)),
        ("seed", seed.to_string()),
        ("delta_epoch_ms", "0".to_owned()),
    ];
    for (key, value) in values {
        tx.execute(
            "INSERT INTO sim_meta (key, value) VALUES (?1, ?2)",
            params![key, value],
        )?;
    }
    tx.commit()?;
    Ok(())
}

fn graph_pool_ids(conn: &Connection) -> rusqlite::Result<Vec<i64>> {
    let mut stmt =
        conn.prepare("SELECT id FROM pools WHERE source = 'graph' AND sku_id IS NOT NULL ORDER BY id")?;
    let rows = stmt.query_map([], |row| row.get(0))?;
    rows.collect()
}

/// Gives every row of `table` without a source id a GUID derived from the
/// seed and its row id.
fn fill_object_ids(conn: &Connection, table: &str, kind: &str, seed: u64) -> rusqlite::Result<()> {
    let missing: Vec<i64> = {
        let sql = format!("SELECT id FROM {table} WHERE source_id IS NULL OR source_id = ''");
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map([], |row| row.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut update = conn.prepare(&format!("UPDATE {table} SET source_id = ?2 WHERE id = ?1"))?;
    for id in missing {
        update.execute(params![id, derived_guid(seed, kind, id)])?;
    }
    Ok(())
}

/// One value of `sim_meta`.
pub(crate) fn meta(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT value FROM sim_meta WHERE key = ?1", [key], |row| {
        row.get(0)
    })
    .optional()
}

/// The tenant's credentials, from the state file.
pub(crate) fn credentials(conn: &Connection) -> Result<Credentials, SimError> {
    let get = |key: &str| -> Result<String, SimError> {
        meta(conn, key)?.ok_or_else(|| SimError::Unknown {
            what: "setting",
            key: key.to_owned(),
        })
    };
    let (name, domain): (String, String) =
        conn.query_row("SELECT name, domain FROM tenant WHERE id = 1", [], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?;
    let initial: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
    Ok(Credentials {
        tenant_id: get("tenant_id")?,
        initial_domain: format!("{}.onmicrosoft.com", initial.to_lowercase()),
        tenant_name: name,
        domain,
        client_id: get("client_id")?,
        client_secret: get("client_secret")?,
    })
}

/// The simulated tenant in its state file, to read and to change the way
/// an admin or the directory would between syncs. Every change is recorded
/// so `users/delta` reports it.
pub struct SimTenant {
    conn: Connection,
}

impl SimTenant {
    /// Opens the tenant of a simulator's state file.
    pub fn open(path: &Path) -> Result<SimTenant, SimError> {
        let conn = store::open(path, OpenMode::MustExist)?;
        if !is_sim_state(&conn)? || meta(&conn, "tenant_id")?.is_none() {
            return Err(SimError::NotSimState {
                path: path.to_owned(),
            });
        }
        Ok(SimTenant { conn })
    }

    /// The connection, for queries a test wants to make itself.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The credentials the simulator accepts for this tenant.
    pub fn credentials(&self) -> Result<Credentials, SimError> {
        credentials(&self.conn)
    }

    /// Users Graph lists (not deleted).
    pub fn user_count(&self) -> Result<u64, SimError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM users WHERE deleted = 0", [], |row| {
                row.get(0)
            })?;
        Ok(n.max(0) as u64)
    }

    /// Makes every delta link handed out so far expired (`syncStateNotFound`).
    pub fn expire_delta_tokens(&mut self) -> Result<(), SimError> {
        let now = now_ms().to_string();
        self.conn.execute(
            "INSERT OR REPLACE INTO sim_meta (key, value) VALUES ('delta_epoch_ms', ?1)",
            [now],
        )?;
        Ok(())
    }

    /// Changes what the app registration may do with Intune's detected
    /// apps from the next request on (the simulator's setting until then).
    pub fn set_detected_apps_access(&mut self, access: DetectedAppsAccess) -> Result<(), SimError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO sim_meta (key, value) VALUES ('detected_apps_access', ?1)",
            [access.as_str()],
        )?;
        Ok(())
    }

    /// Revokes every access token handed out so far (the next Graph call
    /// with one answers 401).
    pub fn expire_access_tokens(&mut self) -> Result<(), SimError> {
        self.conn.execute("DELETE FROM sim_tokens", [])?;
        self.conn.execute("DELETE FROM sim_store_tokens", [])?;
        Ok(())
    }
}
