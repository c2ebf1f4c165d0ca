//! What the screen shows must be readable and true at every size: names
//! take the room that is left and stay apart when cut, the audit time fits
//! its content, messages wrap instead of stopping at the edge, help and
//! palette lines break between words, a bad filter says why in the filter
//! line, and the usage bar says what it shows (issue 6, items 7, 10, 11).
#![allow(clippy::unwrap_used)]

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rusqlite::{Connection, params};
use seats::app::state::Tone;
use seats::app::{AppState, Command, Msg, PaneId, WorkerEvent, update};
use seats::headless::console_state;
use seats::store::{self, OpenMode};
use seats::ui::{render_to_string, theme::Theme};
use seats::worker::fetch_rows;

fn open(conn: &Connection, pane: PaneId, width: u16, height: u16) -> AppState {
    console_state(conn, pane, (width, height), common::ACTOR, common::fixed_now()).unwrap()
}

fn screen(state: &AppState) -> String {
    render_to_string(state, Theme::plain())
}

/// Sends a key through `update` and serves the reads it asks for.
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

fn type_text(state: &mut AppState, conn: &Connection, text: &str) {
    for c in text.chars() {
        press(state, conn, KeyCode::Char(c));
    }
}

/// The screen's text with box borders and runs of spaces collapsed, so a
/// phrase that was wrapped reads as one line again.
fn flowing(text: &str) -> String {
    text.replace(['│', '┌', '┐', '└', '┘', '─', '█', '║'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text inside the box whose top border carries `title`.
fn boxed(text: &str, title: &str) -> String {
    let lines: Vec<Vec<char>> = text.lines().map(|l| l.chars().collect()).collect();
    let top = text.lines().position(|l| l.contains(title)).unwrap();
    let row = &lines[top];
    let title_at = char_column(text.lines().nth(top).unwrap(), title);
    let left = (0..title_at).rev().find(|i| row[*i] == '┌').unwrap();
    let right = (title_at..row.len()).find(|i| row[*i] == '┐').unwrap();
    let mut inside = Vec::new();
    for line in &lines[top + 1..] {
        if line.get(left) == Some(&'└') {
            break;
        }
        let end = right.min(line.len());
        inside.push(
            line.get(left + 1..end)
                .map_or(String::new(), |c| c.iter().collect()),
        );
    }
    inside.join("\n")
}

fn char_column(line: &str, word: &str) -> usize {
    line[..line.find(word).unwrap()].chars().count()
}

#[test]
fn names_that_differ_at_the_end_stay_apart_when_cut() {
    let (_dir, _path, conn) = common::demo_db(300);
    let text = screen(&open(&conn, PaneId::Licenses, 80, 24));
    let rows: Vec<&str> = text.lines().filter(|l| l.contains("Enterprise Mo")).collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert!(rows.iter().all(|r| r.contains('…')), "cut: {rows:?}");
    assert!(rows[0].contains("E3 ") && rows[1].contains("E5 "), "{rows:?}");
}

#[test]
fn the_name_column_takes_the_room_that_is_left_at_every_size() {
    let (_dir, _path, conn) = common::demo_db(300);
    let name_width = |w, h| {
        let text = screen(&open(&conn, PaneId::Licenses, w, h));
        char_column(text.lines().nth(2).unwrap(), "Kind")
    };
    let (at80, at120, at160) = (name_width(80, 24), name_width(120, 30), name_width(160, 48));
    assert!(at120 > at80, "120 columns: {at120}, 80 columns: {at80}");
    assert!(at160 > at80, "160 columns: {at160}, 80 columns: {at80}");
    let text = screen(&open(&conn, PaneId::Licenses, 120, 30));
    assert!(text.contains("Azure Information Protection Premium P1"), "{text}");
}

#[test]
fn the_audit_time_column_fits_its_content() {
    let (_dir, _path, conn) = common::demo_db(300);
    for (w, h) in [(80, 24), (120, 30), (160, 48)] {
        let text = screen(&open(&conn, PaneId::Audit, w, h));
        let header = text.lines().nth(2).unwrap();
        // "│" + "2026-06-01 12:00" + one space.
        assert_eq!(char_column(header, "Actor"), 18, "{w}x{h}: {header}");
        assert!(text.contains("2026-06-01 12:00 tester"), "{text}");
    }
}

#[test]
fn a_long_status_message_wraps_instead_of_stopping_at_the_edge() {
    let (_dir, _path, conn) = common::demo_db(300);
    let mut state = open(&conn, PaneId::Licenses, 80, 24);
    let message = "assign failed: the source refused the change for Enterprise Mobility + Security E5 \
                   because its connector is locked; nothing changed, try again after the next sync";
    state.flash(message, Tone::Error);
    let text = screen(&state);
    assert!(flowing(&text).contains(message), "{text}");
    assert!(text.lines().all(|l| l.chars().count() <= 80));
    let status = text.lines().last().unwrap();
    assert!(status.contains("Contoso Demo"), "the status bar stays: {status}");
}

#[test]
fn help_lists_the_filter_language_and_breaks_lines_between_words() {
    let (_dir, _path, conn) = common::demo_db(300);
    let mut state = open(&conn, PaneId::Licenses, 80, 60);
    press(&mut state, &conn, KeyCode::Char('?'));
    let text = flowing(&boxed(&screen(&state), "Keys · Licenses"));
    for phrase in [
        "Filter (/ here, --filter on the command line): terms separated by spaces must all match.",
        "free<10 total>=5 compare numbers: < <= > >= and = (or :)",
        "used>=90% a share of the pool's seats (limited pools only)",
        "expires<60d dates: 2026-01-31, or from today 60d 2w 6m 1y; -7d is a week ago",
        "!vpp !kind:vpp ! before a term keeps the rows it does not match",
        "free (number or %)",
        "expires (date)",
        "status (text)",
    ] {
        assert!(text.contains(phrase), "missing {phrase:?} in {text}");
    }
}

#[test]
fn palette_messages_break_between_words() {
    let (_dir, _path, conn) = common::demo_db(300);
    let mut state = open(&conn, PaneId::Licenses, 80, 24);
    press(&mut state, &conn, KeyCode::Char(':'));
    type_text(&mut state, &conn, "bogus");
    press(&mut state, &conn, KeyCode::Enter);
    let text = boxed(&screen(&state), "Command");
    assert!(
        flowing(&text).contains(
            "unknown command \"bogus\"; known: licenses, apps, connectors, agreements, users, reclaim, \
             audit, groups, installs, inventory, detections, subscriptions, reports, sort, filter, help, refresh, sync, \
             language, take-over, enable, disable, move, import, group, map, unmap, quantity, profile, export, quit"
        ),
        "{text}"
    );
}

#[test]
fn a_bad_filter_says_why_in_the_filter_line_and_keeps_the_text() {
    let (_dir, _path, conn) = common::demo_db(300);
    let mut state = open(&conn, PaneId::Licenses, 80, 24);
    press(&mut state, &conn, KeyCode::Char('/'));
    type_text(&mut state, &conn, "kind:m365 free<abc");
    let text = screen(&state);
    let lines: Vec<&str> = text.lines().collect();
    let filter_line = lines[lines.len() - 2];
    assert!(filter_line.starts_with("/kind:m365 free<abc"), "{text}");
    assert!(
        flowing(&text).contains("free<abc: free takes a number of seats or a share, as in free<10"),
        "{text}"
    );
    assert!(
        flowing(&text).contains("the filter lists nothing until it is fixed"),
        "{text}"
    );
    assert_eq!(state.table().count, Some(0), "a bad filter never widens the list");
    for _ in 0..3 {
        press(&mut state, &conn, KeyCode::Backspace);
    }
    type_text(&mut state, &conn, "10");
    assert_eq!(state.table().filter.value(), "kind:m365 free<10");
    let text = screen(&state);
    assert!(!text.contains("free takes"), "{text}");
    assert!(state.table().count.unwrap() > 0);
}

/// A cache holding one pool, shown in Licenses at 80x24.
fn use_line(total: Option<i64>, consumed: i64) -> String {
    let dir = tempfile::tempdir().unwrap();
    let conn = store::open(&dir.path().join("one.db"), OpenMode::Create).unwrap();
    conn.execute(
        "INSERT INTO pools (name, kind, source, total, consumed) VALUES ('Pool', 'saas', 'local', ?1, ?2)",
        params![total, consumed],
    )
    .unwrap();
    let text = screen(&open(&conn, PaneId::Licenses, 80, 24));
    let line = text.lines().find(|l| l.starts_with("│Use ")).unwrap();
    line.trim_matches('│').trim_end().to_owned()
}

#[test]
fn the_usage_bar_says_what_it_shows() {
    assert_eq!(
        use_line(Some(720), 598),
        "Use        [████████░░] 83% used, 122 free"
    );
    assert_eq!(use_line(Some(50), 0), "Use        [░░░░░░░░░░] 0% used, 50 free");
    assert_eq!(
        use_line(Some(40), 39),
        "Use        [█████████░] 97% used, 1 free: nearly exhausted"
    );
    assert_eq!(
        use_line(Some(40), 40),
        "Use        [██████████] 100% used: no seats left"
    );
    assert_eq!(
        use_line(Some(3), 5),
        "Use        [██████████] 166% used: over-allocated by 2"
    );
    assert_eq!(use_line(None, 74), "Use        unlimited (flat-rate), 74 used");
    assert_eq!(use_line(Some(0), 0), "Use        no seats purchased");
}
