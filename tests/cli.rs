//! The command line as other tools see it: stdout, stderr and exit codes.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Output;

use common::text;

/// Runs seats as `tester` with its home, config and data under `home`.
fn seats(home: &Path, args: &[&str]) -> Output {
    common::run_seats(home, "tester", args)
}

fn build_demo(home: &Path, db: &Path) {
    let out = seats(
        home,
        &[
            "demo",
            "--users",
            "150",
            "--no-open",
            "--db",
            db.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
}

#[test]
fn demo_no_open_builds_the_tenant_with_progress_on_stderr() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("d.db");
    let out = seats(
        home.path(),
        &[
            "demo",
            "--users",
            "150",
            "--no-open",
            "--db",
            db.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("building demo tenant"), "{stderr}");
    assert!(stderr.contains("150 users"), "{stderr}");
    assert!(out.stdout.is_empty(), "nothing on stdout");
    // A second run leaves the tenant as it is.
    let again = seats(
        home.path(),
        &[
            "demo",
            "--users",
            "999",
            "--no-open",
            "--db",
            db.to_str().unwrap(),
        ],
    );
    assert_eq!(again.status.code(), Some(0));
    assert!(text(&again.stderr).contains("already built"));
}

#[test]
fn demo_goes_to_the_data_directory_by_default_and_other_commands_find_it() {
    let home = tempfile::tempdir().unwrap();
    let out = seats(home.path(), &["demo", "--users", "120", "--no-open"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert!(home.path().join("data/seats/demo.db").exists());
    let pools = seats(home.path(), &["pools"]);
    assert_eq!(pools.status.code(), Some(0), "stderr: {}", text(&pools.stderr));
    assert!(text(&pools.stdout).starts_with("id"));
}

#[test]
fn snapshot_prints_one_screen_of_the_pane() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("d.db");
    build_demo(home.path(), &db);
    for pane in ["licenses", "apps", "connectors", "agreements", "users"] {
        let out = seats(home.path(), &["snapshot", pane, "--db", db.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{pane}: {}", text(&out.stderr));
        let screen = text(&out.stdout);
        assert_eq!(screen.lines().count(), 24, "{pane}:\n{screen}");
        assert!(
            screen.lines().all(|l| l.chars().count() <= 80),
            "{pane}:\n{screen}"
        );
        assert!(screen.contains("seats"), "{screen}");
    }
    let wide = seats(
        home.path(),
        &[
            "snapshot",
            "licenses",
            "--width",
            "160",
            "--height",
            "48",
            "--db",
            db.to_str().unwrap(),
        ],
    );
    assert_eq!(text(&wide.stdout).lines().count(), 48);
    let bad = seats(
        home.path(),
        &["snapshot", "billing", "--db", db.to_str().unwrap()],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("unknown pane \"billing\""));
}

#[test]
fn pools_json_has_the_contract_keys_and_null_for_unlimited() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("d.db");
    build_demo(home.path(), &db);
    let out = seats(
        home.path(),
        &["pools", "--format", "json", "--db", db.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let pools: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pools = pools.as_array().unwrap();
    assert!(pools.len() > 10);
    for pool in pools {
        for key in ["id", "name", "kind", "source", "total", "consumed", "available"] {
            assert!(pool.get(key).is_some(), "missing {key} in {pool}");
        }
        match pool["total"].as_i64() {
            None => assert!(pool["available"].is_null()),
            Some(total) => assert_eq!(
                pool["available"].as_i64(),
                Some(total - pool["consumed"].as_i64().unwrap())
            ),
        }
    }
    assert!(
        pools.iter().any(|p| p["total"].is_null()),
        "an unlimited pool is present"
    );
    let csv = seats(
        home.path(),
        &["pools", "--format", "csv", "--db", db.to_str().unwrap()],
    );
    assert!(text(&csv.stdout).starts_with("id,name,kind,source,total,consumed,available,status,expires\n"));
}

#[test]
fn users_json_lists_the_pools_each_user_holds() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("d.db");
    build_demo(home.path(), &db);
    let out = seats(
        home.path(),
        &["users", "--format", "json", "--db", db.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let users: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let users = users.as_array().unwrap();
    assert_eq!(users.len(), 150);
    for key in ["upn", "display_name", "enabled", "pools"] {
        assert!(users[0].get(key).is_some(), "missing {key}");
    }
    assert!(users.iter().any(|u| !u["pools"].as_array().unwrap().is_empty()));
    let first = users[0]["upn"].as_str().unwrap();
    let filtered = seats(
        home.path(),
        &["users", "--filter", first, "--db", db.to_str().unwrap()],
    );
    assert_eq!(text(&filtered.stdout).lines().count(), 2, "header and one user");
}

#[test]
fn a_bad_db_path_is_a_clear_error_with_exit_2() {
    let home = tempfile::tempdir().unwrap();
    let missing = home.path().join("nowhere/seats.db");
    let out = seats(home.path(), &["pools", "--db", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains(missing.to_str().unwrap()), "{stderr}");
    assert!(stderr.contains("seats demo"), "says what to do: {stderr}");
    assert!(!missing.exists());

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

    let dir = home.path();
    let out = seats(home.path(), &["demo", "--no-open", "--db", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("is a directory"));
}

#[test]
fn bad_usage_and_bad_config_exit_2() {
    let home = tempfile::tempdir().unwrap();
    let out = seats(home.path(), &["pools", "--format", "xml"]);
    assert_eq!(out.status.code(), Some(2));
    let config = home.path().join("bad.toml");
    std::fs::write(&config, "[keys]\nquit = [\"hyper-q\"]\n").unwrap();
    let out = seats(home.path(), &["pools", "--config", config.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("bad.toml") && stderr.contains("hyper-q"),
        "{stderr}"
    );
}

#[test]
fn read_only_creates_no_cache() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("new.db");
    let out = seats(home.path(), &["--read-only", "--db", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--read-only creates none"));
    assert!(!db.exists());
}

#[test]
fn an_unwritable_log_directory_never_stops_seats() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("d.db");
    build_demo(home.path(), &db);
    // The log file's place is taken by a directory: logging is skipped.
    let log = home.path().join("state/seats/seats.log");
    let _ = std::fs::remove_file(&log);
    std::fs::create_dir_all(&log).unwrap();
    let out = seats(home.path(), &["pools", "--db", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn snapshot_shows_the_seats_of_a_named_pool() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("d.db");
    build_demo(home.path(), &db);
    let out = seats(
        home.path(),
        &[
            "snapshot",
            "assignees",
            "--pool",
            "ENTERPRISEPACK",
            "--db",
            db.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let screen = text(&out.stdout);
    assert!(screen.contains("Seats of Office 365 E3"), "{screen}");
    assert!(screen.contains("direct") || screen.contains("via "), "{screen}");
    let wrong = seats(
        home.path(),
        &[
            "snapshot",
            "licenses",
            "--pool",
            "1",
            "--db",
            db.to_str().unwrap(),
        ],
    );
    assert_eq!(wrong.status.code(), Some(2));
    let unknown = seats(
        home.path(),
        &[
            "snapshot",
            "assignees",
            "--pool",
            "nope",
            "--db",
            db.to_str().unwrap(),
        ],
    );
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr).contains("unknown pool \"nope\""));
}
