//! A quoted value after a field name is one value, on the command line and
//! in the console (issue 6, item 10): `seats pools --filter 'name:"Power BI"'`,
//! `seats users --filter 'upn:"ava"'` and `seats audit --filter
//! 'pool:"Power BI Pro"'` printed nothing and exited 0, and `/name:"Power BI"`
//! said "no rows match the filter" while three Power BI pools exist.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rusqlite::{Connection, params};
use seats::app::{Command, Msg, PaneId, WorkerEvent, update};
use seats::headless::console_state;
use seats::ui::{render_to_string, theme::Theme};
use seats::worker::fetch_rows;
use serde_json::Value;

/// `seats ARGS --format json` on the cache at `db`: the rows it printed.
fn json_rows(home: &Path, args: &[&str]) -> Vec<Value> {
    let out = common::run_seats(home, &[args, &["--format", "json"]].concat());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        common::text(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn strings(rows: &[Value], key: &str) -> Vec<String> {
    rows.iter().map(|r| r[key].as_str().unwrap().to_owned()).collect()
}

/// The names of the pools whose name contains `part`, in any case, read
/// from the cache itself.
fn pools_named(conn: &Connection, part: &str) -> Vec<String> {
    let mut statement = conn
        .prepare("SELECT name FROM pools WHERE instr(lower(name), lower(?1)) > 0 ORDER BY name")
        .unwrap();
    statement
        .query_map([part], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn pools_take_a_quoted_name_with_a_space() {
    let (dir, path, conn) = common::demo_db(300);
    let db = path.to_str().unwrap();
    let expected = pools_named(&conn, "Power BI");
    assert!(expected.len() >= 3, "{expected:?}");
    let mut listed = strings(
        &json_rows(
            dir.path(),
            &["pools", "--db", db, "--filter", "name:\"Power BI\""],
        ),
        "name",
    );
    listed.sort();
    assert_eq!(listed, expected);
    let exact = strings(
        &json_rows(
            dir.path(),
            &["pools", "--db", db, "--filter", "name=\"Power BI Pro\""],
        ),
        "name",
    );
    assert_eq!(exact, vec!["Power BI Pro"]);
    let others = json_rows(
        dir.path(),
        &["pools", "--db", db, "--filter", "!name:\"Power BI\""],
    );
    let all: i64 = conn
        .query_row("SELECT count(*) FROM pools", [], |r| r.get(0))
        .unwrap();
    assert_eq!(others.len() as i64, all - expected.len() as i64);
}

#[test]
fn users_take_a_quoted_upn_and_a_quoted_display_name() {
    let (dir, path, conn) = common::demo_db(300);
    let db = path.to_str().unwrap();
    let everyone = json_rows(dir.path(), &["users", "--db", db]);
    let with_ava: Vec<String> = strings(&everyone, "upn")
        .into_iter()
        .filter(|upn| upn.contains("ava"))
        .collect();
    assert!(!with_ava.is_empty());
    let listed = strings(
        &json_rows(dir.path(), &["users", "--db", db, "--filter", "upn:\"ava\""]),
        "upn",
    );
    assert_eq!(listed, with_ava);

    let (name, upn): (String, String) = conn
        .query_row(
            "SELECT display_name, upn FROM users WHERE display_name LIKE '% %' ORDER BY upn LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let filter = format!("name:\"{}\"", name.to_lowercase());
    let listed = strings(
        &json_rows(dir.path(), &["users", "--db", db, "--filter", &filter]),
        "upn",
    );
    assert!(listed.contains(&upn), "{filter}: {listed:?}");
    assert!(
        everyone
            .iter()
            .filter(|u| listed.contains(&u["upn"].as_str().unwrap().to_owned()))
            .all(|u| u["display_name"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains(&name.to_lowercase())),
        "{filter}: {listed:?}"
    );
}

#[test]
fn audit_takes_a_quoted_pool_name() {
    let (dir, path, conn) = common::demo_db(300);
    for pool in ["Power BI Pro", "Power BI (free)"] {
        conn.execute(
            "INSERT INTO audit (at, actor, action, pool_name, result) VALUES ('2026-05-30T10:00:00Z', 'tester', 'assign', ?1, 'ok')",
            params![pool],
        )
        .unwrap();
    }
    let db = path.to_str().unwrap();
    let rows = json_rows(
        dir.path(),
        &["audit", "--db", db, "--filter", "pool:\"Power BI Pro\""],
    );
    assert_eq!(strings(&rows, "pool"), vec!["Power BI Pro"]);
    let rows = json_rows(
        dir.path(),
        &["audit", "--db", db, "--filter", "pool:\"power bi\""],
    );
    assert_eq!(rows.len(), 2);
}

#[test]
fn a_quote_left_open_is_refused_naming_the_term() {
    let (dir, path, _conn) = common::demo_db(300);
    let db = path.to_str().unwrap();
    let out = common::run_seats(
        dir.path(),
        &["pools", "--db", db, "--filter", "kind:m365 name:\"Power BI"],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = common::text(&out.stderr);
    assert!(
        stderr.contains("name:\"Power BI: the quote is not closed"),
        "{stderr}"
    );
    assert!(stderr.contains("name:\"Power BI\""), "shows it closed: {stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn the_console_lists_the_pools_of_a_quoted_name() {
    let (_dir, _path, conn) = common::demo_db(300);
    let expected = pools_named(&conn, "Power BI");
    let mut state = console_state(
        &conn,
        PaneId::Licenses,
        (80, 24),
        common::ACTOR,
        common::fixed_now(),
    )
    .unwrap();
    for c in "/name:\"Power BI\"".chars() {
        let mut pending = update(
            &mut state,
            Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
        while let Some(command) = pending.pop() {
            if let Command::Fetch(fetch) = command {
                let page = fetch_rows(&conn, &fetch).unwrap();
                pending.extend(update(
                    &mut state,
                    Msg::Worker(WorkerEvent::Page {
                        pane: fetch.pane,
                        generation: fetch.generation,
                        page,
                    }),
                ));
            }
        }
    }
    assert_eq!(state.table().count, Some(expected.len()));
    let text = render_to_string(&state, Theme::plain());
    assert!(!text.contains("no rows match"), "{text}");
    for name in &expected {
        assert!(text.contains(name.as_str()), "{name} in {text}");
    }
}
