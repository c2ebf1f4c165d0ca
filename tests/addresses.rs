//! Users whose addresses differ only at the end stay distinguishable at
//! 80x24 (issue 6, item 11): filtering `/zimmermann` in Users showed two
//! rows both reading "isabella.zimmerm… Isabella Zi…rmann". An address that
//! does not fit loses its domain first, then the middle of its local part,
//! and the UPN column gets its width before the Name column: in Users, in
//! the seats of a pool and in Reclaim.
#![allow(clippy::unwrap_used)]

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rusqlite::Connection;
use seats::app::{AppState, Command, Msg, PaneId, WorkerEvent, update};
use seats::headless::console_state_of;
use seats::store::{self, OpenMode};
use seats::ui::{render_to_string, theme::Theme};
use seats::worker::fetch_rows;

const ONE: &str = "isabella.zimmermann@contoso-demo.example";
const TWO: &str = "isabella.zimmermann2@contoso-demo.example";

/// A cache with the two Isabella Zimmermanns (disabled, so Reclaim lists
/// them), a few other users, a pool all of them hold directly and one they
/// hold through a group.
fn cache() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let conn = store::open(&dir.path().join("two.db"), OpenMode::Create).unwrap();
    conn.execute_batch(&format!(
        "INSERT INTO users (upn, display_name, department, enabled, last_sign_in) VALUES
           ('{ONE}', 'Isabella Zimmermann', 'Customer Support', 0, '2026-01-02T00:00:00Z'),
           ('{TWO}', 'Isabella Zimmermann', 'Human Resources', 0, '2026-01-03T00:00:00Z'),
           ('ava.perez@contoso-demo.example', 'Ava Perez', 'Sales', 1, '2026-05-30T00:00:00Z'),
           ('bo.li@contoso-demo.example', 'Bo Li', 'IT', 1, '2026-05-30T00:00:00Z');
         INSERT INTO pools (name, kind, source, total) VALUES ('Visio Plan 2', 'saas', 'local', 10);
         INSERT INTO assignments (pool_id, user_id, assigned_unix, assigned_by_code)
           SELECT 1, id, '2026-01-01T00:00:00Z', 'tester' FROM users;
         INSERT INTO groups (name, kind) VALUES ('Customer Support Europe', 'user');
         INSERT INTO pools (name, kind, source, total) VALUES ('Project Plan 3', 'saas', 'local', 10);
         INSERT INTO assignments (pool_id, user_id, direct, via_group_id, assigned_unix, assigned_by_code)
           SELECT 2, id, 0, 1, '2026-01-01T00:00:00Z', 'tester' FROM users;"
    ))
    .unwrap();
    (dir, conn)
}

fn open(conn: &Connection, pane: PaneId) -> AppState {
    let pool = (pane == PaneId::Assignees).then(|| (2, "Project Plan 3".to_owned()));
    console_state_of(conn, pane, pool, (80, 24), common::ACTOR, common::fixed_now()).unwrap()
}

fn filter(state: &mut AppState, conn: &Connection, typed: &str) {
    for c in format!("/{typed}").chars() {
        let mut pending = update(
            state,
            Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
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
}

/// The first cell of each table row that shows an Isabella Zimmermann.
fn first_cells(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.starts_with("│isabella") || l.starts_with("│• isabella"))
        .map(|l| l.trim_start_matches('│').split(' ').next().unwrap().to_owned())
        .collect()
}

/// Both rows show, each address reads as its own: the whole local part and
/// "@", and "…" where it is cut.
fn assert_apart(text: &str) {
    let cells = first_cells(text);
    assert_eq!(cells.len(), 2, "{text}");
    assert_ne!(cells[0], cells[1], "{text}");
    let mut starts: Vec<bool> = cells
        .iter()
        .map(|c| c.starts_with("isabella.zimmermann2@"))
        .collect();
    starts.sort_unstable();
    assert_eq!(starts, vec![false, true], "{cells:?} in {text}");
    for cell in &cells {
        assert!(cell.starts_with("isabella.zimmermann"), "{cell}");
        assert!(cell.contains('@'), "the local part shows whole: {cell}");
        assert!(
            cell == ONE || cell == TWO || cell.ends_with('…'),
            "a cut address says so: {cell}"
        );
    }
}

#[test]
fn users_filtered_to_the_two_zimmermanns_tell_them_apart_at_80x24() {
    let (_dir, conn) = cache();
    let mut state = open(&conn, PaneId::Users);
    filter(&mut state, &conn, "zimmermann");
    assert_eq!(state.table().count, Some(2));
    let text = render_to_string(&state, Theme::plain());
    assert_apart(&text);
    assert!(
        text.contains("isabella.zimmermann2@…"),
        "the domain goes first: {text}"
    );
}

/// Seats given through a group with a long name leave the least room.
#[test]
fn the_seats_of_a_pool_tell_them_apart_at_80x24() {
    let (_dir, conn) = cache();
    let mut state = open(&conn, PaneId::Assignees);
    filter(&mut state, &conn, "zimmermann");
    assert_apart(&render_to_string(&state, Theme::plain()));
}

#[test]
fn reclaim_tells_them_apart_at_80x24() {
    let (_dir, conn) = cache();
    let state = open(&conn, PaneId::Reclaim);
    assert_apart(&render_to_string(&state, Theme::plain()));
}

#[test]
fn in_the_full_list_too_the_upn_gets_its_width_before_the_name() {
    let (_dir, conn) = cache();
    let text = render_to_string(&open(&conn, PaneId::Users), Theme::plain());
    assert_apart(&text);
    let row = text.lines().find(|l| l.starts_with("│ava.perez")).unwrap();
    assert!(row.contains("Ava Perez"), "{row}");
}
