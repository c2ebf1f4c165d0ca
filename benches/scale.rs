//! Benchmarks at 100,000 users and about 1,000,000 assignments.
//! Run: `cargo bench --bench scale` (add `-- --users N` for another size,
//! or `-- --db PATH` to measure an existing cache).
//! Figures go to BENCHMARKS.md by hand; nothing here is asserted.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use common::summary;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::Utc;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use seats::app::{AppState, Command as AppCommand, Msg, PaneId, WorkerEvent, update};
use seats::demo::{DemoOptions, generate};
use seats::headless::console_state;
use seats::store::{self, OpenMode};
use seats::ui::{self, theme::Theme};
use seats::worker::fetch_rows;

fn main() {
    let users = common::users_arg();
    let dir = tempfile::tempdir().unwrap();
    // `-- --db PATH` measures an existing cache (a 1M-user demo takes a
    // minute to build) and skips the generation figures.
    let given = std::env::args().skip_while(|a| a != "--db").nth(1);
    let db = given.map_or_else(|| dir.path().join("bench.db"), PathBuf::from);
    println!("# seats benchmarks: {} on {}", db.display(), common::machine());
    if !db.exists() {
        bench_generation(&db, users);
    }
    bench_snapshot_process(&db);
    bench_keys(&db);
    bench_refresh(&db);
    bench_picker(&db);
    bench_console_memory(&db);
}

fn bench_generation(db: &Path, users: u32) {
    let mut conn = store::open(db, OpenMode::Create).unwrap();
    let options = DemoOptions {
        users,
        seed: 42,
        now: Utc::now(),
        actor: "bench".into(),
    };
    let start = Instant::now();
    let summary = generate(&mut conn, &options, &mut |_| {}).unwrap();
    let elapsed = start.elapsed();
    let rows = summary.users + summary.devices + summary.assignments + summary.inventory;
    println!(
        "demo generation: {} users, {} assignments, {} rows in {:.2} s ({:.0} rows/s)",
        summary.users,
        summary.assignments,
        rows,
        elapsed.as_secs_f64(),
        rows as f64 / elapsed.as_secs_f64()
    );
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    // The shape the demo promises at scale (was an ignored test).
    let one = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    println!(
        "demo shape: largest group {} direct members, {:.1} seats a user, cache file {} MB",
        one("SELECT max(n) FROM (SELECT count(*) AS n FROM group_members GROUP BY group_id)"),
        summary.assignments as f64 / summary.users as f64,
        one("SELECT page_count * page_size FROM pragma_page_count, pragma_page_size") / 1_000_000
    );
}

/// A refresh after another process wrote (data_version): the window is read
/// again around the selected row so the selection stays on it. Compared with
/// the plain window read and with the same position query in raw SQL.
fn bench_refresh(db: &Path) {
    use seats::app::table::TableState;
    let conn = store::open(db, OpenMode::MustExist).unwrap();
    let mut table = TableState::new(PaneId::Users);
    table.keep_visible(10);
    let first = table.restart();
    let page = fetch_rows(&conn, &first).unwrap();
    table.accept(first.generation, page, 10);
    table.select(150, 10);
    let (mut anchored, mut plain, mut raw) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..30 {
        let fetch = table.reload();
        let start = Instant::now();
        let page = fetch_rows(&conn, &fetch).unwrap();
        anchored.push(start.elapsed());
        assert_eq!(page.anchor, Some(150));
        let mut window = fetch.clone();
        window.request.anchor = None;
        let start = Instant::now();
        fetch_rows(&conn, &window).unwrap();
        plain.push(start.elapsed());
        let start = Instant::now();
        let at: i64 = conn
            .query_row(
                "SELECT p FROM (SELECT id, row_number() OVER (ORDER BY upn COLLATE NOCASE, id) - 1 AS p \
                 FROM users) WHERE id = ?1",
                [page.rows[150 - page.offset].id()],
                |r| r.get(0),
            )
            .unwrap();
        raw.push(start.elapsed());
        assert_eq!(at, 150);
        table.accept(fetch.generation, page, 10);
    }
    summary("refresh Users keeping the selection", anchored);
    summary("refresh Users, window only", plain);
    summary("raw SQL: position of one user by UPN", raw);
}

/// Drops the OS page cache when allowed, so the next open reads from disk.
fn drop_page_cache() -> bool {
    Command::new("sync").status().is_ok() && std::fs::write("/proc/sys/vm/drop_caches", "3").is_ok()
}

