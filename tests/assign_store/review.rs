//! Regressions found in review: waiting members who left, other errors,
//! the checksum itself, group withdrawals and exact undo.

use super::fixture::*;
use seats::domain::Principal::{Group, User};
use seats::store::changes;

/// TIGHT full (u20, u10, u11) and u12 waiting there through Cycle B.
fn tight_full_with_u12_waiting(conn: &rusqlite::Connection) {
    changes::assign(conn, &tester(), TIGHT, &[User(20)]).unwrap();
    changes::assign(conn, &tester(), TIGHT, &[Group(CYCLE_B)]).unwrap();
    let joined = changes::add_group_member(conn, &tester(), CYCLE_B, 12).unwrap();
    assert_eq!(joined.in_error.len(), 1, "{joined:?}");
    assert_eq!(consumed(conn, TIGHT), 3);
}

#[test]
fn the_checksum_is_never_empty_and_sees_every_seat() {
    let (_dir, conn) = tenant();
    conn.execute_batch(
        "DELETE FROM group_user_members; DELETE FROM group_device_members; \
         DELETE FROM group_child_groups; DELETE FROM group_assignments;",
    )
    .unwrap();
    let empty = checksum(&conn);
    assert!(!empty.is_empty(), "empty tables must not blank the checksum");
    changes::assign(&conn, &tester(), LOCAL, &[User(1)]).unwrap();
    assert_ne!(checksum(&conn), empty, "a new seat changes the checksum");
    check_cache(&conn);
}

#[test]
fn a_waiting_member_who_left_gets_no_freed_seat() {
    let (_dir, conn) = tenant();
    tight_full_with_u12_waiting(&conn);
    conn.execute("UPDATE users SET enabled = 0 WHERE id = 12", [])
        .unwrap();
    let out = changes::unassign(&conn, &tester(), TIGHT, &[User(20)]).unwrap();
    assert_eq!((out.released, out.promoted, out.consumed_after), (1, 0, 2));
    assert_eq!(holders(&conn, TIGHT), [10, 11]);
    assert_eq!(
        seats(&conn, TIGHT)[2],
        (12, false, Some(CYCLE_B), "error".to_owned())
    );
    assert_consistent(&conn);
    check_cache(&conn);
}

