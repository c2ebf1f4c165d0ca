//! `seats connectors` and `seats sync`: exit 0, 5 (the source failed, the
//! cache as it was), 3 (another process syncs it, named), 2 (a connector
//! this version does not sync); with several connectors each gets its line
//! and the worst code wins (R-CON-5, R-CON-8).

use seats::store::connectors_admin::{self, GraphSettings};
use seats::store::sync_lease;

use super::support::{Connected, connectors_json, dump, expect};

const KEYS: [&str; 8] = [
    "name",
    "kind",
    "state",
    "last_sync",
    "last_success",
    "next_sync",
    "error",
    "pending",
];

#[test]
fn sync_mirrors_the_source_then_reads_only_changes_and_connectors_shows_it() {
    let c = Connected::start();
    let before = connectors_json(&c);
    assert_eq!(before.len(), 5, "{before:?}");
    for row in before.values() {
        for key in KEYS {
            assert!(row.get(key).is_some(), "{key} missing from {row}");
        }
    }
    let graph = &before["Microsoft Graph"];
    assert_eq!(graph["state"], "never");
    assert_eq!(
        (graph["syncs"].as_bool(), graph["last_sync"].is_null()),
        (Some(true), true)
    );
    // The demo's Apple and Store connectors sync with the demo's own
    // simulator; volume licensing is a demo row: not synced by seats, and
    // said so.
    assert_eq!(before["Apple VPP"]["syncs"], true);
    assert_eq!(before["Microsoft Store for Business"]["syncs"], true);
    let row = &before["Volume licensing"];
    assert_eq!(row["syncs"], false, "{row}");
    assert!(row["next_sync"].is_null(), "{row}");
    assert!(
        row["note"]
            .as_str()
            .unwrap()
            .contains("not synced by this version"),
        "{row}"
    );

    let (stdout, stderr) = expect(&c.seats(&["sync"]), 0);
    assert!(
        stdout.starts_with("Microsoft Graph: full sync done; "),
        "{stdout}"
    );
    assert_eq!(
        stdout.lines().count(),
        3,
        "Graph, then Apple, then the store: {stdout}"
    );
    assert!(
        stdout
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("Apple VPP: full sync done; "),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .nth(2)
            .unwrap()
            .starts_with("Microsoft Store for Business: full sync done; "),
        "{stdout}"
    );
    assert_eq!(stderr, "", "no progress when stderr is not a terminal");
    let (stdout, _) = expect(&c.seats(&["sync"]), 0);
    assert!(
        stdout.starts_with("Microsoft Graph: incremental sync done; 0 added, 0 updated, 0 removed"),
        "{stdout}"
    );
    let (stdout, _) = expect(&c.seats(&["sync", "--full", "--connector", "Microsoft Graph"]), 0);
    assert!(
        stdout.starts_with("Microsoft Graph: full sync done; "),
        "--full: {stdout}"
    );
    let after = connectors_json(&c);
    let graph = &after["Microsoft Graph"];
    assert_eq!(graph["state"], "ok");
    for key in ["last_sync", "last_success", "next_sync"] {
        assert!(graph[key].is_string(), "{key}: {graph}");
    }
    assert!(graph["error"].is_null() && graph["pending"] == 0, "{graph}");
    assert!(graph["note"].is_null(), "sign-ins were readable: {graph}");
    c.check_clean();
    // The table says the same in words.
    let (table, _) = expect(&c.seats(&["connectors", "--filter", "kind:volume"]), 0);
    assert!(table.contains("not synced by this version of seats"), "{table}");
    assert!(!table.contains("Microsoft Graph"), "the filter applies: {table}");
}

#[test]
fn a_failing_source_exits_5_and_leaves_the_cache_as_it_was() {
    let c = Connected::start();
    expect(&c.seats(&["sync"]), 0);
    let before = dump(&c.db);
    c.graph.sim.set_faults("500=1".parse().unwrap());
    let (stdout, stderr) = expect(&c.seats(&["sync", "--connector", "Microsoft Graph"]), 5);
    assert_eq!(stdout, "");
    assert!(
        stderr.starts_with("seats: Microsoft Graph: sync failed: ") && stderr.contains("request id"),
        "{stderr}"
    );
    assert!(stderr.contains("the cache keeps what it held"), "{stderr}");
    assert_eq!(dump(&c.db), before, "nothing of the failed sync was written");
    let graph = &connectors_json(&c)["Microsoft Graph"];
    assert_eq!(graph["state"], "error");
    assert!(
        graph["error"].is_string() && graph["request_id"].is_string(),
        "{graph}"
    );
    c.check_clean();
}

