//! Releases that free nothing, and who moves up from waiting (review of
//! issue 6, item 3 follow-up): waiting members (CountViolation) get only
//! the seats a release frees, never seats that were free before it; the
//! preview, the flash and the audit name them; a release that changes
//! nothing cannot be applied.

use super::fixture::*;
use seats::app::dialogs::{Change, Preview, Selection};
use seats::app::{Command, WorkerEvent};
use seats::domain::Principal::{Group, User};
use seats::store::changes::{self, SeatChange};

/// TIGHT full (u20 direct, u10 and u11 through Cycle B) and `waiting`
/// users waiting there through Cycle B; then the source raises the total
/// to `total`, so seats are free that no release freed.
fn tight_with_waiting(conn: &rusqlite::Connection, waiting: &[i64], total: i64) {
    changes::assign(conn, &tester(), TIGHT, &[User(20)]).unwrap();
    changes::assign(conn, &tester(), TIGHT, &[Group(CYCLE_B)]).unwrap();
    for &user in waiting {
        let joined = changes::add_group_member(conn, &tester(), CYCLE_B, user).unwrap();
        assert_eq!(joined.in_error.len(), 1, "{joined:?}");
    }
    conn.execute("UPDATE pools SET total = ?1 WHERE id = ?2", [total, TIGHT])
        .unwrap();
}

fn seat_id(conn: &rusqlite::Connection, pool: i64, user: i64) -> i64 {
    conn.query_row(
        "SELECT id FROM assignments WHERE pool_id = ?1 AND user_id = ?2",
        [pool, user],
        |r| r.get(0),
    )
    .unwrap()
}

/// The worker's answer to `command` on the fixture's cache file.
fn respond(dir: &tempfile::TempDir, conn: &rusqlite::Connection, command: Command) -> WorkerEvent {
    let path = dir.path().join("t.db");
    seats::worker::respond_now(conn, &path, &tester(), &mut None, command).unwrap()
}

fn preview(dir: &tempfile::TempDir, conn: &rusqlite::Connection, change: Change) -> Preview {
    let command = Command::Plan {
        generation: 1,
        change,
    };
    match respond(dir, conn, command) {
        WorkerEvent::Planned { preview, .. } => preview,
        other => panic!("no preview: {other:?}"),
    }
}

fn text(preview: &Preview) -> String {
    let lines: Vec<&str> = preview.lines.iter().map(|l| l.text.as_str()).collect();
    lines.join("\n")
}

