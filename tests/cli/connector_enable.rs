//! `seats connector enable|disable NAME|ID` (issue 8 review; R-CON-1,
//! R-CON-2, R-CON-3): exit 0 done, 2 unknown, 3 refused by a rule, 4 in a
//! read-only session; each change audited, and a disabled connector is
//! neither scheduled nor synced.

use std::path::Path;

use rusqlite::Connection;

use super::{build_demo, seats};
use crate::common::text;

const OLD: &str = "Apple VPP (old school district token)";

fn enabled(db: &Path, name: &str) -> bool {
    Connection::open(db)
        .unwrap()
        .query_row("SELECT enabled FROM connectors WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .unwrap()
}

fn audited(db: &Path, action: &str) -> i64 {
    Connection::open(db)
        .unwrap()
        .query_row("SELECT count(*) FROM audit WHERE action = ?1", [action], |r| {
            r.get(0)
        })
        .unwrap()
}

#[test]
fn disable_then_enable_a_connector_audited_and_unscheduled_while_off() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("d.db");
    build_demo(home.path(), &db);
    let dbs = db.to_str().unwrap();

    let out = seats(
        home.path(),
        &["connector", "disable", "Microsoft Graph", "--db", dbs],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Microsoft Graph disabled"), "{stdout}");
    assert!(stdout.contains("no sync or push runs for it"), "{stdout}");
    assert!(!enabled(&db, "Microsoft Graph"));
    assert_eq!(audited(&db, "connector_disable"), 1);

    // The schedule skips it, however overdue, and a sync names the way back.
    let conn = Connection::open(&db).unwrap();
    conn.execute("UPDATE connectors SET next_sync_at = NULL", [])
        .unwrap();
    let id: i64 = conn
        .query_row(
            "SELECT id FROM connectors WHERE name = 'Microsoft Graph'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let due = seats::store::connectors_admin::due_connectors(&conn, chrono::Utc::now()).unwrap();
    assert!(!due.contains(&id), "{due:?}");
    let out = seats(
        home.path(),
        &["sync", "--connector", "Microsoft Graph", "--db", dbs],
    );
    assert_ne!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("seats connector enable"),
        "{}",
        text(&out.stderr)
    );

    // Nor does the console's push after a change send anything.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let pushed = seats::worker::sync::push_now(&db, id, runtime.handle());
    let refused = pushed.err().map(|err| err.to_string()).unwrap_or_default();
    assert!(refused.contains("is disabled"), "{refused}");

    // Again: nothing to do, nothing audited. By id works too.
    let out = seats(
        home.path(),
        &["connector", "disable", &id.to_string(), "--db", dbs],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("disabled already; nothing was changed"));
    assert_eq!(audited(&db, "connector_disable"), 1);

    let out = seats(
        home.path(),
        &["connector", "enable", "Microsoft Graph", "--db", dbs],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(enabled(&db, "Microsoft Graph"));
    assert_eq!(audited(&db, "connector_enable"), 1);
    let due = seats::store::connectors_admin::due_connectors(&conn, chrono::Utc::now()).unwrap();
    assert!(due.contains(&id), "scheduled again: {due:?}");
}

#[test]
fn unknown_read_only_and_a_second_apple_location_are_refused_with_the_reason() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("d.db");
    build_demo(home.path(), &db);
    let dbs = db.to_str().unwrap();

    let out = seats(home.path(), &["connector", "enable", "Nope", "--db", dbs]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("seats connectors` lists them"));

    let out = seats(
        home.path(),
        &["--read-only", "connector", "disable", "Apple VPP", "--db", dbs],
    );
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--read-only"), "{}", text(&out.stderr));
    assert!(enabled(&db, "Apple VPP"));

    // One Apple location syncs at a time (R-CON-3): the old token stays off.
    let out = seats(home.path(), &["connector", "enable", OLD, "--db", dbs]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("\"Apple VPP\" is enabled already") && stderr.contains("disable \"Apple VPP\" first"),
        "{stderr}"
    );
    assert!(!enabled(&db, OLD));
    assert_eq!(audited(&db, "connector_enable"), 0);

    // With the other one off it may be enabled, and the answer says its
    // expired, claimed token fails every sync until renewed or taken over.
    let out = seats(home.path(), &["connector", "disable", "Apple VPP", "--db", dbs]);
    assert_eq!(out.status.code(), Some(0));
    let out = seats(home.path(), &["connector", "enable", OLD, "--db", dbs]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout).replace('\n', " ");
    assert!(stdout.contains("token expired on"), "{stdout}");
    assert!(
        stdout.contains("every sync fails until a renewed token"),
        "{stdout}"
    );
    assert!(stdout.contains("in use by another MDM"), "{stdout}");
    let state: String = Connection::open(&db)
        .unwrap()
        .query_row("SELECT state FROM connectors WHERE name = ?1", [OLD], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(state, "error", "back in the state its last sync left");
}
