//! Migration 0025 (issue 11): group members in three tables keyed by
//! (group, member) without a rowid, behind a read-only `group_members` view,
//! who assigned a seat as a code behind a virtual `assigned_by`, and an
//! inventory row's `detected_at` as unix seconds. An older cache reads back
//! the same members, names and times once migrated, the cascades still hold,
//! and the readers' lookups use the keys.
#![allow(clippy::unwrap_used)]

use rusqlite::Connection;

/// The migrations before 0025.
const BEFORE: usize = 24;

/// A cache at schema 24 with members of each kind (one pair twice), seats
/// assigned by the sync, root, an admin and a name that looks like a code,
/// and detections at a whole-second UTC time and at other times.
fn old_cache(path: &std::path::Path) {
    let conn = Connection::open(path).unwrap();
    for sql in &seats::store::db::MIGRATIONS[..BEFORE] {
        conn.execute_batch(sql).unwrap();
    }
    conn.execute_batch(
        "PRAGMA user_version = 24;
         INSERT INTO users (id, upn, display_name) VALUES (1, 'a@x.test', 'A'), (2, 'b@x.test', 'B'),
                                                          (3, 'c@x.test', 'C'), (4, 'd@x.test', 'D');
         INSERT INTO devices (id, name, os) VALUES (1, 'PC-1', 'windows'), (2, 'PC-2', 'windows');
         INSERT INTO groups (id, name, kind) VALUES (1, 'Sales', 'user'), (2, 'All', 'user'),
                                                    (3, 'PCs', 'device');
         INSERT INTO group_members (group_id, user_id) VALUES (1, 2), (1, 1), (2, 3), (1, 2);
         INSERT INTO group_members (group_id, child_group_id) VALUES (2, 1);
         INSERT INTO group_members (group_id, device_id) VALUES (3, 2), (3, 1);
         INSERT INTO pools (id, name, kind, source, total) VALUES (1, 'Office', 'saas', 'local', 9);
         INSERT INTO assignments (id, pool_id, user_id, state_code, assigned_unix, assigned_by)
           VALUES (10, 1, 1, 0, 1759856183, 'sync'), (11, 1, 2, 1, 1759856183, 'root'),
                  (12, 1, 3, 0, 'x', 'alice'), (13, 1, 4, 2, 1759856183, '0');
         INSERT INTO publishers (id, name) VALUES (1, 'Contoso');
         INSERT INTO products (id, publisher_id, title) VALUES (1, 1, 'Tool');
         INSERT INTO inventory (id, device_id, product_id, version, detected_at, user_upn)
           VALUES (1, 1, 1, '1.0', '2026-11-25T08:30:00Z', 'a@x.test'),
                  (2, 2, 1, NULL, '2026-11-25T08:30:00.5Z', NULL),
                  (3, 2, 1, '2.0', '2026-11-25 08:30:00', NULL);",
    )
    .unwrap();
}

type Member = (i64, Option<i64>, Option<i64>, Option<i64>);
/// A seat's id, assigned_by and assigned_at.
type Actor = (i64, String, String);
/// A detection's id, computer, version, detected_at and user.
type Detection = (i64, i64, Option<String>, String, Option<String>);

