//! Commands that only read, as the review of issue 6 found them:
//! `--read-only` before them, relative `--since` dates, sorted pool ids,
//! and snapshot sizes the console can draw.

use super::{build_demo, seats};
use crate::common::text;

#[test]
fn read_only_before_a_read_command_changes_nothing_and_is_accepted() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("d.db");
    build_demo(home.path(), &db);
    let db = db.to_str().unwrap();
    for args in [
        &["pools"][..],
        &["users"],
        &["audit"],
        &["admins", "list"],
        &["snapshot", "licenses"],
        &["check"],
    ] {
        let plain = seats(home.path(), &[args, &["--db", db]].concat());
        let read_only = seats(home.path(), &[&["--read-only"][..], args, &["--db", db]].concat());
        assert_eq!(
            read_only.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&read_only.stderr)
        );
        assert_eq!(text(&read_only.stdout), text(&plain.stdout), "{args:?}");
    }
    // After a subcommand it is not an option at all.
    let out = seats(home.path(), &["pools", "--read-only", "--db", db]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn snapshot_refuses_a_screen_smaller_than_the_console_draws() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("d.db");
    build_demo(home.path(), &db);
    let db = db.to_str().unwrap();
    for (size, says) in [(["--width", "60"], "80"), (["--height", "20"], "24")] {
        let out = seats(
            home.path(),
            &[&["snapshot", "licenses"][..], &size, &["--db", db]].concat(),
        );
        assert_eq!(out.status.code(), Some(2), "{size:?}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!("give {says} to 1000")) && stderr.contains("80x24"),
            "{stderr}"
        );
        assert!(out.stdout.is_empty(), "no 'terminal too small' screen");
    }
    let out = seats(
        home.path(),
        &[
            "snapshot", "licenses", "--width", "80", "--height", "24", "--db", db,
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().count(), 24);
}

#[test]
fn audit_since_takes_distances_back_from_now() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("d.db");
    build_demo(home.path(), &db);
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "INSERT INTO audit (at, actor, action, result) VALUES ('2020-01-01T00:00:00Z', 'old', 'assign', 'ok'),
           (strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-3 days'), 'three-days-ago', 'assign', 'ok'),
           (strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-1 minutes'), 'a-minute-ago', 'assign', 'ok');",
    )
    .unwrap();
    let actors = |since: &str| -> Vec<String> {
        let out = seats(
            home.path(),
            &[
                "audit",
                "--since",
                since,
                "--format",
                "json",
                "--db",
                db.to_str().unwrap(),
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{since}: {}", text(&out.stderr));
        let rows: serde_json::Value = serde_json::from_str(&text(&out.stdout)).unwrap();
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| r["actor"].as_str().unwrap().to_owned())
            .filter(|a| ["old", "three-days-ago", "a-minute-ago"].contains(&a.as_str()))
            .collect()
    };
    assert_eq!(actors("2d"), ["a-minute-ago"]);
    assert_eq!(actors("1w"), ["three-days-ago", "a-minute-ago"]);
    assert_eq!(actors("-1w"), ["three-days-ago", "a-minute-ago"]);
    assert_eq!(actors("1m"), ["three-days-ago", "a-minute-ago"]);
    assert_eq!(actors("10y"), ["old", "three-days-ago", "a-minute-ago"]);
    let out = seats(
        home.path(),
        &["audit", "--since", "2 days", "--db", db.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("\"2 days\"") && text(&out.stderr).contains("2d, 1w, 3m, 1y"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn users_list_the_ids_of_their_pools_sorted_in_every_format() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("d.db");
    build_demo(home.path(), &db);
    let conn = rusqlite::Connection::open(&db).unwrap();
    // A pending seat (an Apple invitation) in a low pool sorts after the
    // active seat in a high one in the cache's own order.
    let upn: String = conn
        .query_row(
            "SELECT upn FROM users WHERE enabled = 1 AND deleted = 0 AND NOT EXISTS \
             (SELECT 1 FROM assignments a WHERE a.user_id = users.id AND a.pool_id IN (1, 900)) \
             ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute_batch(&format!(
        "INSERT INTO pools (id, name, kind, source, total) VALUES (900, 'High', 'saas', 'local', 5),
           (1, 'Low', 'saas', 'local', 5) ON CONFLICT (id) DO NOTHING;
         INSERT INTO assignments (pool_id, user_id, direct, state_code, assigned_unix, assigned_by_code)
           SELECT 900, id, 1, 0, '2026-01-01T00:00:00Z', 't' FROM users WHERE upn = '{upn}';
         INSERT INTO assignments (pool_id, user_id, direct, state_code, assigned_unix, assigned_by_code)
           SELECT 1, id, 1, 1, '2026-01-01T00:00:00Z', 't' FROM users WHERE upn = '{upn}';"
    ))
    .unwrap();
    let run = |format: &str| {
        let out = seats(
            home.path(),
            &[
                "users",
                "--filter",
                &upn,
                "--format",
                format,
                "--db",
                db.to_str().unwrap(),
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    let pools: Vec<i64> = json[0]["pools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_i64().unwrap())
        .collect();
    let mut sorted = pools.clone();
    sorted.sort_unstable();
    assert_eq!(pools, sorted, "ids in order");
    assert!(pools.contains(&1) && pools.contains(&900), "{pools:?}");
    let listed: Vec<String> = sorted.iter().map(ToString::to_string).collect();
    let listed = listed.join(" ");
    let csv = run("csv");
    assert!(
        csv.lines().nth(1).unwrap().ends_with(&format!(",{listed}")),
        "{csv}"
    );
    assert!(run("table").contains(&listed), "{}", run("table"));
}
