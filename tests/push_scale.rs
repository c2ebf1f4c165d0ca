//! Pushing many queued changes at once (issue 11): the pusher settles each
//! round of rows in one transaction, with the same outcome, outbox states and
//! audit rows as row by row, and a cache failure while settling leaves the
//! round exactly as it was (sent again on the next push); the simulator's
//! held seats (read from `pools.consumed`) stay the count of its seat rows.
#![allow(clippy::unwrap_used)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use rusqlite::Connection;
use seats::domain::Principal;
use seats::sim::{SimConfig, SimHandle, Simulator};
use seats::store::changes::{self, Actor};
use seats::store::connectors_admin::{self, GraphSettings};
use seats::worker::sync::{self, PushReport, SyncError, SyncOptions};

const USERS: u32 = 240;
const SEED: u64 = 7;
/// Queued single-user changes: more than one `$batch` request (20 each).
const CHANGES: usize = 25;

struct World {
    runtime: tokio::runtime::Runtime,
    sim: SimHandle,
    conn: Connection,
    path: PathBuf,
    connector: i64,
    _dir: tempfile::TempDir,
}

impl World {
    fn start() -> World {
        let (dir, path, conn) = common::demo_db(USERS);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let mut config = SimConfig::new(dir.path().join("sim.db"), USERS);
        config.seed = SEED;
        let sim = Simulator::start(config, runtime.handle()).unwrap();
        let secret_file = dir.path().join("graph.secret");
        std::fs::write(&secret_file, &sim.credentials().client_secret).unwrap();
        std::fs::set_permissions(&secret_file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let credentials = sim.credentials();
        let mut settings = GraphSettings::new(
            "Microsoft Graph",
            &credentials.tenant_id,
            &credentials.client_id,
            secret_file.to_str().unwrap(),
        );
        settings.graph_url = sim.graph_url().to_owned();
        settings.login_url = sim.login_url().to_owned();
        let connector = connectors_admin::find_connector(&conn, "Microsoft Graph")
            .unwrap()
            .unwrap();
        connectors_admin::configure_graph(&conn, connector, &settings).unwrap();
        World {
            runtime,
            sim,
            conn,
            path,
            connector,
            _dir: dir,
        }
    }

    fn sync(&self) {
        let (path, connector, handle) = (self.path.clone(), self.connector, self.runtime.handle().clone());
        self.runtime
            .block_on(async move {
                tokio::task::spawn_blocking(move || {
                    sync::sync_connector(&path, connector, SyncOptions::default(), &handle, &mut |_| {})
                })
                .await
            })
            .unwrap()
            .unwrap();
    }

    /// A push as the console's worker runs it (on a blocking thread).
    fn push(&self) -> Result<Option<PushReport>, SyncError> {
        let (path, connector, handle) = (self.path.clone(), self.connector, self.runtime.handle().clone());
        self.runtime
            .block_on(async move {
                tokio::task::spawn_blocking(move || sync::push_now(&path, connector, &handle)).await
            })
            .unwrap()
    }

    fn count(&self, sql: &str) -> i64 {
        self.conn.query_row(sql, [], |row| row.get(0)).unwrap()
    }

    /// The rows a push may change, to compare before and after.
    fn dump(&self) -> Vec<String> {
        let mut out = Vec::new();
        for table in [
            "outbox",
            "assignments",
            "audit",
            "change_items",
            "batches",
            "pools",
        ] {
            let mut stmt = self
                .conn
                .prepare(&format!("SELECT * FROM {table} ORDER BY rowid"))
                .unwrap();
            let columns = stmt.column_count();
            let rows = stmt
                .query_map([], |row| {
                    let mut line = table.to_owned();
                    for i in 0..columns {
                        line.push_str(&format!("|{:?}", row.get_ref(i)?));
                    }
                    Ok(line)
                })
                .unwrap();
            out.extend(rows.map(Result::unwrap));
        }
        out
    }

    fn check_clean(&self) {
        let findings = seats::store::check::check(&self.conn).unwrap();
        let violated: Vec<String> = findings.iter().filter(|f| !f.ok).map(|f| f.line()).collect();
        assert!(violated.is_empty(), "seats check found:\n{}", violated.join("\n"));
    }

    /// Every SKU of the simulated tenant: its `pools.consumed` is the count
    /// of its seat rows not in error (what `consumedUnits` reports).
    fn sim_consumed_is_counted(&self) {
        let tenant = self.sim.tenant().unwrap();
        let wrong: Vec<(String, i64, i64)> = tenant
            .connection()
            .prepare(
                "SELECT p.sku_part_number, p.consumed, (SELECT count(*) FROM assignments a \
                   WHERE a.pool_id = p.id AND a.state_code <> 2) AS counted \
                 FROM pools p JOIN sim_skus s ON s.pool_id = p.id WHERE p.consumed <> counted",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(
            wrong.is_empty(),
            "simulated SKUs whose consumed is off: {wrong:?}"
        );
    }
}

/// A Graph pool with room for `CHANGES` more seats at the source and in the
/// cache: (pool id, part number, seats held at the source).
fn roomy_pool(world: &World) -> (i64, String, i64) {
    let (pool, part): (i64, String) = world
        .conn
        .query_row(
            "SELECT id, sku_part_number FROM pools WHERE source = 'graph' AND status = 'active' \
             AND sku_id IS NOT NULL ORDER BY id LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    {
        let mut tenant = world.sim.tenant().unwrap();
        let held = tenant.held_seats(&part).unwrap();
        tenant
            .set_prepaid_units(&part, held + CHANGES as i64 + 5)
            .unwrap();
    }
    world.sync();
    let held = world.sim.tenant().unwrap().held_seats(&part).unwrap();
    (pool, part, held)
}

/// Queues one single-user assignment for each of `CHANGES` users without
/// a seat of `pool`; returns their (id, UPN) in queue order.
fn queue_assignments(world: &World, pool: i64) -> Vec<(i64, String)> {
    let users: Vec<(i64, String)> = world
        .conn
        .prepare(
            "SELECT id, upn FROM users u WHERE enabled = 1 AND deleted = 0 AND usage_location IS NOT NULL \
             AND source_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM assignments a \
             WHERE a.pool_id = ?1 AND a.user_id = u.id) ORDER BY id LIMIT ?2",
        )
        .unwrap()
        .query_map(rusqlite::params![pool, CHANGES as i64], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(users.len(), CHANGES);
    let actor = Actor::new(common::ACTOR);
    for (user, _) in &users {
        let outcome = changes::assign(&world.conn, &actor, pool, &[Principal::User(*user)]).unwrap();
        assert!(outcome.queued);
    }
    users
}

/// The source will refuse this user's licenses (no usage location).
fn refused_at_source(world: &World, upn: &str) {
    let tenant = world.sim.tenant().unwrap();
    tenant
        .connection()
        .execute("UPDATE users SET usage_location = NULL WHERE upn = ?1", [upn])
        .unwrap();
}

fn outbox_states(world: &World) -> Vec<(String, i64)> {
    world
        .conn
        .prepare("SELECT state, count(*) FROM outbox GROUP BY state ORDER BY state")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn a_round_of_many_rows_is_applied_refused_and_audited_row_by_row() {
    let world = World::start();
    world.sync();
    let (pool, part, held) = roomy_pool(&world);
    let users = queue_assignments(&world, pool);
    let (refused_user, refused_upn) = users[CHANGES / 2].clone();
    refused_at_source(&world, &refused_upn);
    let consumed = world.count(&format!("SELECT consumed FROM pools WHERE id = {pool}"));
    let audit_rows = world.count("SELECT max(id) FROM audit");

    let report = world.push().unwrap().unwrap();

    assert_eq!(
        (report.applied, report.refused.len(), report.retrying),
        (CHANGES - 1, 1, 0)
    );
    assert!(report.refused[0].contains("invalid usage location"), "{report:?}");
    assert_eq!(
        outbox_states(&world),
        vec![
            ("applied".to_owned(), CHANGES as i64 - 1),
            ("failed".to_owned(), 1)
        ]
    );
    // The refused row's local change went back; the others stay.
    assert_eq!(
        world.count(&format!("SELECT consumed FROM pools WHERE id = {pool}")),
        consumed - 1
    );
    assert_eq!(
        world.count(&format!(
            "SELECT count(*) FROM assignments WHERE pool_id = {pool} AND user_id = {refused_user}"
        )),
        0
    );
    // The refusal's rollback and the refusal itself are audited, naming the
    // user, by the pusher; the rows applied add no audit row.
    let audited: Vec<(String, String, String)> = world
        .conn
        .prepare(&format!(
            "SELECT action, actor, principals FROM audit WHERE id > {audit_rows} ORDER BY id"
        ))
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let actions: Vec<(&str, &str)> = audited
        .iter()
        .map(|(a, by, _)| (a.as_str(), by.as_str()))
        .collect();
    assert_eq!(actions, [("undo", "seats sync"), ("refused", "seats sync")]);
    assert!(
        audited.iter().all(|(_, _, who)| who.contains(&refused_upn)),
        "{audited:?}"
    );
    assert_eq!(
        world.sim.tenant().unwrap().held_seats(&part).unwrap(),
        held + CHANGES as i64 - 1
    );
    world.sim_consumed_is_counted();
    world.check_clean();
}

#[test]
fn a_cache_failure_while_settling_a_round_leaves_the_round_as_it_was() {
    let world = World::start();
    world.sync();
    let (pool, part, held) = roomy_pool(&world);
    let users = queue_assignments(&world, pool);
    refused_at_source(&world, &users[CHANGES / 2].1);
    // Writing the refusal's audit row fails, after earlier rows of the
    // round were settled.
    world
        .conn
        .execute_batch(
            "CREATE TRIGGER push_scale_fails BEFORE INSERT ON audit WHEN NEW.action = 'refused' \
             BEGIN SELECT RAISE(ABORT, 'the disk is full'); END;",
        )
        .unwrap();
    let before = world.dump();

    let failed = world.push();

    assert!(
        failed
            .as_ref()
            .is_err_and(|err| err.to_string().contains("the disk is full")),
        "{failed:?}"
    );
    assert_eq!(world.dump(), before, "the cache is exactly as before the round");
    // The source did apply the others: the next push sends them again
    // (assignLicense is idempotent) and settles the round.
    world.conn.execute_batch("DROP TRIGGER push_scale_fails").unwrap();
    let report = world.push().unwrap().unwrap();
    assert_eq!((report.applied, report.refused.len()), (CHANGES - 1, 1));
    assert_eq!(
        world.sim.tenant().unwrap().held_seats(&part).unwrap(),
        held + CHANGES as i64 - 1
    );
    world.sim_consumed_is_counted();
    world.check_clean();
}
