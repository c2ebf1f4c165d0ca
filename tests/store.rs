//! Store tests: migrations, reopening, the newer-schema guard, windows.
#![allow(clippy::unwrap_used)]

use rusqlite::params;
use seats::domain::Filter;
use seats::store::{self, OpenMode, PageRequest, SCHEMA_VERSION, StoreError, pools};

fn temp_db() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    (dir, path)
}

#[test]
fn migrates_an_empty_file_and_sets_the_pragmas() {
    let (_dir, path) = temp_db();
    let conn = store::open(&path, OpenMode::Create).unwrap();
    assert_eq!(store::db::schema_version(&conn).unwrap(), SCHEMA_VERSION);
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
    assert_eq!(fk, 1);
    let timeout: i64 = conn.query_row("PRAGMA busy_timeout", [], |r| r.get(0)).unwrap();
    assert!(timeout >= 1000, "busy timeout {timeout}");
    let unassigned: String = conn
        .query_row("SELECT name FROM license_groups WHERE id = 1", [], |r| r.get(0))
        .unwrap();
    assert_eq!(unassigned, "Unassigned agreements");
}

#[test]
fn reopening_keeps_data_and_does_not_migrate_again() {
    let (_dir, path) = temp_db();
    {
        let conn = store::open(&path, OpenMode::Create).unwrap();
        conn.execute(
            "INSERT INTO pools (name, kind, source, total) VALUES ('Office', 'm365', 'graph', 10)",
            [],
        )
        .unwrap();
    }
    let conn = store::open(&path, OpenMode::MustExist).unwrap();
    let count: i64 = conn
        .query_row("SELECT count(*) FROM pools", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 1);
    assert_eq!(store::db::schema_version(&conn).unwrap(), SCHEMA_VERSION);
}

#[test]
fn a_missing_file_is_refused_when_it_must_exist() {
    let (_dir, path) = temp_db();
    let err = store::open(&path, OpenMode::MustExist).unwrap_err();
    assert!(matches!(err, StoreError::Missing { .. }));
    assert!(err.to_string().contains("seats demo"), "{err}");
    assert!(!path.exists(), "nothing was created");
}

