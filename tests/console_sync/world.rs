//! A demo cache whose Graph connector points at an in-process simulator of
//! the same tenant (issue 7), for the console's sync tests. Nothing is due
//! at first: each test says what the schedule should find.
#![allow(dead_code, clippy::unwrap_used)]

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use rusqlite::Connection;
use seats::demo::{DemoOptions, generate};
use seats::sim::{Faults, SimConfig, SimHandle, Simulator};
use seats::store::connectors_admin::{self, GraphSettings};
use seats::store::{self, OpenMode};

/// Users of the demo cache and of the simulated tenant.
pub const USERS: u32 = 240;
/// The seed of both.
pub const SEED: u64 = 7;

pub struct World {
    pub runtime: tokio::runtime::Runtime,
    pub sim: SimHandle,
    pub conn: Connection,
    pub path: PathBuf,
    pub connector: i64,
    pub dir: tempfile::TempDir,
}

impl World {
    /// A demo cache built by `actor` (its global administrator) at
    /// `now`, and a simulator of the same tenant.
    pub fn start(actor: &str, now: chrono::DateTime<chrono::Utc>) -> World {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.db");
        let mut conn = store::open(&path, OpenMode::Create).unwrap();
        let options = DemoOptions {
            users: USERS,
            seed: SEED,
            now,
            actor: actor.to_owned(),
        };
        generate(&mut conn, &options, &mut |_| {}).unwrap();
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
        let world = World {
            runtime,
            sim,
            conn,
            path,
            connector,
            dir,
        };
        world.schedule(connector, Some("2999-01-01T00:00:00Z"));
        // The demo's Apple and Store connectors sync too (with the demo's
        // own in-process simulator): not due either.
        for name in ["Apple VPP", "Microsoft Store for Business"] {
            let other = connectors_admin::find_connector(&world.conn, name)
                .unwrap()
                .unwrap();
            world.schedule(other, Some("2999-01-01T00:00:00Z"));
        }
        world
    }

    /// Sets when the connector's next scheduled sync is (None: never
    /// scheduled, so due now).
    pub fn schedule(&self, connector: i64, next: Option<&str>) {
        self.conn
            .execute(
                "UPDATE connectors SET next_sync_at = ?2 WHERE id = ?1",
                rusqlite::params![connector, next],
            )
            .unwrap();
    }

    /// Every Graph request of the simulator waits `millis` first.
    pub fn slow(&self, millis: u64) {
        self.sim.set_faults(Faults {
            slow: std::time::Duration::from_millis(millis),
            ..Faults::default()
        });
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.conn.query_row(sql, [], |row| row.get(0)).unwrap()
    }

    pub fn text(&self, sql: &str) -> Option<String> {
        self.conn.query_row(sql, [], |row| row.get(0)).unwrap()
    }

    /// (pool id, name, part number, total) of a Graph pool with free seats.
    pub fn roomy_graph_pool(&self) -> (i64, String, String, i64) {
        self.conn
            .query_row(
                "SELECT id, name, sku_part_number, total FROM pools WHERE source = 'graph' \
                 AND status = 'active' AND total - consumed >= 3 ORDER BY id LIMIT 1",
                [],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .unwrap()
    }

    /// Buys `more` seats of `part` at the source: the next sync's figure.
    pub fn buy_at_source(&self, part: &str, more: i64) -> i64 {
        let mut tenant = self.sim.tenant().unwrap();
        let total = tenant.prepaid_units(part).unwrap() + more;
        tenant.set_prepaid_units(part, total).unwrap();
        total
    }
}
