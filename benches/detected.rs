//! The commit of a Graph connector's detected-apps read (issue 9's
//! inventory from Intune) on a large cache, timed apart from the HTTP read
//! that feeds it in a full pull (issue 11). The read is made up from the
//! cache's own computers, as a tenant's Intune would report them: about 78 %
//! of them, each with two or three of 47 apps (2.2M installs on the 1M
//! demo). Staged page by page as the sync does, then committed; then the
//! same read again (the daily re-read, where nothing changed).
//! Run: `cargo bench --bench detected -- --db PATH` on a copy of a cache
//! (it writes into it). Nothing here is asserted; figures go to
//! BENCHMARKS.md by hand.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::path::PathBuf;
use std::time::Instant;

use chrono::{Duration, TimeZone as _, Utc};
use rusqlite::Connection;
use seats::domain::detected::{DetectedApp, DetectedDevice};
use seats::store::inventory_graph::DetectedStage;
use seats::store::{self, OpenMode, connectors_admin};

const APPS: usize = 47;
/// Devices staged in one transaction, as the sync does.
const STAGE_BATCH: usize = 2_000;

fn main() {
    let db: PathBuf = std::env::args()
        .skip_while(|a| a != "--db")
        .nth(1)
        .map(PathBuf::from)
        .expect("--db PATH (a copy: the bench writes into it)");
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .try_init();
    println!(
        "# detected-apps commit on {} ({})",
        db.display(),
        common::machine()
    );
    let conn = store::open(&db, OpenMode::MustExist).unwrap();
    // The pull's own connection sizes (store::sync's stage).
    conn.execute_batch("PRAGMA main.cache_size = -65536; PRAGMA temp.cache_size = -32768;")
        .unwrap();
    let connector = connectors_admin::find_connector(&conn, "Microsoft Graph")
        .unwrap()
        .expect("the cache has a Microsoft Graph connector");
    let (devices, by_app) = made_up_read(&conn);
    let installs: usize = by_app.iter().map(Vec::len).sum();
    println!(
        "read: {APPS} apps, {installs} installs on {} computers",
        devices.len()
    );
    for run in ["first read", "the same read again"] {
        let started = Instant::now();
        let mut stage = DetectedStage::begin(&conn, connector).unwrap();
        for (app, members) in by_app.iter().enumerate() {
            let index = stage.add_app(&app_named(app)).unwrap();
            for chunk in members.chunks(STAGE_BATCH) {
                let batch: Vec<DetectedDevice> = chunk.iter().map(|&d| devices[d].clone()).collect();
                stage.add_devices(index, &batch).unwrap();
            }
        }
        let staged = started.elapsed();
        let committing = Instant::now();
        let outcome = stage.commit(Utc::now()).unwrap();
        println!(
            "{run}: staged in {:.1} s, committed in {:.1} s ({} installs, {} replaced, {} computers created)",
            staged.as_secs_f64(),
            committing.elapsed().as_secs_f64(),
            outcome.installs,
            outcome.replaced,
            outcome.computers_created
        );
    }
}

fn app_named(app: usize) -> DetectedApp {
    DetectedApp {
        source_id: format!("app-{app}"),
        name: format!("Bench Title {} (64-bit)", app % 40),
        version: Some(format!("{}.{}", 20 + app % 5, app)),
        publisher: Some(format!("Publisher {}", app % 8)),
        platform: Some("windows".into()),
        device_count: None,
    }
}

/// About 78 % of the cache's computers, each with two or three apps.
fn made_up_read(conn: &Connection) -> (Vec<DetectedDevice>, Vec<Vec<usize>>) {
    let seen = Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).unwrap();
    let mut devices = Vec::new();
    let mut by_app = vec![Vec::new(); APPS];
    let mut stmt = conn
        .prepare("SELECT id, name, serial_number, os FROM devices WHERE id % 9 < 7 ORDER BY id")
        .unwrap();
    let mut rows = stmt.query([]).unwrap();
    while let Some(row) = rows.next().unwrap() {
        let id: i64 = row.get(0).unwrap();
        let os: String = row.get(3).unwrap();
        let at = devices.len();
        devices.push(DetectedDevice {
            source_id: format!("{id:08x}-0000-4000-8000-{:012x}", id * 7919),
            name: row.get(1).unwrap(),
            user_upn: Some(format!("user{}@contoso.example", id % 100_000)),
            last_seen: Some(seen - Duration::seconds(id % 86_400)),
            serial_number: row.get(2).unwrap(),
            operating_system: Some(os),
        });
        let apps = if id % 3 == 0 { 3 } else { 2 };
        for j in 0..apps {
            by_app[(id as usize + j * 13) % APPS].push(at);
        }
    }
    (devices, by_app)
}
