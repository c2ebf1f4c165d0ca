//! `seats connect store`, `seats sync` and the push of `seats assign` /
//! `unassign` against the Store for Business API of a simulator served by
//! the test process (issue 8; R-APP-2, R-APP-3, R-CON-1, R-CON-2, R-CON-8,
//! R-CON-9).

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::support::{Connected, Graph, count, dump, expect, write_private};

const STORE: &str = "Microsoft Store for Business";

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

fn strings(db: &Path, sql: &str) -> Vec<String> {
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

/// The demo cache of the simulator's tenant, its store connector pointed
/// at the test's simulator (same tenant, so the same store), synced.
fn demo_store() -> Connected {
    let c = Connected::start();
    let credentials = c.graph.sim.credentials();
    Connection::open(&c.db)
        .unwrap()
        .execute(
            "UPDATE connectors SET api_url = ?1, endpoint = ?1, login_url = ?2, tenant_id = ?3, client_id = ?4, \
             secret_ref = ?5 WHERE kind = 'store_business'",
            rusqlite::params![
                c.graph.sim.store_url(),
                c.graph.sim.login_url(),
                credentials.tenant_id,
                credentials.client_id,
                c.graph.secret_file.to_str().unwrap()
            ],
        )
        .unwrap();
    expect(&c.seats(&["sync"]), 0);
    c
}

/// (pool id, product id) of the store pool named `name`.
fn pool(c: &Connected, name: &str) -> (i64, String) {
    Connection::open(&c.db)
        .unwrap()
        .query_row(
            "SELECT p.id, a.external_id FROM pools p JOIN apps a ON a.id = p.app_id WHERE p.name = ?1",
            [name],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap()
}

fn seatless(c: &Connected, pool: i64, n: usize) -> Vec<String> {
    strings(
        &c.db,
        &format!(
            "SELECT upn FROM users u WHERE enabled = 1 AND deleted = 0 \
             AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.pool_id = {pool} AND a.user_id = u.id) \
             ORDER BY id LIMIT {n}"
        ),
    )
}

fn store_holds(c: &Connected, product: &str, upn: &str) -> bool {
    c.graph
        .sim
        .tenant()
        .unwrap()
        .connection()
        .query_row(
            "SELECT count(*) FROM sim_store_seats WHERE product_id = ?1 AND upn = ?2 COLLATE NOCASE \
             AND state = 'Active'",
            [product, upn],
            |row| row.get::<_, i64>(0),
        )
        .unwrap()
        == 1
}

#[test]
fn assignments_and_reclaims_are_applied_at_the_store_one_or_in_bulk() {
    let c = demo_store();
    let (pool, product) = pool(&c, "Microsoft To Do (Online)");
    let users = seatless(&c, pool, 3);
    let pool_arg = pool.to_string();
    let (stdout, _) = expect(&c.seats(&["assign", "--pool", &pool_arg, "--user", &users[0]]), 0);
    assert!(
        stdout.contains("applied at Microsoft Store for Business"),
        "{stdout}"
    );
    assert!(store_holds(&c, &product, &users[0]));
    // Several users: one bulk call.
    let (stdout, _) = expect(
        &c.seats(&[
            "assign", "--pool", &pool_arg, "--user", &users[1], "--user", &users[2],
        ]),
        0,
    );
    assert!(stdout.contains("applied at"), "{stdout}");
    assert!(store_holds(&c, &product, &users[1]) && store_holds(&c, &product, &users[2]));
    let bulk = c.graph.sim.request_log();
    assert!(
        bulk.iter()
            .any(|l| l.starts_with("POST ") && l.ends_with(&format!("{product}/0010/Seats"))),
        "one bulk call: {bulk:?}"
    );
    let (stdout, _) = expect(
        &c.seats(&["unassign", "--pool", &pool_arg, "--user", &users[0], "--yes"]),
        0,
    );
    assert!(stdout.contains("applied at"), "{stdout}");
    assert!(!store_holds(&c, &product, &users[0]));
    assert_eq!(c.count("SELECT count(*) FROM outbox WHERE state = 'pending'"), 0);
    // The next pull agrees with what was pushed: no seat comes or goes
    // (the pool's source count moves: one update).
    let (stdout, _) = expect(&c.seats(&["sync", "--connector", STORE]), 0);
    assert!(stdout.contains("0 added, 1 updated, 0 removed"), "{stdout}");
    let holds = |upn: &str| {
        c.count(&format!(
            "SELECT count(*) FROM assignments a JOIN users u ON u.id = a.user_id \
             WHERE a.pool_id = {pool} AND u.upn = '{upn}'"
        ))
    };
    assert_eq!((holds(&users[0]), holds(&users[1]), holds(&users[2])), (0, 1, 1));
}

#[test]
fn an_offline_apps_seat_is_refused_not_online_and_rolled_back() {
    let c = demo_store();
    let (pool, _) = pool(&c, "Microsoft Whiteboard (Offline)");
    let user = seatless(&c, pool, 1).remove(0);
    let before = c.count(&format!("SELECT consumed FROM pools WHERE id = {pool}"));
    let pool_arg = pool.to_string();
    let (stdout, stderr) = expect(&c.seats(&["assign", "--pool", &pool_arg, "--user", &user]), 3);
    let said = format!("{stdout}{stderr}");
    assert!(said.to_lowercase().contains("not online"), "{said}");
    assert_eq!(
        c.count(&format!("SELECT consumed FROM pools WHERE id = {pool}")),
        before
    );
    assert_eq!(c.count("SELECT count(*) FROM outbox WHERE state = 'failed'"), 1);
    assert_eq!(c.count("SELECT count(*) FROM audit WHERE action = 'refused'"), 1);
}

#[test]
fn a_failing_store_leaves_the_cache_as_it_was() {
    let c = demo_store();
    let before = dump(&c.db);
    c.graph.sim.set_faults("503=1,retry-after=0.01".parse().unwrap());
    let (_, stderr) = expect(&c.seats(&["sync", "--connector", STORE]), 5);
    c.graph.sim.set_faults("".parse().unwrap());
    assert!(stderr.contains("503"), "{stderr}");
    assert_eq!(dump(&c.db), before);
    let state = strings(
        &c.db,
        "SELECT state FROM connectors WHERE kind = 'store_business'",
    );
    assert_eq!(state, ["error"]);
}

#[test]
fn a_store_that_fails_for_now_keeps_the_change_queued_for_the_next_sync() {
    let c = demo_store();
    let (pool, product) = pool(&c, "Microsoft To Do (Online)");
    let user = seatless(&c, pool, 1).remove(0);
    let pool_arg = pool.to_string();
    c.graph.sim.set_faults("503=1,retry-after=0.01".parse().unwrap());
    let (stdout, _) = expect(&c.seats(&["assign", "--pool", &pool_arg, "--user", &user]), 0);
    c.graph.sim.set_faults("".parse().unwrap());
    assert!(stdout.contains("queued: "), "{stdout}");
    assert_eq!(c.count("SELECT count(*) FROM outbox WHERE state = 'pending'"), 1);
    assert!(!store_holds(&c, &product, &user));
    // The next sync sends it, once its backoff is over.
    Connection::open(&c.db)
        .unwrap()
        .execute("UPDATE outbox SET next_attempt_at = NULL", [])
        .unwrap();
    expect(&c.seats(&["sync", "--connector", STORE]), 0);
    assert!(store_holds(&c, &product, &user));
    assert_eq!(c.count("SELECT count(*) FROM outbox WHERE state = 'applied'"), 1);
}
