//! `seats connect graph`: a good connection is stored with the secret's
//! path; each bad one is a one-line error naming what to fix, exit 2, and
//! nothing is stored (R-CON-9).

use std::os::unix::fs::PermissionsExt;

use super::support::{Graph, count, expect, write_private};
use crate::common::me;

#[test]
fn a_good_connection_creates_the_cache_and_stores_the_connector_with_the_secrets_path() {
    let graph = Graph::start();
    let db = graph.path("seats.db");
    let out = graph.connect(&[
        "--secret-file",
        graph.secret_file.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]);
    let (stdout, stderr) = expect(&out, 0);
    let tenant = &graph.sim.credentials().tenant_name;
    assert!(
        stdout.starts_with(&format!("{tenant}: "))
            && stdout.contains(" subscriptions (")
            && stdout.contains("assignable); users are read at the first sync: `seats sync`"),
        "{stdout}"
    );
    assert!(!stdout.contains(&graph.secret()) && !stderr.contains(&graph.secret()));
    let mode = std::fs::metadata(&db).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the new cache is private");
    let (secret_ref, state, tenant_id): (String, String, String) = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT secret_ref, state, tenant_id FROM connectors WHERE name = 'Microsoft Graph' AND kind = 'graph'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        secret_ref,
        graph.secret_file.to_str().unwrap(),
        "the absolute path"
    );
    assert_eq!(state, "never");
    assert_eq!(tenant_id, graph.sim.credentials().tenant_id);
    let minutes = count(&db, "SELECT schedule_minutes FROM connectors");
    assert_eq!(minutes, 720, "twice a day by default (R-CON-5)");
    let admins = count(
        &db,
        &format!(
            "SELECT count(*) FROM admins WHERE os_user = '{}' AND role = 'global'",
            me()
        ),
    );
    assert_eq!(admins, 1, "the creator of the cache is its global administrator");
    let audited = count(&db, "SELECT count(*) FROM audit WHERE action = 'connector_add'");
    assert_eq!(audited, 1);

    // The same tenant again: refused, and nothing more is stored.
    let again = graph.connect(&[
        "--secret-file",
        graph.secret_file.to_str().unwrap(),
        "--name",
        "Second",
        "--db",
        db.to_str().unwrap(),
    ]);
    let (_, stderr) = expect(&again, 2);
    assert!(stderr.contains("connected already"), "{stderr}");
    assert_eq!(count(&db, "SELECT count(*) FROM connectors"), 1);
}

#[test]
fn the_secret_may_come_from_the_environment_and_only_its_name_is_stored() {
    let graph = Graph::start();
    let db = graph.path("env.db");
    let credentials = graph.sim.credentials();
    let url = graph.sim.base_url();
    let out = graph.seats(
        &[("SEATS_GRAPH_SECRET", &graph.secret())],
        &[
            "connect",
            "graph",
            "--tenant-id",
            &credentials.tenant_id,
            "--client-id",
            &credentials.client_id,
            "--graph-url",
            url,
            "--login-url",
            url,
            "--name",
            "Env",
            "--db",
            db.to_str().unwrap(),
        ],
    );
    let (stdout, _) = expect(&out, 0);
    assert!(stdout.contains("SEATS_GRAPH_SECRET"), "{stdout}");
    let stored = count(
        &db,
        "SELECT count(*) FROM connectors WHERE name = 'Env' AND secret_ref = 'env:SEATS_GRAPH_SECRET'",
    );
    assert_eq!(stored, 1);
}

