//! The outbox as the pusher sees it: the license changes of each pending
//! row, applied, retried with backoff, or refused with the local change
//! rolled back in the same transaction (architecture §3).

use chrono::{Duration, TimeZone, Utc};
use rusqlite::Connection;
use seats::domain::Principal;
use seats::domain::source::{ChangeTarget, LicenseChange};
use seats::store::changes::{self, Actor};
use seats::store::outbox_push::{self, backoff, mark_applied, mark_retry, pending_for, refuse};
use seats::store::sync::PullKind;

use crate::common::{ACTOR, demo_db};
use crate::source::{GRAPH, Source, graph_seats, pool_id};
use crate::{USERS, check_clean, count};

const NO_SEATS: &str =
    "License assignment failed because service plans EXCHANGE_S_STANDARD do not have any available licenses.";

fn admin() -> Actor {
    Actor::new(ACTOR)
}

fn outbox_of(conn: &Connection, batch: &str) -> Vec<i64> {
    let mut stmt = conn
        .prepare("SELECT id FROM outbox WHERE batch_id = ?1 ORDER BY id")
        .unwrap();
    stmt.query_map([batch], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Reported, enabled users without a seat of the pool.
fn users_without(conn: &Connection, part: &str, n: usize) -> Vec<i64> {
    let mut stmt = conn
        .prepare(
            "SELECT id FROM users u WHERE deleted = 0 AND enabled = 1 AND NOT EXISTS (SELECT 1 FROM assignments a \
               JOIN pools p ON p.id = a.pool_id WHERE a.user_id = u.id AND p.sku_part_number = ?1) ORDER BY id LIMIT ?2",
        )
        .unwrap();
    stmt.query_map(rusqlite::params![part, n as i64], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// The seat rows and figures of one pool, to compare before and after.
fn pool_state(conn: &Connection, pool: i64) -> String {
    conn.query_row(
        "SELECT (SELECT consumed FROM pools WHERE id = ?1) || '|' || coalesce((SELECT group_concat(x, ';') FROM \
           (SELECT user_id || ',' || direct || ',' || coalesce(via_group_id, '') || ',' || state || ',' || \
                   assigned_at || ',' || assigned_by AS x FROM assignments WHERE pool_id = ?1 ORDER BY user_id)), '')",
        [pool],
        |r| r.get(0),
    )
    .unwrap()
}

fn synced_demo() -> (tempfile::TempDir, Connection) {
    let (dir, _path, conn) = demo_db(USERS);
    Source::of(&conn).pull(&conn, PullKind::Full);
    (dir, conn)
}

#[test]
fn a_refused_assignment_is_rolled_back_in_the_same_transaction_and_audited() {
    let (_dir, conn) = synced_demo();
    let pool = pool_id(&conn, "VISIOCLIENT");
    let before = pool_state(&conn, pool);
    let users = users_without(&conn, "VISIOCLIENT", 2);
    let principals: Vec<Principal> = users.iter().map(|&u| Principal::User(u)).collect();
    let outcome = changes::assign(&conn, &admin(), pool, &principals).unwrap();
    let row = outbox_of(&conn, &outcome.batch_id)[0];

    let refused = refuse(&conn, row, NO_SEATS, Some("req-7")).unwrap().unwrap();
    assert_eq!(refused.consumed_before, Some(outcome.consumed_after));
    assert_eq!(
        refused.consumed_after,
        Some(outcome.consumed_before),
        "consumed back"
    );
    assert!(refused.kept_because.is_none() && refused.rollback_batch.is_some());
    assert_eq!(
        pool_state(&conn, pool),
        before,
        "exactly the local change went back"
    );
    for user in &users {
        assert!(!graph_seats(&conn, *user).contains(&"VISIOCLIENT".to_owned()));
    }
    let (state, error, request): (String, String, String) = conn
        .query_row(
            "SELECT state, last_error, request_id FROM outbox WHERE id = ?1",
            [row],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((state.as_str(), request.as_str()), ("failed", "req-7"));
    assert_eq!(error, format!("refused by Microsoft Graph: {NO_SEATS}"));
    let (actor, result, detail): (String, String, String) = conn
        .query_row(
            "SELECT actor, result, detail FROM audit WHERE action = 'refused' ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(actor, "seats sync");
    assert!(
        result.starts_with(&format!("refused by Microsoft Graph: {NO_SEATS}")),
        "{result}"
    );
    assert!(
        detail.contains(&outcome.batch_id) && detail.contains("req-7"),
        "{detail}"
    );
    let undone: Option<String> = conn
        .query_row(
            "SELECT undone_by FROM batches WHERE id = ?1",
            [&outcome.batch_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(undone, refused.rollback_batch, "never inverted twice");
    check_clean(&conn);

    assert!(
        refuse(&conn, row, NO_SEATS, None).unwrap().is_none(),
        "only a pending row is refused"
    );
    assert!(
        !mark_applied(&conn, row, Utc::now()).unwrap(),
        "nor marked applied afterwards"
    );
    assert_eq!(pool_state(&conn, pool), before);
}

#[test]
fn a_refused_release_gives_the_seat_back() {
    let (_dir, conn) = synced_demo();
    let pool = pool_id(&conn, "VISIOCLIENT");
    let holder = count(
        &conn,
        &format!(
            "SELECT user_id FROM assignments WHERE pool_id = {pool} AND direct = 1 AND via_group_id IS NULL AND state = 'active' ORDER BY id LIMIT 1"
        ),
    );
    let before = pool_state(&conn, pool);
    let outcome = changes::unassign(&conn, &admin(), pool, &[Principal::User(holder)]).unwrap();
    assert_eq!(outcome.released, 1);
    let row = outbox_of(&conn, &outcome.batch_id)[0];
    refuse(
        &conn,
        row,
        "User license is inherited from a group membership",
        None,
    )
    .unwrap()
    .unwrap();
    assert_eq!(pool_state(&conn, pool), before, "the seat is back as it was");
    check_clean(&conn);
}

#[test]
fn a_refusal_whose_rollback_no_longer_fits_keeps_the_local_change_and_says_why() {
    let (_dir, conn) = synced_demo();
    let pool = pool_id(&conn, "VISIOCLIENT");
    let holder = count(
        &conn,
        &format!(
            "SELECT user_id FROM assignments WHERE pool_id = {pool} AND direct = 1 AND via_group_id IS NULL AND state = 'active' ORDER BY id LIMIT 1"
        ),
    );
    let released = changes::unassign(&conn, &admin(), pool, &[Principal::User(holder)]).unwrap();
    // The freed seat, and the spare one, go to others (applied at the source).
    let free = count(
        &conn,
        &format!("SELECT total - consumed FROM pools WHERE id = {pool}"),
    );
    let others: Vec<Principal> = users_without(&conn, "VISIOCLIENT", free as usize + 1)
        .into_iter()
        .filter(|&u| u != holder)
        .take(free as usize)
        .map(Principal::User)
        .collect();
    let taken = changes::assign(&conn, &admin(), pool, &others).unwrap();
    assert_eq!(
        count(
            &conn,
            &format!("SELECT total - consumed FROM pools WHERE id = {pool}")
        ),
        0,
        "full"
    );
    for row in outbox_of(&conn, &taken.batch_id) {
        mark_applied(&conn, row, Utc::now()).unwrap();
    }
    let full = pool_state(&conn, pool);
    let row = outbox_of(&conn, &released.batch_id)[0];
    let refused = refuse(&conn, row, "Request_BadRequest", Some("req-9"))
        .unwrap()
        .unwrap();
    let why = refused.kept_because.unwrap();
    assert!(why.contains("Visio Plan 2"), "{why}");
    assert_eq!(pool_state(&conn, pool), full, "nothing was half rolled back");
    let state: String = conn
        .query_row("SELECT state FROM outbox WHERE id = ?1", [row], |r| r.get(0))
        .unwrap();
    assert_eq!(state, "failed");
    let result: String = conn
        .query_row("SELECT result FROM audit WHERE action = 'refused'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(result.contains("the local change stays"), "{result}");
    check_clean(&conn);
}

#[test]
fn retries_back_off_and_keep_their_pool_in_order() {
    let (_dir, conn) = synced_demo();
    let now = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap();
    let pool = pool_id(&conn, "VISIOCLIENT");
    let users = users_without(&conn, "VISIOCLIENT", 2);
    let first = changes::assign(&conn, &admin(), pool, &[Principal::User(users[0])]).unwrap();
    let second = changes::assign(&conn, &admin(), pool, &[Principal::User(users[1])]).unwrap();
    let (a, b) = (
        outbox_of(&conn, &first.batch_id)[0],
        outbox_of(&conn, &second.batch_id)[0],
    );
    assert_eq!(
        pending_for(&conn, GRAPH, 100, now)
            .unwrap()
            .iter()
            .map(|p| p.id)
            .collect::<Vec<_>>(),
        vec![a, b]
    );

    let next = mark_retry(&conn, a, "HTTP 503 from Microsoft Graph", None, now)
        .unwrap()
        .unwrap();
    assert_eq!(next, "2026-06-01T12:00:30Z");
    let (attempts, state, error): (i64, String, String) = conn
        .query_row(
            "SELECT attempts, state, last_error FROM outbox WHERE id = ?1",
            [a],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (attempts, state.as_str(), error.as_str()),
        (1, "pending", "HTTP 503 from Microsoft Graph")
    );
    assert!(
        pending_for(&conn, GRAPH, 100, now).unwrap().is_empty(),
        "the later row of the pool waits too"
    );
    let due = pending_for(&conn, GRAPH, 100, now + Duration::seconds(31)).unwrap();
    assert_eq!(due.iter().map(|p| p.id).collect::<Vec<_>>(), vec![a, b]);
    assert_eq!(due[0].attempts, 1);
    let later = now + Duration::seconds(31);
    assert_eq!(
        mark_retry(&conn, a, "again", None, later).unwrap().unwrap(),
        "2026-06-01T12:01:31Z"
    );
    let waited = mark_retry(
        &conn,
        a,
        "throttled",
        Some(std::time::Duration::from_secs(5)),
        later,
    )
    .unwrap();
    assert_eq!(
        waited.unwrap(),
        "2026-06-01T12:00:36Z",
        "the source's Retry-After wins"
    );
    assert_eq!(
        (backoff(1), backoff(3), backoff(40)),
        (Duration::seconds(30), Duration::minutes(2), Duration::hours(1))
    );

    assert!(mark_applied(&conn, a, later).unwrap());
    assert!(
        !mark_applied(&conn, a, later).unwrap(),
        "applying twice changes nothing"
    );
    assert!(
        mark_retry(&conn, a, "late", None, later).unwrap().is_none(),
        "an applied row stays applied"
    );
    let state: String = conn
        .query_row("SELECT state FROM outbox WHERE id = ?1", [a], |r| r.get(0))
        .unwrap();
    assert_eq!(state, "applied");
    check_clean(&conn);
}

#[test]
fn a_cancelled_row_is_never_sent_or_marked() {
    let (_dir, conn) = synced_demo();
    let pool = pool_id(&conn, "VISIOCLIENT");
    let user = users_without(&conn, "VISIOCLIENT", 1)[0];
    let outcome = changes::assign(&conn, &admin(), pool, &[Principal::User(user)]).unwrap();
    let row = outbox_of(&conn, &outcome.batch_id)[0];
    changes::undo(&conn, &admin(), &outcome.batch_id).unwrap();
    assert!(pending_for(&conn, GRAPH, 100, Utc::now()).unwrap().is_empty());
    assert!(!mark_applied(&conn, row, Utc::now()).unwrap());
    assert!(mark_retry(&conn, row, "x", None, Utc::now()).unwrap().is_none());
    assert!(refuse(&conn, row, "x", None).unwrap().is_none());
    let state: String = conn
        .query_row("SELECT state FROM outbox WHERE id = ?1", [row], |r| r.get(0))
        .unwrap();
    assert_eq!(state, "cancelled");
    check_clean(&conn);
}

#[test]
fn pending_rows_name_users_by_upn_and_groups_by_their_graph_id() {
    let (_dir, conn) = synced_demo();
    let pool = pool_id(&conn, "VISIOCLIENT");
    let sku: String = conn
        .query_row("SELECT sku_id FROM pools WHERE id = ?1", [pool], |r| r.get(0))
        .unwrap();
    let user = users_without(&conn, "VISIOCLIENT", 1)[0];
    let upn: String = conn
        .query_row("SELECT upn FROM users WHERE id = ?1", [user], |r| r.get(0))
        .unwrap();
    changes::assign(&conn, &admin(), pool, &[Principal::User(user)]).unwrap();
    // A Graph group: its members get their seats through it, not one by one.
    let (group, group_source): (i64, String) = conn
        .query_row(
            "SELECT id, source_id FROM groups WHERE name = 'Project Phoenix'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let granted = changes::assign(&conn, &admin(), pool, &[Principal::Group(group)]).unwrap();
    assert!(granted.added > 0);
    changes::unassign(&conn, &admin(), pool, &[Principal::User(user)]).unwrap();

    let pushes = pending_for(&conn, GRAPH, 100, Utc::now()).unwrap();
    let changes: Vec<Vec<LicenseChange>> = pushes.iter().map(|p| p.changes.clone()).collect();
    let add = |target| LicenseChange {
        target,
        add: vec![sku.clone()],
        remove: vec![],
    };
    let remove = |target| LicenseChange {
        target,
        add: vec![],
        remove: vec![sku.clone()],
    };
    assert_eq!(
        changes,
        vec![
            vec![add(ChangeTarget::User(upn.clone()))],
            vec![add(ChangeTarget::Group(group_source))],
            vec![remove(ChangeTarget::User(upn))],
        ]
    );
    assert!(
        pushes
            .iter()
            .all(|p| p.skipped.is_empty() && p.unsendable.is_none() && p.sku_id == Some(sku.clone()))
    );
    assert_eq!(pushes[0].operation, "assign_license");
    assert_eq!(pushes[2].operation, "remove_license");
}

#[test]
fn devices_local_groups_and_unreadable_rows_are_not_sent_and_say_why() {
    let (_dir, conn) = synced_demo();
    conn.execute_batch(
        "INSERT INTO outbox (created_at, connector_id, pool_id, operation, payload, state, batch_id) VALUES
           ('2026-06-01T00:00:00Z', 1, 1, 'assign_license',
            '{\"sku_id\":\"abc\",\"users\":[],\"devices\":[\"KIOSK-1\"],\"direct\":[],\"groups\":[{\"name\":\"Local crew\",\"source_id\":null}]}',
            'pending', NULL),
           ('2026-06-01T00:00:00Z', 1, 1, 'assign_license', 'not json', 'pending', NULL),
           ('2026-06-01T00:00:00Z', 1, 1, 'assign_license', '{\"users\":[\"a@b.test\"]}', 'pending', NULL);",
    )
    .unwrap();
    let pushes = pending_for(&conn, GRAPH, 10, Utc::now()).unwrap();
    assert_eq!(pushes.len(), 3);
    assert!(pushes[0].changes.is_empty());
    assert!(
        pushes[0].skipped[0].contains("Local crew") && pushes[0].skipped[1].contains("KIOSK-1"),
        "{:?}",
        pushes[0].skipped
    );
    assert!(pushes[0].skipped[1].contains("licenses users, not devices"));
    assert!(
        pushes[1]
            .unsendable
            .as_deref()
            .unwrap()
            .contains("cannot be read")
    );
    assert!(pushes[2].unsendable.as_deref().unwrap().contains("no SKU id"));
    let _ = outbox_push::PUSH_ACTOR;
    assert_eq!(
        pending_for(&conn, GRAPH, 2, Utc::now()).unwrap().len(),
        2,
        "at most the limit"
    );
}
