//! Text is never cut mid-word (issue 6, item 11): the status bar read
//! "READ-ONLY (file read-only fo" at 80 columns, the in-list filter error
//! stopped at "nothing after the", and at 160 columns the Detail pane
//! wrapped "can't be assigned yet" back to column 0.
#![allow(clippy::unwrap_used)]

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rusqlite::Connection;
use seats::app::{AppState, Command, Msg, PaneId, WorkerEvent, update};
use seats::headless::console_state;
use seats::ui::{render_to_string, theme::Theme};
use seats::worker::fetch_rows;

fn open(conn: &Connection, pane: PaneId, width: u16, height: u16) -> AppState {
    console_state(conn, pane, (width, height), common::ACTOR, common::fixed_now()).unwrap()
}

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

fn screen(state: &AppState) -> String {
    render_to_string(state, Theme::plain())
}

/// The status bar's parts, as shown between its separators.
fn status_parts(text: &str) -> Vec<String> {
    let line = text.lines().last().unwrap();
    line.split('│')
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

#[test]
fn the_read_only_badge_shows_whole_at_80_columns() {
    let (_dir, _path, conn) = common::demo_db(300);
    let mut state = open(&conn, PaneId::Users, 80, 24);
    state.cache_read_only = true;
    state.status.pending_changes = 12;
    let text = screen(&state);
    let parts = status_parts(&text);
    assert!(
        parts.contains(&"READ-ONLY (file read-only for you)".to_owned()),
        "{parts:?}"
    );
    assert!(parts.contains(&"12 pending".to_owned()), "{parts:?}");
    assert!(text.lines().last().unwrap().chars().count() <= 80);
}

#[test]
fn a_crowded_status_bar_shortens_parts_and_never_cuts_one() {
    let (_dir, _path, conn) = common::demo_db(300);
    let mut state = open(&conn, PaneId::Users, 80, 24);
    state.cache_read_only = true;
    state.status.pending_changes = 12_345;
    state.status.tenant = Some("Contoso Worldwide Holdings Europe Middle East".to_owned());
    let status = state.status.clone();
    let whole = [
        status.tenant.clone().unwrap(),
        "data 3d".to_owned(),
        format!("conn ✓{} ✗{}", status.connectors_ok, status.connectors_failing),
        format!("conn ✗{}", status.connectors_failing),
        "12345 pending".to_owned(),
        "READ-ONLY (file read-only for you)".to_owned(),
        "READ-ONLY (file)".to_owned(),
        "READ-ONLY".to_owned(),
    ];
    let parts = status_parts(&screen(&state));
    assert!(!parts.is_empty());
    for part in &parts {
        assert!(whole.contains(part), "{part:?} is cut: {parts:?}");
    }
    assert!(parts.iter().any(|p| p.starts_with("READ-ONLY")), "{parts:?}");
}

/// The text inside the table's box, borders and runs of spaces collapsed.
fn table_text(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let end = lines.iter().skip(2).position(|l| l.starts_with('└')).unwrap() + 2;
    lines[2..end]
        .iter()
        .map(|l| l.trim_matches(['│', '█', '║']))
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_in_list_filter_error_shows_its_whole_reason_at_80x24() {
    let (_dir, _path, conn) = common::demo_db(300);
    for pane in PaneId::TABS {
        let field = pane.filter_fields()[0].name;
        for typed in [
            format!("{field}:"),
            "colour:\"red wine\"".to_owned(),
            format!("{field}:\"open"),
        ] {
            let mut state = open(&conn, pane, 80, 24);
            press(&mut state, &conn, KeyCode::Char('/'));
            for c in typed.chars() {
                press(&mut state, &conn, KeyCode::Char(c));
            }
            let reason = pane.parse_filter(&typed).unwrap_err().to_string();
            let reason: String = reason.split_whitespace().collect::<Vec<_>>().join(" ");
            let text = screen(&state);
            assert!(table_text(&text).contains(&reason), "{typed}: {text}");
            // After Enter only the list says why.
            press(&mut state, &conn, KeyCode::Enter);
            let text = screen(&state);
            assert!(table_text(&text).contains(&reason), "{typed}: {text}");
        }
    }
}

/// The lines inside the Detail box.
fn detail_lines(text: &str) -> Vec<String> {
    let lines: Vec<Vec<char>> = text.lines().map(|l| l.chars().collect()).collect();
    let top = text.lines().position(|l| l.contains("┌ Detail")).unwrap();
    let line = text.lines().nth(top).unwrap();
    let left = line[..line.find("┌ Detail").unwrap()].chars().count();
    let right = lines[top].iter().rposition(|c| *c == '┐').unwrap();
    lines[top + 1..]
        .iter()
        .take_while(|l| l.get(left) != Some(&'└'))
        .map(|l| l[left + 1..right.min(l.len())].iter().collect())
        .collect()
}

#[test]
fn a_wrapped_detail_value_continues_under_the_value_column() {
    let (_dir, _path, conn) = common::demo_db(300);
    for (width, height) in [(160, 48), (80, 24), (120, 30)] {
        let text = screen(&open(&conn, PaneId::Licenses, width, height));
        let lines = detail_lines(&text);
        let status = lines.iter().position(|l| l.starts_with("Status ")).unwrap();
        assert!(lines[status].contains("pending activation"), "{text}");
        let wrapped = lines[status + 1..]
            .iter()
            .take_while(|l| l.starts_with(&" ".repeat(11)) && !l.trim().is_empty())
            .map(|l| l.trim())
            .collect::<Vec<_>>();
        let value = format!("{} {}", lines[status][11..].trim(), wrapped.join(" "));
        assert!(
            value.trim().ends_with("seats can't be assigned yet"),
            "{width}x{height}: {value:?} in {text}"
        );
    }
}

#[test]
fn no_detail_line_of_any_pane_starts_back_at_column_0() {
    let (_dir, _path, conn) = common::demo_db(300);
    for pane in PaneId::TABS
        .into_iter()
        .chain([PaneId::Reclaim, PaneId::Audit, PaneId::Groups])
    {
        for (width, height) in [(80, 24), (120, 30), (160, 48)] {
            let text = screen(&open(&conn, pane, width, height));
            for line in detail_lines(&text) {
                // A label line: up to ten columns of label, then a space.
                let label_line = line.chars().nth(10) == Some(' ');
                assert!(
                    line.starts_with(' ') || label_line || line.trim().is_empty(),
                    "{pane:?} {width}x{height}: {line:?} in {text}"
                );
            }
        }
    }
}
