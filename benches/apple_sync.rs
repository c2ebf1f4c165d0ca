//! A full Apple Apps and Books sync at 50,000 users / ~200,000 assignments
//! against the in-process simulator over loopback (issue 8): the sync alone
//! in a process of its own, its read and its write apart (the write beside
//! the same rows inserted with plain SQL), and a full sync while keys go
//! through the console's update + render on this thread. Run:
//! `cargo bench --bench apple_sync` (`-- --users N --assignments M` for
//! another size). Figures go to BENCHMARKS.md by hand; nothing is asserted.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;
use common::summary;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use rusqlite::{Connection, params};
use seats::app::sync::SyncOutcome;
use seats::app::{AppState, Command as AppCommand, Msg, PaneId, WorkerEvent, update};
use seats::headless::console_state;
use seats::sim::{SimConfig, SimHandle, Simulator};
use seats::store::sync_apple::{self, ApplePull};
use seats::store::{self, OpenMode, connectors_admin, connectors_apple};
use seats::ui::{self, theme::Theme};
use seats::worker::fetch_rows;
use seats::worker::syncs::{Syncs, Trigger};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

const CONNECTOR: &str = "Apple VPP";
/// The connector's seat rows (device rows are never the sync's).
const SEATS_OF: &str = "user_id IS NOT NULL AND pool_id IN \
     (SELECT id FROM pools WHERE connector_id = ?1 AND kind = 'vpp')";

struct Bench {
    runtime: tokio::runtime::Runtime,
    _sim: SimHandle,
    db: std::path::PathBuf,
    connector: i64,
    syncs: Syncs,
    events: UnboundedReceiver<WorkerEvent>,
}

fn arg(name: &str, default: u32) -> u32 {
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|a| a == name);
    at.and_then(|i| args.get(i + 1)?.parse().ok()).unwrap_or(default)
}

fn main() {
    if let Some(at) = std::env::args().position(|a| a == "--sync-child") {
        let args: Vec<String> = std::env::args().skip(at + 1).collect();
        sync_child(Path::new(&args[0]), args[1].parse().unwrap());
        return;
    }
    let (users, wanted) = (arg("--users", 50_000), arg("--assignments", 200_000));
    let dir = tempfile::tempdir().unwrap();
    println!(
        "# seats Apple sync benchmark: {users} users on {}",
        common::machine()
    );
    let mut bench = setup(dir.path(), users, wanted);
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .arg("--sync-child")
        .arg(&bench.db)
        .arg(bench.connector.to_string())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    print!("{}", String::from_utf8_lossy(&out.stdout));
    read_and_write_apart(&bench);
    full_sync_with_keys(&mut bench);
    let (took, what) = finish_sync(&mut bench);
    println!(
        "full sync again, nothing changed: {:.1} s ({what})",
        took.as_secs_f64()
    );
}

fn memory_mb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn count(conn: &Connection, sql: &str, connector: i64) -> i64 {
    conn.query_row(sql, [connector], |r| r.get(0)).unwrap()
}

