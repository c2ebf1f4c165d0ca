//! The Users filter at scale (issue 11): a filter typed letter by letter in
//! the console (update + the window query it causes + the frame that shows
//! the rows), and `seats users --filter TEXT --format json` beside the same
//! search as raw SQL, in the same run.
//! Run: `cargo bench --bench search -- --users 1000000` (builds a demo cache)
//! or `-- --db PATH` to reuse one. Nothing here is asserted.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use common::console::press_served;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::Utc;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use seats::app::PaneId;
use seats::demo::{DemoOptions, generate};
use seats::headless::{console_state, users};
use seats::output::Format;
use seats::store::{self, OpenMode};

/// What admins type: surnames, first names, a department, short stems, a
/// two-word name and a word no one has.
const TYPED: &[&str] = &["perez", "jansen", "smith", "sales", "li", "rosa g", "qqq", "an"];

fn main() {
    let (_dir, db) = cache();
    let conn = store::open(&db, OpenMode::MustExist).unwrap();
    let users_count: i64 = conn
        .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
        .unwrap();
    println!("# Users filter: {users_count} users on {}", common::machine());
    let size = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap_or(0) / 1_000_000;
    println!(
        "cache file {} MB, of which the trigram index (users_search) {} MB",
        size("SELECT page_count * page_size FROM pragma_page_count, pragma_page_size"),
        size("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'users_search%'")
    );
    bench_console(&conn);
    bench_headless(&conn);
}

/// `-- --db PATH`, or a new demo cache of `--users N`.
fn cache() -> (Option<tempfile::TempDir>, PathBuf) {
    let given = std::env::args().skip_while(|a| a != "--db").nth(1);
    if let Some(path) = given {
        return (None, PathBuf::from(path));
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("search.db");
    let mut conn = store::open(&db, OpenMode::Create).unwrap();
    let options = DemoOptions {
        users: common::users_arg(),
        seed: 42,
        now: Utc::now(),
        actor: "bench".into(),
    };
    generate(&mut conn, &options, &mut |_| {}).unwrap();
    (Some(dir), db)
}

fn bench_console(conn: &rusqlite::Connection) {
    let mut state = console_state(conn, PaneId::Users, (80, 24), "bench", Utc::now()).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let (mut short, mut long) = (Vec::new(), Vec::new());
    for round in 0..3 {
        for typed in TYPED {
            press_served(&mut state, conn, &mut terminal, KeyCode::Char('/'));
            for (i, c) in typed.char_indices() {
                let took = press_served(&mut state, conn, &mut terminal, KeyCode::Char(c));
                // The longest word typed so far decides whether the index helps.
                let word = typed[..i + c.len_utf8()]
                    .split(' ')
                    .map(str::len)
                    .max()
                    .unwrap_or(0);
                if round > 0 || i > 0 {
                    if word >= 3 {
                        long.push(took)
                    } else {
                        short.push(took)
                    }
                }
            }
            press_served(&mut state, conn, &mut terminal, KeyCode::Esc);
        }
    }
    let all: Vec<Duration> = short.iter().chain(&long).copied().collect();
    common::summary("filter key -> rows on screen, every key", all);
    common::summary("  while every word is under 3 chars", short);
    common::summary("  once a word has 3+ chars (indexed)", long);
}

/// The same search as raw SQL, written the way one would by hand: the rows
/// `seats users` prints, found by a LIKE over each user, sorted by UPN.
const RAW: &str = "SELECT u.upn, u.display_name, u.enabled, \
     (SELECT group_concat(s.pool_id, ',') FROM assignments s WHERE s.user_id = u.id AND s.state <> 'error') \
   FROM users u NOT INDEXED \
   WHERE (u.upn || ' ' || u.display_name || ' ' || coalesce(u.department, '')) LIKE ?1 \
   ORDER BY u.upn COLLATE NOCASE";

fn bench_headless(conn: &rusqlite::Connection) {
    for typed in ["perez", "sales", "an"] {
        let (mut ours, mut raw) = (Vec::new(), Vec::new());
        let mut rows = 0;
        for _ in 0..5 {
            let filter = PaneId::Users.parse_filter(typed).unwrap();
            let start = Instant::now();
            let json = users(conn, filter, Format::Json, Utc::now()).unwrap();
            ours.push(start.elapsed());
            let start = Instant::now();
            let mut stmt = conn.prepare_cached(RAW).unwrap();
            let found = stmt
                .query_map([format!("%{typed}%")], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, bool>(2)?,
                        r.get::<_, Option<String>>(3)?,
                    ))
                })
                .unwrap()
                .count();
            raw.push(start.elapsed());
            rows = found;
            assert!(json.len() > 2 || found == 0);
        }
        common::summary(&format!("seats users --filter {typed} (json, {rows} rows)"), ours);
        common::summary("  the same search, raw SQL", raw);
    }
}
