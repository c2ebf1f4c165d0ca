//! `seats connect apple`, `seats sync` and `seats apps` against the Apple
//! Apps and Books API v2 of a simulator served by the test process
//! (issue 8; R-CON-2, R-CON-3, R-CON-4, R-CON-6, R-CON-7, R-CON-9).

use std::path::{Path, PathBuf};

use super::support::{Graph, count, expect, write_private};

/// A simulator, its content token in a 0600 file, and a cache path.
struct Apple {
    graph: Graph,
    token: PathBuf,
    db: PathBuf,
}

impl Apple {
    fn start() -> Apple {
        Apple::start_seeded(super::support::SEED)
    }

    /// Another organization: another seed, another Apple location.
    fn start_seeded(seed: u64) -> Apple {
        let graph = Graph::start_with(|config| config.seed = seed);
        let token = graph.path("contoso.vpptoken");
        write_private(&token, &graph.sim.apple_token_file().unwrap());
        let db = graph.path("seats.db");
        Apple { graph, token, db }
    }

    fn connect_with(&self, token: &Path, extra: &[&str]) -> std::process::Output {
        self.connect_to(&self.graph, token, extra)
    }

    /// `seats connect apple` on this cache, against `source`'s simulator.
    fn connect_to(&self, source: &Graph, token: &Path, extra: &[&str]) -> std::process::Output {
        let api = source.sim.apple_api_url();
        let lookup = source.sim.apple_lookup_url();
        let mut args = vec![
            "connect",
            "apple",
            "--name",
            "Apple VPP",
            "--apple-id",
            "vpp-admin@contoso.example",
            "--token-file",
            token.to_str().unwrap(),
            "--api-url",
            &api,
            "--lookup-url",
            &lookup,
            "--db",
            self.db.to_str().unwrap(),
        ];
        args.extend(extra);
        self.graph.seats(&[], &args)
    }

    fn connect(&self, extra: &[&str]) -> std::process::Output {
        self.connect_with(&self.token, extra)
    }

    fn seats(&self, args: &[&str]) -> std::process::Output {
        let db = self.db.to_str().unwrap();
        self.graph.seats(&[], &[args, &["--db", db]].concat())
    }

    fn json(&self, args: &[&str]) -> Vec<serde_json::Value> {
        let (stdout, _) = expect(&self.seats(args), 0);
        serde_json::from_str(&stdout).unwrap()
    }
}

