//! The cache file (issue 6, items 12-16): which file a command may create,
//! its modes, a file read-only for the user, and who the actor is.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use rusqlite::Connection;

use crate::common::{me, run_seats_as, run_seats_env, text};
use crate::{build_demo, mode, seats};

/// The user the read-only tests switch to (nobody).
const NOBODY: u32 = 65534;

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The rows of the audit log as (actor, action).
fn audit(home: &Path, db: &Path) -> Vec<(String, String)> {
    let out = seats(home, &["audit", "--format", "json", "--db", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["actor"].as_str().unwrap().to_owned(),
                r["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_named_cache_in_a_missing_folder_is_refused_by_every_command() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("nonexistent/dir/x.db");
    let db = db.to_str().unwrap();
    let folder = home.path().join("nonexistent/dir");
    let commands: [&[&str]; 6] = [
        &["--init"],
        &["demo", "--no-open"],
        &["pools"],
        &["audit"],
        &["admins", "list"],
        &["assign", "--pool", "1", "--user", "a@b"],
    ];
    for args in commands {
        let out = seats(home.path(), &[args, &["--db", db]].concat());
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out.stderr));
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!("--db: the folder {} ", folder.display()))
                && stderr.contains(&format!("mkdir -p {}", folder.display())),
            "{args:?}: {stderr}"
        );
    }
    let out = run_seats_env(home.path(), &[("SEATS_DB", db)], &["demo", "--no-open"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).starts_with("seats: SEATS_DB: the folder"),
        "{}",
        text(&out.stderr)
    );
    assert!(!home.path().join("nonexistent").exists(), "no folder was created");
    assert!(!home.path().join("data").exists(), "no default cache either");
}

#[test]
fn a_missing_named_file_is_created_only_by_demo_or_init() {
    let home = tempfile::tempdir().unwrap();
    chmod(home.path(), 0o755);
    let db = home.path().join("new.db");
    let path = db.to_str().unwrap();
    for args in [&[][..], &["pools"], &["users"], &["admins", "list"]] {
        let out = seats(home.path(), &[args, &["--db", path]].concat());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!("no cache at {path}"))
                && stderr.contains(&format!("`seats --db {path} --init`"))
                && stderr.contains(&format!("`seats demo --db {path}`")),
            "{args:?}: {stderr}"
        );
    }
    // --init needs the console, hence a terminal: without one nothing is made.
    let out = seats(home.path(), &["--db", path, "--init"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("seats needs a terminal"));
    assert!(!db.exists());
    let out = seats(home.path(), &["demo", "--users", "60", "--no-open", "--db", path]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(mode(&db), 0o600);
    assert_eq!(mode(home.path()), 0o755, "a folder that exists keeps its mode");
}

#[test]
fn a_folder_given_as_the_cache_gets_the_same_message_from_every_command() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().to_str().unwrap();
    let expected = format!(
        "seats: {dir} is a folder; --db (and SEATS_DB) take the path of a cache file, such as {dir}/seats.db\n"
    );
    let commands: [&[&str]; 8] = [
        &[],
        &["demo", "--no-open"],
        &["pools"],
        &["users"],
        &["snapshot", "licenses"],
        &["audit"],
        &["admins", "list"],
        &["unassign", "--pool", "1", "--user", "a@b", "--yes"],
    ];
    for args in commands {
        let out = seats(home.path(), &[args, &["--db", dir]].concat());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(text(&out.stderr), expected, "{args:?}");
    }
}

#[test]
fn the_console_without_a_terminal_says_so_and_touches_nothing() {
    let home = tempfile::tempdir().unwrap();
    let out = seats(home.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "seats: seats needs a terminal; use the headless commands (seats --help)\n"
    );
    assert!(out.stdout.is_empty(), "no escape sequence was written");
    assert!(!home.path().join("data").exists(), "no cache was created");
    let out = seats(home.path(), &["demo"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("or `seats demo --no-open`"),
        "{}",
        text(&out.stderr)
    );
    assert!(!home.path().join("data").exists());
}

#[test]
fn a_cache_others_may_read_works_with_a_warning_that_says_how_to_fix_it() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("d.db");
    build_demo(home.path(), &db);
    let path = db.to_str().unwrap();
    let quiet = seats(home.path(), &["pools", "--db", path]);
    assert_eq!(text(&quiet.stderr), "", "a private cache warns of nothing");
    chmod(&db, 0o644);
    let out = seats(home.path(), &["pools", "--db", path]);
    assert_eq!(out.status.code(), Some(0), "a warning, not a failure");
    assert!(text(&out.stdout).contains("Adatum Sign"));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("can be read by every user of this machine (mode 0644)")
            && stderr.contains(&format!("chmod 600 {path}")),
        "{stderr}"
    );
    assert_eq!(mode(&db), 0o644, "the user decides: seats changes no mode");
}

#[test]
fn sqlite_gives_the_wal_and_shm_files_the_mode_of_the_private_cache() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("d.db");
    build_demo(home.path(), &db);
    // While a connection has the cache open, its -wal and -shm exist.
    let conn = Connection::open(&db).unwrap();
    conn.execute("UPDATE pools SET name = name WHERE id = 1", [])
        .unwrap();
    for suffix in ["-wal", "-shm"] {
        let side = home.path().join(format!("d.db{suffix}"));
        assert_eq!(mode(&side), 0o600, "{suffix}");
    }
}

