//! The demo syncs against its own in-process simulator: `seats demo
//! --no-open` then `seats sync` works end to end, the Graph pools then hold
//! the simulator's figures, and the cache checks clean.

use std::os::unix::fs::PermissionsExt;

use seats::sim::SimTenant;

use super::support::{count, expect};
use crate::common::run_seats;

/// (part number, total, consumed, source_consumed) of the Graph pools.
fn graph_pools(db: &std::path::Path) -> Vec<(String, i64, i64, i64)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT sku_part_number, total, consumed, source_consumed FROM pools \
             WHERE source = 'graph' AND sku_part_number IS NOT NULL ORDER BY id",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Seats the simulator's users hold in a SKU: those Graph lists (deleted
/// users are not listed) and not in error.
fn listed_seats(tenant: &SimTenant, part: &str) -> i64 {
    tenant
        .connection()
        .query_row(
            "SELECT count(*) FROM assignments a JOIN users u ON u.id = a.user_id \
             JOIN pools p ON p.id = a.pool_id \
             WHERE p.sku_part_number = ?1 AND u.deleted = 0 AND a.state <> 'error'",
            [part],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn the_demo_syncs_with_its_own_simulator_end_to_end() {
    // No simulator here: seats starts the demo's own, beside the cache.
    let home = tempfile::tempdir().unwrap();
    let seats = |args: &[&str]| run_seats(home.path(), args);
    let db = home.path().join("demo.db");
    let db_arg = db.to_str().unwrap();
    expect(
        &seats(&["demo", "--users", "300", "--no-open", "--db", db_arg]),
        0,
    );
    let (stdout, _) = expect(&seats(&["sync", "--db", db_arg]), 0);
    assert!(
        stdout.starts_with("Microsoft Graph: full sync done; "),
        "{stdout}"
    );

    let state = home.path().join("demo.graph-sim.db");
    let mode = std::fs::metadata(&state).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the simulator's state file is private");
    let tenant = SimTenant::open(&state).unwrap();
    let pools = graph_pools(&db);
    assert!(pools.len() >= 10, "{pools:?}");
    for (part, total, consumed, source_consumed) in &pools {
        assert_eq!(*total, tenant.prepaid_units(part).unwrap(), "{part}: total");
        assert_eq!(
            *source_consumed,
            tenant.held_seats(part).unwrap(),
            "{part}: consumedUnits"
        );
        assert_eq!(
            *consumed,
            listed_seats(&tenant, part),
            "{part}: seats of listed users"
        );
    }
    expect(&seats(&["check", "--db", db_arg]), 0);

    let (stdout, _) = expect(&seats(&["sync", "--db", db_arg]), 0);
    assert!(
        stdout.starts_with("Microsoft Graph: incremental sync done; 0 added, 0 updated, 0 removed"),
        "a second process reads only the changes: {stdout}"
    );
    let (json, _) = expect(&seats(&["connectors", "--format", "json", "--db", db_arg]), 0);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    for row in &rows {
        // Graph, Apple and the store sync, each with the demo's own simulator.
        let synced_by_seats =
            row["kind"] == "graph" || row["kind"] == "apple_vpp" || row["kind"] == "store_business";
        assert_eq!(row["syncs"], synced_by_seats, "{row}");
        if synced_by_seats && row["enabled"] == true {
            assert_eq!(row["state"], "ok", "{row}");
        }
    }
    let ok_runs = count(
        &db,
        "SELECT count(*) FROM sync_runs WHERE connector_id = 1 AND result = 'ok'",
    );
    assert_eq!(ok_runs, 2, "the Graph connector's history is its real syncs only");
}

/// Listed users as the cache holds them.
fn listed_users(db: &std::path::Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT upn, display_name, coalesce(department, ''), coalesce(usage_location, ''), enabled, \
             coalesce(last_sign_in, '') FROM users WHERE deleted = 0 ORDER BY upn",
        )
        .unwrap();
    stmt.query_map([], |r| {
        Ok(format!(
            "{}|{}|{}|{}|{}|{}",
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, String>(5)?
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[test]
fn the_demos_simulator_builds_the_very_tenant_the_demo_holds() {
    // A demo built months before its first sync: the simulator must date
    // its tenant from the demo's build, not from its own start, or the
    // first sync would "update" every user's last sign-in.
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("demo.db");
    let mut conn = seats::store::open(&db, seats::store::OpenMode::Create).unwrap();
    let options = seats::demo::DemoOptions {
        users: 300,
        seed: 42,
        now: crate::common::fixed_now(),
        actor: crate::common::ACTOR.to_owned(),
    };
    seats::demo::generate(&mut conn, &options, &mut |_| {}).unwrap();
    drop(conn);
    let before = listed_users(&db);
    let (stdout, _) = expect(
        &run_seats(home.path(), &["sync", "--db", db.to_str().unwrap()]),
        0,
    );
    assert!(
        stdout.starts_with("Microsoft Graph: full sync done; 0 added, "),
        "{stdout}"
    );
    assert_eq!(listed_users(&db), before, "no listed user changed");
}

/// The Apple connector's row of `seats connectors` JSON.
fn apple_row(home: &std::path::Path, db: &str) -> serde_json::Value {
    let (json, _) = expect(
        &run_seats(home, &["connectors", "--format", "json", "--db", db]),
        0,
    );
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    rows.into_iter().find(|r| r["name"] == "Apple VPP").unwrap()
}

fn instant(text: &serde_json::Value) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(text.as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc)
}

/// R-CON-4, issue 8: the demo's Apple token is due within the 30-day
/// warning window, and a real sync keeps it so: the token the demo's
/// simulator issues is the demo's (its `expDate`), and every Apple answer's
/// `tokenExpirationDate` repeats it instead of a year-long date.
#[test]
fn the_demos_apple_token_stays_due_soon_after_a_sync() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("demo.db");
    let db_arg = db.to_str().unwrap();
    expect(
        &run_seats(
            home.path(),
            &["demo", "--users", "300", "--no-open", "--db", db_arg],
        ),
        0,
    );
    let before = apple_row(home.path(), db_arg);
    expect(
        &run_seats(home.path(), &["sync", "--connector", "Apple VPP", "--db", db_arg]),
        0,
    );
    let after = apple_row(home.path(), db_arg);
    assert_eq!(after["state"], "ok", "{after}");
    assert!(after["last_success"].is_string(), "synced: {after}");

    let state = home.path().join("demo.graph-sim.db");
    let file: String = rusqlite::Connection::open(&state)
        .unwrap()
        .query_row(
            "SELECT value FROM sim_meta WHERE key = 'apple_token_file'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let token = seats::connectors::apple::AppleToken::from_file_text(&file).unwrap();
    let stored = instant(&after["token_expires"]);
    assert_eq!(
        stored,
        token.expires(),
        "the token's expDate, as Apple repeats it"
    );
    assert_eq!(stored, instant(&before["token_expires"]), "the demo's date");
    let left = stored - chrono::Utc::now();
    assert!(
        left > chrono::Duration::days(1) && left < chrono::Duration::days(30),
        "{left}"
    );
    let note = after["note"].as_str().unwrap_or_default();
    assert!(note.contains("expires"), "the warning stays: {after}");
}
