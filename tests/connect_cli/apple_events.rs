//! Apple's asynchronous events as the push meets them (issue 8 review, B3
//! and B7; R-APP-8): a seat given here is 'pending' until Apple has it,
//! then 'active', whether the push saw the event COMPLETE or a later pull
//! found the association at Apple.

use super::apple::{demo_with_apple, roomy_app};
use super::support::expect;

/// The state of `upn`'s seat of `pool` in the cache.
fn seat_state(c: &super::support::Connected, pool: i64, upn: &str) -> String {
    rusqlite::Connection::open(&c.db)
        .unwrap()
        .query_row(
            "SELECT s.state FROM assignments s JOIN users u ON u.id = s.user_id WHERE s.pool_id = ?1 AND u.upn = ?2",
            rusqlite::params![pool, upn],
            |r| r.get(0),
        )
        .unwrap()
}

/// B3: the push saw the association COMPLETE, so the seat is active (it
/// read "pending · invited" for good before), and stays so after a sync.
#[test]
fn a_seat_apple_associated_is_active_not_pending() {
    let c = demo_with_apple();
    let (pool, _, user) = roomy_app(&c);
    let (stdout, _) = expect(
        &c.seats(&["assign", "--pool", &pool.to_string(), "--user", &user]),
        0,
    );
    assert!(stdout.ends_with("; applied at Apple VPP\n"), "{stdout}");
    assert_eq!(seat_state(&c, pool, &user), "active");
    expect(&c.seats(&["sync", "--connector", "Apple VPP"]), 0);
    assert_eq!(seat_state(&c, pool, &user), "active");
    c.check_clean();
}

/// B3: a pending seat whose change is done and that Apple lists is made
/// active by the pull, as the source's state wins in a Graph pull.
#[test]
fn a_pull_that_finds_a_pending_seat_at_apple_makes_it_active() {
    let c = demo_with_apple();
    let (pool, _, user) = roomy_app(&c);
    expect(
        &c.seats(&["assign", "--pool", &pool.to_string(), "--user", &user]),
        0,
    );
    rusqlite::Connection::open(&c.db)
        .unwrap()
        .execute(
            "UPDATE assignments SET state_code = 1 WHERE pool_id = ?1 \
             AND user_id = (SELECT id FROM users WHERE upn = ?2)",
            rusqlite::params![pool, user],
        )
        .unwrap();
    // A change applied in the second the pull starts is protected (times
    // are kept to the second): the pull comes later, as in the console.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    // The next (incremental) pull reads the association Apple made.
    let (out, _) = expect(&c.seats(&["sync", "--connector", "Apple VPP"]), 0);
    assert_eq!(seat_state(&c, pool, &user), "active", "{out}");
    c.check_clean();
}

/// How many events of `kind` the simulator's Apple has been asked for.
fn events(c: &super::support::Connected, kind: &str) -> i64 {
    rusqlite::Connection::open(c.graph.path("sim.db"))
        .unwrap()
        .query_row(
            "SELECT count(*) FROM sim_apple_events WHERE event_type = ?1",
            [kind],
            |r| r.get(0),
        )
        .unwrap()
}

