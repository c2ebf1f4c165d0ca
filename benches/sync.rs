//! Syncing at 100,000 users against the in-process Graph simulator over
//! loopback (issue 7): a first full pull while keys go through the console's
//! update + render on this thread, a delta pull after 1 % of users changed,
//! and a push of 1,000 queued single-user changes. Run:
//! `cargo bench --bench sync` (add `-- --users N` for another size).
//! `-- --dir DIR` keeps the demo cache and the simulated tenant in DIR and
//! reuses them on the next run (each run pulls into a fresh copy of the
//! demo cache); `-- --first-only` stops after the first full pull. With
//! `RUST_LOG=seats=debug` the pulling child logs each commit step's time.
//! `-- --no-keys` skips the second full pull (the one with the console's
//! keys), so the delta pull follows the first one (at 1M, each full pull is
//! minutes). `-- --dir DIR --pulled` goes straight to the delta pull and
//! the push, on the cache an earlier run in DIR pulled into.
//! Figures go to BENCHMARKS.md by hand; nothing here is asserted.
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
use seats::app::sync::{PushOutcome, SyncOutcome};
use seats::app::{AppState, Command as AppCommand, Msg, PaneId, WorkerEvent, update};
use seats::domain::Principal;
use seats::headless::console_state;
use seats::sim::{SimConfig, SimHandle, Simulator};
use seats::store::changes::{self, Actor};
use seats::store::connectors_admin::{self, GraphSettings};
use seats::store::{self, OpenMode};
use seats::ui::{self, theme::Theme};
use seats::worker::fetch_rows;
use seats::worker::syncs::{Start, Syncs, Trigger};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

/// The part number the push benchmark assigns (no plan conflicts).
const PUSHED_SKU: &str = "ATP_ENTERPRISE";

struct Bench {
    runtime: tokio::runtime::Runtime,
    sim: SimHandle,
    db: std::path::PathBuf,
    connector: i64,
    syncs: Syncs,
    events: UnboundedReceiver<WorkerEvent>,
}

fn main() {
    if let Some(at) = std::env::args().position(|a| a == "--pull-child") {
        let args: Vec<String> = std::env::args().skip(at + 1).collect();
        pull_child(Path::new(&args[0]), args[1].parse().unwrap());
        return;
    }
    let users = common::users_arg();
    let temp = tempfile::tempdir().unwrap();
    let kept = arg_after("--dir").map(std::path::PathBuf::from);
    let dir = kept.as_deref().unwrap_or(temp.path());
    println!("# seats sync benchmarks: {users} users on {}", common::machine());
    let pulled = std::env::args().any(|a| a == "--pulled");
    let mut bench = setup(dir, users, pulled);
    if !pulled {
        first_pull_in_a_process_of_its_own(&bench);
    }
    if std::env::args().any(|a| a == "--first-only") {
        return;
    }
    // `--no-keys` (for 1M): the delta pull follows the first pull at once.
    if !std::env::args().any(|a| a == "--no-keys") {
        // Forget the delta link: the next pull reads everything again.
        let conn = store::open(&bench.db, OpenMode::MustExist).unwrap();
        connectors_admin::set_delta_link(&conn, bench.connector, None).unwrap();
        full_pull_with_keys(&mut bench);
    }
    delta_pull(&mut bench);
    push_thousand(&mut bench);
}

/// The argument after `flag`, if any.
fn arg_after(flag: &str) -> Option<String> {
    std::env::args().skip_while(|a| a != flag).nth(1)
}

/// A memory figure of this process from /proc/self/status, in MB.
fn memory_mb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// The demo cache in `dir/demo.db` (built unless there; the instant it was
/// built is kept beside it), copied to `dir/bench.db` for this run; with
/// `pulled`, the `dir/bench.db` an earlier run pulled into is used as it is.
fn demo_cache(dir: &Path, users: u32, pulled: bool) -> (std::path::PathBuf, chrono::DateTime<Utc>) {
    let demo = dir.join("demo.db");
    let stamp = dir.join("demo.built");
    let built = std::fs::read_to_string(&stamp)
        .ok()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t.trim()).ok());
    let now = match built {
        Some(at) if demo.exists() => {
            println!("demo cache reused from {}", demo.display());
            at.with_timezone(&Utc)
        }
        _ => {
            let (conn, options) = common::build_demo(&demo, users);
            conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
            std::fs::write(&stamp, options.now.to_rfc3339()).unwrap();
            options.now
        }
    };
    let db = dir.join("bench.db");
    if pulled && db.exists() {
        println!("cache already pulled reused from {}", db.display());
        return (db, now);
    }
    for end in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{end}", db.display()));
    }
    std::fs::copy(&demo, &db).unwrap();
    (db, now)
}

