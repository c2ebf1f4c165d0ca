//! Pull and push flows against the simulator.

use seats::domain::Principal;
use seats::store::changes::{self, Actor};
use seats::store::sync::PullKind;
use seats::worker::sync::SyncOptions;

use super::World;

/// (pool id, part number) of a Graph pool with free seats, in the cache.
fn roomy_graph_pool(world: &World) -> (i64, String) {
    world
        .conn
        .query_row(
            "SELECT id, sku_part_number FROM pools WHERE source = 'graph' AND status = 'active' \
             AND total - consumed >= 3 ORDER BY id LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap()
}

/// An enabled user (id, upn) who holds no seat of `pool`.
fn seatless_user(world: &World, pool: i64) -> (i64, String) {
    world
        .conn
        .query_row(
            "SELECT id, upn FROM users u WHERE enabled = 1 AND deleted = 0 AND usage_location IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.pool_id = ?1 AND a.user_id = u.id) \
             ORDER BY id LIMIT 1",
            [pool],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap()
}

fn consumed(world: &World, pool: i64) -> i64 {
    world.count(&format!("SELECT consumed FROM pools WHERE id = {pool}"))
}

#[test]
fn the_first_sync_mirrors_the_source_and_the_next_reads_only_changes() {
    let world = World::start();
    let report = world.sync(SyncOptions::default()).unwrap();
    assert_eq!(report.kind, PullKind::Full);
    world.check_clean();
    // Every Graph pool counts what the source holds.
    let tenant = world.sim.tenant().unwrap();
    let mut stmt = world
        .conn
        .prepare("SELECT sku_part_number, consumed, total FROM pools WHERE source = 'graph' AND status <> 'disabled'")
        .unwrap();
    let pools: Vec<(String, i64, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(pools.len() >= 5, "{pools:?}");
    for (part, used, total) in &pools {
        assert_eq!(*total, tenant.prepaid_units(part).unwrap(), "{part} total");
        assert!(
            *used <= tenant.held_seats(part).unwrap(),
            "{part}: {used} held in the cache"
        );
    }
    let state: (String, Option<String>) = world
        .conn
        .query_row(
            "SELECT state, next_sync_at FROM connectors WHERE id = ?1",
            [world.connector],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(state.0, "ok");
    assert!(state.1.is_some(), "the next sync is scheduled");

    let again = world.sync(SyncOptions::default()).unwrap();
    assert_eq!(again.kind, PullKind::Delta, "a delta link was kept");
    assert!(again.summary.is_unchanged(), "{}", again.describe());
    world.check_clean();
}

#[test]
fn an_assignment_is_pushed_and_applied_at_the_source() {
    let world = World::start();
    world.sync(SyncOptions::default()).unwrap();
    let (pool, part) = roomy_graph_pool(&world);
    let (user, _) = seatless_user(&world, pool);
    let at_source = world.sim.tenant().unwrap().held_seats(&part).unwrap();
    let outcome = changes::assign(
        &world.conn,
        &Actor::new(crate::common::ACTOR),
        pool,
        &[Principal::User(user)],
    )
    .unwrap();
    assert!(outcome.queued);
    let pushed = world.push().unwrap();
    assert_eq!((pushed.applied, pushed.refused.len()), (1, 0), "{pushed:?}");
    assert_eq!(
        world.count("SELECT count(*) FROM outbox WHERE state = 'pending'"),
        0
    );
    assert_eq!(
        world.sim.tenant().unwrap().held_seats(&part).unwrap(),
        at_source + 1
    );
    // The next pull agrees with the source: the seat stays.
    let before = consumed(&world, pool);
    world.sync(SyncOptions::default()).unwrap();
    assert_eq!(consumed(&world, pool), before);
    world.check_clean();
}

#[test]
fn a_change_the_source_refuses_is_rolled_back_and_audited() {
    let world = World::start();
    world.sync(SyncOptions::default()).unwrap();
    let (pool, part) = roomy_graph_pool(&world);
    let (user, upn) = seatless_user(&world, pool);
    // The source has no seat left, though the cache still thinks so.
    let mut tenant = world.sim.tenant().unwrap();
    let held = tenant.held_seats(&part).unwrap();
    tenant.set_prepaid_units(&part, held).unwrap();
    let before = consumed(&world, pool);
    changes::assign(
        &world.conn,
        &Actor::new(crate::common::ACTOR),
        pool,
        &[Principal::User(user)],
    )
    .unwrap();
    assert_eq!(consumed(&world, pool), before + 1);
    let pushed = world.push().unwrap();
    assert_eq!(pushed.refused.len(), 1, "{pushed:?}");
    assert!(
        pushed.refused[0].contains("does not have any available licenses"),
        "{pushed:?}"
    );
    assert_eq!(consumed(&world, pool), before, "the local change was rolled back");
    let held_by_user = world.count(&format!(
        "SELECT count(*) FROM assignments WHERE pool_id = {pool} AND user_id = {user}"
    ));
    assert_eq!(held_by_user, 0, "{upn} holds no seat");
    let audited: String = world
        .conn
        .query_row(
            "SELECT result FROM audit WHERE action = 'refused' ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        audited.contains("does not have any available licenses"),
        "{audited}"
    );
    world.check_clean();
}

#[test]
fn users_disabled_or_deleted_at_the_source_leave_as_the_policy_says() {
    let world = World::start();
    world.sync(SyncOptions::default()).unwrap();
    let holder = |world: &World| -> (i64, String) {
        world
            .conn
            .query_row(
                "SELECT u.id, u.upn FROM users u WHERE enabled = 1 AND deleted = 0 AND source_id IS NOT NULL \
                 AND EXISTS (SELECT 1 FROM assignments a JOIN pools p ON p.id = a.pool_id \
                   WHERE a.user_id = u.id AND p.source = 'graph' AND a.direct = 1 AND a.via_group_id IS NULL) \
                 ORDER BY u.id LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
    };
    let (disabled_id, disabled) = holder(&world);
    let mut tenant = world.sim.tenant().unwrap();
    tenant.disable_user(&disabled).unwrap();
    let report = world
        .sync(SyncOptions {
            full: false,
            release_disabled: true,
        })
        .unwrap();
    assert_eq!(report.released_disabled, 1, "{}", report.describe());
    // Direct seats go at the source too; a seat the user gets through a
    // group at the source comes back with the next pull (only leaving the
    // group there ends it).
    world.sync(SyncOptions::default()).unwrap();
    let direct = world.count(&format!(
        "SELECT count(*) FROM assignments a JOIN pools p ON p.id = a.pool_id WHERE a.user_id = {disabled_id} \
         AND p.source = 'graph' AND a.direct = 1"
    ));
    assert_eq!(
        direct, 0,
        "the disabled user's direct Graph seats were released at the source"
    );
    assert!(
        report.pushed.applied >= 1,
        "and the release was pushed: {}",
        report.describe()
    );
    let pending = world.count(&format!(
        "SELECT count(*) FROM outbox WHERE state = 'pending' AND connector_id = {}",
        world.connector
    ));
    assert_eq!(pending, 0, "nothing left to push to Graph");

    let (deleted_id, deleted) = holder(&world);
    tenant.delete_user(&deleted).unwrap();
    world.sync(SyncOptions::default()).unwrap();
    let still = world.count(&format!(
        "SELECT count(*) FROM users WHERE id = {deleted_id} AND deleted = 0"
    ));
    assert_eq!(still, 0, "a user deleted at the source left the cache");
    world.check_clean();
}