/// The outbox row of the cache's newest change: (state, kept stage).
fn newest_row(c: &super::support::Connected) -> (String, Option<String>) {
    let conn = rusqlite::Connection::open(&c.db).unwrap();
    // Due now, so the next push takes it without waiting out its backoff.
    conn.execute(
        "UPDATE outbox SET next_attempt_at = '2000-01-01T00:00:00Z' WHERE state = 'pending'",
        [],
    )
    .unwrap();
    conn.query_row(
        "SELECT o.state, e.stage FROM outbox o LEFT JOIN outbox_events e ON e.outbox_id = o.id \
         ORDER BY o.id DESC LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

/// B7: Apple carries out changes 4 s after it is asked, longer than the
/// push's short wait. The row stays pending with its event kept; the next
/// pushes poll it and go on (users created, then the association), never
/// sending the same request twice; once COMPLETE the seat is active.
#[test]
fn an_event_still_pending_is_polled_by_the_next_push_not_sent_again() {
    let c = super::apple::demo_with_apple_and(|config| {
        config.apple_event_delay = std::time::Duration::from_secs(4);
    });
    let (pool, _, user) = roomy_app(&c);
    let (creates, associations) = (events(&c, "CREATE"), events(&c, "ASSOCIATE"));
    let started = std::time::Instant::now();
    expect(
        &c.seats(&["assign", "--pool", &pool.to_string(), "--user", &user]),
        0,
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(4),
        "the push does not wait out Apple's event"
    );
    assert_eq!(newest_row(&c), ("pending".to_owned(), Some("users".to_owned())));
    assert_eq!(seat_state(&c, pool, &user), "pending");

    std::thread::sleep(std::time::Duration::from_secs(4));
    expect(&c.seats(&["sync", "--connector", "Apple VPP"]), 0);
    assert_eq!(newest_row(&c), ("pending".to_owned(), Some("assets".to_owned())));
    assert_eq!(
        events(&c, "CREATE"),
        creates + 1,
        "the users were not created twice"
    );
    assert_eq!(events(&c, "ASSOCIATE"), associations + 1);

    std::thread::sleep(std::time::Duration::from_secs(4));
    expect(&c.seats(&["sync", "--connector", "Apple VPP"]), 0);
    assert_eq!(newest_row(&c).0, "applied");
    assert_eq!(events(&c, "CREATE"), creates + 1);
    assert_eq!(
        events(&c, "ASSOCIATE"),
        associations + 1,
        "polled, never sent again"
    );
    assert_eq!(seat_state(&c, pool, &user), "active");
    c.check_clean();
}

/// B7: a kept event that Apple then fails (9709, no license left when it
/// carries the association out) rolls the change back, as a failure the
/// push sees at once does.
#[test]
fn a_kept_event_that_fails_rolls_the_change_back() {
    let c = super::apple::demo_with_apple_and(|config| {
        config.apple_event_delay = std::time::Duration::from_secs(3);
    });
    let (pool, adam, user) = roomy_app(&c);
    expect(
        &c.seats(&["assign", "--pool", &pool.to_string(), "--user", &user]),
        0,
    );
    assert_eq!(newest_row(&c), ("pending".to_owned(), Some("users".to_owned())));
    std::thread::sleep(std::time::Duration::from_secs(3));
    expect(&c.seats(&["sync", "--connector", "Apple VPP"]), 0);
    assert_eq!(newest_row(&c), ("pending".to_owned(), Some("assets".to_owned())));
    // Apple has no license left by the time it carries the association out.
    rusqlite::Connection::open(c.graph.path("sim.db"))
        .unwrap()
        .execute(
            "UPDATE sim_apple_assets SET total = (SELECT count(*) FROM sim_apple_assignments s \
               WHERE s.adam_id = sim_apple_assets.adam_id AND s.active = 1) WHERE adam_id = ?1",
            [&adam],
        )
        .unwrap();
    std::thread::sleep(std::time::Duration::from_secs(3));
    let (stdout, stderr) = expect(&c.seats(&["sync", "--connector", "Apple VPP"]), 0);
    assert_eq!(newest_row(&c).0, "failed", "{stdout}{stderr}");
    let held = c.count(&format!(
        "SELECT count(*) FROM assignments s JOIN users u ON u.id = s.user_id WHERE s.pool_id = {pool} AND u.upn = '{user}'"
    ));
    assert_eq!(held, 0, "rolled back");
    c.check_clean();
}

/// B11 (R-APP-8): a user retired at Apple keeps their seat row, holding
/// nothing, so the Invite column says retired; releasing it sends Apple
/// nothing (the user holds nothing there) and frees the row.
#[test]
fn a_user_retired_at_apple_shows_retired_until_released() {
    let c = demo_with_apple();
    let (pool, _, user) = roomy_app(&c);
    let pool_arg = pool.to_string();
    expect(&c.seats(&["assign", "--pool", &pool_arg, "--user", &user]), 0);
    let consumed = || c.count(&format!("SELECT consumed FROM pools WHERE id = {pool}"));
    let held = consumed();
    // Apple retires the user (an admin did it in Apple Business Manager).
    let client = format!("seats:{}", user.to_lowercase());
    let sim = rusqlite::Connection::open(c.graph.path("sim.db")).unwrap();
    sim.execute(
        "UPDATE sim_apple_users SET status = 'Retired', invite_code = NULL, \
           version = (SELECT max(version) + 1 FROM sim_apple_users) WHERE client_user_id = ?1",
        [&client],
    )
    .unwrap();
    sim.execute(
        "UPDATE sim_apple_assignments SET active = 0 WHERE client_user_id = ?1",
        [&client],
    )
    .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (out, _) = expect(&c.seats(&["sync", "--connector", "Apple VPP", "--full"]), 0);
    assert!(
        out.contains("0 added, 1 updated, 0 removed"),
        "kept, not removed: {out}"
    );
    let conn = rusqlite::Connection::open(&c.db).unwrap();
    let request = seats::store::PageRequest {
        scope: Some(pool),
        limit: 10_000,
        ..Default::default()
    };
    let rows = seats::store::assignees::page(&conn, &request).unwrap().rows;
    let seat = rows
        .iter()
        .find(|r| r.principal == user)
        .expect("the retired user's row stays");
    assert_eq!(seat.invitation.as_deref(), Some("retired"));
    assert_eq!(consumed(), held - 1, "it holds no seat");

    let events = c.count(&format!("SELECT count(*) FROM outbox WHERE pool_id = {pool}"));
    expect(
        &c.seats(&["unassign", "--pool", &pool_arg, "--user", &user, "--yes"]),
        0,
    );
    assert_eq!(
        c.count(&format!(
            "SELECT count(*) FROM assignments s JOIN users u ON u.id = s.user_id WHERE s.pool_id = {pool} AND u.upn = '{user}'"
        )),
        0
    );
    assert_eq!(
        c.count(&format!(
            "SELECT count(*) FROM outbox WHERE pool_id = {pool} AND state <> 'applied'"
        )),
        0,
        "nothing refused or waiting ({events} rows before)"
    );
    c.check_clean();
}