fn setup(dir: &Path, users: u32, pulled: bool) -> Bench {
    let (db, built_at) = demo_cache(dir, users, pulled);
    let conn = store::open(&db, OpenMode::MustExist).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    let mut config = SimConfig::new(dir.join("sim.db"), users);
    config.seed = common::SEED;
    // The very tenant the demo cache holds: its dates are measured from the
    // same instant (else every sign-in time differs by the minute between).
    config.built_at = Some(built_at);
    let sim = Simulator::start(config, runtime.handle()).unwrap();
    println!(
        "simulated tenant built in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let secret = dir.join("graph.secret");
    std::fs::write(&secret, &sim.credentials().client_secret).unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    let credentials = sim.credentials();
    let mut settings = GraphSettings::new(
        "Microsoft Graph",
        &credentials.tenant_id,
        &credentials.client_id,
        secret.to_str().unwrap(),
    );
    settings.graph_url = sim.graph_url().to_owned();
    settings.login_url = sim.login_url().to_owned();
    let connector = connectors_admin::find_connector(&conn, "Microsoft Graph")
        .unwrap()
        .unwrap();
    // Configuring clears the delta link; a cache pulled before keeps its
    // link, moved to this run's simulator port.
    let kept_link = connectors_admin::connector_config(&conn, connector)
        .unwrap()
        .and_then(|c| c.delta_link)
        .filter(|_| pulled);
    connectors_admin::configure_graph(&conn, connector, &settings).unwrap();
    if let Some(link) = kept_link {
        let mut url = reqwest::Url::parse(&link).unwrap();
        let port = reqwest::Url::parse(sim.graph_url()).unwrap().port();
        url.set_port(port).unwrap();
        connectors_admin::set_delta_link(&conn, connector, Some(url.as_str())).unwrap();
    }
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    let (tx, events) = unbounded_channel();
    let syncs = Syncs::new(db.clone(), runtime.handle().clone(), tx, false);
    Bench {
        runtime,
        sim,
        db,
        connector,
        syncs,
        events,
    }
}

/// The first full pull, alone in a child process (this benchmark run
/// with `--pull-child DB CONNECTOR`), so its peak memory is the sync's own:
/// the simulator stays in this process and serves it over loopback.
fn first_pull_in_a_process_of_its_own(bench: &Bench) {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .arg("--pull-child")
        .arg(&bench.db)
        .arg(bench.connector.to_string())
        .stderr(std::process::Stdio::inherit())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    print!("{}", String::from_utf8_lossy(&out.stdout));
}

/// The child's side: one sync as `seats sync` runs it, then its figures.
fn pull_child(db: &Path, connector: i64) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .try_init();
    let rss_before = memory_mb("VmRSS:");
    let started = Instant::now();
    let options = seats::worker::sync::SyncOptions::default();
    // Each stage's start, with the time and peak memory so far (stderr).
    let mut last_stage = String::new();
    let mut stages = |p: seats::worker::sync::SyncProgress| {
        if p.stage != last_stage {
            eprintln!(
                "  [{:7.1} s, VmHWM {:4.0} MB] {}",
                started.elapsed().as_secs_f64(),
                memory_mb("VmHWM:").unwrap_or(0.0),
                p.stage
            );
            last_stage = p.stage;
        }
    };
    let report =
        seats::worker::sync::sync_connector(db, connector, options, runtime.handle(), &mut stages).unwrap();
    println!(
        "first full pull, in a process of its own: {:.1} s ({}); RSS {:.0} MB before, peak (VmHWM) {:.0} MB",
        started.elapsed().as_secs_f64(),
        report.describe(),
        rss_before.unwrap_or(0.0),
        memory_mb("VmHWM:").unwrap_or(0.0)
    );
}

/// One key through update + render, as the console's loop runs it; the
/// window queries it causes are served afterwards (the reader thread's
/// work, not in the key's path). Returns update + render time.
fn press(
    state: &mut AppState,
    conn: &rusqlite::Connection,
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
            update(
                state,
                Msg::Worker(WorkerEvent::Page {
                    pane: fetch.pane,
                    generation: fetch.generation,
                    page,
                }),
            );
        }
    }
    took
}

