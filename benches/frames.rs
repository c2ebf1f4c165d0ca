//! First frames at a million users (issue 11: ≤ 150 ms a pane): for each
//! pane, from opening the cache to the first screen drawn the way the
//! console's reader serves it (the rows first, a count or figures that are
//! a pass over every row afterwards), then to the screen with them. Each run opens
//! a new connection, as a new console does, so no TEMP figures are reused.
//! Run: `cargo bench --bench frames -- --db PATH` (a copy: opening it
//! migrates it), or `-- --users N` to build a demo first; `-- --runs N`.
//! With `-- --raw DIR` (files NAME.sql holding the statements a report
//! runs, spelled out) it also times each report three ways: that SQL run
//! raw on a plain connection, the report in process, and `seats report
//! NAME` as a process (`-- --seats PATH`, the binary to run).
//! Figures go to BENCHMARKS.md by hand; nothing here is asserted.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::Utc;
use seats::app::{AppState, PaneId, update};
use seats::demo::{DemoOptions, generate};
use seats::store::{self, OpenMode};
use seats::ui::{self, theme::Theme};
use seats::worker::fetch_rows;

const PANES: &[PaneId] = &[
    PaneId::Licenses,
    PaneId::Users,
    PaneId::Reclaim,
    PaneId::Groups,
    PaneId::Installs,
    PaneId::Inventory,
    PaneId::Detections,
    PaneId::ReportPurchase,
    PaneId::ReportInstallation,
    PaneId::ReportInventory,
    PaneId::ReportUtilization,
];

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let given = std::env::args().skip_while(|a| a != "--db").nth(1);
    let db = given.map_or_else(|| dir.path().join("bench.db"), PathBuf::from);
    let runs: usize = std::env::args()
        .skip_while(|a| a != "--runs")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(3);
    println!("# first frames: {} on {}", db.display(), common::machine());
    if !db.exists() {
        let mut conn = store::open(&db, OpenMode::Create).unwrap();
        let options = DemoOptions {
            users: common::users_arg(),
            seed: 42,
            now: Utc::now(),
            actor: "bench".into(),
        };
        generate(&mut conn, &options, &mut |_| {}).unwrap();
    }
    let arg = |name: &str| std::env::args().skip_while(|a| a != name).nth(1);
    if let Some(raw) = arg("--raw") {
        for name in ["purchase", "installation", "inventory", "utilization"] {
            reports(&db, Path::new(&raw), arg("--seats").as_deref(), name, runs);
        }
    }
    for &pane in PANES {
        let mut first = Vec::new();
        let mut settled = Vec::new();
        let mut title = String::new();
        for _ in 0..runs {
            let (to_first, to_count, line) = frame(&db, pane);
            first.push(to_first);
            settled.extend(to_count);
            title = line;
        }
        common::summary(&format!("{pane:?}: first frame"), first);
        if !settled.is_empty() {
            common::summary(&format!("{pane:?}: with its count"), settled);
        }
        println!("    {title}");
    }
}

/// Opens the cache and draws `pane`'s first frame; returns the time to it,
/// the time to the counted frame when the count came later, and the first
/// frame's title line.
fn frame(db: &Path, pane: PaneId) -> (Duration, Option<Duration>, String) {
    let start = Instant::now();
    let conn = store::open(db, OpenMode::MustExist).unwrap();
    let mut state = AppState::new(Default::default(), "bench".into(), false, Utc::now());
    state.size = (80, 24);
    state.status = store::status::read(&conn, "bench").unwrap();
    update::show(&mut state, pane);
    let rows = ui::layout::table_rows(80, 24);
    let table = state.table_mut();
    table.keep_visible(rows);
    let mut fetch = table.reload();
    fetch.request.count_later = true;
    let page = fetch_rows(&conn, &fetch).unwrap();
    let pending = page.count_pending();
    table.accept(fetch.generation, page, rows);
    let screen = ui::render_to_string(&state, Theme::plain());
    let to_first = start.elapsed();
    let line = screen.lines().nth(1).unwrap_or("").to_owned();
    if !pending {
        return (to_first, None, line);
    }
    // As the reader: the same window again, with its count and figures.
    fetch.request.count_later = false;
    fetch.request.offset = state.table().window.offset;
    fetch.request.anchor = None;
    let page = fetch_rows(&conn, &fetch).unwrap();
    state.table_mut().accept(fetch.generation, page, rows);
    let _ = ui::render_to_string(&state, Theme::plain());
    (to_first, Some(start.elapsed()), line)
}

/// Times report `name` as raw SQL, in process and as `seats report`.
fn reports(db: &Path, raw: &Path, seats: Option<&str>, name: &str, runs: usize) {
    let sql = std::fs::read_to_string(raw.join(format!("{name}.sql"))).unwrap();
    let now = Utc::now();
    let as_of = now.to_rfc3339();
    let (mut plain, mut inside, mut process) = (Vec::new(), Vec::new(), Vec::new());
    let mut rows = (0, 0);
    for _ in 0..runs {
        let start = Instant::now();
        let conn =
            rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        let statements: Vec<&str> = sql.split(";\n").filter(|s| !s.trim().is_empty()).collect();
        for (index, text) in statements.iter().enumerate() {
            let mut stmt = conn.prepare(text).unwrap();
            for (name, value) in [(":as_of", Some(as_of.clone())), (":scope", None)] {
                if let Some(at) = stmt.parameter_index(name).unwrap() {
                    stmt.raw_bind_parameter(at, value).unwrap();
                }
            }
            let mut cursor = stmt.raw_query();
            let mut n = 0;
            while let Some(row) = cursor.next().unwrap() {
                let _: rusqlite::types::Value = row.get(0).unwrap();
                n += 1;
            }
            if index + 1 == statements.len() {
                rows.0 = n;
            }
        }
        plain.push(start.elapsed());
        let start = Instant::now();
        let conn = store::open(db, OpenMode::MustExist).unwrap();
        let scope = seats::store::reports::Scope { group: None, now };
        rows.1 = match name {
            "purchase" => seats::store::reports::purchase::rows(&conn, &scope)
                .unwrap()
                .len(),
            "installation" => seats::store::reports::installation::rows(&conn, &scope)
                .unwrap()
                .len(),
            "inventory" => seats::store::reports::inventory::rows(&conn, &scope)
                .unwrap()
                .len(),
            _ => seats::store::reports::utilization::rows(&conn, &scope)
                .unwrap()
                .len(),
        };
        inside.push(start.elapsed());
        if let Some(seats) = seats {
            let start = Instant::now();
            let out = std::process::Command::new(seats)
                .args(["report", name, "--format", "csv", "--db"])
                .arg(db)
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            process.push(start.elapsed());
        }
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2].as_secs_f64() * 1e3
    };
    let raw_ms = median(&mut plain);
    println!("report {name}: {} rows raw, {} in process", rows.0, rows.1);
    common::summary(&format!("report {name}: raw SQL"), plain.clone());
    common::summary(&format!("report {name}: in process"), inside.clone());
    let mut line = format!("    in process / raw {:.2}", median(&mut inside) / raw_ms);
    if !process.is_empty() {
        common::summary(&format!("report {name}: seats report"), process.clone());
        line += &format!(", seats report / raw {:.2}", median(&mut process) / raw_ms);
    }
    println!("{line}");
}
