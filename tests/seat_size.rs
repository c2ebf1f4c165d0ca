//! Migration 0020 (issue 11): seats keep their time as unix seconds and
//! lose the index another one serves, and an older cache reads exactly as
//! before once migrated.
#![allow(clippy::unwrap_used)]

use rusqlite::{Connection, params};

/// A cache at the schema before 0020 (every older migration applied),
/// holding seats with canonical, fractional and hand-written times.
fn old_cache(path: &std::path::Path) {
    let conn = Connection::open(path).unwrap();
    for sql in &seats::store::db::MIGRATIONS[..18] {
        conn.execute_batch(sql).unwrap();
    }
    conn.execute_batch(
        "PRAGMA user_version = 18;
         INSERT INTO users (id, upn, display_name) VALUES (1, 'a@x.test', 'A'), (2, 'b@x.test', 'B'),
                                                          (3, 'c@x.test', 'C');
         INSERT INTO devices (id, name, os) VALUES (1, 'PC-1', 'windows');
         INSERT INTO pools (id, name, kind, source, total) VALUES (1, 'Office', 'saas', 'local', 2);
         INSERT INTO assignments (id, pool_id, user_id, assigned_at, assigned_by)
           VALUES (10, 1, 1, '2025-10-07T16:56:23Z', 'root');
         INSERT INTO assignments (id, pool_id, device_id, intent, assigned_at, assigned_by)
           VALUES (11, 1, 1, 'available', '2025-10-07T16:56:23.250Z', 'sync');
         INSERT INTO assignments (id, pool_id, user_id, state, error, assigned_at, assigned_by)
           VALUES (12, 1, 2, 'error', 'CountViolation', 'x', 'y');",
    )
    .unwrap();
}

fn seats(conn: &Connection) -> Vec<(i64, String, String, String, String)> {
    let mut stmt = conn
        .prepare("SELECT id, intent, state, assigned_at, assigned_by FROM assignments ORDER BY id")
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

#[test]
fn an_older_cache_reads_the_same_seats_after_the_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v18.db");
    old_cache(&path);
    let before = seats(&Connection::open(&path).unwrap());
    let conn = seats::store::open(&path, seats::store::OpenMode::MustExist).unwrap();
    assert_eq!(seats(&conn), before, "every seat reads back as it was");
    let kinds: Vec<String> = conn
        .prepare("SELECT typeof(assigned_unix) FROM assignments ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        kinds,
        ["integer", "text", "text"],
        "only the canonical time became seconds"
    );
    assert_eq!(
        one::<i64>(&conn, "SELECT assigned_unix FROM assignments WHERE id = 10"),
        1_759_856_183
    );
    let codes: String = one(
        &conn,
        "SELECT group_concat(intent_code, ',') FROM (SELECT intent_code FROM assignments ORDER BY id)",
    );
    assert_eq!(codes, "0,1,0", "required, available, required");
    let bad = conn.execute("UPDATE assignments SET intent_code = 7 WHERE id = 10", []);
    assert!(
        bad.is_err(),
        "an intent outside the three is refused, as the text's CHECK did"
    );
    assert_eq!(one::<i64>(&conn, "SELECT consumed FROM pools WHERE id = 1"), 2);

    // The triggers came back: a new seat counts, a waiting one does not.
    conn.execute_batch(
        "INSERT INTO assignments (pool_id, user_id, assigned_unix, assigned_by_code) VALUES (1, 3, 0, 'root');",
    )
    .unwrap();
    assert_eq!(one::<i64>(&conn, "SELECT consumed FROM pools WHERE id = 1"), 3);
    conn.execute("UPDATE assignments SET state_code = 2 WHERE id = 10", [])
        .unwrap();
    assert_eq!(one::<i64>(&conn, "SELECT consumed FROM pools WHERE id = 1"), 2);
    assert_eq!(
        one::<String>(&conn, "SELECT assigned_at FROM assignments WHERE user_id = 3"),
        "1970-01-01T00:00:00Z"
    );

    // One seat per user and pool still, and a device is never a duplicate.
    let again = conn.execute(
        "INSERT INTO assignments (pool_id, user_id, assigned_unix, assigned_by_code) VALUES (1, 1, 0, 'root')",
        [],
    );
    assert!(again.is_err(), "a second seat of the same pool for user 1");
    conn.execute(
        "INSERT INTO devices (id, name, os) VALUES (2, 'PC-2', 'windows')",
        [],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO assignments (pool_id, device_id, assigned_unix, assigned_by_code) VALUES (1, 2, 0, 'root')",
        [],
    )
    .unwrap();
}

#[test]
fn the_seats_of_one_pool_come_from_the_unique_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v18.db");
    old_cache(&path);
    let conn = seats::store::open(&path, seats::store::OpenMode::MustExist).unwrap();
    let gone: i64 = one(
        &conn,
        "SELECT count(*) FROM sqlite_master WHERE name = 'assignments_pool'",
    );
    assert_eq!(gone, 0, "assignments_pool is served by assignments_pool_user");
    let plan: String = conn
        .prepare("EXPLAIN QUERY PLAN SELECT user_id FROM assignments WHERE pool_id = ?1")
        .unwrap()
        .query_map(params![1], |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
        .join("; ");
    assert!(plan.contains("COVERING INDEX assignments_pool_user"), "{plan}");
}
