//! Migration 0026 (issue 11): each group's count of direct members is kept
//! with the group by triggers, so the Groups view and the picker read one
//! column instead of stepping ~3.4M membership keys at a million users.
//! The count follows every insert and delete, cascades included; an older
//! cache gets its counts; the demo writes them; `seats check` compares.
#![allow(clippy::unwrap_used)]

use chrono::Utc;
use rusqlite::Connection;
use seats::demo::{DemoOptions, generate};
use seats::store::{self, OpenMode};

/// Each group's stored count beside the count of its keys.
fn counts(conn: &Connection) -> Vec<(i64, i64, i64)> {
    let mut stmt = conn
        .prepare(
            "SELECT id, member_count, \
               (SELECT count(*) FROM group_user_members m WHERE m.group_id = g.id) \
             + (SELECT count(*) FROM group_device_members m WHERE m.group_id = g.id) \
             + (SELECT count(*) FROM group_child_groups m WHERE m.group_id = g.id) \
             FROM groups g ORDER BY id",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn assert_counted(conn: &Connection, why: &str) {
    for (group, stored, keys) in counts(conn) {
        assert_eq!(stored, keys, "group {group}: {why}");
    }
}

fn member_count(conn: &Connection, group: i64) -> i64 {
    conn.query_row("SELECT member_count FROM groups WHERE id = ?1", [group], |r| {
        r.get(0)
    })
    .unwrap()
}

#[test]
fn the_demo_writes_every_groups_count_and_check_agrees() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = store::open(&dir.path().join("demo.db"), OpenMode::Create).unwrap();
    let opts = DemoOptions {
        users: 2000,
        seed: 7,
        now: Utc::now(),
        actor: "test".to_owned(),
    };
    generate(&mut conn, &opts, &mut |_| {}).unwrap();
    let groups = counts(&conn);
    assert!(groups.iter().any(|(_, stored, _)| *stored > 100), "{groups:?}");
    assert_counted(&conn, "the demo's count");
    let findings = store::check::check(&conn).unwrap();
    let finding = findings
        .iter()
        .find(|f| f.invariant == "group_member_counts")
        .unwrap();
    assert!(finding.ok, "{finding:?}");

    // A count written wrong is found.
    conn.execute(
        "UPDATE groups SET member_count = member_count + 1 WHERE id = 1",
        [],
    )
    .unwrap();
    let findings = store::check::check(&conn).unwrap();
    let finding = findings
        .iter()
        .find(|f| f.invariant == "group_member_counts")
        .unwrap();
    assert!(!finding.ok);
}

#[test]
fn the_count_follows_inserts_deletes_and_cascades() {
    let dir = tempfile::tempdir().unwrap();
    let conn = store::open(&dir.path().join("c.db"), OpenMode::Create).unwrap();
    conn.execute_batch(
        "INSERT INTO users (id, upn, display_name) VALUES (1, 'a@x.test', 'A'), (2, 'b@x.test', 'B');
         INSERT INTO devices (id, name, os) VALUES (1, 'PC-1', 'windows');
         INSERT INTO groups (id, name, kind) VALUES (1, 'Sales', 'user'), (2, 'All', 'user'),
                                                    (3, 'PCs', 'device');
         INSERT INTO group_user_members (group_id, user_id) VALUES (1, 1), (1, 2), (2, 1);
         INSERT INTO group_child_groups (group_id, child_group_id) VALUES (2, 1);
         INSERT INTO group_device_members (group_id, device_id) VALUES (3, 1);
         INSERT OR IGNORE INTO group_user_members (group_id, user_id) VALUES (1, 1);",
    )
    .unwrap();
    assert_eq!(
        (
            member_count(&conn, 1),
            member_count(&conn, 2),
            member_count(&conn, 3)
        ),
        (2, 2, 1)
    );
    assert_counted(&conn, "after the inserts (an ignored pair counts nothing)");

    conn.execute("DELETE FROM users WHERE id = 1", []).unwrap();
    assert_eq!(
        (member_count(&conn, 1), member_count(&conn, 2)),
        (1, 1),
        "a deleted user's memberships"
    );
    conn.execute("DELETE FROM groups WHERE id = 1", []).unwrap();
    assert_eq!(
        member_count(&conn, 2),
        0,
        "a deleted child group leaves its parent"
    );
    conn.execute("DELETE FROM devices WHERE id = 1", []).unwrap();
    assert_eq!(member_count(&conn, 3), 0, "a deleted device");
    conn.execute(
        "INSERT INTO group_user_members (group_id, user_id) VALUES (2, 2)",
        [],
    )
    .unwrap();
    conn.execute("UPDATE group_user_members SET group_id = 3 WHERE user_id = 2", [])
        .unwrap();
    assert_eq!(
        (member_count(&conn, 2), member_count(&conn, 3)),
        (0, 1),
        "a moved membership"
    );
    assert_counted(&conn, "after every change");
}

#[test]
fn an_older_cache_gets_its_counts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v25.db");
    let old = Connection::open(&path).unwrap();
    for sql in &store::db::MIGRATIONS[..25] {
        old.execute_batch(sql).unwrap();
    }
    old.execute_batch(
        "PRAGMA user_version = 25;
         INSERT INTO users (id, upn, display_name) VALUES (1, 'a@x.test', 'A'), (2, 'b@x.test', 'B');
         INSERT INTO groups (id, name, kind) VALUES (1, 'Sales', 'user'), (2, 'Empty', 'user');
         INSERT INTO group_user_members (group_id, user_id) VALUES (1, 1), (1, 2);",
    )
    .unwrap();
    drop(old);
    let conn = store::open(&path, OpenMode::MustExist).unwrap();
    assert_eq!((member_count(&conn, 1), member_count(&conn, 2)), (2, 0));
}
