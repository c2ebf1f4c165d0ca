//! The inventory a Graph connector reads from Intune's detected apps
//! (issue 9, R-APP-10). Like a pull (`store::sync`), the read is staged
//! page by page in TEMP tables of the sync's own connection (no write lock
//! while Graph is read), then [`DetectedStage::commit`] replaces the
//! connector's inventory rows in ONE IMMEDIATE transaction: a read that
//! fails or is dropped leaves the inventory exactly as it was.
//!
//! Only the connector's own rows (`inventory.connector_id`) are replaced;
//! rows of an inventory file (`seats import inventory`) are never touched,
//! and an import never touches these. Product names go through the same
//! catalog as an import (`store::catalog`): normalised, or mapped by an
//! admin's override, so both sources count one title alike.

mod write;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension as _, Transaction, TransactionBehavior, params};

use super::sync_state::stamp;
use crate::domain::detected::{DetectedApp, DetectedDevice};

pub use write::DetectedOutcome;

/// How long a successful or failed read counts as fresh: incremental syncs
/// within it do not read detected apps again (Intune refreshes them about
/// daily, and a large tenant's read is long).
pub const READ_INTERVAL: chrono::Duration = chrono::Duration::hours(24);

const SCHEMA: &str = "
CREATE TEMP TABLE detected_apps_stage (
    idx         INTEGER PRIMARY KEY,
    publisher   TEXT NOT NULL,
    name        TEXT NOT NULL,
    version     TEXT
);
-- A staged device is named by its idx from here on: the installs and the
-- map join on integers, not on Graph's 36-character ids (issue 11: at a
-- million users the text keys made the commit's joins page through TEMP).
CREATE TEMP TABLE detected_devices_stage (
    idx         INTEGER PRIMARY KEY,
    source_id   TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    serial      TEXT,
    os          TEXT NOT NULL,
    upn         TEXT,
    last_seen   TEXT
);
CREATE TEMP TABLE detected_installs_stage (
    app         INTEGER NOT NULL,
    device      INTEGER NOT NULL
);
CREATE TEMP TABLE detected_app_map (idx INTEGER PRIMARY KEY, raw_id INTEGER NOT NULL, product_id INTEGER NOT NULL);
-- A staged device's computer, with what its rows take from it.
CREATE TEMP TABLE detected_device_map (
    idx         INTEGER PRIMARY KEY,
    device_id   INTEGER NOT NULL,
    last_seen   TEXT,
    upn         TEXT
);
-- The cache's computers by upper-cased serial and by lower-cased name (see write::map_devices).
CREATE TEMP TABLE detected_by_serial (serial TEXT PRIMARY KEY, device_id INTEGER NOT NULL) WITHOUT ROWID;
CREATE TEMP TABLE detected_by_name (name TEXT PRIMARY KEY, device_id INTEGER NOT NULL) WITHOUT ROWID;
";

const TABLES: &[&str] = &[
    "detected_apps_stage",
    "detected_devices_stage",
    "detected_installs_stage",
    "detected_app_map",
    "detected_device_map",
    "detected_by_serial",
    "detected_by_name",
];

/// One detected-apps read being staged. Dropping it without
/// [`commit`](Self::commit) drops the staged pages; the cache is untouched.
pub struct DetectedStage<'c> {
    conn: &'c Connection,
    connector_id: i64,
    apps: i64,
}

