//! The commit of a detected-apps read: the staged names through the
//! catalog, the staged devices onto the cache's computers, then the
//! connector's inventory rows replaced. Runs inside the caller's
//! transaction.

use chrono::{DateTime, Utc};
use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, OptionalExtension as _, params};

use crate::store::catalog::{Catalog, Made};
use crate::store::db::unix_time;
use crate::store::sync_state::stamp;

/// What a read wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct DetectedOutcome {
    /// Detected apps read (a name and version each).
    pub apps: usize,
    /// Inventory rows written (one per computer, name and version).
    pub installs: usize,
    /// Distinct computers they are on.
    pub computers: usize,
    /// Computers the cache did not know, created (managed).
    pub computers_created: usize,
    /// The connector's rows the read replaced.
    pub replaced: usize,
    pub made: Made,
}

/// Replaces the connector's rows with the staged read.
pub(super) fn replace(
    tx: &Connection,
    connector_id: i64,
    now: DateTime<Utc>,
) -> rusqlite::Result<DetectedOutcome> {
    let started = std::time::Instant::now();
    let (apps, made) = map_names(tx)?;
    let mut outcome = DetectedOutcome {
        apps,
        made,
        ..DetectedOutcome::default()
    };
    let (computers, created) = map_devices(tx)?;
    outcome.computers = computers;
    outcome.computers_created = created;
    tracing::debug!(took = ?started.elapsed(), computers, "detected apps: devices mapped");
    outcome.replaced = tx.execute("DELETE FROM inventory WHERE connector_id = ?1", [connector_id])?;
    tracing::debug!(took = ?started.elapsed(), "detected apps: old rows deleted");
    // One row per computer, raw name and version; its last seen is the
    // device's last check-in, its user the device's primary user.
    outcome.installs = tx.execute(
        concat!(
            "INSERT INTO inventory (device_id, product_id, version, detected_unix, raw_name_id, user_upn, \
             connector_id) SELECT d.device_id, am.product_id, a.version, ",
            unix_time!("max(coalesce(d.last_seen, ?2))"),
            ", am.raw_id, max(d.upn), ?1 \
         FROM temp.detected_installs_stage i \
         JOIN temp.detected_apps_stage a ON a.idx = i.app \
         JOIN temp.detected_app_map am ON am.idx = i.app \
         JOIN temp.detected_device_map d ON d.idx = i.device \
         GROUP BY d.device_id, am.raw_id, ifnull(a.version, '')"
        ),
        params![connector_id, stamp(now)],
    )?;
    tracing::debug!(took = ?started.elapsed(), "detected apps: rows inserted");
    Ok(outcome)
}

/// Each staged app's raw name and title, made in the catalog when new;
/// returns the apps mapped and what the catalog made.
fn map_names(tx: &Connection) -> rusqlite::Result<(usize, Made)> {
    let mut catalog = Catalog::load(tx)?;
    let apps: Vec<(i64, String, String)> = {
        let mut stmt =
            tx.prepare("SELECT idx, publisher, name FROM temp.detected_apps_stage ORDER BY idx")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut insert =
        tx.prepare("INSERT INTO temp.detected_app_map (idx, raw_id, product_id) VALUES (?1, ?2, ?3)")?;
    for (idx, publisher, name) in &apps {
        let publisher = catalog.publisher(tx, publisher)?;
        let (raw_id, product, _) = catalog.raw_name(tx, publisher, name)?;
        insert.execute(params![idx, raw_id, product])?;
    }
    Ok((apps.len(), catalog.made))
}

/// Each staged device onto a computer of the cache: by serial number,
/// else by name (a managed one first, then the oldest), as an import
/// matches; a computer the cache does not know is created, managed.
/// Returns (distinct computers, computers created).
///
/// The cache's computers are looked up in two TEMP tables, not in memory:
/// at a million users (1.2M computers, 0.9M of them reported) the maps and
/// the staged list held in memory took the sync to 342 MB. The staged
/// devices are read one at a time in source id order.
fn map_devices(tx: &Connection) -> rusqlite::Result<(usize, usize)> {
    tx.create_scalar_function(
        "seats_upper",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| Ok(ctx.get::<Option<String>>(0)?.map(|text| text.to_uppercase())),
    )?;
    // In (managed first, oldest) order, the first computer of a key stays.
    tx.execute_batch(
        "INSERT OR IGNORE INTO temp.detected_by_serial (serial, device_id) \
           SELECT seats_upper(serial_number), id FROM devices WHERE serial_number IS NOT NULL \
           ORDER BY managed DESC, id; \
         INSERT OR IGNORE INTO temp.detected_by_name (name, device_id) \
           SELECT seats_fold(name), id FROM devices ORDER BY managed DESC, id;",
    )?;
    let mut staged = tx.prepare(
        "SELECT idx, name, serial, os, last_seen, upn FROM temp.detected_devices_stage ORDER BY source_id",
    )?;
    let mut by_serial = tx.prepare("SELECT device_id FROM temp.detected_by_serial WHERE serial = ?1")?;
    let mut by_name = tx.prepare("SELECT device_id FROM temp.detected_by_name WHERE name = ?1")?;
    let mut create =
        tx.prepare("INSERT INTO devices (name, os, managed, serial_number) VALUES (?1, ?2, 1, ?3)")?;
    let mut remember_serial =
        tx.prepare("INSERT OR REPLACE INTO temp.detected_by_serial (serial, device_id) VALUES (?1, ?2)")?;
    let mut remember_name =
        tx.prepare("INSERT OR REPLACE INTO temp.detected_by_name (name, device_id) VALUES (?1, ?2)")?;
    let mut map = tx.prepare(
        "INSERT INTO temp.detected_device_map (idx, device_id, last_seen, upn) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut created = 0;
    let mut rows = staged.query([])?;
    while let Some(row) = rows.next()? {
        let (idx, name, serial, os): (i64, String, Option<String>, String) =
            (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
        let (seen, upn): (Option<String>, Option<String>) = (row.get(4)?, row.get(5)?);
        let serial = serial.map(|s| s.to_uppercase());
        let folded = name.to_lowercase();
        let mut known = match &serial {
            Some(serial) => by_serial.query_row([serial], |r| r.get::<_, i64>(0)).optional()?,
            None => None,
        };
        if known.is_none() {
            known = by_name.query_row([&folded], |r| r.get::<_, i64>(0)).optional()?;
        }
        let id = match known {
            Some(id) => id,
            None => {
                create.execute(params![name, os, serial])?;
                let id = tx.last_insert_rowid();
                remember_name.execute(params![folded, id])?;
                if let Some(serial) = &serial {
                    remember_serial.execute(params![serial, id])?;
                }
                created += 1;
                id
            }
        };
        map.execute(params![idx, id, seen, upn])?;
    }
    let computers: i64 = tx.query_row(
        "SELECT count(DISTINCT device_id) FROM temp.detected_device_map",
        [],
        |r| r.get(0),
    )?;
    Ok((computers as usize, created))
}