fn setup(dir: &Path, users: u32, wanted: u32) -> Bench {
    let db = dir.join("bench.db");
    let (conn, _) = common::build_demo(&db, users);
    // The simulator's location starts from the demo's VPP seats (plus a
    // tenth as many of another product's users); the knob adds the rest.
    let demo: i64 = conn
        .query_row(
            "SELECT count(*) FROM assignments s JOIN pools p ON p.id = s.pool_id \
             WHERE p.source = 'apple_vpp' AND s.state != 'error'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let extra = (i64::from(wanted) - demo - demo / 10).max(0) as u32;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    let mut config = SimConfig::new(dir.join("sim.db"), users);
    config.seed = common::SEED;
    config.apple_extra_assignments = extra;
    let sim = Simulator::start(config, runtime.handle()).unwrap();
    let location = Connection::open(dir.join("sim.db")).unwrap();
    let sizes: (i64, i64, i64) = location
        .query_row(
            "SELECT (SELECT count(*) FROM sim_apple_assignments WHERE active = 1), \
             (SELECT count(*) FROM sim_apple_users), (SELECT count(*) FROM sim_apple_assets)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    println!(
        "simulated tenant built in {:.1} s: the Apple location holds {} assignments ({demo} from the \
         demo's VPP seats, {extra} extra asked), {} users, {} assets",
        started.elapsed().as_secs_f64(),
        sizes.0,
        sizes.1,
        sizes.2
    );
    sim_paging_sql(&location, sizes.0);
    let token = dir.join("apple.token");
    std::fs::write(&token, sim.apple_token_file().unwrap()).unwrap();
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
    let connector = connectors_admin::find_connector(&conn, CONNECTOR)
        .unwrap()
        .unwrap();
    conn.execute(
        "UPDATE connectors SET api_url = ?1, lookup_url = ?2, endpoint = ?1, secret_ref = ?3 WHERE id = ?4",
        params![
            sim.apple_api_url(),
            sim.apple_lookup_url(),
            token.to_str().unwrap(),
            connector
        ],
    )
    .unwrap();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    let (tx, events) = unbounded_channel();
    let syncs = Syncs::new(db.clone(), runtime.handle().clone(), tx, false);
    Bench {
        runtime,
        _sim: sim,
        db,
        connector,
        syncs,
        events,
    }
}

/// The SQL of `GET /assignments` over every page (pages of 1,000): the
/// simulator's paging before issue 8's fix (a count and an OFFSET page per
/// request), its keyset paging now (one ordered scan of the ids for the
/// page starts, then `id >= start` per page), and one plain SELECT of the
/// same rows: what the read's server side costs at least.
fn sim_paging_sql(location: &Connection, rows: i64) {
    let from = "FROM sim_apple_assignments WHERE active = 1 AND (?1 IS NULL OR version > ?1) \
                AND (?2 IS NULL OR client_user_id = ?2)";
    let columns = "adam_id, pricing, client_user_id, serial_number";
    let none = None::<String>;
    let started = Instant::now();
    let mut page = location
        .prepare(&format!("SELECT {columns} {from} ORDER BY id LIMIT ?3 OFFSET ?4"))
        .unwrap();
    for index in 0..(rows + 999) / 1000 {
        let _: i64 = location
            .query_row(&format!("SELECT count(*) {from}"), params![none, none], |r| {
                r.get(0)
            })
            .unwrap();
        let n = page
            .query_map(params![none, none, 1000, index * 1000], |_| Ok(()))
            .unwrap()
            .count();
        assert!(n > 0);
    }
    let offset = started.elapsed();
    let started = Instant::now();
    let ids: Vec<i64> = location
        .prepare(&format!("SELECT id {from} ORDER BY id"))
        .unwrap()
        .query_map(params![none, none], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut page = location
        .prepare(&format!(
            "SELECT {columns} {from} AND id >= ?3 ORDER BY id LIMIT ?4"
        ))
        .unwrap();
    for start in ids.iter().step_by(1000) {
        let n = page
            .query_map(params![none, none, start, 1000], |_| Ok(()))
            .unwrap()
            .count();
        assert!(n > 0);
    }
    let keyset = started.elapsed();
    let started = Instant::now();
    let mut all = location
        .prepare(&format!("SELECT {columns} {from} ORDER BY id"))
        .unwrap();
    let n = all.query_map(params![none, none], |_| Ok(())).unwrap().count();
    println!(
        "SQL for every /assignments page: before (count + OFFSET) {:.2} s, now (page starts + keyset) {:.2} s; \
         one plain SELECT of the {n} rows: {:.2} s",
        offset.as_secs_f64(),
        keyset.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
}

/// The first full sync, as `seats sync` runs it, in a child process so its
/// peak memory is the sync's own (the simulator serves it from the parent).
fn sync_child(db: &Path, connector: i64) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let rss_before = memory_mb("VmRSS:");
    let started = Instant::now();
    let options = seats::worker::sync::SyncOptions::default();
    let report =
        seats::worker::sync::sync_connector(db, connector, options, runtime.handle(), &mut |_| {}).unwrap();
    println!(
        "first full sync, in a process of its own: {:.1} s ({}); RSS {:.0} MB before, peak (VmHWM) {:.0} MB",
        started.elapsed().as_secs_f64(),
        report.describe(),
        rss_before.unwrap_or(0.0),
        memory_mb("VmHWM:").unwrap_or(0.0)
    );
}

/// The sync's two halves timed apart: reading the location over HTTP, then
/// `sync_apple::apply` writing every seat anew (the connector's seats
/// deleted first), beside the same rows inserted with plain SQL.
fn read_and_write_apart(bench: &Bench) {
    let conn = store::open(&bench.db, OpenMode::MustExist).unwrap();
    let connection = connectors_apple::apple_connection(&conn, bench.connector)
        .unwrap()
        .unwrap();
    let client = seats::worker::sync::apple::apple_client(&bench.db, &connection).unwrap();
    let rt = bench.runtime.handle();
    let started = Instant::now();
    let location = rt.block_on(client.client_config()).unwrap();
    let assets = rt.block_on(client.assets()).unwrap();
    let ids: Vec<&str> = assets.iter().map(|a| a.adam_id.as_str()).collect();
    let metadata = rt.block_on(client.lookup(&ids)).unwrap();
    let at = Instant::now();
    let users = rt.block_on(client.users(None)).unwrap().items;
    let users_took = at.elapsed();
    let at = Instant::now();
    let assignments = rt.block_on(client.assignments(None)).unwrap().items;
    println!(
        "read alone: {:.1} s ({} assets, {} users in {:.1} s, {} assignments in {:.1} s)",
        started.elapsed().as_secs_f64(),
        assets.len(),
        users.len(),
        users_took.as_secs_f64(),
        assignments.len(),
        at.elapsed().as_secs_f64()
    );
    let invite_urls = std::collections::HashMap::new();
    let pull = ApplePull {
        location: &location,
        assets: &assets,
        metadata: &metadata,
        users: &users,
        assignments: &assignments,
        invite_urls: &invite_urls,
        outbox_mark: sync_apple::outbox_mark(&conn).unwrap(),
        started_at: Utc::now(),
    };
    let (mut writes, mut raws) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        conn.execute(
            &format!("DELETE FROM assignments WHERE {SEATS_OF}"),
            [bench.connector],
        )
        .unwrap();
        let started = Instant::now();
        let summary = sync_apple::apply(&conn, bench.connector, &pull, Utc::now()).unwrap();
        writes.push(started.elapsed());
        raws.push(raw_insert(&conn, bench.connector, summary.seats_added));
    }
    let seats = count(
        &conn,
        &format!("SELECT count(*) FROM assignments WHERE {SEATS_OF}"),
        bench.connector,
    );
    summary(&format!("apply: write {seats} seats anew, 1 tx"), writes);
    summary("plain SQL: INSERT the same rows, 1 tx", raws);
    let mut unchanged = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        sync_apple::apply(&conn, bench.connector, &pull, Utc::now()).unwrap();
        unchanged.push(started.elapsed());
    }
    summary("apply: nothing changed, 1 tx", unchanged);
}

