//! `seats connect store`, `seats sync` and the push of `seats assign` /
//! `unassign` against the Store for Business API of a simulator served by
//! the test process (issue 8; R-APP-2, R-APP-3, R-CON-1, R-CON-2, R-CON-8,
//! R-CON-9).

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::support::{Graph, count, expect, write_private};

pub const STORE: &str = "Microsoft Store for Business";

/// `seats connect store` on `db` against `source`'s store, `extra` added.
fn connect_store(graph: &Graph, source: &Graph, db: &Path, extra: &[&str]) -> std::process::Output {
    let credentials = source.sim.credentials();
    let api = source.sim.store_url();
    let mut args = vec![
        "connect",
        "store",
        "--tenant-id",
        &credentials.tenant_id,
        "--client-id",
        &credentials.client_id,
        "--api-url",
        &api,
        "--login-url",
        source.sim.login_url(),
        "--db",
        db.to_str().unwrap(),
    ];
    if !extra.contains(&"--secret-file") {
        args.extend(["--secret-file", source.secret_file.to_str().unwrap()]);
    }
    args.extend(extra);
    graph.seats(&[], &args)
}

/// A cache with the simulator's users (a Graph connector synced) and
/// `seats connect store` run on it with `extra`.
fn linked(extra: &[&str]) -> (Graph, PathBuf) {
    let graph = Graph::start();
    let db = graph.path("seats.db");
    let secret = graph.secret_file.to_str().unwrap().to_owned();
    expect(
        &graph.connect(&["--secret-file", &secret, "--db", db.to_str().unwrap()]),
        0,
    );
    expect(&graph.seats(&[], &["sync", "--db", db.to_str().unwrap()]), 0);
    expect(&connect_store(&graph, &graph, &db, extra), 0);
    (graph, db)
}

pub fn strings(db: &Path, sql: &str) -> Vec<String> {
    let conn = Connection::open(db).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn linked_credentials_sync_online_and_offline_apps_seats_and_a_report_of_skipped_ones() {
    let (graph, db) = linked(&["--language", "en-US"]);
    let dbs = db.to_str().unwrap();
    let rows = strings(
        &db,
        "SELECT kind || '|' || language || '|' || secret_ref FROM connectors WHERE kind = 'store_business'",
    );
    assert_eq!(rows.len(), 1);
    assert!(
        rows[0].starts_with("store_business|en-US|/"),
        "the secret's path, never the secret: {rows:?}"
    );
    assert!(
        !std::fs::read(&db)
            .unwrap()
            .windows(graph.secret().len())
            .any(|w| w == graph.secret().as_bytes())
    );

    let (stdout, _) = expect(&graph.seats(&[], &["sync", "--connector", STORE, "--db", dbs]), 0);
    assert!(
        stdout.starts_with("Microsoft Store for Business: full sync done; "),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 app skipped: Contoso Secure Viewer (Offline): package is encrypted"),
        "{stdout}"
    );
    // R-APP-2: one pool per app and licence type, named for it.
    let pools = strings(
        &db,
        "SELECT p.kind || '|' || a.license_type || '|' || p.name FROM pools p JOIN apps a ON a.id = p.app_id \
         WHERE p.source = 'store_business' ORDER BY p.name",
    );
    assert!(
        pools.contains(&"store_online|online|Microsoft To Do (Online)".to_owned()),
        "{pools:?}"
    );
    assert!(
        pools.contains(&"store_offline|offline|Company Portal (Offline)".to_owned()),
        "{pools:?}"
    );
    assert!(
        pools
            .iter()
            .all(|p| p.ends_with(" (Online)") == p.starts_with("store_online")),
        "{pools:?}"
    );
    // R-APP-3: the encrypted app is kept as skipped, with no pool, and the
    // report says why.
    let skipped = strings(
        &db,
        "SELECT name || '|' || skip_reason FROM apps WHERE sync_status = 'skipped' AND source = 'store_business'",
    );
    assert_eq!(
        skipped,
        ["Contoso Secure Viewer (Offline)|package is encrypted; encrypted apps are not synced"]
    );
    // `seats apps` tells a skipped app (no pool, the reason) from an
    // unlimited one (a pool, unlimited: true).
    let (listed, _) = expect(&graph.seats(&[], &["apps", "--format", "json", "--db", dbs]), 0);
    let apps: Vec<serde_json::Value> = serde_json::from_str(&listed).unwrap();
    let viewer = apps
        .iter()
        .find(|a| a["name"] == "Contoso Secure Viewer (Offline)")
        .unwrap();
    assert!(viewer["id"].is_null() && viewer["unlimited"] == false, "{viewer}");
    assert!(
        viewer["skipped"].as_str().unwrap().contains("encrypted"),
        "{viewer}"
    );
    assert!(
        apps.iter()
            .filter(|a| !a["id"].is_null())
            .all(|a| a["skipped"].is_null() && a["unlimited"] == a["total"].is_null()),
        "{apps:?}"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM sync_report_apps WHERE outcome = 'skipped' AND reason LIKE '%encrypted%'"
        ),
        1
    );
    assert_eq!(
        count(&db, "SELECT skipped FROM sync_runs ORDER BY id DESC LIMIT 1"),
        1
    );
    // Seats of online apps: the simulator's holders the cache knows.
    let held_at_store: i64 = graph
        .sim
        .tenant()
        .unwrap()
        .connection()
        .query_row(
            "SELECT count(*) FROM sim_store_seats s JOIN sim_store_products p USING (product_id, sku_id) \
             WHERE s.state = 'Active' AND p.license_type = 'Online'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    let held = count(
        &db,
        "SELECT count(*) FROM assignments s JOIN pools p ON p.id = s.pool_id WHERE p.kind = 'store_online'",
    );
    assert!(held > 0 && held <= held_at_store, "{held} of {held_at_store}");
    // A second sync finds everything as it was: no audit row of its own.
    let audits = count(&db, "SELECT count(*) FROM audit WHERE action = 'sync'");
    let (stdout, _) = expect(&graph.seats(&[], &["sync", "--connector", STORE, "--db", dbs]), 0);
    assert!(stdout.contains("0 added, 0 updated, 0 removed"), "{stdout}");
    assert_eq!(
        count(&db, "SELECT count(*) FROM audit WHERE action = 'sync'"),
        audits
    );
}

