//! The Store for Business connector of a demo cache pointed at the test's
//! simulator (same tenant, so the same store): `seats assign` / `unassign`
//! push at once (one user, or in bulk), an offline app's seat stays local
//! (the store assigns none: R-APP-5), a passing failure keeps the
//! change queued, and a failing store leaves the cache as it was (exit 5)
//! (issue 8; R-CON-8).

use rusqlite::Connection;

use super::store::{STORE, strings};
use super::support::{Connected, dump, expect};

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

/// R-APP-5: offline apps are deployed by the device management, not the store (which
/// answers 409 "Not online" to any seat of theirs): a seat is taken here,
/// nothing is sent, and a sync keeps it.
#[test]
fn an_offline_apps_seat_stays_local_and_nothing_is_sent_to_the_store() {
    let c = demo_store();
    let (pool, _) = pool(&c, "Microsoft Whiteboard (Offline)");
    let user = seatless(&c, pool, 1).remove(0);
    let before = c.count(&format!("SELECT consumed FROM pools WHERE id = {pool}"));
    let pool_arg = pool.to_string();
    let (stdout, _) = expect(&c.seats(&["assign", "--pool", &pool_arg, "--user", &user]), 0);
    assert!(!stdout.contains("Store"), "nothing goes to the store: {stdout}");
    assert_eq!(
        c.count(&format!("SELECT consumed FROM pools WHERE id = {pool}")),
        before + 1
    );
    assert_eq!(c.count("SELECT count(*) FROM outbox"), 0);
    expect(&c.seats(&["sync", "--connector", STORE]), 0);
    assert_eq!(
        c.count(&format!("SELECT consumed FROM pools WHERE id = {pool}")),
        before + 1,
        "the store's sync leaves offline seats alone"
    );
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
