//! `seats assign`, `unassign` and `users remove` push their Microsoft Graph
//! changes before exiting: applied, refused (rolled back, exit 3), queued
//! when the source fails or another process syncs; `--no-push` only
//! queues; other kinds say this version does not push to them.

use super::support::{Connected, expect};

/// (pool id, part number) of an active Graph pool with free seats.
fn roomy_pool(c: &Connected) -> (i64, String) {
    rusqlite::Connection::open(&c.db)
        .unwrap()
        .query_row(
            "SELECT id, sku_part_number FROM pools WHERE source = 'graph' AND status = 'active' \
             AND total - consumed >= 3 ORDER BY id LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap()
}

/// An enabled user with a usage location who holds no seat of `pool`.
fn seatless(c: &Connected, pool: i64) -> String {
    rusqlite::Connection::open(&c.db)
        .unwrap()
        .query_row(
            "SELECT upn FROM users u WHERE enabled = 1 AND deleted = 0 AND usage_location IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.pool_id = ?1 AND a.user_id = u.id) \
             ORDER BY id LIMIT 1",
            [pool],
            |row| row.get(0),
        )
        .unwrap()
}

fn held_at_source(c: &Connected, part: &str) -> i64 {
    c.graph.sim.tenant().unwrap().held_seats(part).unwrap()
}

fn pending(c: &Connected) -> i64 {
    c.count("SELECT count(*) FROM outbox WHERE state = 'pending'")
}

/// A synced cache, a roomy pool, a user without its seat, `seats assign` args.
fn ready() -> (Connected, i64, String, String) {
    let c = Connected::start();
    expect(&c.seats(&["sync"]), 0);
    let (pool, part) = roomy_pool(&c);
    let user = seatless(&c, pool);
    (c, pool, part, user)
}

#[test]
fn an_assignment_is_applied_at_microsoft_graph_before_seats_exits() {
    let (c, pool, part, user) = ready();
    let at_source = held_at_source(&c, &part);
    let pool_arg = pool.to_string();
    let (stdout, _) = expect(&c.seats(&["assign", "--pool", &pool_arg, "--user", &user]), 0);
    assert!(stdout.ends_with("; applied at Microsoft Graph\n"), "{stdout}");
    assert_eq!(held_at_source(&c, &part), at_source + 1);
    assert_eq!(pending(&c), 0);
    let (stdout, _) = expect(
        &c.seats(&["unassign", "--pool", &pool_arg, "--user", &user, "--yes"]),
        0,
    );
    assert!(stdout.ends_with("; applied at Microsoft Graph\n"), "{stdout}");
    assert_eq!(held_at_source(&c, &part), at_source);
    c.check_clean();
}

#[test]
fn a_change_the_source_refuses_exits_3_and_is_rolled_back() {
    let (c, pool, part, user) = ready();
    // The source has no seat left, though the cache still thinks so.
    let mut tenant = c.graph.sim.tenant().unwrap();
    let held = tenant.held_seats(&part).unwrap();
    tenant.set_prepaid_units(&part, held).unwrap();
    let consumed = format!("SELECT consumed FROM pools WHERE id = {pool}");
    let before = c.count(&consumed);
    let (stdout, stderr) = expect(
        &c.seats(&["assign", "--pool", &pool.to_string(), "--user", &user]),
        3,
    );
    assert_eq!(stdout, "", "nothing was applied");
    assert!(
        stderr.contains("refused by Microsoft Graph")
            && stderr.contains("does not have any available licenses")
            && stderr.contains("the local change was rolled back"),
        "{stderr}"
    );
    assert_eq!(c.count(&consumed), before, "rolled back");
    let holds = c.count(&format!(
        "SELECT count(*) FROM assignments a JOIN users u ON u.id = a.user_id \
         WHERE a.pool_id = {pool} AND u.upn = '{user}'"
    ));
    assert_eq!(holds, 0);
    assert_eq!(c.count("SELECT count(*) FROM audit WHERE action = 'refused'"), 1);
    c.check_clean();
}

#[test]
fn no_push_only_queues_and_the_next_sync_sends_it() {
    let (c, pool, part, user) = ready();
    let at_source = held_at_source(&c, &part);
    let args = [
        "assign",
        "--pool",
        &pool.to_string(),
        "--user",
        &user,
        "--no-push",
    ];
    let (stdout, _) = expect(&c.seats(&args), 0);
    assert!(
        stdout.ends_with("; queued for Microsoft Graph (pending in the outbox, not sent yet)\n"),
        "{stdout}"
    );
    assert_eq!(pending(&c), 1);
    assert_eq!(held_at_source(&c, &part), at_source, "nothing sent");
    let (stdout, _) = expect(&c.seats(&["sync"]), 0);
    assert!(stdout.contains("pushed 1 change, 0 refused"), "{stdout}");
    assert_eq!((pending(&c), held_at_source(&c, &part)), (0, at_source + 1));
    c.check_clean();
}

#[test]
fn a_failing_source_or_a_sync_in_progress_leaves_the_change_queued_and_says_why() {
    let (c, pool, _, user) = ready();
    let conn = rusqlite::Connection::open(&c.db).unwrap();
    seats::store::sync_lease::acquire(
        &conn,
        c.connector,
        "ops@other-host pid 4242",
        chrono::Utc::now(),
        chrono::Duration::minutes(10),
    )
    .unwrap();
    let pool_arg = pool.to_string();
    let (stdout, _) = expect(&c.seats(&["assign", "--pool", &pool_arg, "--user", &user]), 0);
    assert!(
        stdout
            .contains("; queued: Microsoft Graph is being synced by ops@other-host pid 4242, which sends it"),
        "{stdout}"
    );
    assert_eq!(pending(&c), 1);
    seats::store::sync_lease::release(&conn, c.connector, "ops@other-host pid 4242").unwrap();
    c.graph.sim.set_faults("500=1".parse().unwrap());
    let (stdout, _) = expect(
        &c.seats(&["unassign", "--pool", &pool_arg, "--user", &user, "--yes"]),
        0,
    );
    assert!(
        stdout.contains("; queued: ") && stdout.contains("it stays pending in the outbox for the next sync"),
        "{stdout}"
    );
    assert_eq!(pending(&c), 2, "both wait for the next sync");
    c.check_clean();
}

#[test]
fn users_remove_pushes_its_releases_to_graph_and_to_apple() {
    let (c, _, _, _) = ready();
    // A user holding seats of Graph pools and of an Apple VPP pool.
    let upn: String = rusqlite::Connection::open(&c.db)
        .unwrap()
        .query_row(
            "SELECT u.upn FROM users u WHERE u.deleted = 0 AND u.enabled = 1 \
             AND EXISTS (SELECT 1 FROM assignments a JOIN pools p ON p.id = a.pool_id \
                         WHERE a.user_id = u.id AND p.source = 'graph' AND a.direct = 1 AND a.state = 'active') \
             AND EXISTS (SELECT 1 FROM assignments a JOIN pools p ON p.id = a.pool_id \
                         WHERE a.user_id = u.id AND p.source = 'apple_vpp') ORDER BY u.id LIMIT 1",
            [],
            |row| row.get(0),
        )
        .unwrap();
    let (stdout, _) = expect(&c.seats(&["users", "remove", &upn]), 0);
    assert!(stdout.contains("; applied at Microsoft Graph\n"), "{stdout}");
    // The demo's Apple connector pushes to the demo's own simulator.
    assert!(stdout.contains("; applied at Apple VPP\n"), "{stdout}");
    let last = stdout.lines().last().unwrap();
    assert!(last.starts_with(&format!("{upn} removed: ")), "{stdout}");
    let graph_pending = c.count(
        "SELECT count(*) FROM outbox o JOIN connectors c ON c.id = o.connector_id \
         WHERE o.state = 'pending' AND c.kind IN ('graph', 'apple_vpp')",
    );
    assert_eq!(graph_pending, 0, "the Graph and Apple releases were sent");
    c.check_clean();
}