#[test]
fn without_the_acknowledgement_nothing_is_stored_and_the_warning_says_why() {
    let apple = Apple::start();
    let (stdout, stderr) = expect(&apple.connect(&[]), 2);
    assert_eq!(stdout, "");
    assert!(
        stderr.contains("for good") && stderr.contains("--acknowledge-permanent-link"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was stored"), "{stderr}");
    assert!(!apple.db.exists(), "no cache is created");
}

#[test]
fn a_token_file_others_may_read_or_that_is_no_token_is_refused() {
    let apple = Apple::start();
    std::fs::set_permissions(&apple.token, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let (_, stderr) = expect(&apple.connect(&["--acknowledge-permanent-link"]), 2);
    assert!(stderr.contains("chmod 600"), "{stderr}");
    let junk = apple.graph.path("junk.vpptoken");
    write_private(&junk, "this is not a token");
    let (_, stderr) = expect(&apple.connect_with(&junk, &["--acknowledge-permanent-link"]), 2);
    assert!(
        stderr.contains("junk.vpptoken") && stderr.contains("nothing was stored"),
        "{stderr}"
    );
    assert!(!apple.db.exists());
}

#[test]
fn a_linked_token_syncs_apps_and_seats_and_the_token_never_reaches_the_cache() {
    let apple = Apple::start();
    let (stdout, _) = expect(&apple.connect(&["--acknowledge-permanent-link"]), 0);
    assert!(stdout.starts_with("Apple location "), "{stdout}");
    assert!(stdout.contains("connector \"Apple VPP\" linked"), "{stdout}");
    let connectors = apple.json(&["connectors", "--format", "json"]);
    let row = &connectors[0];
    assert_eq!(row["kind"], "apple_vpp");
    assert!(
        row["account"].is_string() && row["token_expires"].is_string(),
        "{row}"
    );
    assert_eq!(row["state"], "never");

    let (stdout, _) = expect(&apple.seats(&["sync", "--connector", "Apple VPP"]), 0);
    assert!(stdout.starts_with("Apple VPP: full sync done; "), "{stdout}");
    let apps = apple.json(&["apps", "--format", "json"]);
    assert!(!apps.is_empty(), "the location's assets arrive as apps");
    for app in &apps {
        for key in [
            "id",
            "name",
            "store",
            "license",
            "total",
            "consumed",
            "available",
            "installed",
            "pending",
            "failed",
        ] {
            assert!(app.get(key).is_some(), "{key} missing from {app}");
        }
        assert_eq!(
            (app["store"].as_str(), app["license"].as_str()),
            (Some("apple"), Some("vpp"))
        );
    }
    assert!(
        apps.iter()
            .any(|a| !a["name"].as_str().unwrap().starts_with("App ")),
        "names come from the lookup service: {apps:?}"
    );
    let state: String = rusqlite::Connection::open(&apple.db)
        .unwrap()
        .query_row("SELECT state FROM connectors", [], |r| r.get(0))
        .unwrap();
    assert_eq!(state, "ok");
    // The token is a bearer: it is in no row of the cache, nor in the file.
    let token = std::fs::read_to_string(&apple.token).unwrap();
    let cache = std::fs::read(&apple.db).unwrap();
    assert!(
        !cache
            .windows(token.len().min(40))
            .any(|w| w == &token.as_bytes()[..token.len().min(40)])
    );
    // A second sync finds nothing new.
    let (stdout, _) = expect(&apple.seats(&["sync", "--connector", "Apple VPP"]), 0);
    assert!(stdout.contains("0 added, 0 updated, 0 removed"), "{stdout}");
}

#[test]
fn another_location_is_refused_with_exit_3_and_a_renewed_token_of_the_same_one_is_taken() {
    let apple = Apple::start();
    expect(&apple.connect(&["--acknowledge-permanent-link"]), 0);
    // The same location again (a renewed download): kept, renewed.
    let (stdout, _) = expect(&apple.connect(&["--acknowledge-permanent-link"]), 0);
    assert!(stdout.contains("renewed"), "{stdout}");
    assert!(!stdout.contains("disabled"), "{stdout}");
    assert_eq!(count(&apple.db, "SELECT count(*) FROM connectors"), 1);
    // A disabled connector renewed stays off, and the report says how to
    // turn it on rather than promising a sync.
    expect(&apple.seats(&["connector", "disable", "Apple VPP"]), 0);
    let (stdout, _) = expect(&apple.connect(&["--acknowledge-permanent-link"]), 0);
    assert!(
        stdout.contains("disabled") && stdout.contains("seats connector enable \"Apple VPP\""),
        "{stdout}"
    );
    expect(&apple.seats(&["connector", "enable", "Apple VPP"]), 0);
    // Renewed under another name: the connector keeps its own, and the
    // audit row names the connector that exists.
    let (api, lookup) = (
        apple.graph.sim.apple_api_url(),
        apple.graph.sim.apple_lookup_url(),
    );
    let args = [
        "connect",
        "apple",
        "--name",
        "Renamed VPP",
        "--apple-id",
        "vpp-admin@contoso.example",
        "--token-file",
        apple.token.to_str().unwrap(),
        "--api-url",
        &api,
        "--lookup-url",
        &lookup,
        "--acknowledge-permanent-link",
        "--db",
        apple.db.to_str().unwrap(),
    ];
    expect(&apple.graph.seats(&[], &args), 0);
    assert_eq!(
        count(
            &apple.db,
            "SELECT count(*) FROM connectors WHERE name = 'Apple VPP'"
        ),
        1
    );
    assert_eq!(
        count(
            &apple.db,
            "SELECT count(*) FROM audit WHERE action = 'connector_add' AND principals LIKE '%Renamed%'"
        ),
        0
    );
    // Another organization's location, from another simulator.
    let other = Apple::start_seeded(super::support::SEED + 1);
    let before = count(&apple.db, "SELECT count(*) FROM audit");
    let (_, stderr) = expect(
        &apple.connect_to(&other.graph, &other.token, &["--acknowledge-permanent-link"]),
        3,
    );
    assert!(stderr.contains("can't be moved to another one"), "{stderr}");
    assert!(stderr.contains("nothing was stored"), "{stderr}");
    assert_eq!(count(&apple.db, "SELECT count(*) FROM connectors"), 1);
    assert_eq!(count(&apple.db, "SELECT count(*) FROM audit"), before);
}

#[test]
fn a_token_another_product_holds_is_not_taken_without_the_admins_choice() {
    let apple = Apple::start();
    apple.graph.sim.apple_claim("com.jamf.pro", "Jamf Pro").unwrap();
    let (stdout, _) = expect(&apple.connect(&["--acknowledge-permanent-link"]), 0);
    assert!(stdout.contains("in use by Jamf Pro"), "{stdout}");
    let (_, stderr) = expect(&apple.seats(&["sync", "--connector", "Apple VPP"]), 3);
    assert!(
        stderr.contains("in use by Jamf Pro")
            && stderr.contains("will be lost")
            && stderr.contains("--take-over"),
        "{stderr}"
    );
    assert_eq!(count(&apple.db, "SELECT count(*) FROM apps"), 0, "nothing synced");
    let claimed = count(
        &apple.db,
        "SELECT count(*) FROM connectors WHERE claimed_by = 'Jamf Pro'",
    );
    assert_eq!(claimed, 1, "the pane can flag it");
    expect(
        &apple.seats(&["sync", "--connector", "Apple VPP", "--take-over"]),
        0,
    );
    assert!(count(&apple.db, "SELECT count(*) FROM apps") > 0);
    assert_eq!(
        count(
            &apple.db,
            "SELECT count(*) FROM connectors WHERE claimed_by IS NULL"
        ),
        1
    );
    assert_eq!(
        count(
            &apple.db,
            "SELECT count(*) FROM audit WHERE action = 'connector_take_over'"
        ),
        1
    );
}

/// The demo cache of the simulator's tenant with its Apple connector
/// pointed at the test's simulator (the same organization), synced.
pub(super) fn demo_with_apple() -> super::support::Connected {
    demo_with_apple_and(|_| {})
}

/// [`demo_with_apple`] against a simulator that `adjust` configures.
pub(super) fn demo_with_apple_and(
    adjust: impl FnOnce(&mut seats::sim::SimConfig),
) -> super::support::Connected {
    let c = super::support::Connected::start_with(adjust);
    let token = c.graph.path("demo.vpptoken");
    write_private(&token, &c.graph.sim.apple_token_file().unwrap());
    let api = c.graph.sim.apple_api_url();
    rusqlite::Connection::open(&c.db)
        .unwrap()
        .execute(
            "UPDATE connectors SET api_url = ?1, endpoint = ?1, lookup_url = ?2, secret_ref = ?3 WHERE name = 'Apple VPP'",
            [api.as_str(), c.graph.sim.apple_lookup_url().as_str(), token.to_str().unwrap()],
        )
        .unwrap();
    expect(&c.seats(&["sync", "--connector", "Apple VPP"]), 0);
    c
}

/// (pool id, adamId) of the Apple app with the most free seats, and a user
/// of the cache without a seat of it.
pub(super) fn roomy_app(c: &super::support::Connected) -> (i64, String, String) {
    let conn = rusqlite::Connection::open(&c.db).unwrap();
    let (pool, adam): (i64, String) = conn
        .query_row(
            "SELECT p.id, a.external_id FROM pools p JOIN apps a ON a.id = p.app_id \
             WHERE p.source = 'apple_vpp' AND p.connector_id = 2 AND p.total IS NOT NULL \
             ORDER BY p.total - p.consumed DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    (pool, adam, seatless(c, pool))
}

/// A user of the cache without a seat of `pool`.
fn seatless(c: &super::support::Connected, pool: i64) -> String {
    rusqlite::Connection::open(&c.db)
        .unwrap()
        .query_row(
            "SELECT upn FROM users u WHERE enabled = 1 AND deleted = 0 \
             AND NOT EXISTS (SELECT 1 FROM assignments s WHERE s.pool_id = ?1 AND s.user_id = u.id) ORDER BY id LIMIT 1",
            [pool],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn an_assignment_is_associated_at_apple_and_one_beyond_its_licenses_is_rolled_back() {
    let c = demo_with_apple();
    let (pool, adam, user) = roomy_app(&c);
    let pool_arg = pool.to_string();
    let (stdout, _) = expect(&c.seats(&["assign", "--pool", &pool_arg, "--user", &user]), 0);
    assert!(stdout.ends_with("; applied at Apple VPP\n"), "{stdout}");
    // Apple holds it: the next pull keeps the seat.
    expect(&c.seats(&["sync", "--connector", "Apple VPP"]), 0);
    let holds = |upn: &str| {
        c.count(&format!(
            "SELECT count(*) FROM assignments s JOIN users u ON u.id = s.user_id WHERE s.pool_id = {pool} AND u.upn = '{upn}'"
        ))
    };
    assert_eq!(holds(&user), 1);
    // Apple has no license left, though the cache still thinks so.
    let sim = rusqlite::Connection::open(c.graph.path("sim.db")).unwrap();
    sim.execute(
        "UPDATE sim_apple_assets SET total = (SELECT count(*) FROM sim_apple_assignments s \
           WHERE s.adam_id = sim_apple_assets.adam_id AND s.active = 1) WHERE adam_id = ?1",
        [&adam],
    )
    .unwrap();
    let second = seatless(&c, pool);
    let (stdout, stderr) = expect(&c.seats(&["assign", "--pool", &pool_arg, "--user", &second]), 3);
    assert_eq!(stdout, "");
    assert!(
        stderr.contains("refused by Apple VPP") && stderr.contains("9709") && stderr.contains("rolled back"),
        "{stderr}"
    );
    assert_eq!(holds(&second), 0, "rolled back");
    c.check_clean();
}

/// R-APP-8: a user without an Apple account is created at Apple and
/// invited; after the next sync their seat carries the invitation link
/// that `i` shows, built from Apple's invitation URL and their code.
#[test]
fn a_new_apple_user_is_invited_and_the_seat_shows_the_invitation_link() {
    let c = demo_with_apple();
    let (pool, _, user) = roomy_app(&c);
    expect(
        &c.seats(&["assign", "--pool", &pool.to_string(), "--user", &user]),
        0,
    );
    expect(&c.seats(&["sync", "--connector", "Apple VPP"]), 0);
    let conn = rusqlite::Connection::open(&c.db).unwrap();
    let (status, url): (String, Option<String>) = conn
        .query_row(
            "SELECT au.status, au.invite_url FROM apple_users au JOIN users u ON u.id = au.user_id WHERE u.upn = ?1",
            [&user],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(status, "Registered", "created at Apple, not accepted yet");
    let url = url.expect("an invitation link");
    assert!(url.starts_with("http") && !url.contains("inviteCode%25"), "{url}");
    let request = seats::store::PageRequest {
        scope: Some(pool),
        limit: 10_000,
        ..Default::default()
    };
    let rows = seats::store::assignees::page(&conn, &request).unwrap().rows;
    let seat = rows.iter().find(|r| r.principal == user).expect("the seat");
    assert_eq!(seat.invitation.as_deref(), Some("invited"));
    assert_eq!(seat.invite_url.as_deref(), Some(url.as_str()));
}

/// R-CON-4: a token Apple refuses shows as expired (9621) or revoked
/// (9625) in the Connectors pane, each with what to do.
#[test]
fn an_expired_and_a_revoked_token_are_marked_apart_in_the_connectors_pane() {
    let apple = Apple::start();
    expect(&apple.connect(&["--acknowledge-permanent-link"]), 0);
    expect(&apple.seats(&["sync", "--connector", "Apple VPP"]), 0);
    let cases = [
        (
            seats::sim::Faults {
                apple_expired: true,
                ..Default::default()
            },
            "✗ expired",
            "expired (Apple 9621)",
        ),
        (
            seats::sim::Faults {
                apple_revoked: true,
                ..Default::default()
            },
            "✗ revoked",
            "revoked (Apple 9625)",
        ),
    ];
    for (faults, cell, remedy) in cases {
        apple.graph.sim.set_faults(faults);
        let out = apple.seats(&["sync", "--connector", "Apple VPP"]);
        assert_ne!(out.status.code(), Some(0), "the sync fails");
        let (screen, _) = expect(
            &apple.seats(&["snapshot", "connectors", "--width", "160", "--height", "48"]),
            0,
        );
        assert!(screen.contains(cell), "{screen}");
        assert!(screen.contains(remedy), "{screen}");
    }
}
