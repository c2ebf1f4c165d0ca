//! What a pull writes (issue 11: the commit at a million users): a pull
//! that finds nothing changed writes no user, seat, group or membership
//! row; a first pull over the demo's users marks them as the connector's
//! and writes nothing else of theirs; a changed user, membership and seat
//! are written, and only they (R-CON-8: one transaction either way).
#![allow(clippy::unwrap_used)]

mod common;

#[path = "sync_store/source.rs"]
mod source;

use rusqlite::Connection;
use seats::domain::source::{LicenseState, SourceLicense, SourceMember};
use seats::store::sync::{Counts, PullKind};

use crate::common::demo_db;
use crate::source::{Source, user_id};

const USERS: u32 = 240;

/// The cache's tables a pull may write, with their triggers' key.
const WATCHED: &[&str] = &[
    "users",
    "assignments",
    "groups",
    "group_user_members",
    "group_device_members",
    "group_child_groups",
    "group_assignments",
    "pools",
];

/// TEMP triggers recording every row written to a watched table (as
/// "table insert|update|delete"), and every UPDATE that names the users'
/// source id, their connector mark or a column of the Users filter's index
/// (as "users set source_id" …): SQLite rewrites such a column's index
/// entry, or fires the trigram trigger, whether or not the value changes.
fn watch(conn: &Connection) {
    let mut sql = String::from("CREATE TEMP TABLE IF NOT EXISTS writes (what TEXT NOT NULL);");
    for table in WATCHED {
        for op in ["INSERT", "UPDATE", "DELETE"] {
            let what = format!("{table} {}", op.to_lowercase());
            sql.push_str(&format!(
                "CREATE TEMP TRIGGER IF NOT EXISTS \"w_{table}_{op}\" AFTER {op} ON main.{table} \
                 BEGIN INSERT INTO temp.writes VALUES ('{what}'); END;"
            ));
        }
    }
    for (name, columns) in [
        ("source_id", "source_id"),
        ("connector_id", "connector_id"),
        ("searched", "upn, display_name, department"),
    ] {
        sql.push_str(&format!(
            "CREATE TEMP TRIGGER IF NOT EXISTS \"w_users_{name}\" AFTER UPDATE OF {columns} ON main.users \
             BEGIN INSERT INTO temp.writes VALUES ('users set {name}'); END;"
        ));
    }
    conn.execute_batch(&sql).unwrap();
}

/// The writes recorded since the last call, counted by kind, sorted.
fn writes(conn: &Connection) -> Vec<(String, i64)> {
    let out = conn
        .prepare("SELECT what, count(*) FROM temp.writes GROUP BY what ORDER BY what")
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    conn.execute("DELETE FROM temp.writes", []).unwrap();
    out
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |row| row.get(0)).unwrap()
}

fn check_clean(conn: &Connection) {
    let findings = seats::store::check::check(conn).unwrap();
    let violated: Vec<String> = findings.iter().filter(|f| !f.ok).map(|f| f.line()).collect();
    assert!(violated.is_empty(), "seats check found:\n{}", violated.join("\n"));
}

/// The writes of every kind but the pools' (their consumed counts follow
/// the seats through triggers, and a pull stamps their source figures).
fn rows_written(all: &[(String, i64)]) -> Vec<(String, i64)> {
    all.iter()
        .filter(|(what, _)| !what.starts_with("pools "))
        .cloned()
        .collect()
}

#[test]
fn a_pull_that_finds_nothing_changed_writes_no_row() {
    let (_dir, _path, conn) = demo_db(USERS);
    let source = Source::of(&conn);
    source.pull(&conn, PullKind::Full);
    watch(&conn);
    let again = source.pull(&conn, PullKind::Full);
    assert!(again.is_unchanged(), "{again:?}");
    assert_eq!(
        rows_written(&writes(&conn)),
        Vec::<(String, i64)>::new(),
        "no user, seat, group, membership or grant row is written"
    );
    let delta = source.pull(&conn, PullKind::Delta);
    assert!(delta.is_unchanged(), "{delta:?}");
    assert_eq!(rows_written(&writes(&conn)), Vec::<(String, i64)>::new());
    check_clean(&conn);
}

#[test]
fn a_first_pull_only_marks_the_users_it_finds_unchanged() {
    let (_dir, _path, conn) = demo_db(USERS);
    let reported = count(&conn, "SELECT count(*) FROM users WHERE deleted = 0");
    assert_eq!(
        count(&conn, "SELECT count(*) FROM users WHERE connector_id IS NOT NULL"),
        0,
        "the demo's users are no connector's yet"
    );
    watch(&conn);
    let summary = Source::of(&conn).pull(&conn, PullKind::Full);
    assert_eq!(summary.users, Counts::default(), "{:?}", summary.notes);
    let users: Vec<(String, i64)> = writes(&conn)
        .into_iter()
        .filter(|(what, _)| what.starts_with("users "))
        .collect();
    assert_eq!(
        users,
        vec![
            ("users set connector_id".to_owned(), reported),
            ("users update".to_owned(), reported),
        ],
        "each reported user is marked once; its source id, name, UPN and department are not written again"
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM users WHERE deleted = 0 AND connector_id IS NOT 1"
        ),
        0
    );
    check_clean(&conn);
}