/// Deletes the connector's seats and inserts the same rows again with one
/// prepared INSERT each, in one transaction (the triggers that keep
/// `consumed` run as for the sync). Returns the insert's time.
fn raw_insert(conn: &Connection, connector: i64, expected: usize) -> Duration {
    type Stored = rusqlite::types::Value;
    let rows: Vec<(i64, i64, Option<String>, Stored, Stored)> = conn
        .prepare(&format!(
            "SELECT pool_id, user_id, invitation, assigned_unix, assigned_by_code FROM assignments WHERE {SEATS_OF}"
        ))
        .unwrap()
        .query_map([connector], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(rows.len() >= expected);
    conn.execute(&format!("DELETE FROM assignments WHERE {SEATS_OF}"), [connector])
        .unwrap();
    let started = Instant::now();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    let mut insert = conn
        .prepare(
            "INSERT INTO assignments (pool_id, user_id, direct, state_code, invitation, assigned_unix, \
             assigned_by_code) VALUES (?1, ?2, 1, 0, ?3, ?4, ?5)",
        )
        .unwrap();
    for row in &rows {
        insert
            .execute(params![row.0, row.1, row.2, row.3, row.4])
            .unwrap();
    }
    conn.execute_batch("COMMIT").unwrap();
    started.elapsed()
}

/// One key through update + render, as the console's loop runs it; the
/// window queries it causes are served afterwards (the reader thread's
/// work). Returns update + render time.
fn press(
    state: &mut AppState,
    conn: &Connection,
    terminal: &mut Terminal<TestBackend>,
    key: KeyCode,
) -> Duration {
    let start = Instant::now();
    let commands = update(state, Msg::Key(KeyEvent::new(key, KeyModifiers::NONE)));
    terminal.draw(|f| ui::draw(f, state, Theme::plain())).unwrap();
    let took = start.elapsed();
    for command in commands {
        if let AppCommand::Fetch(fetch) = command {
            let page = fetch_rows(conn, &fetch).unwrap();
            let (pane, generation) = (fetch.pane, fetch.generation);
            update(
                state,
                Msg::Worker(WorkerEvent::Page {
                    pane,
                    generation,
                    page,
                }),
            );
        }
    }
    took
}

/// A full sync that writes every seat anew (the connector's seats deleted
/// first) from the console's worker, while `j`/`k` go through the
/// console's update + render at about a hundred keys a second.
fn full_sync_with_keys(bench: &mut Bench) {
    let conn = store::open(&bench.db, OpenMode::MustExist).unwrap();
    conn.execute(
        &format!("DELETE FROM assignments WHERE {SEATS_OF}"),
        [bench.connector],
    )
    .unwrap();
    let mut state = console_state(&conn, PaneId::Users, (80, 24), "bench", Utc::now()).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let started = Instant::now();
    bench.syncs.sync(bench.connector, Trigger::Asked);
    let (mut keys, mut frames) = (Vec::new(), Vec::new());
    let mut round = 0usize;
    let (took, outcome) = loop {
        let mut finished = None;
        while let Ok(event) = bench.events.try_recv() {
            if let WorkerEvent::SyncFinished { outcome, .. } = &event {
                finished = Some((started.elapsed(), outcome.clone()));
            }
            let start = Instant::now();
            update(&mut state, Msg::Worker(event));
            terminal.draw(|f| ui::draw(f, &state, Theme::plain())).unwrap();
            frames.push(start.elapsed());
        }
        if let Some(done) = finished {
            break done;
        }
        let key = if round % 40 < 20 {
            KeyCode::Char('j')
        } else {
            KeyCode::Char('k')
        };
        round += 1;
        keys.push(press(&mut state, &conn, &mut terminal, key));
        std::thread::sleep(Duration::from_millis(10));
    };
    let SyncOutcome::Done { summary: what } = outcome else {
        panic!("the full sync failed: {outcome:?}");
    };
    println!(
        "full sync with the console's keys: {:.1} s ({what})",
        took.as_secs_f64()
    );
    summary("key (j/k in Users) while the sync runs: update+render", keys);
    summary("sync progress event: update+render", frames);
}

fn finish_sync(bench: &mut Bench) -> (Duration, String) {
    let started = Instant::now();
    bench.syncs.sync(bench.connector, Trigger::Asked);
    loop {
        let event = bench.runtime.block_on(bench.events.recv()).unwrap();
        if let WorkerEvent::SyncFinished { outcome, .. } = event {
            let SyncOutcome::Done { summary } = outcome else {
                panic!("the sync failed: {outcome:?}");
            };
            return (started.elapsed(), summary);
        }
    }
}