fn members(conn: &Connection) -> Vec<Member> {
    let mut stmt = conn
        .prepare(
            "SELECT DISTINCT group_id, user_id, device_id, child_group_id FROM group_members \
             ORDER BY group_id, user_id, device_id, child_group_id",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn actors(conn: &Connection) -> Vec<Actor> {
    let mut stmt = conn
        .prepare("SELECT id, assigned_by, assigned_at FROM assignments ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn detections(conn: &Connection) -> Vec<Detection> {
    let mut stmt = conn
        .prepare("SELECT id, device_id, version, detected_at, user_upn FROM inventory ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

fn one<T: rusqlite::types::FromSql>(conn: &Connection, sql: &str) -> T {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

fn plan(conn: &Connection, sql: &str) -> String {
    conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap()
        .query_map([], |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
        .join("; ")
}

fn migrated() -> (tempfile::TempDir, Connection, Vec<Member>, Vec<Actor>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v24.db");
    old_cache(&path);
    let old = Connection::open(&path).unwrap();
    let (before, by) = (members(&old), actors(&old));
    drop(old);
    let conn = seats::store::open(&path, seats::store::OpenMode::MustExist).unwrap();
    (dir, conn, before, by)
}

#[test]
fn an_older_cache_reads_the_same_members_and_names() {
    let (_dir, conn, before, by) = migrated();
    assert!(one::<i64>(&conn, "PRAGMA user_version") > BEFORE as i64);
    assert_eq!(before.len(), 6, "the repeated pair counts once");
    assert_eq!(members(&conn), before, "every membership reads back as it was");
    assert_eq!(
        one::<i64>(&conn, "SELECT count(*) FROM group_members"),
        6,
        "stored once"
    );
    assert_eq!(one::<i64>(&conn, "SELECT count(*) FROM group_user_members"), 3);
    assert_eq!(actors(&conn), by, "every seat's assigned_by reads back as it was");
    assert_eq!(
        one::<String>(
            &conn,
            "SELECT group_concat(typeof(assigned_by_code), ',') FROM (SELECT assigned_by_code \
             FROM assignments ORDER BY id)"
        ),
        "integer,integer,text,text",
        "sync and root as codes, other names (also '0') as text"
    );
    assert_eq!(one::<i64>(&conn, "SELECT consumed FROM pools WHERE id = 1"), 3);
    let text = conn.execute("UPDATE assignments SET assigned_by = 'x' WHERE id = 10", []);
    assert!(text.is_err(), "the name is generated, never written");
    let view = conn.execute("INSERT INTO group_members (group_id, user_id) VALUES (2, 4)", []);
    assert!(view.is_err(), "the view is read-only: writers use the tables");
}

#[test]
fn an_older_cache_reads_the_same_detection_times() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v24.db");
    old_cache(&path);
    let before = detections(&Connection::open(&path).unwrap());
    let conn = seats::store::open(&path, seats::store::OpenMode::MustExist).unwrap();
    assert_eq!(detections(&conn), before, "every detection reads back as it was");
    assert_eq!(
        one::<String>(
            &conn,
            "SELECT group_concat(typeof(detected_unix), ',') FROM (SELECT detected_unix FROM inventory ORDER BY id)"
        ),
        "integer,text,text",
        "a whole-second UTC time as unix seconds, anything else as written"
    );
    let plan_of_device = plan(&conn, "SELECT count(*) FROM inventory WHERE device_id = 2");
    assert!(plan_of_device.contains("inventory_device"), "{plan_of_device}");
}

#[test]
fn a_pair_is_stored_once_and_the_cascades_hold() {
    let (_dir, conn, _, _) = migrated();
    let again = conn.execute(
        "INSERT INTO group_user_members (group_id, user_id) VALUES (1, 1)",
        [],
    );
    assert!(again.is_err(), "a user is a direct member of a group once");
    let unknown = conn.execute(
        "INSERT INTO group_user_members (group_id, user_id) VALUES (1, 99)",
        [],
    );
    assert!(unknown.is_err(), "the foreign keys still hold");
    conn.execute("DELETE FROM users WHERE id = 1", []).unwrap();
    conn.execute("DELETE FROM devices WHERE id = 2", []).unwrap();
    conn.execute("DELETE FROM groups WHERE id = 1", []).unwrap();
    assert_eq!(
        members(&conn),
        [(2, Some(3), None, None), (3, None, Some(1), None)],
        "a deleted user, device or group leaves every group (and its own members go)"
    );
}

#[test]
fn the_readers_look_members_up_by_key() {
    let (_dir, conn, _, _) = migrated();
    for (sql, index) in [
        (
            "SELECT count(*) FROM group_user_members m WHERE m.group_id = 1",
            "USING PRIMARY KEY (group_id=?)",
        ),
        (
            "SELECT count(*) FROM group_user_members WHERE user_id = 1",
            "USING COVERING INDEX group_user_members_user (user_id=?)",
        ),
        (
            "SELECT count(*) FROM group_device_members WHERE device_id = 1",
            "USING COVERING INDEX group_device_members_device (device_id=?)",
        ),
        (
            "SELECT group_id FROM group_child_groups WHERE child_group_id = 1",
            "USING COVERING INDEX group_child_groups_child (child_group_id=?)",
        ),
        (
            "SELECT user_id FROM group_user_members WHERE group_id = 1 AND user_id > 0 \
             ORDER BY user_id LIMIT 10",
            "USING PRIMARY KEY (group_id=? AND user_id>?)",
        ),
    ] {
        let got = plan(&conn, sql);
        assert!(got.contains(index), "{sql}: {got}");
        assert!(!got.contains("SCAN"), "{sql}: {got}");
        assert!(!got.contains("TEMP B-TREE"), "{sql}: {got}");
    }
}
