//! The Reports view's keystrokes at 100,000 users (issue 9: report pane key
//! p99 ≤ 8 ms): in each of the four reports, moving (j/k, PgDn/PgUp),
//! sorting (s, S) and typing a filter, each key timed from `update`
//! through the draw and the window query it asks for.
//! Run: `cargo bench --bench report_pane` (`-- --users N` for another size).
//! Figures go to BENCHMARKS.md by hand; nothing here is asserted.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use common::console::press_served;

use std::time::Duration;

use chrono::Utc;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use rusqlite::Connection;
use seats::app::{AppState, PaneId};
use seats::demo::{DemoOptions, generate};
use seats::headless::console_state;
use seats::store::{self, OpenMode};

fn main() {
    let users = common::users_arg();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bench.db");
    println!("# report pane keys: {users} users on {}", common::machine());
    let mut conn = store::open(&db, OpenMode::Create).unwrap();
    let options = DemoOptions {
        users,
        seed: 42,
        now: Utc::now(),
        actor: "bench".into(),
    };
    let summary = generate(&mut conn, &options, &mut |_| {}).unwrap();
    println!(
        "demo: {} users, {} devices, {} inventory rows",
        summary.users, summary.devices, summary.inventory
    );
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    let mut state = console_state(&conn, PaneId::Licenses, (80, 24), "bench", Utc::now()).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let mut every = Vec::new();
    for (key, name) in [
        ('1', "purchase"),
        ('2', "installation"),
        ('3', "inventory"),
        ('4', "utilization"),
    ] {
        type_line(&mut state, &conn, &mut terminal, ":reports");
        press_served(&mut state, &conn, &mut terminal, KeyCode::Enter);
        press_served(&mut state, &conn, &mut terminal, KeyCode::Char(key));
        let moves: Vec<KeyCode> = [KeyCode::Char('j'); 60]
            .into_iter()
            .chain([KeyCode::PageDown; 10])
            .chain([KeyCode::PageUp; 10])
            .chain([KeyCode::Char('k'); 30])
            .collect();
        let sorts: Vec<KeyCode> = [KeyCode::Char('s'), KeyCode::Char('S')].repeat(20);
        let mut times = Vec::new();
        for keys in [moves, sorts] {
            let label = if keys[0] == KeyCode::Char('s') {
                "sort (s, S)"
            } else {
                "move (j/k, PgDn/PgUp)"
            };
            let taken: Vec<Duration> = keys
                .into_iter()
                .map(|k| press_served(&mut state, &conn, &mut terminal, k))
                .collect();
            common::summary(&format!("{name}: {label}"), taken.clone());
            times.extend(taken);
        }
        let mut filter = Vec::new();
        for round in 0..10 {
            press_served(&mut state, &conn, &mut terminal, KeyCode::Char('/'));
            for c in ["micro", "ado", "e3", "pro"][round % 4].chars() {
                filter.push(press_served(&mut state, &conn, &mut terminal, KeyCode::Char(c)));
            }
            press_served(&mut state, &conn, &mut terminal, KeyCode::Esc);
        }
        common::summary(&format!("{name}: filter character"), filter.clone());
        times.extend(filter);
        common::summary(&format!("{name}: every key"), times.clone());
        every.extend(times);
    }
    common::summary("all four reports: every key", every);
}

fn type_line(state: &mut AppState, conn: &Connection, terminal: &mut Terminal<TestBackend>, text: &str) {
    for c in text.chars() {
        press_served(state, conn, terminal, KeyCode::Char(c));
    }
}
