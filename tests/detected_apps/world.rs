//! A demo cache, a simulator of the same tenant with a Graph connector set
//! up against it, and the runtime serving it (as tests/sync_graph.rs).

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use rusqlite::Connection;
use seats::sim::{SimConfig, SimHandle, Simulator};
use seats::store::changes::Actor;
use seats::store::connectors_admin::{self, GraphSettings};
use seats::worker::sync::{self, SyncError, SyncOptions, SyncReport};

/// Users of the demo cache and of the simulated tenant.
pub const USERS: u32 = 240;
/// The seed `common::demo_db` builds with.
pub const SEED: u64 = 7;

pub struct World {
    pub runtime: tokio::runtime::Runtime,
    pub sim: SimHandle,
    pub conn: Connection,
    pub path: PathBuf,
    pub connector: i64,
    pub _dir: tempfile::TempDir,
}

/// A full sync (`seats sync --full`).
pub fn full() -> SyncOptions {
    SyncOptions {
        full: true,
        ..SyncOptions::default()
    }
}

impl World {
    /// The world, with the simulator's settings changed by `tune`.
    pub fn start(tune: impl FnOnce(&mut SimConfig)) -> World {
        let (dir, path, conn) = crate::common::demo_db(USERS);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let mut config = SimConfig::new(dir.path().join("sim.db"), USERS);
        config.seed = SEED;
        tune(&mut config);
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

    /// Runs a sync the way the console's worker does: on a blocking thread.
    pub fn sync(&self, options: SyncOptions) -> Result<SyncReport, SyncError> {
        let path = self.path.clone();
        let connector = self.connector;
        let handle = self.runtime.handle().clone();
        self.runtime
            .block_on(async move {
                tokio::task::spawn_blocking(move || {
                    sync::sync_connector(&path, connector, options, &handle, &mut |_| {})
                })
                .await
            })
            .unwrap()
    }

    pub fn exec(&self, sql: &str) {
        self.conn.execute_batch(sql).unwrap();
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.conn.query_row(sql, [], |row| row.get(0)).unwrap()
    }

    /// Imports an inventory file as `seats import inventory` does.
    pub fn import(&self, bytes: &[u8]) {
        let now = crate::common::fixed_now();
        let file = seats::domain::inventory_csv::parse(bytes, now).unwrap();
        let actor = Actor::new(crate::common::ACTOR);
        seats::store::inventory_import::import(&self.conn, &actor, "inventory.csv", &file, now).unwrap();
    }

    /// Rows of a query on the simulator's tenant, every column as text.
    pub fn sim_rows(&self, sql: &str) -> Vec<Vec<String>> {
        let tenant = self.sim.tenant().unwrap();
        let conn = tenant.connection();
        let mut stmt = conn.prepare(sql).unwrap();
        let columns = stmt.column_count();
        stmt.query_map([], |row| {
            (0..columns)
                .map(|i| {
                    let value: rusqlite::types::Value = row.get(i)?;
                    Ok(match value {
                        rusqlite::types::Value::Text(t) => t,
                        rusqlite::types::Value::Integer(n) => n.to_string(),
                        rusqlite::types::Value::Null => String::new(),
                        other => format!("{other:?}"),
                    })
                })
                .collect()
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    }

    /// The inventory and the catalog, row by row, to compare before and after.
    pub fn dump_inventory(&self) -> Vec<String> {
        let mut out = Vec::new();
        for table in [
            "inventory",
            "products",
            "publishers",
            "product_raw_names",
            "devices",
        ] {
            let mut stmt = self
                .conn
                .prepare(&format!("SELECT * FROM {table} ORDER BY 1"))
                .unwrap();
            let names: Vec<String> = stmt.column_names().map(str::to_owned).collect();
            let rows = stmt
                .query_map([], |row| {
                    let mut line = table.to_owned();
                    for (i, name) in names.iter().enumerate() {
                        line.push_str(&format!("|{name}={:?}", row.get_ref(i)?));
                    }
                    Ok(line)
                })
                .unwrap();
            out.extend(rows.map(Result::unwrap));
        }
        out
    }

    /// `seats check` finds nothing wrong.
    pub fn check_clean(&self) {
        let findings = seats::store::check::check(&self.conn).unwrap();
        let violated: Vec<String> = findings.iter().filter(|f| !f.ok).map(|f| f.line()).collect();
        assert!(violated.is_empty(), "seats check found:\n{}", violated.join("\n"));
    }
}
