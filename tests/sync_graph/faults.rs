//! A failing, expired or busy source: the cache stays as it was and the
//! connector says why.

use seats::store::sync::PullKind;
use seats::store::sync_lease;
use seats::worker::sync::SyncOptions;

use super::World;

#[test]
fn a_failing_source_leaves_the_cache_as_it_was_and_the_connector_says_why() {
    let world = World::start();
    world.sync(SyncOptions::default()).unwrap();
    // A change waits at the source: the failed pull must not bring it.
    let mut tenant = world.sim.tenant().unwrap();
    let upn = tenant.nth_user(3).unwrap().user_principal_name;
    tenant.disable_user(&upn).unwrap();
    let before = world.dump();
    world.sim.set_faults("500=1".parse().unwrap());
    let err = world.sync(SyncOptions::default()).unwrap_err();
    assert_eq!(err.exit_code(), 5, "{err}");
    assert_eq!(world.dump(), before, "nothing of the failed pull was written");
    let (state, error, request): (String, String, Option<String>) = world
        .conn
        .query_row(
            "SELECT state, last_error, last_request_id FROM connectors WHERE id = ?1",
            [world.connector],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(state, "error");
    assert!(
        error.contains("500") || error.to_lowercase().contains("server"),
        "{error}"
    );
    assert!(request.is_some(), "the source's request id is kept");
    world.check_clean();
}

#[test]
fn an_expired_delta_link_falls_back_to_a_full_read_by_itself() {
    let world = World::start();
    world.sync(SyncOptions::default()).unwrap();
    world.sim.tenant().unwrap().expire_delta_tokens().unwrap();
    let report = world.sync(SyncOptions::default()).unwrap();
    assert_eq!(report.kind, PullKind::Full, "{}", report.describe());
    world.check_clean();
}

#[test]
fn a_second_sync_of_one_connector_is_refused_naming_who_syncs_it() {
    let world = World::start();
    sync_lease::acquire(
        &world.conn,
        world.connector,
        "ops@other-host pid 4242",
        chrono::Utc::now(),
        chrono::Duration::minutes(10),
    )
    .unwrap();
    let err = world.sync(SyncOptions::default()).unwrap_err();
    assert_eq!(err.exit_code(), 3, "{err}");
    assert!(err.to_string().contains("ops@other-host pid 4242"), "{err}");
}

#[test]
fn the_secret_never_reaches_the_cache_files() {
    let world = World::start();
    world.sync(SyncOptions::default()).unwrap();
    world.sim.set_faults("401=1".parse().unwrap());
    let err = world.sync(SyncOptions::default()).unwrap_err();
    assert!(!err.to_string().contains(&world.secret));
    for suffix in ["", "-wal"] {
        let file = format!("{}{suffix}", world.path.display());
        if let Ok(bytes) = std::fs::read(&file) {
            let found = bytes
                .windows(world.secret.len())
                .any(|w| w == world.secret.as_bytes());
            assert!(!found, "the secret is in {file}");
        }
    }
}
