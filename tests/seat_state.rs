//! Migration 0023 (issue 11): a seat's state is kept as a code behind a
//! virtual `state`, an older cache reads the same seats once migrated, the
//! consumed triggers count the same rows, and the Users and Groups counts
//! still come from their indexes alone.
#![allow(clippy::unwrap_used)]

use rusqlite::Connection;

/// The migrations before 0023.
const BEFORE: usize = 22;

/// A cache at schema 22 holding seats in each state, one through a group.
fn old_cache(path: &std::path::Path) {
    let conn = Connection::open(path).unwrap();
    for sql in &seats::store::db::MIGRATIONS[..BEFORE] {
        conn.execute_batch(sql).unwrap();
    }
    conn.execute_batch(
        "PRAGMA user_version = 22;
         INSERT INTO users (id, upn, display_name) VALUES (1, 'a@x.test', 'A'), (2, 'b@x.test', 'B'),
                                                          (3, 'c@x.test', 'C'), (4, 'd@x.test', 'D');
         INSERT INTO groups (id, name, kind) VALUES (1, 'Sales', 'user');
         INSERT INTO pools (id, name, kind, source, total) VALUES (1, 'Office', 'saas', 'local', 5);
         INSERT INTO assignments (id, pool_id, user_id, state, assigned_unix, assigned_by)
           VALUES (10, 1, 1, 'active', 1759856183, 'root');
         INSERT INTO assignments (id, pool_id, user_id, state, invitation, assigned_unix, assigned_by)
           VALUES (11, 1, 2, 'pending', 'invited', 1759856183, 'root');
         INSERT INTO assignments (id, pool_id, user_id, direct, via_group_id, state, error, assigned_unix,
                                  assigned_by)
           VALUES (12, 1, 3, 0, 1, 'error', 'CountViolation', 'x', 'sync');",
    )
    .unwrap();
}

type Seat = (i64, String, Option<String>, String, String, String);

fn seats(conn: &Connection) -> Vec<Seat> {
    let mut stmt = conn
        .prepare("SELECT id, state, error, intent, assigned_at, assigned_by FROM assignments ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
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

fn migrated() -> (tempfile::TempDir, Connection, Vec<Seat>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v22.db");
    old_cache(&path);
    let before = seats(&Connection::open(&path).unwrap());
    let conn = seats::store::open(&path, seats::store::OpenMode::MustExist).unwrap();
    (dir, conn, before)
}

#[test]
fn an_older_cache_reads_the_same_states_as_codes() {
    let (_dir, conn, before) = migrated();
    assert!(one::<i64>(&conn, "PRAGMA user_version") >= 23);
    assert_eq!(seats(&conn), before, "every seat reads back as it was");
    let codes: String = one(
        &conn,
        "SELECT group_concat(state_code, ',') FROM (SELECT state_code FROM assignments ORDER BY id)",
    );
    assert_eq!(codes, "0,1,2", "active, pending, error");
    assert_eq!(
        one::<i64>(&conn, "SELECT consumed FROM pools WHERE id = 1"),
        2,
        "the waiting row holds no seat"
    );
    let bad = conn.execute("UPDATE assignments SET state_code = 3 WHERE id = 10", []);
    assert!(
        bad.is_err(),
        "a state outside the three is refused, as the text's CHECK did"
    );
    let text = conn.execute("UPDATE assignments SET state = 'error' WHERE id = 10", []);
    assert!(text.is_err(), "the text is generated, never written");
}

#[test]
fn the_triggers_count_the_same_rows_by_code() {
    let (_dir, conn, _) = migrated();
    let consumed = || one::<i64>(&conn, "SELECT consumed FROM pools WHERE id = 1");
    conn.execute(
        "INSERT INTO assignments (pool_id, user_id, assigned_unix, assigned_by_code) VALUES (1, 4, 0, 'root')",
        [],
    )
    .unwrap();
    assert_eq!(consumed(), 3, "a new row is active by default and holds a seat");
    conn.execute("UPDATE assignments SET state_code = 2 WHERE id = 10", [])
        .unwrap();
    assert_eq!(consumed(), 2, "to error: the seat is freed");
    conn.execute("UPDATE assignments SET state_code = 1 WHERE id = 12", [])
        .unwrap();
    assert_eq!(consumed(), 3, "from error to pending: a seat again");
    conn.execute("UPDATE assignments SET state_code = 0 WHERE id = 12", [])
        .unwrap();
    assert_eq!(consumed(), 3, "pending to active moves nothing");
    conn.execute("DELETE FROM assignments WHERE id = 10", []).unwrap();
    assert_eq!(consumed(), 3, "deleting a waiting row frees nothing");
    conn.execute("DELETE FROM assignments WHERE id = 11", []).unwrap();
    assert_eq!(consumed(), 2);
    let state: String = one(&conn, "SELECT state FROM assignments WHERE id = 12");
    assert_eq!(state, "active");
}

#[test]
fn the_users_and_groups_counts_come_from_the_indexes_alone() {
    let (_dir, conn, _) = migrated();
    // As store::users counts, lists and filters by pool, store::groups counts
    // errors and store::reclaim joins a user's seats.
    for (sql, index) in [
        (
            "SELECT count(*) FROM assignments s WHERE s.user_id = 1 AND s.state_code <> 2",
            "COVERING INDEX assignments_user",
        ),
        (
            "SELECT group_concat(s.pool_id, ',') FROM assignments s WHERE s.user_id = 1 AND s.state_code <> 2",
            "COVERING INDEX assignments_user",
        ),
        (
            "SELECT count(*) FROM assignments s WHERE s.via_group_id = 1 AND s.state_code = 2",
            "COVERING INDEX assignments_via_group",
        ),
        (
            "SELECT id FROM assignments w WHERE w.pool_id = 1 AND w.state_code = 2 \
             ORDER BY w.assigned_at, w.id",
            "INDEX assignments_waiting",
        ),
    ] {
        let found = plan(&conn, sql);
        assert!(found.contains(index), "{sql}: {found}");
    }
}
