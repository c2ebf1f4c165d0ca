//! The cache guards itself (issue 6 item 8): `pools.consumed` follows the
//! seat rows whoever deletes them, and `seats check` finds what is wrong.

use super::fixture::*;
use rusqlite::Connection;
use seats::domain::Principal::{Group, User};
use seats::store::changes;
use seats::store::check::{self, Finding};

fn violated(conn: &Connection) -> Vec<Finding> {
    check::check(conn)
        .unwrap()
        .into_iter()
        .filter(|f| !f.ok)
        .collect()
}

#[test]
fn cascading_deletes_of_users_devices_and_pools_keep_consumed_true() {
    let (_dir, conn) = tenant();
    changes::assign(&conn, &tester(), LOCAL, &[Group(SALES)]).unwrap();
    changes::assign(&conn, &tester(), MIXED_APP, &[Group(LAPTOPS), User(1)]).unwrap();
    changes::assign(&conn, &tester(), TIGHT, &[User(1)]).unwrap();
    assert_eq!((consumed(&conn, LOCAL), consumed(&conn, MIXED_APP)), (5, 4));
    // Straight SQL, as a sync or a hand repair would: the foreign keys
    // cascade to the seats, and the triggers follow.
    conn.execute("DELETE FROM users WHERE id = 1", []).unwrap();
    conn.execute("DELETE FROM devices WHERE id = 2", []).unwrap();
    conn.execute("DELETE FROM pools WHERE id = ?1", [TIGHT]).unwrap();
    assert_eq!(consumed(&conn, LOCAL), 4, "u1's seat went with u1");
    assert_eq!(consumed(&conn, MIXED_APP), 2, "u1's and LAPTOP-2's seats went");
    assert_consistent(&conn);
    check_cache(&conn);
}

#[test]
fn seat_rows_that_change_state_or_pool_move_consumed() {
    let (_dir, conn) = tenant();
    changes::assign(&conn, &tester(), LOCAL, &[User(1), User(2)]).unwrap();
    conn.execute(
        // state_code 2 is 'error', 0 'active' (migration 0023).
        "UPDATE assignments SET state_code = 2, error = 'Other' WHERE user_id = 1",
        [],
    )
    .unwrap();
    assert_eq!(consumed(&conn, LOCAL), 1, "an error row holds no seat");
    conn.execute(
        "UPDATE assignments SET pool_id = ?1 WHERE user_id = 2",
        [UNLIMITED],
    )
    .unwrap();
    assert_eq!((consumed(&conn, LOCAL), consumed(&conn, UNLIMITED)), (0, 1));
    conn.execute(
        "UPDATE assignments SET state_code = 0, error = NULL WHERE user_id = 1",
        [],
    )
    .unwrap();
    assert_eq!(consumed(&conn, LOCAL), 1);
    check_cache(&conn);
}

#[test]
fn opening_an_older_cache_counts_consumed_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v3.db");
    {
        let conn = Connection::open(&path).unwrap();
        for sql in [
            include_str!("../../migrations/0001_init.sql"),
            include_str!("../../migrations/0002_changes.sql"),
            include_str!("../../migrations/0003_view_indexes.sql"),
        ] {
            conn.execute_batch(sql).unwrap();
        }
        conn.execute_batch(
            "PRAGMA user_version = 3;
             INSERT INTO users (id, upn, display_name) VALUES (1, 'a@x.test', 'A'), (2, 'b@x.test', 'B');
             INSERT INTO pools (id, name, kind, source, total, consumed) VALUES (1, 'Drifted', 'saas', 'local', 10, 7);
             INSERT INTO assignments (pool_id, user_id, assigned_at, assigned_by) VALUES (1, 1, 'x', 'y');
             INSERT INTO assignments (pool_id, user_id, state, error, assigned_at, assigned_by)
               VALUES (1, 2, 'error', 'CountViolation', 'x', 'y');
             INSERT INTO connectors (id, name, kind) VALUES (1, 'Graph', 'graph');
             INSERT INTO batches (id, at, actor, action) VALUES ('b1', 'x', 'y', 'assign');
             INSERT INTO audit (at, actor, action, result, batch_id) VALUES ('x', 'y', 'assign', 'ok', 'b1');
             INSERT INTO outbox (id, created_at, connector_id, pool_id, operation, payload, state, attempts, batch_id)
               VALUES (5, 'x', 1, 1, 'assign_license', '{}', 'failed', 2, 'b1');",
        )
        .unwrap();
    }
    let conn = seats::store::open(&path, seats::store::OpenMode::MustExist).unwrap();
    assert_eq!(consumed(&conn, 1), 1, "7 was left high by an old cascade");
    // The outbox was rebuilt for its new state: rows, keys and indexes kept.
    let row: (i64, i64, String, i64, String) = conn
        .query_row(
            "SELECT connector_id, pool_id, state, attempts, batch_id FROM outbox WHERE id = 5",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(row, (1, 1, "failed".into(), 2, "b1".into()));
    let keys = count(&conn, "SELECT count(*) FROM pragma_foreign_key_list('outbox')");
    assert_eq!(keys, 2, "connector and pool");
    let indexes = count(
        &conn,
        "SELECT count(*) FROM pragma_index_list('outbox') WHERE name IN ('outbox_state', 'outbox_batch')",
    );
    assert_eq!(indexes, 2);
    conn.execute("DELETE FROM connectors WHERE id = 1", []).unwrap();
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM outbox WHERE id = 5 AND connector_id IS NULL"
        ),
        1,
        "ON DELETE SET NULL still holds"
    );
    check_cache(&conn);
}