/// Runs a connect that must fail: exit 2, one line on stderr that names
/// `fix`, no secret anywhere, no cache created.
fn refused(graph: &Graph, extra: &[&str], fix: &str) {
    let db = graph.path("never.db");
    let args = [extra, &["--db", db.to_str().unwrap()]].concat();
    let out = graph.connect(&args);
    let (stdout, stderr) = expect(&out, 2);
    assert_eq!(stdout, "", "{extra:?}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains(fix), "{extra:?} should name {fix:?}: {stderr}");
    assert!(stderr.contains("nothing was stored"), "{stderr}");
    assert!(
        !stderr.contains(&graph.secret()),
        "the secret is never shown: {stderr}"
    );
    assert!(!db.exists(), "{extra:?}: no cache is created");
}

#[test]
fn a_wrong_tenant_secret_or_client_id_is_refused_naming_what_to_fix() {
    let graph = Graph::start();
    let secret = graph.secret_file.to_str().unwrap().to_owned();
    let wrong = graph.path("wrong.secret");
    write_private(&wrong, "not-the-secret");
    refused(
        &graph,
        &[
            "--secret-file",
            &secret,
            "--tenant-id",
            "00000000-0000-0000-0000-000000000000",
        ],
        "check --tenant-id",
    );
    refused(
        &graph,
        &["--secret-file", wrong.to_str().unwrap()],
        "check the secret file",
    );
    refused(
        &graph,
        &[
            "--secret-file",
            &secret,
            "--client-id",
            "00000000-0000-0000-0000-00000000000c",
        ],
        "check --client-id",
    );
}

#[test]
fn an_unreachable_host_is_refused_and_stores_nothing() {
    let graph = Graph::start();
    // A port nobody listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let secret = graph.secret_file.to_str().unwrap().to_owned();
    refused(
        &graph,
        &["--secret-file", &secret, "--graph-url", &url, "--login-url", &url],
        "cannot reach 127.0.0.1",
    );
}

#[test]
fn a_secret_file_others_may_read_or_no_secret_at_all_is_refused_with_the_fix() {
    let graph = Graph::start();
    let open = graph.path("open.secret");
    std::fs::write(&open, graph.secret()).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o644)).unwrap();
    refused(
        &graph,
        &["--secret-file", open.to_str().unwrap()],
        &format!("chmod 600 {}", open.display()),
    );
    let db = graph.path("never.db");
    let out = graph.connect(&["--db", db.to_str().unwrap()]);
    let (_, stderr) = expect(&out, 2);
    assert!(
        stderr.contains("--secret-file PATH") && stderr.contains("SEATS_GRAPH_SECRET"),
        "{stderr}"
    );
    assert!(!db.exists());
}

#[test]
fn a_missing_permission_is_named_and_an_existing_cache_gets_no_connector() {
    let graph = Graph::start();
    let db = graph.path("seats.db");
    // An existing cache: the failed connect must leave it without a connector.
    seats::store::open(&db, seats::store::OpenMode::Create).unwrap();
    let forbidden = super::forbidden::Server::start(&graph.runtime);
    let url = forbidden.url.clone();
    let secret = graph.secret_file.to_str().unwrap().to_owned();
    let args = [
        "--secret-file",
        &secret,
        "--graph-url",
        &url,
        "--login-url",
        &url,
        "--db",
        db.to_str().unwrap(),
    ];
    let (_, stderr) = expect(&graph.connect(&args), 2);
    assert!(
        stderr.contains("LicenseAssignment.Read.All") && stderr.contains("subscribedSkus"),
        "{stderr}"
    );
    assert!(
        stderr.contains(super::forbidden::REQUEST_ID),
        "the request id: {stderr}"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM connectors"), 0, "nothing stored");
}

/// The issue: the schedule is the config's `[sync] interval_minutes` "and
/// per connector".
#[test]
fn a_connector_may_sync_on_its_own_interval_and_zero_is_refused() {
    let graph = Graph::start();
    let db = graph.path("seats.db");
    let secret = graph.secret_file.to_str().unwrap();
    let zero = graph.connect(&["--secret-file", secret, "--interval-minutes", "0", "--db", db.to_str().unwrap()]);
    let (_, stderr) = expect(&zero, 2);
    assert!(stderr.contains("the sync interval must be at least 1 minute, not 0"), "{stderr}");
    assert!(!db.exists(), "nothing was stored");
    let hourly = graph.connect(&["--secret-file", secret, "--interval-minutes", "60", "--db", db.to_str().unwrap()]);
    expect(&hourly, 0);
    assert_eq!(count(&db, "SELECT schedule_minutes FROM connectors"), 60);
}
