//! Previews run the same rule as the change (issue 6 items 3, 6 and 18):
//! what they list is what the change then does, with the same figures, and
//! a refusal the console shows is audited.

use super::fixture::*;
use seats::app::dialogs::{Change, Preview, Selection};
use seats::app::{Command, WorkerEvent};
use seats::domain::Principal::{Group, User};
use seats::store::changes::{self, Actor};
use seats::worker::search::{PickItem, PickKind};

/// The console's preview of `change`, as the worker computes it.
fn preview(conn: &rusqlite::Connection, actor: &Actor, change: Change) -> Preview {
    let command = Command::Plan {
        generation: 1,
        change,
    };
    let path = std::path::Path::new("unused-by-previews.db");
    match seats::worker::respond_now(conn, path, actor, &mut None, command) {
        Some(WorkerEvent::Planned { preview, .. }) => preview,
        other => panic!("no preview: {other:?}"),
    }
}

fn text(preview: &Preview) -> String {
    let lines: Vec<&str> = preview.lines.iter().map(|l| l.text.as_str()).collect();
    lines.join("\n")
}

fn seat_id(conn: &rusqlite::Connection, pool: i64, user: i64) -> i64 {
    conn.query_row(
        "SELECT id FROM assignments WHERE pool_id = ?1 AND user_id = ?2",
        [pool, user],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn a_release_preview_keeps_a_seat_reached_through_a_group_and_says_so() {
    let (_dir, conn) = tenant();
    changes::assign(&conn, &tester(), LOCAL, &[Group(SALES), User(9)]).unwrap();
    let seat_ids = vec![seat_id(&conn, LOCAL, 1), seat_id(&conn, LOCAL, 9)];
    let plans = changes::plan_release_seats(&conn, &seat_ids).unwrap();
    assert_eq!(plans[0].released, ["u9@contoso.test"]);
    assert_eq!(
        plans[0].kept,
        [(
            "u1@contoso.test".to_owned(),
            "still reached through group Sales".to_owned()
        )]
    );
    let shown = text(&preview(
        &conn,
        &tester(),
        Change::ReleaseSeats {
            seat_ids: seat_ids.clone(),
        },
    ));
    assert!(shown.starts_with("releases 1 seat; 1 stays\n"), "{shown}");
    assert!(shown.contains("Local Tool: consumed 6 → 5"), "{shown}");
    assert!(
        shown.contains("stays: u1@contoso.test, still reached through group Sales"),
        "{shown}"
    );
    let done = changes::release_seats(&conn, &tester(), &seat_ids).unwrap();
    assert_eq!(done[0].released as usize, plans[0].released.len());
    assert_eq!(
        (done[0].consumed_before, done[0].consumed_after),
        (plans[0].before.consumed, plans[0].after.consumed),
        "the preview's figures are the release's"
    );
    check_cache(&conn);
}

#[test]
fn a_release_preview_counts_waiting_members_who_move_up() {
    let (_dir, conn) = tenant();
    changes::assign(&conn, &tester(), TIGHT, &[User(20), Group(CYCLE_B)]).unwrap();
    changes::add_group_member(&conn, &tester(), CYCLE_B, 12).unwrap(); // waits: no seat free
    let seat_ids = vec![seat_id(&conn, TIGHT, 20), seat_id(&conn, TIGHT, 12)];
    let plans = changes::plan_release_seats(&conn, &seat_ids).unwrap();
    assert_eq!(plans[0].released, ["u20@contoso.test"]);
    assert!(
        plans[0].dropped.is_empty(),
        "u12 is still reached through Cycle B"
    );
    assert_eq!(
        plans[0].promoted,
        ["u12@contoso.test"],
        "u12 moves up into u20's seat"
    );
    assert_eq!((plans[0].before.consumed, plans[0].after.consumed), (3, 3));
    let shown = text(&preview(
        &conn,
        &tester(),
        Change::ReleaseSeats {
            seat_ids: seat_ids.clone(),
        },
    ));
    assert!(shown.contains("consumed 3 → 3"), "{shown}");
    assert!(
        shown.contains("u12@contoso.test moves up from waiting"),
        "{shown}"
    );
    let done = changes::release_seats(&conn, &tester(), &seat_ids).unwrap();
    assert_eq!((done[0].released, done[0].promoted), (1, 1));
    assert_eq!(done[0].consumed_after, plans[0].after.consumed);
    check_cache(&conn);
}

#[test]
fn a_removal_preview_releases_seats_reached_through_groups_as_the_removal_does() {
    let (_dir, conn) = tenant();
    changes::assign(&conn, &tester(), LOCAL, &[Group(SALES)]).unwrap();
    changes::assign(&conn, &tester(), TIGHT, &[User(1), Group(CYCLE_B)]).unwrap(); // full
    changes::add_group_member(&conn, &tester(), CYCLE_B, 12).unwrap(); // waits in Tight
    let plan = changes::plan_remove_user(&conn, 1, false).unwrap();
    let figures: Vec<_> = plan
        .pools
        .iter()
        .map(|p| (p.pool_id, p.released.len(), p.before.consumed, p.after.consumed))
        .collect();
    assert_eq!(
        figures,
        [(LOCAL, 1, 5, 4), (TIGHT, 1, 3, 3)],
        "u1's seat through Sales goes too; u12 moves up into u1's Tight seat"
    );
    assert_eq!(plan.memberships, 1, "u1 leaves Sales");
    let shown = text(&preview(
        &conn,
        &tester(),
        Change::RemoveUser {
            user_id: 1,
            with_devices: false,
        },
    ));
    assert!(
        shown.starts_with("the user leaves: 2 seats released in one step, also seats reached through groups"),
        "{shown}"
    );
    let done = changes::remove_user(&conn, &tester(), 1, false).unwrap();
    let after: Vec<_> = done
        .iter()
        .map(|o| {
            (
                o.pool_id,
                o.released as usize,
                o.consumed_before,
                o.consumed_after,
            )
        })
        .collect();
    assert_eq!(after, figures, "the removal does what its preview said");
    check_cache(&conn);
}

#[test]
fn the_undo_preview_shows_what_undo_reverses_with_real_figures() {
    let (_dir, conn) = tenant();
    changes::assign(&conn, &tester(), GRAPH, &[User(1)]).unwrap();
    let batch = changes::assign(&conn, &tester(), LOCAL, &[Group(SALES), User(9)]).unwrap();
    changes::assign(&conn, &tester(), LOCAL, &[User(10)]).unwrap();
    let refused_before = count(&conn, "SELECT count(*) FROM audit");
    let shown = preview(
        &conn,
        &tester(),
        Change::Undo {
            batches: vec![batch.batch_id.clone()],
        },
    );
    let lines = text(&shown);
    assert!(shown.refusal.is_none(), "{shown:?}");
    assert!(
        !lines.contains("(0 → 0)") && !lines.contains("Office E3"),
        "{lines}"
    );
    assert!(
        lines.contains("Local Tool: consumed 7 → 1"),
        "today's figures: {lines}"
    );
    assert!(lines.contains("seats taken back: u1@contoso.test"), "{lines}");
    assert!(lines.contains("group Sales withdrawn"), "{lines}");
    assert_eq!(
        count(&conn, "SELECT count(*) FROM audit"),
        refused_before,
        "a preview writes nothing"
    );
    let undone = changes::undo(&conn, &tester(), &batch.batch_id).unwrap();
    assert_eq!((undone[0].consumed_before, undone[0].consumed_after), (7, 1));
    check_cache(&conn);
}

#[test]
fn an_undo_preview_says_why_it_is_refused_and_the_console_audits_it() {
    let (_dir, conn) = tenant();
    changes::assign(&conn, &tester(), TIGHT, &[User(1), User(2)]).unwrap();
    let out = changes::unassign(&conn, &tester(), TIGHT, &[User(1), User(2)]).unwrap();
    changes::assign(&conn, &tester(), TIGHT, &[User(3), User(4)]).unwrap();
    let shown = preview(
        &conn,
        &tester(),
        Change::Undo {
            batches: vec![out.batch_id.clone()],
        },
    );
    let refusal = shown.refusal.clone().unwrap_or_default();
    assert!(refusal.contains("short by 1"), "{shown:?}");
    assert!(!text(&shown).contains("taken back"), "{shown:?}");
    let audited: (String, String, String) = conn
        .query_row(
            "SELECT actor, action, pool_name FROM audit WHERE result LIKE 'refused: %short by 1%'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(audited, ("tester".into(), "undo".into(), "Tight Tool".into()));
    check_cache(&conn);
}

#[test]
fn a_refusal_the_console_shows_is_audited_like_the_command_lines() {
    let (_dir, conn) = tenant();
    let lena = Actor::new("lena");
    let change = Change::Assign {
        pool_id: DISABLED,
        selection: Selection::Items(vec![PickItem {
            kind: PickKind::User,
            id: 1,
            label: "u1@contoso.test".into(),
            detail: "User 1".into(),
            blocked: None,
        }]),
    };
    // The console's path: the preview refuses, Enter cannot apply it.
    let shown = preview(&conn, &lena, change);
    assert!(shown.refusal.unwrap().contains("can never be reactivated"));
    // The command line's path: the change itself refuses.
    changes::assign(&conn, &lena, DISABLED, &[User(1)]).unwrap_err();
    let rows: Vec<(String, String, Option<String>, String)> = conn
        .prepare("SELECT actor, action, pool_name, result FROM audit ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    for (actor, action, pool, result) in &rows {
        assert_eq!((actor.as_str(), action.as_str()), ("lena", "assign"));
        assert_eq!(pool.as_deref(), Some("Old CRM"));
        assert!(result.starts_with("refused: Old CRM is disabled"), "{result}");
    }
    check_cache(&conn);
}

#[test]
fn the_undo_preview_of_a_removed_user_lists_only_what_comes_back() {
    let (_dir, conn) = tenant();
    changes::assign(&conn, &tester(), LOCAL, &[Group(SALES)]).unwrap();
    let removed = changes::remove_user(&conn, &tester(), 2, false).unwrap();
    let shown = text(&preview(
        &conn,
        &tester(),
        Change::Undo {
            batches: vec![removed[0].batch_id.clone()],
        },
    ));
    assert!(
        !shown.contains("(0 → 0)") && !shown.contains("remove_user"),
        "{shown}"
    );
    assert!(shown.contains("Local Tool: consumed 4 → 5"), "{shown}");
    assert!(shown.contains("seats given back: u2@contoso.test"), "{shown}");
    assert!(shown.contains("u2@contoso.test rejoins Sales"), "{shown}");
    assert!(shown.contains("u2@contoso.test comes back (enabled)"), "{shown}");
    check_cache(&conn);
}