#[test]
fn a_changed_user_membership_and_seat_are_written_and_only_they() {
    let (_dir, _path, conn) = demo_db(USERS);
    let mut source = Source::of(&conn);
    source.pull(&conn, PullKind::Full);
    // A renamed user; a user who left a group and one who joined it; a
    // seat given and one taken back.
    let renamed = source.users[3].upn.clone();
    source.user_mut(&renamed).display_name = "Renamed Person".to_owned();
    let (group, members) = source
        .members
        .iter_mut()
        .find(|(_, m)| m.iter().filter(|m| matches!(m, SourceMember::User(_))).count() > 1)
        .unwrap();
    let group = group.clone();
    let at = members
        .iter()
        .position(|m| matches!(m, SourceMember::User(_)))
        .unwrap();
    let SourceMember::User(left_id) = members.remove(at) else {
        unreachable!()
    };
    let joiner = source
        .users
        .iter()
        .find(|u| !members.contains(&SourceMember::User(u.source_id.clone())) && u.source_id != left_id)
        .unwrap()
        .source_id
        .clone();
    members.push(SourceMember::User(joiner.clone()));
    // A license held directly only (not through a group as well).
    let direct_only = |licenses: &[SourceLicense]| {
        licenses.iter().position(|l| {
            l.via_group.is_none() && licenses.iter().filter(|m| m.sku_id == l.sku_id).count() == 1
        })
    };
    let (taker, giver) = {
        let mut licensed = source
            .users
            .iter()
            .filter(|u| u.enabled && u.upn != renamed && direct_only(&u.licenses).is_some());
        (
            licensed.next().unwrap().upn.clone(),
            licensed.next().unwrap().upn.clone(),
        )
    };
    let taken = source.user_mut(&taker);
    let at = direct_only(&taken.licenses).unwrap();
    let dropped = taken.licenses.remove(at).sku_id;
    let given_sku = source
        .skus
        .iter()
        .map(|s| s.sku_id.clone())
        .find(|sku| {
            !source
                .users
                .iter()
                .find(|u| u.upn == giver)
                .unwrap()
                .licenses
                .iter()
                .any(|l| &l.sku_id == sku)
        })
        .unwrap();
    source.user_mut(&giver).licenses.push(SourceLicense {
        sku_id: given_sku.clone(),
        via_group: None,
        state: LicenseState::Active,
        error: None,
    });
    let count_before = count(
        &conn,
        &format!("SELECT member_count FROM groups WHERE source_id = '{group}'"),
    );

    watch(&conn);
    let summary = source.pull(&conn, PullKind::Full);
    assert_eq!(summary.users.updated, 1);
    assert_eq!((summary.members.added, summary.members.removed), (1, 1));
    assert_eq!(
        (summary.seats.added, summary.seats.removed),
        (1, 1),
        "{:?}",
        summary.notes
    );
    assert_eq!(
        rows_written(&writes(&conn)),
        vec![
            ("assignments delete".to_owned(), 1),
            ("assignments insert".to_owned(), 1),
            ("group_user_members delete".to_owned(), 1),
            ("group_user_members insert".to_owned(), 1),
            // The member count (0026) moved down, then up.
            ("groups update".to_owned(), 2),
            ("users set searched".to_owned(), 1),
            ("users update".to_owned(), 1),
        ]
    );
    let renamed_id = user_id(&conn, &renamed);
    assert_eq!(
        conn.query_row(
            "SELECT display_name FROM users WHERE id = ?1",
            [renamed_id],
            |row| row.get::<_, String>(0)
        )
        .unwrap(),
        "Renamed Person"
    );
    let in_group = |source_id: &str| {
        count(
            &conn,
            &format!(
                "SELECT count(*) FROM group_user_members m JOIN groups g ON g.id = m.group_id \
                 JOIN users u ON u.id = m.user_id WHERE g.source_id = '{group}' AND u.source_id = '{source_id}'"
            ),
        )
    };
    assert_eq!((in_group(&left_id), in_group(&joiner)), (0, 1));
    assert_eq!(
        count(
            &conn,
            &format!("SELECT member_count FROM groups WHERE source_id = '{group}'"),
        ),
        count_before
    );
    let held = |upn: &str, sku: &str| {
        count(
            &conn,
            &format!(
                "SELECT count(*) FROM assignments a JOIN pools p ON p.id = a.pool_id JOIN users u ON u.id = a.user_id \
                 WHERE u.upn = '{upn}' AND p.sku_id = '{sku}'"
            ),
        )
    };
    assert_eq!((held(&taker, &dropped), held(&giver, &given_sku)), (0, 1));
    check_clean(&conn);
}