fn bench_snapshot_process(db: &Path) {
    let binary = env!("CARGO_BIN_EXE_seats");
    let mut samples = Vec::new();
    let mut cold = true;
    for _ in 0..30 {
        cold &= drop_page_cache();
        let start = Instant::now();
        let out = Command::new(binary)
            .args(["snapshot", "licenses", "--db"])
            .arg(db)
            .env("XDG_STATE_HOME", db.parent().unwrap())
            .output()
            .unwrap();
        samples.push(start.elapsed());
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let label = if cold {
        "snapshot licenses (process, page cache dropped)"
    } else {
        "snapshot licenses (process, new file handle)"
    };
    summary(label, samples);
}

/// Runs `key` through update, serves the fetches it causes, and renders.
/// Returns (update + render time, time of the queries it caused).
fn press(
    state: &mut AppState,
    conn: &rusqlite::Connection,
    terminal: &mut Terminal<TestBackend>,
    key: KeyCode,
) -> (Duration, Duration) {
    let start = Instant::now();
    let commands = update(state, Msg::Key(KeyEvent::new(key, KeyModifiers::NONE)));
    terminal.draw(|f| ui::draw(f, state, Theme::plain())).unwrap();
    let ui_time = start.elapsed();
    let query_start = Instant::now();
    for command in commands {
        if let AppCommand::Fetch(fetch) = command {
            let page = fetch_rows(conn, &fetch).unwrap();
            let event = WorkerEvent::Page {
                pane: fetch.pane,
                generation: fetch.generation,
                page,
            };
            update(state, Msg::Worker(event));
        }
    }
    (ui_time, query_start.elapsed())
}

fn bench_keys(db: &Path) {
    let conn = store::open(db, OpenMode::MustExist).unwrap();
    let mut state = console_state(&conn, PaneId::Users, (80, 24), "bench", Utc::now()).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let scenarios: [(&str, Vec<KeyCode>); 4] = [
        (
            "key: move (j/k) in Users, 100k rows",
            [KeyCode::Char('j'); 400]
                .into_iter()
                .chain([KeyCode::Char('k'); 200])
                .collect(),
        ),
        (
            "key: page (PgDn/PgUp) in Users",
            [KeyCode::PageDown; 300]
                .into_iter()
                .chain([KeyCode::PageUp; 100])
                .collect(),
        ),
        ("key: switch pane (Tab)", vec![KeyCode::Tab; 200]),
        ("key: one filter character (Users)", Vec::new()),
    ];
    for (label, keys) in scenarios {
        let mut ui_times = Vec::new();
        let mut query_times = Vec::new();
        if keys.is_empty() {
            state.pane = PaneId::Users;
            for round in 0..20 {
                press(&mut state, &conn, &mut terminal, KeyCode::Char('/'));
                for c in ["smit", "jan", "sa", "lee"][round % 4].chars() {
                    let (u, q) = press(&mut state, &conn, &mut terminal, KeyCode::Char(c));
                    ui_times.push(u);
                    query_times.push(q);
                }
                press(&mut state, &conn, &mut terminal, KeyCode::Esc);
            }
        } else {
            for key in keys {
                let (u, q) = press(&mut state, &conn, &mut terminal, key);
                ui_times.push(u);
                query_times.push(q);
            }
        }
        summary(&format!("{label}: update+render"), ui_times);
        summary(&format!("{label}: its window query"), query_times);
    }
}

fn tmux(socket: &str, args: &[&str]) -> String {
    let out = Command::new("tmux")
        .args(["-L", socket])
        .args(args)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Peak resident memory of the real console after visiting every pane and
/// scrolling the Users view end to end.
fn bench_console_memory(db: &Path) {
    if Command::new("tmux").arg("-V").output().is_err() {
        println!("console peak memory: skipped (no tmux)");
        return;
    }
    let socket = format!("seats-bench-{}", std::process::id());
    let binary: PathBuf = env!("CARGO_BIN_EXE_seats").into();
    let command = format!(
        // The demo was built by "bench", its global administrator.
        "USER=bench XDG_STATE_HOME={} {} --db {}",
        db.parent().unwrap().display(),
        binary.display(),
        db.display()
    );
    tmux(
        &socket,
        &[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "b",
            "-x",
            "80",
            "-y",
            "24",
            &command,
        ],
    );
    std::thread::sleep(Duration::from_secs(2));
    // Every pane, the Users view end to end, a filter, and the picker (whose
    // search index over every user lives in the worker).
    for key in [
        "2", "3", "4", "5", "G", "g", "/", "s", "m", "i", "Escape", "1", "S", "5", "G", "1", "a", "j", "a",
        "n", "Escape",
    ] {
        tmux(&socket, &["send-keys", "-t", "b", key]);
        std::thread::sleep(Duration::from_millis(300));
    }
    let pid = tmux(&socket, &["display-message", "-p", "-t", "b", "#{pane_pid}"]);
    let status = std::fs::read_to_string(format!("/proc/{}/status", pid.trim())).unwrap_or_default();
    let peak = status
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .unwrap_or("VmHWM: unknown");
    println!(
        "console peak memory (VmHWM after all panes, Users end to end, picker): {}",
        peak.trim_start_matches("VmHWM:").trim()
    );
    tmux(&socket, &["kill-server"]);
}

/// Picker type-ahead over every user and group: index build once, then one
/// search per keystroke of several names typed letter by letter.
fn bench_picker(db: &Path) {
    use seats::worker::search::{SearchIndex, SearchScope};
    let conn = store::open(db, OpenMode::MustExist).unwrap();
    let start = Instant::now();
    let mut index = SearchIndex::build(&conn).unwrap();
    println!(
        "picker index build (users + groups + pools): {:.1} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
    let mut samples = Vec::new();
    for name in [
        "jan.smit",
        "sophie de vries",
        "mohammed",
        "li.wei",
        "anna",
        "sales",
        "zz",
        "e",
    ] {
        for end in 1..=name.len() {
            let query = &name[..end];
            let start = Instant::now();
            let (items, _total) = index.search(SearchScope::Principals, query, 200, &[]);
            samples.push(start.elapsed());
            std::hint::black_box(items);
        }
    }
    summary("picker search per keystroke (100k users)", samples);
}