#[test]
fn a_newer_schema_is_refused_and_left_untouched() {
    let (_dir, path) = temp_db();
    {
        let conn = store::open(&path, OpenMode::Create).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 7)
            .unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = store::open(&path, OpenMode::MustExist).unwrap_err();
    match &err {
        StoreError::NewerSchema { found, supported, .. } => {
            assert_eq!(*found, SCHEMA_VERSION + 7);
            assert_eq!(*supported, SCHEMA_VERSION);
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }
    assert!(err.to_string().contains("left untouched"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before, "file bytes unchanged");
    assert!(!path.with_extension("db-wal").exists(), "no WAL file was created");
}

#[test]
fn a_file_that_is_not_a_database_is_refused() {
    let (_dir, path) = temp_db();
    std::fs::write(&path, "this is not sqlite, just text\n".repeat(100)).unwrap();
    let err = store::open(&path, OpenMode::MustExist).unwrap_err();
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    assert!(err.to_string().contains(&path.display().to_string()), "{err}");
}

fn seed_pools(conn: &rusqlite::Connection, n: i64) {
    for i in 0..n {
        let total: Option<i64> = if i % 10 == 0 { None } else { Some(100 + i) };
        conn.execute(
            "INSERT INTO pools (name, kind, source, total, consumed) VALUES (?1, ?2, 'local', ?3, ?4)",
            params![
                format!("Pool {i:03}"),
                if i % 2 == 0 { "saas" } else { "isv" },
                total,
                i
            ],
        )
        .unwrap();
    }
}

#[test]
fn windows_are_sorted_filtered_and_counted() {
    let (_dir, path) = temp_db();
    let conn = store::open(&path, OpenMode::Create).unwrap();
    seed_pools(&conn, 250);
    let request = PageRequest {
        sort: 4, // Used
        descending: true,
        offset: 10,
        limit: 5,
        ..PageRequest::default()
    };
    let page = pools::page(&conn, &request).unwrap();
    assert_eq!(page.count, 250);
    assert_eq!(page.offset, 10);
    let used: Vec<i64> = page.rows.iter().map(|r| r.consumed).collect();
    assert_eq!(used, vec![239, 238, 237, 236, 235]);

    let filtered = PageRequest {
        filter: Filter::words("\"pool 01\""),
        limit: 100,
        ..PageRequest::default()
    };
    let page = pools::page(&conn, &filtered).unwrap();
    assert_eq!(page.count, 10, "Pool 010..019");
    let inverted = PageRequest {
        filter: Filter::words("!\"POOL 01\""),
        limit: 1,
        ..PageRequest::default()
    };
    assert_eq!(pools::page(&conn, &inverted).unwrap().count, 240);
}

#[test]
fn filter_wildcards_are_literal() {
    let (_dir, path) = temp_db();
    let conn = store::open(&path, OpenMode::Create).unwrap();
    conn.execute(
        "INSERT INTO pools (name, kind, source) VALUES ('100% off', 'saas', 'local')",
        [],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO pools (name, kind, source) VALUES ('1000 off', 'saas', 'local')",
        [],
    )
    .unwrap();
    let request = PageRequest {
        filter: Filter::words("0%"),
        limit: 10,
        ..PageRequest::default()
    };
    let page = pools::page(&conn, &request).unwrap();
    assert_eq!(
        page.rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        vec!["100% off"]
    );
}

#[test]
fn unlimited_pools_sort_as_most_available_and_report_null() {
    let (_dir, path) = temp_db();
    let conn = store::open(&path, OpenMode::Create).unwrap();
    seed_pools(&conn, 12);
    let request = PageRequest {
        sort: 5, // Free
        descending: true,
        limit: 3,
        ..PageRequest::default()
    };
    let page = pools::page(&conn, &request).unwrap();
    assert!(
        page.rows
            .iter()
            .take(2)
            .all(|r| r.total.is_none() && r.available.is_none())
    );
}

#[test]
fn find_by_id_name_or_sku() {
    let (_dir, path) = temp_db();
    let conn = store::open(&path, OpenMode::Create).unwrap();
    conn.execute(
        "INSERT INTO pools (name, kind, source, sku_part_number, total) VALUES ('Office 365 E3', 'm365', 'graph', 'ENTERPRISEPACK', 5)",
        [],
    )
    .unwrap();
    let id = conn.last_insert_rowid();
    assert_eq!(pools::find(&conn, &id.to_string()).unwrap().unwrap().id, id);
    assert_eq!(pools::find(&conn, "office 365 e3").unwrap().unwrap().id, id);
    assert_eq!(pools::find(&conn, "enterprisepack").unwrap().unwrap().id, id);
    assert!(pools::find(&conn, "nope").unwrap().is_none());
}

#[test]
fn the_creator_becomes_global_admin_once() {
    let (_dir, path) = temp_db();
    let conn = store::open(&path, OpenMode::Create).unwrap();
    store::admins::ensure_creator(&conn, "alice").unwrap();
    store::admins::ensure_creator(&conn, "bob").unwrap();
    let role = store::status::role_of(&conn, "alice").unwrap();
    assert_eq!(role, Some(seats::domain::Role::Global));
    assert_eq!(store::status::role_of(&conn, "bob").unwrap(), None);
}

#[test]
fn a_shared_pool_name_is_ambiguous_but_an_id_is_not() {
    let (_dir, path) = temp_db();
    let conn = store::open(&path, OpenMode::Create).unwrap();
    for _ in 0..2 {
        conn.execute(
            "INSERT INTO pools (name, kind, source, total) VALUES ('Adobe', 'saas', 'local', 5)",
            [],
        )
        .unwrap();
    }
    conn.execute(
        "INSERT INTO pools (name, kind, source, total) VALUES ('1', 'saas', 'local', 5)",
        [],
    )
    .unwrap();
    match pools::lookup(&conn, "adobe").unwrap() {
        pools::PoolLookup::Ambiguous(found) => {
            assert_eq!(found.iter().map(|p| p.0).collect::<Vec<_>>(), vec![1, 2])
        }
        other => panic!("{other:?}"),
    }
    assert!(
        pools::find(&conn, "Adobe").unwrap().is_none(),
        "never picks one of several"
    );
    match pools::lookup(&conn, "1").unwrap() {
        pools::PoolLookup::Found(pool) => {
            assert_eq!(pool.name, "Adobe", "the id wins over a pool named \"1\"")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn filters_fold_case_beyond_ascii() {
    let (_dir, path) = temp_db();
    let conn = store::open(&path, OpenMode::Create).unwrap();
    for name in ["Élodie Suite", "ÖBB Tickets", "Office"] {
        conn.execute(
            "INSERT INTO pools (name, kind, source) VALUES (?1, 'saas', 'local')",
            [name],
        )
        .unwrap();
    }
    let names = |typed: &str| -> Vec<String> {
        let request = PageRequest {
            filter: Filter::words(typed),
            limit: 10,
            ..PageRequest::default()
        };
        pools::page(&conn, &request)
            .unwrap()
            .rows
            .into_iter()
            .map(|p| p.name)
            .collect()
    };
    assert_eq!(names("élodie"), vec!["Élodie Suite"]);
    assert_eq!(names("öbb"), vec!["ÖBB Tickets"]);
    assert_eq!(names("!ÉLO"), vec!["Office", "ÖBB Tickets"]);
    assert_eq!(names("OFF"), vec!["Office"], "ASCII needles keep using LIKE");
}

/// A second connection opened while the console holds one must not drop the
/// console's POSIX locks: if it did, the next client to close (here another
/// process) would take itself for the last one, checkpoint and delete the WAL
/// under the open console, whose later writes would then be lost (review of
/// issue 8, B1). Before the fix `store::open` probed writability by opening
/// and closing the file.
#[test]
fn opening_another_connection_keeps_the_wal_of_the_open_one() {
    let (_dir, path) = temp_db();
    let console = store::open(&path, OpenMode::Create).unwrap();
    console
        .execute(
            "INSERT INTO admins (os_user, role, added_at, added_by) VALUES ('probe', 'reader', 't', 't')",
            [],
        )
        .unwrap();
    let wal = path.with_extension("db-wal");
    assert!(wal.exists(), "the console's write is in the WAL");
    let reader = store::open(&path, OpenMode::MustExist).unwrap();
    // Another client, the sqlite3 shell an admin might use to look: a
    // read-write connection in a process of its own that reads and closes.
    let out = std::process::Command::new("sqlite3")
        .arg(&path)
        .arg("SELECT count(*) FROM admins")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        wal.exists(),
        "another client's close deleted the WAL under the open console"
    );
    console
        .execute("UPDATE admins SET role = 'user' WHERE os_user = 'probe'", [])
        .unwrap();
    drop(reader);
    drop(console);
    let again = store::open(&path, OpenMode::MustExist).unwrap();
    let value: String = again
        .query_row("SELECT role FROM admins WHERE os_user = 'probe'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(value, "user");
}
