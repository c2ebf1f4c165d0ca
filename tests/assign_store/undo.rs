//! Undo, users who leave, members who join, bulk release (R-LIC-5, R-LIC-7).

use super::fixture::*;
use seats::domain::Principal::{Group, User};
use seats::store::changes::{self, Actor, ChangeError, Refusal};

#[test]
fn a_late_member_waits_when_full_and_moves_up_when_a_seat_frees() {
    let (_dir, conn) = tenant();
    changes::assign(&conn, &tester(), TIGHT, &[User(20)]).unwrap();
    changes::assign(&conn, &tester(), TIGHT, &[Group(CYCLE_B)]).unwrap(); // u10, u11: full
    changes::assign(&conn, &tester(), UNLIMITED, &[Group(CYCLE_A)]).unwrap();
    let joined = changes::add_group_member(&conn, &tester(), CYCLE_B, 12).unwrap();
    assert!(joined.membership_added);
    let names = |pools: &[changes::PoolRef]| pools.iter().map(|p| p.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&joined.seated), ["Flat Rate"], "{joined:?}");
    assert_eq!(names(&joined.in_error), ["Tight Tool"], "{joined:?}");
    let waiting = seats(&conn, TIGHT).into_iter().find(|s| s.0 == 12).unwrap();
    assert_eq!(waiting.3, "error");
    let error: String = conn
        .query_row(
            "SELECT error FROM assignments WHERE pool_id = 8 AND user_id = 12",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(error, "CountViolation");
    assert_eq!(consumed(&conn, TIGHT), 3, "a waiting row holds no seat");
    assert_consistent(&conn);
    let out = changes::unassign(&conn, &tester(), TIGHT, &[User(20)]).unwrap();
    assert_eq!((out.released, out.promoted, out.consumed_after), (1, 1, 3));
    assert_eq!(holders(&conn, TIGHT), [10, 11, 12]);
    // Undo of the join drops the membership and the seats it brought.
    changes::undo(&conn, &tester(), &joined.batch_id).unwrap();
    assert_eq!(holders(&conn, TIGHT), [10, 11]);
    assert_eq!(holders(&conn, UNLIMITED), [10, 11]);
    assert_consistent(&conn);
    check_cache(&conn);
}

#[test]
fn removing_a_user_releases_every_seat_in_one_batch_and_undo_brings_it_back() {
    let (_dir, conn) = tenant();
    changes::assign(&conn, &tester(), LOCAL, &[Group(SALES)]).unwrap();
    changes::assign(&conn, &tester(), GRAPH, &[User(1)]).unwrap();
    changes::assign(&conn, &tester(), MIXED_APP, &[Group(LAPTOPS)]).unwrap();
    let before = checksum(&conn);
    let uma = Actor::new("uma");
    let outcomes = changes::remove_user(&conn, &uma, 1, true).unwrap();
    let pools: Vec<_> = outcomes.iter().map(|o| (o.pool_id, o.released)).collect();
    assert_eq!(
        pools,
        [(LOCAL, 1), (GRAPH, 1), (MIXED_APP, 1)],
        "LAPTOP-1 is u1's device"
    );
    assert!(
        outcomes.windows(2).all(|w| w[0].batch_id == w[1].batch_id),
        "one batch"
    );
    let flags = count(&conn, "SELECT enabled * 10 + deleted FROM users WHERE id = 1");
    assert_eq!(flags, 1, "disabled and deleted");
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM group_members WHERE user_id = 1 OR device_id = 1"
        ),
        0
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM assignments WHERE user_id = 1 OR device_id = 1"
        ),
        0
    );
    let audited = count(&conn, "SELECT count(*) FROM audit WHERE action = 'remove_user'");
    assert_eq!(audited, 4, "one row per pool and one for the user");
    assert_consistent(&conn);
    let lena = Actor::new("lena");
    let err = changes::remove_user(&conn, &lena, 2, false).unwrap_err();
    assert_eq!(err.exit_code(), 4, "license admins do not remove users");
    let batch = changes::last_undoable_batch(&conn, "uma").unwrap().unwrap();
    changes::undo(&conn, &uma, &batch).unwrap();
    assert_eq!(
        checksum(&conn),
        before,
        "undo restores seats, memberships and flags"
    );
    assert_consistent(&conn);
    check_cache(&conn);
}

