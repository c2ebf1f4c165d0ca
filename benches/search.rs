//! The Users filter at scale (issue 11): a filter typed letter by letter in
//! the console, served as the reader serves it (the rows first, then the
//! same window with its count): key → the frame with the rows, and key →
//! the frame with the count; and `seats users --filter TEXT --format json`
//! beside the same search as raw SQL, in the same run.
//! Run: `cargo bench --bench search -- --users 1000000` (builds a demo cache)
//! or `-- --db PATH` to reuse one. Nothing here is asserted.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::time::{Duration, Instant};

use chrono::Utc;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use seats::app::table::Fetch;
use seats::app::{AppState, Command, Msg, PaneId, WorkerEvent, update};
use seats::headless::{console_state, users};
use seats::output::Format;
use seats::store::{self, OpenMode, PageRequest};
use seats::ui::{self, theme::Theme};
use seats::worker::fetch_rows;

/// What admins type: surnames, first names, a department, short stems, a
/// two-word name and a word no one has.
const TYPED: &[&str] = &["perez", "jansen", "smith", "sales", "li", "rosa g", "qqq", "an"];

fn main() {
    let (_dir, db) = common::cache_arg();
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

/// What admins type while a word grows: under three characters (no
/// trigram), three or more, and the dense ones among those (in 15 %+ of
/// users) apart.
const DENSE: &[&str] = &["sales"];

fn bench_console(conn: &rusqlite::Connection) {
    let mut state = console_state(conn, PaneId::Users, (80, 24), "bench", Utc::now()).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let (mut short, mut long, mut dense, mut counted) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut keys: Vec<(Duration, Duration, String)> = Vec::new();
    for round in 0..3 {
        for typed in TYPED {
            press(&mut state, conn, &mut terminal, KeyCode::Char('/'));
            for (i, c) in typed.char_indices() {
                let (rows, count) = press(&mut state, conn, &mut terminal, KeyCode::Char(c));
                // The longest word typed so far decides whether the index helps.
                let word = typed[..i + c.len_utf8()]
                    .split(' ')
                    .map(str::len)
                    .max()
                    .unwrap_or(0);
                if round > 0 || i > 0 {
                    keys.push((rows, count, typed[..i + c.len_utf8()].to_owned()));
                    counted.push(count);
                    if word < 3 {
                        short.push(rows)
                    } else if DENSE.contains(typed) {
                        dense.push(rows)
                    } else {
                        long.push(rows)
                    }
                }
            }
            press(&mut state, conn, &mut terminal, KeyCode::Esc);
        }
    }
    let all: Vec<Duration> = short.iter().chain(&long).chain(&dense).copied().collect();
    common::summary("filter key -> rows on screen, every key", all);
    common::summary("  while every word is under 3 chars", short);
    common::summary("  once a word has 3+ chars, rare words", long);
    common::summary("  once a word has 3+ chars, dense words", dense);
    common::summary("filter key -> the count on screen", counted);
    keys.sort_by_key(|(rows, ..)| std::cmp::Reverse(*rows));
    let slowest: Vec<String> = keys
        .iter()
        .take(6)
        .map(|(r, _, t)| format!("{t:?} {} ms", r.as_millis()))
        .collect();
    println!("  slowest to rows: {}", slowest.join(", "));
    keys.sort_by_key(|(_, count, _)| std::cmp::Reverse(*count));
    let slowest: Vec<String> = keys
        .iter()
        .take(6)
        .map(|(_, c, t)| format!("{t:?} {} ms", c.as_millis()))
        .collect();
    println!("  slowest to the count: {}", slowest.join(", "));
}

/// Presses `key` and serves its fetches as the reader does; returns the
/// time from the key to the frame with the rows, and to the frame with
/// the count.
fn press(
    state: &mut AppState,
    conn: &rusqlite::Connection,
    terminal: &mut Terminal<TestBackend>,
    key: KeyCode,
) -> (Duration, Duration) {
    let start = Instant::now();
    let mut pending = update(state, Msg::Key(KeyEvent::new(key, KeyModifiers::NONE)));
    let mut rest: Vec<Fetch> = Vec::new();
    let serve = |state: &mut AppState, fetch: &Fetch, rest: &mut Vec<Fetch>| {
        let first = Fetch {
            request: PageRequest {
                count_later: true,
                ..fetch.request.clone()
            },
            ..fetch.clone()
        };
        let page = fetch_rows(conn, &first).unwrap();
        if page.count_pending() {
            rest.push(Fetch {
                request: PageRequest {
                    offset: page.offset,
                    anchor: None,
                    ..fetch.request.clone()
                },
                ..fetch.clone()
            });
        }
        let (pane, generation) = (fetch.pane, fetch.generation);
        update(
            state,
            Msg::Worker(WorkerEvent::Page {
                pane,
                generation,
                page,
            }),
        )
    };
    while let Some(command) = pending.pop() {
        if let Command::Fetch(fetch) = command {
            pending.extend(serve(state, &fetch, &mut rest));
        }
    }
    terminal.draw(|f| ui::draw(f, state, Theme::plain())).unwrap();
    let rows = start.elapsed();
    for fetch in rest {
        let page = fetch_rows(conn, &fetch).unwrap();
        let (pane, generation) = (fetch.pane, fetch.generation);
        let follow = update(
            state,
            Msg::Worker(WorkerEvent::Page {
                pane,
                generation,
                page,
            }),
        );
        assert!(follow.is_empty(), "a window asked again after its count");
    }
    terminal.draw(|f| ui::draw(f, state, Theme::plain())).unwrap();
    (rows, start.elapsed())
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