#[test]
fn the_actor_is_the_real_user_whatever_user_and_logname_say() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("d.db");
    let path = db.to_str().unwrap();
    let impostor = [
        ("USER", "someoneelse"),
        ("LOGNAME", "someoneelse"),
        ("USERNAME", "someoneelse"),
    ];
    let out = run_seats_env(
        home.path(),
        &impostor,
        &["demo", "--users", "60", "--no-open", "--db", path],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = run_seats_env(
        home.path(),
        &impostor,
        &["admins", "add", "uid-64007", "--role", "reader", "--db", path],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let rows = audit(home.path(), &db);
    assert!(rows.len() >= 2, "{rows:?}");
    assert!(rows.iter().all(|(actor, _)| *actor == me()), "{rows:?}");
    assert!(rows.iter().any(|(_, action)| action == "admin_add"), "{rows:?}");
}

/// A demo cache built by the user running the tests, which `NOBODY` may
/// read but not write (0644 in a folder of mode `folder`).
fn readable_demo(home: &Path, folder: u32) -> std::path::PathBuf {
    let dir = home.join("shared");
    std::fs::create_dir(&dir).unwrap();
    let db = dir.join("d.db");
    build_demo(home, &db);
    chmod(&db, 0o644);
    chmod(&dir, folder);
    db
}

#[test]
fn a_cache_read_only_for_the_user_is_browsed_headless_and_never_written() {
    let home = tempfile::tempdir().unwrap();
    // A folder nobody may write too: SQLite could create -shm there, but must not.
    let db = readable_demo(home.path(), 0o777);
    let path = db.to_str().unwrap();
    let before = std::fs::read(&db).unwrap();
    let reads: [(&[&str], &str); 4] = [
        (&["pools"], "Adatum Sign"),
        (&["users"], "@contoso"),
        (&["snapshot", "licenses"], "READ-ONLY"),
        (&["audit"], "demo.generate"),
    ];
    for (args, expected) in reads {
        let Some(out) = run_seats_as(home.path(), NOBODY, &[args, &["--db", path]].concat()) else {
            return;
        };
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains(expected),
            "{args:?}: {}",
            text(&out.stdout)
        );
    }
    let out = run_seats_as(
        home.path(),
        NOBODY,
        &["assign", "--pool", "1", "--user", "a@b", "--db", path],
    )
    .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(
        text(&out.stderr).contains("is read-only for you"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(&db).unwrap(), before, "not a byte written");
    let beside: Vec<_> = std::fs::read_dir(db.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        beside,
        ["d.db"],
        "no -wal or -shm left for the owner to trip over"
    );
}

#[test]
fn a_read_only_cache_open_elsewhere_shows_the_commits_still_in_its_wal() {
    let home = tempfile::tempdir().unwrap();
    let db = readable_demo(home.path(), 0o755);
    // The owner's seats has the cache open, with a commit not yet checkpointed.
    let owner = Connection::open(&db).unwrap();
    owner.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
    owner
        .execute(
            "UPDATE pools SET name = 'AAA Fresh Pool' WHERE name = 'Adatum Sign'",
            [],
        )
        .unwrap();
    let Some(out) = run_seats_as(home.path(), NOBODY, &["pools", "--db", db.to_str().unwrap()]) else {
        return;
    };
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("AAA Fresh Pool"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn an_older_schema_read_only_for_the_user_is_refused_with_what_to_do() {
    let home = tempfile::tempdir().unwrap();
    let db = readable_demo(home.path(), 0o755);
    let conn = Connection::open(&db).unwrap();
    conn.pragma_update(None, "user_version", seats::store::SCHEMA_VERSION - 1)
        .unwrap();
    drop(conn);
    let Some(out) = run_seats_as(home.path(), NOBODY, &["pools", "--db", db.to_str().unwrap()]) else {
        return;
    };
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("read-only for you, so it cannot be upgraded") && stderr.contains("ask its owner"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn a_writable_file_in_a_folder_the_user_may_not_write_is_read_only_too() {
    let home = tempfile::tempdir().unwrap();
    let db = readable_demo(home.path(), 0o755);
    chmod(&db, 0o666);
    let path = db.to_str().unwrap();
    // SQLite would need to create d.db-wal beside it to write.
    let Some(out) = run_seats_as(home.path(), NOBODY, &["pools", "--db", path]) else {
        return;
    };
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = run_seats_as(
        home.path(),
        NOBODY,
        &["admins", "add", "x", "--role", "reader", "--db", path],
    )
    .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("of the file or its folder"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_file_that_is_not_a_cache_is_refused_and_left_untouched() {
    let home = tempfile::tempdir().unwrap();
    let not_a_db = home.path().join("notes.txt");
    std::fs::write(&not_a_db, "hello\n".repeat(500)).unwrap();
    let out = seats(home.path(), &["pools", "--db", not_a_db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("cannot open the cache"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&not_a_db).unwrap(),
        "hello\n".repeat(500),
        "file untouched"
    );
}

#[test]
fn read_only_creates_no_cache() {
    let home = tempfile::tempdir().unwrap();
    let out = seats(home.path(), &["--read-only"]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--read-only creates none"));
    let out = seats(home.path(), &["--read-only", "demo", "--no-open"]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(!home.path().join("data").exists());
    let named = home.path().join("new.db");
    let out = seats(home.path(), &["--read-only", "--db", named.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(!named.exists());
}