fn state(conn: &rusqlite::Connection, user: i64) -> String {
    conn.query_row(
        "SELECT state FROM assignments WHERE pool_id = ?1 AND user_id = ?2",
        [TIGHT, user],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn a_release_that_frees_nothing_promotes_nobody_and_cannot_be_applied() {
    let (dir, conn) = tenant();
    tight_with_waiting(&conn, &[12], 4);
    assert_eq!(consumed(&conn, TIGHT), 3, "one seat free, u12 waiting");
    // u10 and u11 are still reached through Cycle B: nothing is freed.
    let seat_ids = vec![seat_id(&conn, TIGHT, 10), seat_id(&conn, TIGHT, 11)];
    let plans = changes::plan_release_seats(&conn, &seat_ids).unwrap();
    assert!(plans[0].released.is_empty(), "{plans:?}");
    assert!(
        plans[0].promoted.is_empty(),
        "the free seat was free before: not this release's to give"
    );
    assert_eq!(plans[0].after.consumed, 3);
    assert!(plans[0].changes_nothing());
    let shown = preview(
        &dir,
        &conn,
        Change::ReleaseSeats {
            seat_ids: seat_ids.clone(),
        },
    );
    let refusal = shown.refusal.clone().expect("a release of nothing is refused");
    assert!(
        refusal.starts_with("nothing to release: ")
            && refusal.contains("u10@contoso.test: still reached through group Cycle")
            && refusal.contains("u11@contoso.test: still reached through group Cycle"),
        "{refusal}"
    );
    assert!(!text(&shown).contains("moves up"), "{}", text(&shown));
    // The store, asked anyway, gives the free seat to nobody.
    let done = changes::release_seats(&conn, &tester(), &seat_ids).unwrap();
    assert_eq!((done[0].released, done[0].promoted), (0, 0));
    assert_eq!(consumed(&conn, TIGHT), 3);
    assert_eq!(state(&conn, 12), "error", "u12 still waits");
    check_cache(&conn);
}

#[test]
fn waiting_members_get_only_the_seats_a_release_frees_and_are_named() {
    let (dir, conn) = tenant();
    tight_with_waiting(&conn, &[12, 13], 4);
    let plan = changes::plan_unassign(&conn, TIGHT, &[User(20)]).unwrap();
    assert_eq!(plan.released, ["u20@contoso.test"]);
    assert_eq!(
        plan.promoted,
        ["u12@contoso.test"],
        "one seat freed, one member moves up (the oldest)"
    );
    assert_eq!((plan.before.consumed, plan.after.consumed), (3, 3));
    let shown = text(&preview(
        &dir,
        &conn,
        Change::ReleasePools {
            user_id: 20,
            pools: vec![TIGHT],
        },
    ));
    assert!(
        shown.contains("u12@contoso.test moves up from waiting") && !shown.contains("u13"),
        "{shown}"
    );
    let written = respond(
        &dir,
        &conn,
        Command::Write(Change::ReleasePools {
            user_id: 20,
            pools: vec![TIGHT],
        }),
    );
    let WorkerEvent::Written { summary, .. } = written else {
        panic!("not written: {written:?}");
    };
    assert_eq!(
        summary,
        ["Tight Tool: released 1 seat, 1 waiting member moved up: u12@contoso.test (consumed 3 → 3)"],
        "the flash describes a release as a release"
    );
    assert_eq!(state(&conn, 12), "active");
    assert_eq!(state(&conn, 13), "error", "the seat free before stays free");
    assert_eq!(consumed(&conn, TIGHT), 3);
    let rows = changes::audit_since(&conn, None).unwrap();
    let last = rows.last().unwrap();
    assert_eq!(last.action, "unassign");
    assert_eq!(
        last.detail.as_ref().unwrap()["moved_up"],
        serde_json::json!(["u12@contoso.test"])
    );
    let change = |who: &str, change: &str| SeatChange {
        who: who.into(),
        change: change.into(),
    };
    assert_eq!(
        last.changed,
        [
            change("u20@contoso.test", "seat_released"),
            change("u12@contoso.test", "promoted")
        ]
    );
    check_cache(&conn);
}

#[test]
fn the_audit_names_every_principal_whose_seat_changed_beyond_the_first_fifty() {
    let (_dir, conn) = tenant();
    for i in 21..=140 {
        conn.execute(
            "INSERT INTO users (id, upn, display_name) VALUES (?1, ?2, 'Many')",
            rusqlite::params![i, format!("many{i}@contoso.test")],
        )
        .unwrap();
    }
    let many: Vec<_> = (21..=140).map(User).collect();
    changes::assign(&conn, &tester(), UNLIMITED, &many).unwrap();
    let rows = changes::audit_since(&conn, None).unwrap();
    let row = rows.last().unwrap();
    assert_eq!(row.principals.len(), 51, "the names column stays capped");
    assert_eq!(row.principals[50], "…and 70 more");
    assert_eq!(row.changed.len(), 120, "every seat is named");
    assert!(
        row.changed
            .iter()
            .all(|c| c.change == "seat_added" && c.who.starts_with("many")),
        "{:?}",
        row.changed
    );
    assert!(row.changed.iter().any(|c| c.who == "many140@contoso.test"));
    check_cache(&conn);
}

#[test]
fn undo_of_a_promotion_is_audited_as_back_to_waiting() {
    let (_dir, conn) = tenant();
    tight_with_waiting(&conn, &[12], 3);
    let out = changes::unassign(&conn, &tester(), TIGHT, &[User(20)]).unwrap();
    assert_eq!(out.promoted_names, ["u12@contoso.test"]);
    changes::undo(&conn, &tester(), &out.batch_id).unwrap();
    let rows = changes::audit_since(&conn, None).unwrap();
    let changed: Vec<(String, String)> = rows
        .iter()
        .filter(|r| r.action == "undo")
        .flat_map(|r| r.changed.iter().map(|c| (c.who.clone(), c.change.clone())))
        .collect();
    assert!(
        changed.contains(&("u12@contoso.test".into(), "back_to_waiting".into()))
            && changed.contains(&("u20@contoso.test".into(), "seat_added".into())),
        "{changed:?}"
    );
    let waiting = rows
        .iter()
        .find(|r| r.result.contains("the member waits"))
        .unwrap();
    assert_eq!(waiting.changed[0].change, "waiting", "{:?}", waiting.changed);
    assert_eq!(state(&conn, 12), "error");
    check_cache(&conn);
}

#[test]
fn an_all_matching_preview_names_who_is_chosen() {
    let (dir, conn) = tenant();
    let shown = preview(
        &dir,
        &conn,
        Change::Assign {
            pool_id: UNLIMITED,
            selection: Selection::AllMatching {
                query: "contoso".into(),
                count: 20,
            },
        },
    );
    let first = &shown.lines[0].text;
    assert!(
        first.starts_with("20 chosen: all 20 matching \"contoso\": ") && first.ends_with("…and 8 more"),
        "{first}"
    );
    assert_eq!(first.matches("@contoso.test").count(), 12, "{first}");
}