#[test]
fn reclaim_from_a_sync_runs_in_the_callers_transaction() {
    let (_dir, mut conn) = tenant();
    changes::assign(&conn, &tester(), LOCAL, &[Group(SALES)]).unwrap();
    changes::assign(&conn, &tester(), GRAPH, &[User(2)]).unwrap();
    let tx = seats::store::begin_write(&mut conn).unwrap();
    tx.execute("UPDATE users SET enabled = 0 WHERE id = 2", [])
        .unwrap();
    let outcomes = changes::reclaim_user(&tx, "sync", 2, "disabled at the source").unwrap();
    drop(tx); // rolled back: the caller decides
    assert_eq!(outcomes.len(), 2);
    assert_eq!(holders(&conn, LOCAL), [1, 2, 3, 4, 5]);
    let tx = seats::store::begin_write(&mut conn).unwrap();
    tx.execute("UPDATE users SET enabled = 0 WHERE id = 2", [])
        .unwrap();
    changes::reclaim_user(&tx, "sync", 2, "disabled at the source").unwrap();
    tx.commit().unwrap();
    assert_eq!(holders(&conn, LOCAL), [1, 3, 4, 5]);
    assert_eq!(
        count(&conn, "SELECT count(*) FROM audit WHERE action = 'reclaim'"),
        2
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM outbox WHERE operation = 'remove_license'"
        ),
        1
    );
    let plan = changes::plan_assign(&conn, LOCAL, &[Group(SALES)]).unwrap();
    assert_eq!(
        plan.new_seats, 0,
        "a user who left gets no seat back through the group"
    );
    assert_consistent(&conn);
    check_cache(&conn);
}

#[test]
fn undo_inverts_an_assignment_exactly_once() {
    let (_dir, conn) = tenant();
    changes::assign(&conn, &tester(), LOCAL, &[Group(MARKETING)]).unwrap();
    let before = checksum(&conn);
    let out = changes::assign(&conn, &tester(), LOCAL, &[Group(SALES), User(4), User(9)]).unwrap();
    assert_eq!(out.added, 4, "u1..u3 and u9; u4 already held");
    assert_eq!(
        changes::last_undoable_batch(&conn, "tester").unwrap(),
        Some(out.batch_id.clone())
    );
    let undone = changes::undo(&conn, &tester(), &out.batch_id).unwrap();
    assert_eq!(undone[0].released, 4);
    assert_eq!(checksum(&conn), before, "exactly as before, u4's direct flag too");
    let again = changes::undo(&conn, &tester(), &out.batch_id).unwrap_err();
    assert!(
        matches!(again, ChangeError::Refused(Refusal::AlreadyUndone { .. })),
        "{again}"
    );
    let undo_of_undo = changes::undo(&conn, &tester(), &undone[0].batch_id).unwrap_err();
    assert_eq!(undo_of_undo.exit_code(), 3);
    let next = changes::last_undoable_batch(&conn, "tester").unwrap().unwrap();
    assert_ne!(next, out.batch_id, "repeated undo walks back");
    let audited = count(
        &conn,
        "SELECT count(*) FROM audit WHERE action = 'undo' AND result = 'ok'",
    );
    assert_eq!(audited, 1);
    let refused = count(
        &conn,
        "SELECT count(*) FROM audit WHERE action = 'undo' AND result LIKE 'refused: %' AND actor = 'tester'",
    );
    assert_eq!(refused, 2, "both refused undos are audited");
    assert!(matches!(
        changes::undo(&conn, &tester(), "nope"),
        Err(ChangeError::NotFound(_))
    ));
    assert_consistent(&conn);
    check_cache(&conn);
}

#[test]
fn undo_of_an_unassignment_reassigns_or_refuses_when_seats_were_taken() {
    let (_dir, conn) = tenant();
    changes::assign(&conn, &tester(), TIGHT, &[Group(CYCLE_A), User(1)]).unwrap();
    let before = checksum(&conn);
    let out = changes::unassign(&conn, &tester(), TIGHT, &[Group(CYCLE_A)]).unwrap();
    assert_eq!(out.released, 2);
    changes::undo(&conn, &tester(), &out.batch_id).unwrap();
    assert_eq!(checksum(&conn), before, "group grant and seats back as they were");
    let out = changes::unassign(&conn, &tester(), TIGHT, &[Group(CYCLE_A)]).unwrap();
    changes::assign(&conn, &tester(), TIGHT, &[User(2), User(3)]).unwrap();
    let taken = checksum(&conn);
    let err = changes::undo(&conn, &tester(), &out.batch_id).unwrap_err();
    assert!(err.to_string().contains("short by 2"), "{err}");
    assert_eq!(checksum(&conn), taken, "a refused undo changes nothing");
    assert_consistent(&conn);
    check_cache(&conn);
}

#[test]
fn bulk_release_by_assignment_id_is_one_batch_across_pools() {
    let (_dir, conn) = tenant();
    changes::assign(&conn, &tester(), LOCAL, &[User(1), User(2), Group(MARKETING)]).unwrap();
    changes::assign(&conn, &tester(), UNLIMITED, &[User(1)]).unwrap();
    let ids: Vec<i64> = conn
        .prepare("SELECT id FROM assignments WHERE user_id IN (1, 6)")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let out = changes::release_seats(&conn, &tester(), &[ids, vec![999_999]].concat()).unwrap();
    let figures: Vec<_> = out
        .iter()
        .map(|o| (o.pool_id, o.released, o.kept.len()))
        .collect();
    assert_eq!(
        figures,
        [(LOCAL, 1, 1), (UNLIMITED, 1, 0)],
        "u6 stays: reached via Marketing"
    );
    assert_eq!(out[0].batch_id, out[1].batch_id);
    changes::undo(&conn, &tester(), &out[0].batch_id).unwrap();
    assert_eq!(holders(&conn, UNLIMITED), [1]);
    assert_consistent(&conn);
    check_cache(&conn);
}