#[test]
fn app_names_come_in_the_connectors_language() {
    let (graph, db) = linked(&["--language", "de-DE"]);
    expect(
        &graph.seats(&[], &["sync", "--connector", STORE, "--db", db.to_str().unwrap()]),
        0,
    );
    let names = strings(
        &db,
        "SELECT name FROM pools WHERE source = 'store_business' ORDER BY name",
    );
    assert!(
        names.contains(&"Unternehmensportal (Offline)".to_owned()),
        "{names:?}"
    );
}

#[test]
fn a_wrong_secret_is_refused_naming_it_and_nothing_is_stored() {
    let graph = Graph::start();
    let db = graph.path("seats.db");
    let wrong = graph.path("wrong.secret");
    write_private(&wrong, "not-the-secret");
    let (stdout, stderr) = expect(
        &connect_store(&graph, &graph, &db, &["--secret-file", wrong.to_str().unwrap()]),
        2,
    );
    assert_eq!(stdout, "");
    assert!(
        stderr.contains("secret") && stderr.contains("nothing was stored"),
        "{stderr}"
    );
    assert!(!stderr.contains(&graph.secret()), "{stderr}");
    assert!(!db.exists(), "no cache is created");
}

#[test]
fn another_store_account_is_refused_with_the_reason() {
    let (graph, db) = linked(&[]);
    let other = Graph::start_with(|config| config.seed = 99);
    let (_, stderr) = expect(&connect_store(&graph, &other, &db, &["--name", "Other store"]), 3);
    assert!(
        stderr.contains("for good") && stderr.contains("nothing was stored"),
        "{stderr}"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM connectors WHERE kind = 'store_business'"
        ),
        1
    );
    // The same tenant's new credentials renew the link.
    let (stdout, _) = expect(&connect_store(&graph, &graph, &db, &[]), 0);
    assert!(stdout.contains("renewed"), "{stdout}");
}

/// The Connectors pane's Store connector, selected by a filter, its
/// detail open (Enter), as text.
fn store_detail(db: &Path) -> String {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use seats::app::{Msg, PaneId, update};
    let conn = rusqlite::Connection::open(db).unwrap();
    let now = chrono::Utc::now();
    let mut state =
        seats::headless::console_state(&conn, PaneId::Connectors, (160, 48), "tester", now).unwrap();
    let actor = seats::store::changes::Actor::new("tester");
    let mut index = None;
    for code in [
        KeyCode::Char('/'),
        KeyCode::Char('s'),
        KeyCode::Char('t'),
        KeyCode::Char('o'),
        KeyCode::Char('r'),
        KeyCode::Char('e'),
        KeyCode::Enter,
        KeyCode::Enter,
    ] {
        let mut pending = update(&mut state, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        while !pending.is_empty() {
            let command = pending.remove(0);
            if let Some(event) = seats::worker::respond_now(&conn, db, &actor, &mut index, command) {
                pending.extend(update(&mut state, Msg::Worker(event)));
            }
        }
    }
    seats::ui::render_to_string(&state, seats::ui::theme::Theme::plain())
}

/// R-APP-3: Enter on the Store connector opens its last sync's report.
#[test]
fn enter_on_the_store_connector_shows_the_last_sync_report() {
    let (graph, db) = linked(&[]);
    let before = store_detail(&db);
    assert!(before.contains("no sync report yet"), "{before}");
    expect(
        &graph.seats(&[], &["sync", "--connector", STORE, "--db", db.to_str().unwrap()]),
        0,
    );
    let added = count(
        &db,
        "SELECT count(*) FROM sync_report_apps WHERE outcome = 'added'",
    );
    assert!(added > 0);
    let screen = store_detail(&db);
    assert!(
        screen.contains(&format!(
            "last sync: {added} added, 0 updated, 0 removed, 1 skipped"
        )),
        "{screen}"
    );
    assert!(
        screen.contains("Contoso Secure Viewer (Offline): package is encrypted"),
        "{screen}"
    );
}
