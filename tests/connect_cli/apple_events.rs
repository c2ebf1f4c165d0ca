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
            "UPDATE assignments SET state = 'pending' WHERE pool_id = ?1 \
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