impl<'c> DetectedStage<'c> {
    /// Starts a read for the connector on `conn`, the sync's own connection.
    pub fn begin(conn: &'c Connection, connector_id: i64) -> rusqlite::Result<DetectedStage<'c>> {
        drop_all(conn);
        conn.pragma_update(None, "temp_store", "FILE")?;
        conn.execute_batch(SCHEMA)?;
        Ok(DetectedStage {
            conn,
            connector_id,
            apps: 0,
        })
    }

    /// Stages one detected app; its devices follow with [`add_devices`](Self::add_devices)
    /// under the number this returns.
    pub fn add_app(&mut self, app: &DetectedApp) -> rusqlite::Result<i64> {
        self.apps += 1;
        self.conn.execute(
            "INSERT INTO temp.detected_apps_stage (idx, publisher, name, version) VALUES (?1, ?2, ?3, ?4)",
            params![self.apps, app.publisher_or_unknown(), app.name, app.version],
        )?;
        Ok(self.apps)
    }

    /// Stages a page of the devices app `app` was found on. A device met
    /// again (under another app) keeps what it said last.
    pub fn add_devices(&mut self, app: i64, devices: &[DetectedDevice]) -> rusqlite::Result<()> {
        let tx = Transaction::new_unchecked(self.conn, TransactionBehavior::Deferred)?;
        {
            // A device met again keeps what it said last, and its idx.
            let mut device = tx.prepare_cached(
                "INSERT INTO temp.detected_devices_stage (source_id, name, serial, os, upn, last_seen) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (source_id) DO UPDATE SET \
                 name = excluded.name, serial = excluded.serial, os = excluded.os, \
                 upn = excluded.upn, last_seen = excluded.last_seen RETURNING idx",
            )?;
            let mut install =
                tx.prepare_cached("INSERT INTO temp.detected_installs_stage (app, device) VALUES (?1, ?2)")?;
            for d in devices {
                let seen = d.last_seen.map(stamp);
                let idx: i64 = device.query_row(
                    params![d.source_id, d.name, d.serial_number, d.os(), d.user_upn, seen],
                    |row| row.get(0),
                )?;
                install.execute(params![app, idx])?;
            }
        }
        tx.commit()
    }

    /// Replaces the connector's inventory rows with the staged ones, in one
    /// IMMEDIATE transaction, and records the read as done at `now`.
    pub fn commit(self, now: DateTime<Utc>) -> rusqlite::Result<DetectedOutcome> {
        let tx = Transaction::new_unchecked(self.conn, TransactionBehavior::Immediate)?;
        let outcome = write::replace(&tx, self.connector_id, now)?;
        tx.execute(
            "INSERT INTO inventory_reads (connector_id, attempted_at, read_at, error) VALUES (?1, ?2, ?2, NULL) \
             ON CONFLICT (connector_id) DO UPDATE SET attempted_at = ?2, read_at = ?2, error = NULL",
            params![self.connector_id, stamp(now)],
        )?;
        tx.commit()?;
        Ok(outcome)
    }
}

impl Drop for DetectedStage<'_> {
    fn drop(&mut self) {
        drop_all(self.conn);
    }
}

/// Drops the TEMP tables; a failure only leaves them for the next
/// [`DetectedStage::begin`], which drops them again.
fn drop_all(conn: &Connection) {
    for table in TABLES {
        if let Err(err) = conn.execute_batch(&format!("DROP TABLE IF EXISTS temp.{table}")) {
            tracing::warn!(%err, table, "could not drop a detected-apps staging table");
        }
    }
}

/// The last detected-apps read of a connector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastRead {
    /// When a read was last tried (RFC 3339 UTC).
    pub attempted_at: String,
    /// When one last succeeded.
    pub read_at: Option<String>,
    /// Why the last try failed; None when it succeeded.
    pub error: Option<String>,
}

/// The connector's last read, if it ever tried one.
pub fn last_read(conn: &Connection, connector_id: i64) -> rusqlite::Result<Option<LastRead>> {
    conn.query_row(
        "SELECT attempted_at, read_at, error FROM inventory_reads WHERE connector_id = ?1",
        [connector_id],
        |row| {
            Ok(LastRead {
                attempted_at: row.get(0)?,
                read_at: row.get(1)?,
                error: row.get(2)?,
            })
        },
    )
    .optional()
}

/// Whether a read is due at `now`: never tried, or tried longer than
/// [`READ_INTERVAL`] ago.
pub fn read_due(last: Option<&LastRead>, now: DateTime<Utc>) -> bool {
    let Some(last) = last else {
        return true;
    };
    match DateTime::parse_from_rfc3339(&last.attempted_at) {
        Ok(at) => now.signed_duration_since(at.with_timezone(&Utc)) >= READ_INTERVAL,
        Err(_) => true,
    }
}

/// Records a read that failed at `now` (its rows were left as they were).
pub fn record_failure(
    conn: &Connection,
    connector_id: i64,
    error: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO inventory_reads (connector_id, attempted_at, read_at, error) VALUES (?1, ?2, NULL, ?3) \
         ON CONFLICT (connector_id) DO UPDATE SET attempted_at = ?2, error = ?3",
        params![connector_id, stamp(now), error],
    )?;
    Ok(())
}