#[test]
fn assigning_again_does_not_seat_rows_in_another_error() {
    let (_dir, conn) = tenant();
    changes::assign(&conn, &tester(), TIGHT, &[User(1)]).unwrap();
    conn.execute(
        "INSERT INTO assignments (pool_id, user_id, direct, state_code, error, assigned_unix, assigned_by_code) \
         VALUES (8, 2, 1, 2, 'MutuallyExclusiveViolation', '2026-01-01T00:00:00Z', 'tester')",
        [],
    )
    .unwrap();
    let plan = changes::plan_assign(&conn, TIGHT, &[User(2), User(3)]).unwrap();
    assert_eq!((plan.new_seats, plan.already_held), (1, 1));
    let out = changes::assign(&conn, &tester(), TIGHT, &[User(2), User(3)]).unwrap();
    assert_eq!((out.added, out.consumed_after), (1, 2));
    let error: String = conn
        .query_row(
            "SELECT state || ',' || error FROM assignments WHERE pool_id = 8 AND user_id = 2",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(error, "error,MutuallyExclusiveViolation");
    assert_consistent(&conn);
    check_cache(&conn);
}

#[test]
fn unassigning_a_group_releases_seats_of_members_who_left_it_meanwhile() {
    let (_dir, conn) = tenant();
    changes::assign(&conn, &tester(), LOCAL, &[Group(SALES)]).unwrap();
    assert_eq!(holders(&conn, LOCAL), [1, 2, 3, 4, 5]);
    conn.execute(
        "DELETE FROM group_user_members WHERE group_id = ?1 AND user_id = 3",
        [SALES],
    )
    .unwrap();
    let out = changes::unassign(&conn, &tester(), LOCAL, &[Group(SALES)]).unwrap();
    assert_eq!((out.released, out.consumed_after), (5, 0));
    assert!(seats(&conn, LOCAL).is_empty(), "{:?}", seats(&conn, LOCAL));
    assert_consistent(&conn);
    check_cache(&conn);
}

#[test]
fn undo_of_a_group_assignment_puts_back_the_group_reference() {
    let (_dir, conn) = tenant();
    changes::assign(&conn, &tester(), LOCAL, &[User(1)]).unwrap();
    let before = checksum(&conn);
    assert_eq!(seats(&conn, LOCAL), [(1, true, None, "active".to_owned())]);
    let out = changes::assign(&conn, &tester(), LOCAL, &[Group(SALES)]).unwrap();
    assert_eq!(out.added, 4);
    assert_eq!(
        seats(&conn, LOCAL)[0],
        (1, true, Some(SALES), "active".to_owned())
    );
    changes::undo(&conn, &tester(), &out.batch_id).unwrap();
    assert_eq!(seats(&conn, LOCAL), [(1, true, None, "active".to_owned())]);
    assert_eq!(checksum(&conn), before);
    assert_consistent(&conn);
    check_cache(&conn);
}

#[test]
fn undo_of_a_release_sends_the_promoted_member_back_to_waiting() {
    let (_dir, conn) = tenant();
    // Graph pool: the source must hear about the promotion.
    conn.execute("UPDATE pools SET total = 3 WHERE id = ?1", [GRAPH])
        .unwrap();
    changes::assign(&conn, &tester(), GRAPH, &[User(20)]).unwrap();
    changes::assign(&conn, &tester(), GRAPH, &[Group(CYCLE_B)]).unwrap();
    let joined = changes::add_group_member(&conn, &tester(), CYCLE_B, 12).unwrap();
    assert_eq!(joined.in_error.len(), 1, "{joined:?}");
    let before = checksum(&conn);
    let out = changes::unassign(&conn, &tester(), GRAPH, &[User(20)]).unwrap();
    assert_eq!((out.released, out.promoted, out.consumed_after), (1, 1, 3));
    assert_eq!(holders(&conn, GRAPH), [10, 11, 12]);
    let added: String = conn
        .query_row(
            "SELECT json_extract(payload, '$.users') FROM outbox WHERE batch_id = ?1 \
             AND operation = 'assign_license'",
            [&out.batch_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        added, r#"["u12@contoso.test"]"#,
        "the source hears of the promotion"
    );
    changes::undo(&conn, &tester(), &out.batch_id).unwrap();
    assert_eq!(checksum(&conn), before, "exactly as before the release");
    assert_consistent(&conn);
    check_cache(&conn);
}

#[test]
fn undo_of_a_direct_assignment_sends_a_waiting_member_back_to_waiting() {
    let (_dir, conn) = tenant();
    tight_full_with_u12_waiting(&conn);
    conn.execute("UPDATE pools SET total = 4 WHERE id = ?1", [TIGHT])
        .unwrap();
    let before = checksum(&conn);
    let out = changes::assign(&conn, &tester(), TIGHT, &[User(12)]).unwrap();
    assert_eq!((out.added, out.consumed_after), (1, 4));
    assert_eq!(
        seats(&conn, TIGHT)[2],
        (12, true, Some(CYCLE_B), "active".to_owned())
    );
    changes::undo(&conn, &tester(), &out.batch_id).unwrap();
    assert_eq!(
        seats(&conn, TIGHT)[2],
        (12, false, Some(CYCLE_B), "error".to_owned())
    );
    assert_eq!(consumed(&conn, TIGHT), 3);
    assert_eq!(checksum(&conn), before);
    assert_consistent(&conn);
    check_cache(&conn);
}

#[test]
fn undo_of_a_repeated_group_assignment_takes_the_newcomer_seat_back() {
    let (_dir, conn) = tenant();
    changes::assign(&conn, &tester(), LOCAL, &[Group(SALES)]).unwrap();
    conn.execute(
        "INSERT INTO group_user_members (group_id, user_id) VALUES (?1, 15)",
        [SALES],
    )
    .unwrap();
    let before = checksum(&conn);
    let out = changes::assign(&conn, &tester(), LOCAL, &[Group(SALES)]).unwrap();
    assert_eq!((out.added, out.consumed_after), (1, 6));
    changes::undo(&conn, &tester(), &out.batch_id).unwrap();
    assert_eq!(holders(&conn, LOCAL), [1, 2, 3, 4, 5]);
    assert_eq!(checksum(&conn), before);
    assert_consistent(&conn);
    check_cache(&conn);
}
