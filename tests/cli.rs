//! The command line as other tools see it: stdout, stderr and exit codes.
//! The cache file's rules (where, who, which modes) are in cli/files.rs,
//! the console in a terminal in cli/console.rs.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "cli/connector_enable.rs"]
mod connector_enable;
#[path = "cli/console.rs"]
mod console;
#[path = "cli/files.rs"]
mod files;
#[path = "cli/read_commands.rs"]
mod read_commands;

use std::path::Path;
use std::process::Output;

use common::{me, text};

/// Runs seats as the user running the tests, with its home, config, data
/// and log under `home`.
fn seats(home: &Path, args: &[&str]) -> Output {
    common::run_seats(home, args)
}

/// The permission bits of `path`.
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
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

#[test]
fn demo_goes_to_the_data_directory_by_default_and_other_commands_find_it() {
    let home = tempfile::tempdir().unwrap();
    let out = seats(home.path(), &["demo", "--users", "120", "--no-open"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let data = home.path().join("data/seats");
    let db = data.join("demo.db");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("demo tenant built at {}", db.display())),
        "says where: {stderr}"
    );
    // Private from the first byte: new folders 0700, the cache and the log 0600.
    assert_eq!(mode(&db), 0o600);
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&home.path().join("data")), 0o700);
    assert_eq!(mode(&home.path().join("state/seats")), 0o700);
    assert_eq!(mode(&home.path().join("state/seats/seats.log")), 0o600);
    // Other commands find the demo, and its creator is its global administrator.
    let pools = seats(home.path(), &["pools", "--format", "json"]);
    assert_eq!(pools.status.code(), Some(0), "stderr: {}", text(&pools.stderr));
    let pools: serde_json::Value = serde_json::from_slice(&pools.stdout).unwrap();
    assert_eq!(pools.as_array().unwrap().len(), 46, "the whole demo catalog");
    let admins = seats(home.path(), &["admins", "list", "--format", "json"]);
    let admins: serde_json::Value = serde_json::from_slice(&admins.stdout).unwrap();
    let admins: Vec<(&str, &str)> = admins
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["os_user"].as_str().unwrap(), a["role"].as_str().unwrap()))
        .collect();
    assert_eq!(admins, [(me().as_str(), "global")]);
}

#[test]
fn demo_help_names_the_demo_cache_and_too_few_users_are_explained() {
    let home = tempfile::tempdir().unwrap();
    let help = text(&seats(home.path(), &["demo", "--help"]).stdout);
    let db = home.path().join("data/seats/demo.db");
    assert!(
        help.contains(&format!("The demo cache: {}", db.display())),
        "{help}"
    );
    let out = seats(home.path(), &["demo", "--users", "1", "--no-open"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("the demo builds at least 50 users"), "{stderr}");
    assert!(!db.exists(), "nothing built");
}

/// Issue 10: `--read-only`'s help names the subscription and billing
/// commands it refuses, and the ones that only read.
#[test]
fn read_only_help_lists_the_subscription_and_billing_commands() {
    let home = tempfile::tempdir().unwrap();
    let help = text(&seats(home.path(), &["--help"]).stdout).replace('\n', " ");
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    for named in [
        "`subscription activate|cancel|quantity|profile`",
        "`billing-profile add|edit`",
        "`connector enable|disable`",
        "import agreements|entitlements|inventory|subscriptions",
        "`subscriptions`, `billing-profiles`, `invoices`",
    ] {
        assert!(help.contains(named), "{named} missing: {help}");
    }
}

#[test]
fn snapshot_prints_one_screen_of_the_pane() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("d.db");
    build_demo(home.path(), &db);
    // Each pane: the tab line, its titled box, a row the demo (seed 42)
    // always has, and the status bar with the tenant and the creator's role.
    let panes = [
        ("licenses", "┌ Licenses 1/46", "Adatum Sign"),
        ("apps", "┌ Apps 1/15", "Company Portal"),
        ("connectors", "┌ Connectors 1/5", "Apple VPP"),
        ("agreements", "┌ Agreements 1/11", "Adobe Acroba"),
        ("users", "┌ Users 1/150", "Adam Nielsen"),
    ];
    for (pane, title, row) in panes {
        let out = seats(home.path(), &["snapshot", pane, "--db", db.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{pane}: {}", text(&out.stderr));
        let screen = text(&out.stdout);
        let lines: Vec<&str> = screen.lines().collect();
        assert_eq!(lines.len(), 24, "{pane}:\n{screen}");
        assert!(lines.iter().all(|l| l.chars().count() <= 80), "{pane}:\n{screen}");
        assert!(
            lines[0].starts_with(" seats │ 1 Licenses"),
            "{pane}: tabs\n{screen}"
        );
        assert!(lines[1].starts_with(title), "{pane}: title\n{screen}");
        assert!(lines[3].contains(row), "{pane}: first row\n{screen}");
        let status = lines[23];
        assert!(
            status.starts_with(" Contoso Demo │ data ") && status.contains("│ global"),
            "{pane}: status bar {status:?}"
        );
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
    let wide = text(&wide.stdout);
    assert_eq!(wide.lines().count(), 48);
    assert!(wide.lines().all(|l| l.chars().count() <= 160));
    assert!(
        wide.lines().nth(1).unwrap().chars().count() > 80,
        "uses the width:\n{wide}"
    );
}

#[test]
fn snapshot_names_the_panes_it_accepts_and_assignees_needs_a_pool() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("d.db");
    build_demo(home.path(), &db);
    let bad = seats(
        home.path(),
        &["snapshot", "billing", "--db", db.to_str().unwrap()],
    );
    assert_eq!(bad.status.code(), Some(2));
    let stderr = text(&bad.stderr);
    assert!(stderr.contains("unknown pane \"billing\""), "{stderr}");
    let every = "licenses, apps, connectors, agreements, users, assignees, reclaim, audit, groups, installs, inventory, detections, subscriptions, report-purchase, report-installation, report-inventory, report-utilization";
    assert!(stderr.contains(every), "lists them: {stderr}");
    let help = text(&seats(home.path(), &["snapshot", "--help"]).stdout);
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        help.contains(
            "licenses, apps, connectors, agreements, users, assignees (with --pool), reclaim, audit, groups, installs, inventory, detections, subscriptions, report-purchase, report-installation, report-inventory or report-utilization"
        ),
        "{help}"
    );
    let out = seats(
        home.path(),
        &["snapshot", "assignees", "--db", db.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("add --pool POOL"),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty());
}

/// Issue 8 review (B13): the help names every source `simulate` serves and
/// `sync` syncs, not Microsoft Graph alone.
#[test]
fn help_names_apple_and_the_store_beside_graph() {
    let home = tempfile::tempdir().unwrap();
    let flat = |args: &[&str]| {
        let help = text(&seats(home.path(), args).stdout);
        help.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let help = flat(&["--help"]);
    assert!(
        help.contains("Serve a simulated Microsoft Graph, Apple Apps and Books and Store for Business"),
        "{help}"
    );
    assert!(
        help.contains("every enabled Microsoft Graph, Apple and Store for Business one"),
        "{help}"
    );
    let simulate = flat(&["simulate", "--help"]);
    assert!(simulate.contains("apple-claimed"), "{simulate}");
    assert!(!flat(&["sync", "--help"]).contains("every Microsoft Graph one"));
}
