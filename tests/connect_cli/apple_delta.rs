//! A scheduled Apple sync reads only what changed at Apple since the last
//! one (`sinceVersionId`, apis.md §3.3) and ends with the cache a full
//! sync gives; a removal a delta cannot say is caught by the counts and
//! read whole at once; a version Apple forgot (9721) is read whole
//! (issue 8; R-CON-5, R-CON-7).

use std::time::{Duration, Instant};

use seats::connectors::apple::{AppleClient, AppleConfig, AppleToken};
use seats::domain::apple::{AppleEventStatus, AppleHolder};

use super::apple::demo_with_apple;
use super::support::{Connected, dump, expect};

/// Another administrator's tool at the same Apple location.
fn other_tool(c: &Connected) -> AppleClient {
    let config = AppleConfig {
        api_url: c.graph.sim.apple_api_url(),
        lookup_url: c.graph.sim.apple_lookup_url(),
        ..AppleConfig::default()
    };
    let token = AppleToken::from_file_text(&c.graph.sim.apple_token_file().unwrap()).unwrap();
    AppleClient::new(config, token).unwrap()
}

/// Waits (bounded) until Apple has carried out the events.
fn settle(c: &Connected, client: &AppleClient, events: Vec<String>) {
    let started = Instant::now();
    for event in events {
        loop {
            match c.graph.runtime.block_on(client.event_status(&event)).unwrap() {
                AppleEventStatus::Complete => break,
                AppleEventStatus::Failed(why) => panic!("event {event} failed: {why:?}"),
                AppleEventStatus::Pending => {
                    assert!(
                        started.elapsed() < Duration::from_secs(30),
                        "event {event} never ended"
                    );
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }
    }
}

/// (pool, adamId) of the Apple app with the most free seats, and an
/// Apple user of seats' (accepted) who holds none of it.
fn roomy(c: &Connected) -> (i64, String, String) {
    let conn = rusqlite::Connection::open(&c.db).unwrap();
    conn.query_row(
        "SELECT p.id, a.external_id, u.upn FROM pools p JOIN apps a ON a.id = p.app_id \
         JOIN apple_users au ON au.connector_id = p.connector_id AND au.status = 'Associated' \
         JOIN users u ON u.id = au.user_id \
         WHERE p.source = 'apple_vpp' AND p.total IS NOT NULL \
           AND NOT EXISTS (SELECT 1 FROM assignments s WHERE s.pool_id = p.id AND s.user_id = u.id) \
         ORDER BY p.total - p.consumed DESC, u.id LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .unwrap()
}

/// Apple calls since the `from`-th line of the simulator's log.
fn calls_since(c: &Connected, from: usize) -> Vec<String> {
    c.graph.sim.request_log().into_iter().skip(from).collect()
}

/// Seats `upn` holds in Apple pools (a retired user's rows stay, in state
/// 'error', holding none: B11).
fn seats_held(c: &Connected, upn: &str) -> i64 {
    c.count(&format!(
        "SELECT count(*) FROM assignments s JOIN users u ON u.id = s.user_id JOIN pools p ON p.id = s.pool_id \
         WHERE p.kind = 'vpp' AND u.upn = '{upn}' AND s.state <> 'error'"
    ))
}

#[test]
fn a_second_sync_reads_only_the_changes_and_ends_as_a_full_sync_would() {
    let c = demo_with_apple();
    let tool = other_tool(&c);
    let (pool, adam, user) = roomy(&c);
    // At Apple, by another tool: a seat given; a user retired (Apple
    // takes all their seats); an invitation accepted.
    let holder = AppleHolder::User(format!("seats:{user}"));
    let events = c
        .graph
        .runtime
        .block_on(tool.associate(&[(adam.as_str(), "STDQ")], &[holder]))
        .unwrap();
    settle(&c, &tool, events);
    let retired: String = rusqlite::Connection::open(&c.db)
        .unwrap()
        .query_row(
            "SELECT u.upn FROM apple_users au JOIN users u ON u.id = au.user_id \
             WHERE au.status = 'Associated' AND u.upn <> ?1 \
               AND EXISTS (SELECT 1 FROM assignments s WHERE s.user_id = u.id) ORDER BY u.id DESC LIMIT 1",
            [&user],
            |r| r.get(0),
        )
        .unwrap();
    assert!(seats_held(&c, &retired) > 0);
    let retired_id = format!("seats:{retired}");
    let events = c
        .graph
        .runtime
        .block_on(tool.retire_users(&[retired_id.as_str()]))
        .unwrap();
    settle(&c, &tool, events);
    let invited: Option<String> = rusqlite::Connection::open(&c.db)
        .unwrap()
        .query_row(
            "SELECT client_user_id FROM apple_users WHERE status = 'Registered' ORDER BY user_id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .ok();
    if let Some(invited) = &invited {
        assert!(c.graph.sim.apple_accept_invitation(invited).unwrap());
    }

    let mark = c.graph.sim.request_log().len();
    let (stdout, _) = expect(&c.seats(&["sync", "--connector", "Apple VPP"]), 0);
    assert!(stdout.starts_with("Apple VPP: incremental sync done"), "{stdout}");
    let calls = calls_since(&c, mark);
    for path in ["/users", "/assignments"] {
        let reads: Vec<&String> = calls
            .iter()
            .filter(|l| l.starts_with(&format!("GET /mdm/v2{path}")))
            .collect();
        assert!(!reads.is_empty(), "{path} read: {calls:?}");
        assert!(
            reads.iter().all(|l| l.contains("sinceVersionId=")),
            "{path} read only since the last version: {reads:?}"
        );
    }
    let pool_seat = c.count(&format!(
        "SELECT count(*) FROM assignments s JOIN users u ON u.id = s.user_id WHERE s.pool_id = {pool} AND u.upn = '{user}'"
    ));
    assert_eq!(pool_seat, 1, "the seat given at Apple arrived");
    assert_eq!(seats_held(&c, &retired), 0, "the retired user holds nothing");
    if let Some(invited) = &invited {
        let pending = c.count(&format!(
            "SELECT count(*) FROM assignments s JOIN apple_users au ON au.user_id = s.user_id \
             JOIN pools p ON p.id = s.pool_id \
             WHERE p.kind = 'vpp' AND au.client_user_id = '{invited}' AND s.invitation IS NOT 'accepted'"
        ));
        assert_eq!(pending, 0, "{invited} accepted");
    }
    c.check_clean();

    // A full sync of the same location finds the cache as it is.
    let before = dump(&c.db);
    expect(&c.seats(&["sync", "--connector", "Apple VPP", "--full"]), 0);
    let after = dump(&c.db);
    // Where the reads left off is the only thing a full read may change.
    let changed: Vec<&String> = after
        .iter()
        .filter(|row| !before.contains(row) && !row.starts_with("apple_versions|"))
        .collect();
    assert!(changed.is_empty(), "a full sync changed: {changed:?}");
}

#[test]
fn a_removal_made_elsewhere_is_caught_by_the_counts_and_read_whole_at_once() {
    let c = demo_with_apple();
    let tool = other_tool(&c);
    let (pool, adam, holder): (i64, String, String) = rusqlite::Connection::open(&c.db)
        .unwrap()
        .query_row(
            "SELECT p.id, a.external_id, u.upn FROM assignments s JOIN pools p ON p.id = s.pool_id \
             JOIN apps a ON a.id = p.app_id JOIN users u ON u.id = s.user_id \
             JOIN apple_users au ON au.user_id = u.id AND au.status = 'Associated' \
             WHERE p.kind = 'vpp' ORDER BY s.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let events = c
        .graph
        .runtime
        .block_on(tool.disassociate(
            &[(adam.as_str(), "STDQ")],
            &[AppleHolder::User(format!("seats:{holder}"))],
        ))
        .unwrap();
    settle(&c, &tool, events);
    let mark = c.graph.sim.request_log().len();
    let (stdout, _) = expect(&c.seats(&["sync", "--connector", "Apple VPP"]), 0);
    assert!(stdout.starts_with("Apple VPP: full sync done"), "{stdout}");
    let calls = calls_since(&c, mark);
    assert!(
        calls
            .iter()
            .any(|l| l.starts_with("GET /mdm/v2/assignments?sinceVersionId=")),
        "{calls:?}"
    );
    assert!(
        calls
            .iter()
            .any(|l| l == "GET /mdm/v2/assignments" || l.starts_with("GET /mdm/v2/assignments?pageIndex=")),
        "then everything: {calls:?}"
    );
    let still = c.count(&format!(
        "SELECT count(*) FROM assignments s JOIN users u ON u.id = s.user_id WHERE s.pool_id = {pool} AND u.upn = '{holder}'"
    ));
    assert_eq!(still, 0, "the seat released elsewhere is gone");
    c.check_clean();
}

#[test]
fn a_version_apple_forgot_is_read_whole() {
    let c = demo_with_apple();
    let before = dump(&c.db);
    c.graph.sim.apple_expire_versions().unwrap();
    let mark = c.graph.sim.request_log().len();
    let (stdout, _) = expect(&c.seats(&["sync", "--connector", "Apple VPP"]), 0);
    assert!(stdout.starts_with("Apple VPP: full sync done"), "{stdout}");
    let calls = calls_since(&c, mark);
    let asked_since = calls
        .iter()
        .position(|l| l.starts_with("GET /mdm/v2/users?sinceVersionId="));
    let read_all = calls.iter().rposition(|l| l == "GET /mdm/v2/users");
    assert!(
        matches!((asked_since, read_all), (Some(a), Some(b)) if a < b),
        "the stored version first, then everything: {calls:?}"
    );
    let seat_rows = |rows: &[String]| -> Vec<String> {
        rows.iter()
            .filter(|r| r.starts_with("assignments|"))
            .cloned()
            .collect()
    };
    assert_eq!(
        seat_rows(&dump(&c.db)),
        seat_rows(&before),
        "nothing changed at Apple"
    );
}