fn full_pull_with_keys(bench: &mut Bench) {
    let conn = store::open(&bench.db, OpenMode::MustExist).unwrap();
    let mut state = console_state(&conn, PaneId::Users, (80, 24), "bench", Utc::now()).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let rss_before = memory_mb("VmRSS:");
    // Reset the peak (Linux): the pull is measured on its own.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
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
            // A progress event costs a frame too.
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
        // About a hundred keys a second: a fast typist holding j.
        std::thread::sleep(Duration::from_millis(10));
    };
    let peak = memory_mb("VmHWM:");
    let SyncOutcome::Done { summary: what } = outcome else {
        panic!("the full pull failed: {outcome:?}");
    };
    println!(
        "full pull with the console's keys: {:.1} s ({what}); process RSS {:.0} MB before, peak {:.0} MB \
         during the pull (simulator, sync and console state in one process)",
        took.as_secs_f64(),
        rss_before.unwrap_or(0.0),
        peak.unwrap_or(0.0)
    );
    let seats: i64 = conn
        .query_row("SELECT count(*) FROM assignments", [], |r| r.get(0))
        .unwrap();
    println!("  the cache holds {seats} seats after it");
    summary("key (j/k in Users) while the pull runs: update+render", keys);
    summary("sync progress event: update+render", frames);
}

fn finish_sync(bench: &mut Bench) -> (Duration, String) {
    let started = Instant::now();
    // The worker sends SyncFinished a moment before it forgets the job: a
    // sync asked for in between would be taken for the one that ended.
    while bench.syncs.sync(bench.connector, Trigger::Asked) == Start::AlreadySyncing {
        std::thread::sleep(Duration::from_millis(5));
    }
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

fn delta_pull(bench: &mut Bench) {
    let changed = bench.sim.tenant().unwrap().change_users(0.01).unwrap();
    let (took, what) = finish_sync(bench);
    println!(
        "delta pull after {changed} users changed: {:.2} s ({what})",
        took.as_secs_f64()
    );
}

fn push_thousand(bench: &mut Bench) {
    const CHANGES: usize = 1_000;
    let conn = store::open(&bench.db, OpenMode::MustExist).unwrap();
    // The source sells enough seats, and the cache learns of them.
    {
        let mut tenant = bench.sim.tenant().unwrap();
        let held = tenant.held_seats(PUSHED_SKU).unwrap();
        tenant
            .set_prepaid_units(PUSHED_SKU, held + CHANGES as i64 + 10)
            .unwrap();
    }
    let (took, _) = finish_sync(bench);
    println!("delta pull after a SKU change: {:.2} s", took.as_secs_f64());
    let pool: i64 = conn
        .query_row(
            "SELECT id FROM pools WHERE sku_part_number = ?1",
            [PUSHED_SKU],
            |r| r.get(0),
        )
        .unwrap();
    let users: Vec<i64> = conn
        .prepare(
            "SELECT id FROM users u WHERE enabled = 1 AND deleted = 0 AND usage_location IS NOT NULL \
             AND source_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM assignments a \
             WHERE a.pool_id = ?1 AND a.user_id = u.id) ORDER BY id LIMIT ?2",
        )
        .unwrap()
        .query_map(rusqlite::params![pool, CHANGES as i64], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let actor = Actor::new("bench");
    for user in &users {
        let outcome = changes::assign(&conn, &actor, pool, &[Principal::User(*user)]).unwrap();
        assert!(outcome.queued);
    }
    let started = Instant::now();
    bench.syncs.push(bench.connector);
    let outcome = loop {
        let event = bench.runtime.block_on(bench.events.recv()).unwrap();
        if let WorkerEvent::Pushed { outcome, .. } = event {
            break outcome;
        }
    };
    let took = started.elapsed();
    let PushOutcome::Sent {
        applied,
        refused,
        retrying,
        ..
    } = outcome
    else {
        panic!("the push failed: {outcome:?}");
    };
    println!(
        "push of {} queued single-user changes: {:.2} s ({applied} applied, {} refused, {retrying} to retry)",
        users.len(),
        took.as_secs_f64(),
        refused.len()
    );
}
