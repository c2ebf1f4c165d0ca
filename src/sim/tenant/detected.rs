//! Intune's detected apps on the simulated tenant (issue 9): derived once
//! from the demo's inventory of managed computers, so they agree with the
//! tenant's devices and their users. One detected app is a product, a
//! version and a platform, as Intune lists them; its name is the product's
//! title as a device reports it, with the architecture suffix Windows
//! installers add drawn from the seed ("… (64-bit)"), so a client has to
//! normalise names to count titles. Each managed computer gets an Intune
//! id and a last check-in (its latest detection).

use rusqlite::{Connection, params};

use crate::sim::rng::{SplitMix, derived_guid};
use crate::store::begin_write;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS sim_detected_apps (
    row             INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    product_id      INTEGER NOT NULL,
    version         TEXT,
    platform        TEXT NOT NULL,
    os              TEXT NOT NULL,
    display_name    TEXT NOT NULL,
    size_in_byte    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sim_managed_devices (
    device_id       INTEGER PRIMARY KEY,
    id              TEXT NOT NULL,
    last_sync       TEXT NOT NULL
);
";

/// What a Windows installer may append to a product's name.
const WINDOWS_SUFFIXES: &[&str] = &["", "", " (64-bit)", " (x64)", " x64"];

/// Derives the detected apps and managed-device ids, once per state file.
pub(crate) fn prepare(conn: &mut Connection, seed: u64) -> rusqlite::Result<()> {
    conn.execute_batch(SCHEMA)?;
    let tx = begin_write(conn)?;
    let done: bool = tx.query_row("SELECT count(*) > 0 FROM sim_managed_devices", [], |r| r.get(0))?;
    if done {
        return Ok(());
    }
    tx.execute(
        "INSERT INTO sim_managed_devices (device_id, id, last_sync) \
         SELECT i.device_id, '', max(i.detected_at) FROM inventory i JOIN devices d ON d.id = i.device_id \
         WHERE d.managed = 1 GROUP BY i.device_id",
        [],
    )?;
    let devices: Vec<i64> = {
        let mut stmt = tx.prepare("SELECT device_id FROM sim_managed_devices ORDER BY device_id")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    {
        let mut update = tx.prepare("UPDATE sim_managed_devices SET id = ?2 WHERE device_id = ?1")?;
        for device in devices {
            update.execute(params![device, derived_guid(seed, "managedDevice", device)])?;
        }
    }
    let apps: Vec<(i64, Option<String>, String, String)> = {
        let mut stmt = tx.prepare(
            "SELECT DISTINCT i.product_id, i.version, d.os, p.title FROM inventory i \
             JOIN sim_managed_devices m ON m.device_id = i.device_id JOIN devices d ON d.id = i.device_id \
             JOIN products p ON p.id = i.product_id ORDER BY i.product_id, i.version, d.os",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    {
        let mut rng = SplitMix::new(seed, "detectedApps");
        let mut insert = tx.prepare(
            "INSERT INTO sim_detected_apps (row, id, product_id, version, platform, os, display_name, size_in_byte) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for (row, (product, version, os, title)) in (1..).zip(apps) {
            let (platform, suffix) = if os == "mac" {
                ("macOS", "")
            } else {
                let pick = (rng.next_u64() % WINDOWS_SUFFIXES.len() as u64) as usize;
                ("windows", WINDOWS_SUFFIXES[pick])
            };
            // Intune's ids of detected apps are 44 hex digits.
            let id = format!(
                "{:016x}{:016x}{:012x}",
                rng.next_u64(),
                rng.next_u64(),
                rng.next_u64() >> 16
            );
            let size = 1_000_000 + (rng.next_u64() % 900_000_000) as i64;
            let name = format!("{title}{suffix}");
            insert.execute(params![row, id, product, version, platform, os, name, size])?;
        }
    }
    tx.commit()
}