#[test]
fn check_names_the_pool_whose_consumed_was_corrupted() {
    let (_dir, conn) = tenant();
    changes::assign(&conn, &tester(), LOCAL, &[Group(SALES)]).unwrap();
    check_cache(&conn);
    conn.execute("UPDATE pools SET consumed = 9 WHERE id = ?1", [LOCAL])
        .unwrap();
    let found = violated(&conn);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].invariant, "consumed_equals_held_seats");
    assert_eq!(found[0].rows, ["pool 1 Local Tool: consumed 9, seats held 5"]);
    let line = found[0].line();
    assert!(line.contains("Local Tool") && line.contains("to fix: "), "{line}");
}

#[test]
fn check_allows_seats_over_total_only_when_the_source_reports_them() {
    let (_dir, conn) = tenant();
    changes::assign(&conn, &tester(), TIGHT, &[User(1), User(2), User(3)]).unwrap();
    // A sync brought a renewal with fewer seats than are assigned.
    conn.execute("UPDATE pools SET total = 2 WHERE id = ?1", [TIGHT])
        .unwrap();
    let found = violated(&conn);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].invariant, "consumed_within_total");
    assert_eq!(found[0].rows, ["pool 8 Tight Tool: consumed 3 of 2"]);
    conn.execute("UPDATE pools SET source_consumed = 3 WHERE id = ?1", [TIGHT])
        .unwrap();
    check_cache(&conn);
}

#[test]
fn check_finds_orphans_written_with_foreign_keys_off() {
    let (_dir, conn) = tenant();
    changes::assign(&conn, &tester(), LOCAL, &[User(1)]).unwrap();
    conn.execute_batch(
        "PRAGMA foreign_keys = OFF;
         INSERT INTO assignments (id, pool_id, user_id, assigned_unix, assigned_by_code) VALUES (77, 1, 999, 'x', 'y');
         INSERT INTO change_items (id, batch_id, op, pool_id, user_id) VALUES (55, 'no-such-batch', 'seat_added', 1, 1);
         INSERT INTO outbox (id, created_at, pool_id, operation, payload, batch_id)
           VALUES (66, 'x', 2, 'assign_license', '{}', 'no-such-batch');
         INSERT INTO audit (id, at, actor, action, result, batch_id) VALUES (88, 'x', 'y', 'assign', 'ok', 'gone');
         PRAGMA foreign_keys = ON;",
    )
    .unwrap();
    let found: Vec<(&str, Vec<String>)> = violated(&conn)
        .into_iter()
        .map(|f| (f.invariant, f.rows))
        .collect();
    let invariants: Vec<&str> = found.iter().map(|(i, _)| *i).collect();
    assert_eq!(
        invariants,
        [
            "foreign_keys",
            "change_items_have_their_batch",
            "audit_rows_have_their_batch",
            "outbox_rows_have_their_batch"
        ],
        "{found:#?}"
    );
    assert_eq!(
        found[0].1,
        ["assignments row 77 (the users row it refers to is gone)"]
    );
    assert_eq!(found[1].1, ["change item 55 (batch no-such-batch)"]);
    assert_eq!(found[2].1, ["audit 88 (batch gone)"]);
    assert_eq!(found[3].1, ["outbox 66 (pending, batch no-such-batch)"]);
}

#[test]
fn a_release_of_seats_already_gone_leaves_no_unaudited_batch() {
    let (_dir, conn) = tenant();
    let outcomes = changes::release_seats(&conn, &tester(), &[999]).unwrap();
    assert!(outcomes.is_empty());
    assert_eq!(count(&conn, "SELECT count(*) FROM batches"), 0);
    let mut conn = conn;
    let tx = seats::store::begin_write(&mut conn).unwrap();
    let reclaimed = changes::reclaim_user(&tx, "sync", 20, "deleted at the source").unwrap();
    tx.commit().unwrap();
    assert!(reclaimed.is_empty(), "u20 held no seat");
    check_cache(&conn);
}

#[test]
fn a_fresh_demo_passes_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = seats::store::open(&dir.path().join("d.db"), seats::store::OpenMode::Create).unwrap();
    let options = seats::demo::DemoOptions {
        users: 500,
        seed: 42,
        actor: "tester".into(),
        ..Default::default()
    };
    seats::demo::generate(&mut conn, &options, &mut |_| {}).unwrap();
    let findings = check::check(&conn).unwrap();
    assert_eq!(findings.len(), 11, "{findings:#?}");
    check_cache(&conn);
    let over = count(
        &conn,
        "SELECT count(*) FROM pools WHERE total IS NOT NULL AND consumed > total",
    );
    assert!(
        over > 0,
        "the demo's over-allocated pool is allowed: its source reports it"
    );
}