#[test]
fn a_connector_another_process_syncs_exits_3_naming_who() {
    let c = Connected::start();
    let conn = rusqlite::Connection::open(&c.db).unwrap();
    sync_lease::acquire(
        &conn,
        c.connector,
        "ops@other-host pid 4242",
        chrono::Utc::now(),
        chrono::Duration::minutes(10),
    )
    .unwrap();
    let (_, stderr) = expect(&c.seats(&["sync"]), 3);
    assert!(stderr.contains("ops@other-host pid 4242"), "{stderr}");
    assert_eq!(
        c.count("SELECT count(*) FROM sync_runs WHERE connector_id = 1 AND result = 'ok'"),
        0
    );
}

#[test]
fn connectors_this_version_does_not_sync_and_unknown_names_are_refused() {
    let c = Connected::start();
    let (_, stderr) = expect(&c.seats(&["sync", "--connector", "Volume licensing"]), 2);
    assert!(
        stderr.contains("Volume licensing")
            && stderr.contains(
                "syncs Microsoft Graph, Apple Apps and Books and Microsoft Store for Business connectors only"
            ),
        "{stderr}"
    );
    let (_, stderr) = expect(&c.seats(&["sync", "--connector", "Nope"]), 2);
    assert!(
        stderr.contains("\"Nope\"") && stderr.contains("seats connectors"),
        "{stderr}"
    );
    let (_, stderr) = expect(&c.seats(&["--read-only", "sync"]), 4);
    assert!(stderr.contains("--read-only"), "{stderr}");
}

#[test]
fn with_several_connectors_each_gets_its_line_and_the_worst_code_wins() {
    let c = Connected::start();
    let conn = rusqlite::Connection::open(&c.db).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut settings = GraphSettings::new(
        "Gone Tenant",
        "11111111-2222-3333-4444-555555555555",
        "client",
        c.graph.secret_file.to_str().unwrap(),
    );
    settings.graph_url = format!("http://127.0.0.1:{port}");
    settings.login_url = settings.graph_url.clone();
    connectors_admin::create_graph_connector(&conn, &settings).unwrap();
    let (stdout, stderr) = expect(&c.seats(&["sync"]), 5);
    assert!(stdout.starts_with("Microsoft Graph: full sync done"), "{stdout}");
    assert!(stdout.contains("\nApple VPP: full sync done"), "{stdout}");
    assert!(
        stdout.contains("\nMicrosoft Store for Business: full sync done"),
        "{stdout}"
    );
    assert!(
        stderr.contains("seats: Gone Tenant: sync failed: cannot reach 127.0.0.1"),
        "{stderr}"
    );
    assert!(stderr.contains("1 of 4 connectors did not sync"), "{stderr}");
    c.check_clean();
}

/// The issue: signInActivity is read "only when permitted, and the console
/// says when it is not". Without AuditLog.Read.All the sync still succeeds,
/// and the connector keeps saying what to grant until a sync reads them.
#[test]
fn without_the_sign_in_permission_sync_succeeds_and_connectors_says_what_to_grant() {
    let c = Connected::start_with(|config| config.sign_in_activity_allowed = false);
    let (stdout, _) = expect(&c.seats(&["sync"]), 0);
    assert!(
        stdout.contains("sign-in activity not readable (permission AuditLog.Read.All missing)"),
        "{stdout}"
    );
    let graph = &connectors_json(&c)["Microsoft Graph"];
    assert_eq!(graph["state"], "ok", "{graph}");
    assert_eq!(
        graph["note"], "sign-in activity not readable: grant the app AuditLog.Read.All",
        "{graph}"
    );
    let (table, _) = expect(&c.seats(&["connectors"]), 0);
    assert!(table.contains("grant the app AuditLog.Read.All"), "{table}");
}
