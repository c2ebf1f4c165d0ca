//! The commit of a detected-apps read: the staged names through the
//! catalog, the staged devices onto the cache's computers, then the
//! connector's inventory rows replaced. Runs inside the caller's
//! transaction.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use crate::store::catalog::{Catalog, Made};
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
    let (apps, made) = map_names(tx)?;
    let mut outcome = DetectedOutcome {
        apps,
        made,
        ..DetectedOutcome::default()
    };
    let (computers, created) = map_devices(tx)?;
    outcome.computers = computers;
    outcome.computers_created = created;
    outcome.replaced = tx.execute("DELETE FROM inventory WHERE connector_id = ?1", [connector_id])?;
    // One row per computer, raw name and version; its last seen is the
    // device's last check-in, its user the device's primary user.
    outcome.installs = tx.execute(
        "INSERT INTO inventory (device_id, product_id, version, detected_at, raw_name_id, user_upn, connector_id) \
         SELECT dm.device_id, am.product_id, a.version, max(coalesce(d.last_seen, ?2)), am.raw_id, \
                max(d.upn), ?1 \
         FROM temp.detected_installs_stage i \
         JOIN temp.detected_apps_stage a ON a.idx = i.app \
         JOIN temp.detected_app_map am ON am.idx = i.app \
         JOIN temp.detected_devices_stage d ON d.source_id = i.device \
         JOIN temp.detected_device_map dm ON dm.source_id = i.device \
         GROUP BY dm.device_id, am.raw_id, ifnull(a.version, '')",
        params![connector_id, stamp(now)],
    )?;
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
fn map_devices(tx: &Connection) -> rusqlite::Result<(usize, usize)> {
    let mut by_serial: HashMap<String, i64> = HashMap::new();
    let mut by_name: HashMap<String, i64> = HashMap::new();
    {
        let mut stmt = tx.prepare("SELECT id, name, serial_number FROM devices ORDER BY managed DESC, id")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })?;
        for row in rows {
            let (id, name, serial) = row?;
            by_name.entry(name.to_lowercase()).or_insert(id);
            if let Some(serial) = serial {
                by_serial.entry(serial.to_uppercase()).or_insert(id);
            }
        }
    }
    let staged: Vec<(String, String, Option<String>, String)> = {
        let mut stmt = tx.prepare(
            "SELECT source_id, name, serial, os FROM temp.detected_devices_stage ORDER BY source_id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut create =
        tx.prepare("INSERT INTO devices (name, os, managed, serial_number) VALUES (?1, ?2, 1, ?3)")?;
    let mut map =
        tx.prepare("INSERT INTO temp.detected_device_map (source_id, device_id) VALUES (?1, ?2)")?;
    let mut created = 0;
    let mut computers = std::collections::HashSet::new();
    for (source_id, name, serial, os) in staged {
        let serial = serial.map(|s| s.to_uppercase());
        let known = serial
            .as_ref()
            .and_then(|s| by_serial.get(s))
            .or_else(|| by_name.get(&name.to_lowercase()))
            .copied();
        let id = match known {
            Some(id) => id,
            None => {
                create.execute(params![name, os, serial])?;
                let id = tx.last_insert_rowid();
                by_name.insert(name.to_lowercase(), id);
                if let Some(serial) = serial {
                    by_serial.insert(serial, id);
                }
                created += 1;
                id
            }
        };
        computers.insert(id);
        map.execute(params![source_id, id])?;
    }
    Ok((computers.len(), created))
}
