//! What the screen cuts, it marks with "…" or counts, at 80x24, 120x30 and
//! 160x48 (issue 6, item 11, found rendering every pane): a long filter
//! ran off the title and off the filter line, the detail in two columns
//! dropped rows past its second column without a word, fitted columns
//! stayed cut ("Human Resou…") beside a name column with room to spare, and
//! an audit entry with nobody listed showed a bare "Who".
#![allow(clippy::unwrap_used)]

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rusqlite::Connection;
use seats::app::{AppState, Command, Msg, PaneId, WorkerEvent, update};
use seats::headless::{console_state, console_state_of};
use seats::store::{self, OpenMode};
use seats::ui::{render_to_string, theme::Theme};
use seats::worker::fetch_rows;

fn press(state: &mut AppState, conn: &Connection, code: KeyCode) {
    let mut pending = update(state, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    while let Some(command) = pending.pop() {
        if let Command::Fetch(fetch) = command {
            let page = fetch_rows(conn, &fetch).unwrap();
            pending.extend(update(
                state,
                Msg::Worker(WorkerEvent::Page {
                    pane: fetch.pane,
                    generation: fetch.generation,
                    page,
                }),
            ));
        }
    }
}

fn type_filter(state: &mut AppState, conn: &Connection, typed: &str) {
    press(state, conn, KeyCode::Char('/'));
    for c in typed.chars() {
        press(state, conn, KeyCode::Char(c));
    }
}

fn screen(state: &AppState) -> String {
    render_to_string(state, Theme::plain())
}

const LONG_FILTER: &str =
    "name:\"aaliyah bianchi\" dept:design !state:disabled seats>3 pool:\"Microsoft 365 E3\"";

#[test]
fn a_long_filter_is_cut_with_an_ellipsis_in_the_title_and_scrolls_in_the_filter_line() {
    let (_dir, _path, conn) = common::demo_db(300);
    let mut state =
        console_state(&conn, PaneId::Users, (80, 24), common::ACTOR, common::fixed_now()).unwrap();
    type_filter(&mut state, &conn, LONG_FILTER);
    let text = screen(&state);
    let lines: Vec<&str> = text.lines().collect();
    let title = lines[1];
    assert!(title.contains("· /name:\"aaliyah bianchi\""), "{title}");
    assert!(title.contains("… ─"), "the cut filter says so: {title}");
    assert!(title.ends_with('┐'), "{title}");
    let filter_line = lines[lines.len() - 2];
    assert!(filter_line.starts_with("/…"), "{filter_line}");
    assert!(
        filter_line.ends_with("pool:\"Microsoft 365 E3\""),
        "the end being typed shows: {filter_line}"
    );
    assert!(filter_line.chars().count() <= 80);
}

#[test]
fn a_long_pool_name_in_the_title_is_cut_in_the_middle() {
    let (_dir, _path, conn) = common::demo_db(300);
    let pool = "Microsoft Defender for Office 365 (Plan 1) with a name far too long for eighty columns";
    let mut state = console_state_of(
        &conn,
        PaneId::Assignees,
        Some((1, pool.to_owned())),
        (80, 24),
        common::ACTOR,
        common::fixed_now(),
    )
    .unwrap();
    type_filter(&mut state, &conn, "direct");
    let text = screen(&state);
    let title = text.lines().nth(1).unwrap();
    assert!(title.starts_with("┌ Seats of Microsoft"), "{title}");
    assert!(title.contains('…'), "{title}");
    assert!(title.contains("· sort Who↑"), "{title}");
    assert!(title.contains("· /direct"), "{title}");
    assert!(title.ends_with('┐'), "{title}");
}

/// A cache with one user of a short address holding `pools` pools of short
/// names: the detail below the table fits in two columns.
fn user_with_pools(pools: usize) -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let conn = store::open(&dir.path().join("one.db"), OpenMode::Create).unwrap();
    conn.execute(
        "INSERT INTO users (upn, display_name) VALUES ('bo@x.io', 'Bo Li')",
        [],
    )
    .unwrap();
    for i in 0..pools {
        conn.execute(
            "INSERT INTO pools (name, kind, source, total) VALUES (?1, 'saas', 'local', 5)",
            [format!("Pool {i:02}")],
        )
        .unwrap();
    }
    conn.execute(
        "INSERT INTO assignments (pool_id, user_id, assigned_unix, assigned_by_code)
         SELECT id, 1, '2026-01-01T00:00:00Z', 'tester' FROM pools",
        [],
    )
    .unwrap();
    (dir, conn)
}

#[test]
fn a_detail_in_two_columns_counts_what_does_not_fit() {
    let (_dir, conn) = user_with_pools(14);
    let state = console_state(&conn, PaneId::Users, (80, 24), common::ACTOR, common::fixed_now()).unwrap();
    let text = screen(&state);
    // 3 fields and 14 pools: 17 lines, 12 in two columns of 6.
    assert!(text.contains("+5 more: i"), "{text}");
    assert!(text.contains("• Pool 08"), "{text}");
    assert!(!text.contains("• Pool 09"), "{text}");
}

#[test]
fn fitted_columns_show_whole_when_the_names_have_room() {
    let (_dir, _path, conn) = common::demo_db(300);
    // At 120 every UPN and name fits and room is left; at 160 the table
    // beside the detail is 100 wide and the UPNs take it first.
    let state = console_state(
        &conn,
        PaneId::Users,
        (120, 30),
        common::ACTOR,
        common::fixed_now(),
    )
    .unwrap();
    let text = screen(&state);
    assert!(text.contains(" Human Resources "), "{text}");
    assert!(!text.contains("Resou…"), "{text}");
}

#[test]
fn an_audit_entry_with_nobody_listed_says_so() {
    let (_dir, _path, conn) = common::demo_db(300);
    let state = console_state(&conn, PaneId::Audit, (80, 24), common::ACTOR, common::fixed_now()).unwrap();
    let text = screen(&state);
    assert!(text.contains("│Who        —"), "{text}");
}
