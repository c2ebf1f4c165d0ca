//! Syncing and pushing against the in-process Graph simulator over real
//! HTTP (issue 7; R-CON-5, R-CON-8, R-LIC-5): the worker's sync glues the
//! Graph client to the store; every scenario ends with `seats check` clean.
#![allow(clippy::unwrap_used)]

mod common;

#[path = "sync_graph/faults.rs"]
mod faults;
#[path = "sync_graph/flows.rs"]
mod flows;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use rusqlite::Connection;
use seats::sim::{SimConfig, SimHandle, Simulator};
use seats::store::connectors_admin::{self, GraphSettings};
use seats::worker::sync::{self, SyncError, SyncOptions, SyncReport};

/// Users of the demo cache and of the simulated tenant (same seed).
pub const USERS: u32 = 240;
/// The seed `common::demo_db` builds with.
pub const SEED: u64 = 7;

/// A demo cache, a simulator of the same tenant, and the runtime serving it.
pub struct World {
    pub runtime: tokio::runtime::Runtime,
    pub sim: SimHandle,
    pub conn: Connection,
    pub path: PathBuf,
    pub connector: i64,
    pub secret: String,
    pub dir: tempfile::TempDir,
}

impl World {
    pub fn start() -> World {
        let (dir, path, conn) = common::demo_db(USERS);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let mut config = SimConfig::new(dir.path().join("sim.db"), USERS);
        config.seed = SEED;
        let sim = Simulator::start(config, runtime.handle()).unwrap();
        let secret = sim.credentials().client_secret.clone();
        let secret_file = dir.path().join("graph.secret");
        std::fs::write(&secret_file, &secret).unwrap();
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
            secret,
            dir,
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

    pub fn push(&self) -> Option<sync::PushReport> {
        let path = self.path.clone();
        let connector = self.connector;
        let handle = self.runtime.handle().clone();
        self.runtime
            .block_on(async move {
                tokio::task::spawn_blocking(move || sync::push_now(&path, connector, &handle)).await
            })
            .unwrap()
            .unwrap()
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.conn.query_row(sql, [], |row| row.get(0)).unwrap()
    }

    /// `seats check` finds nothing wrong.
    pub fn check_clean(&self) {
        let findings = seats::store::check::check(&self.conn).unwrap();
        let violated: Vec<String> = findings.iter().filter(|f| !f.ok).map(|f| f.line()).collect();
        assert!(violated.is_empty(), "seats check found:\n{}", violated.join("\n"));
    }

    /// Every table's rows, to compare the cache before and after.
    pub fn dump(&self) -> Vec<String> {
        let tables: Vec<String> = self
            .conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let mut out = Vec::new();
        for table in tables {
            if table == "sync_runs" || table == "connectors" || table == "sync_leases" {
                continue; // the sync's own bookkeeping
            }
            let sql = format!("SELECT * FROM \"{table}\"");
            let mut stmt = self.conn.prepare(&sql).unwrap();
            let columns = stmt.column_count();
            let rows = stmt
                .query_map([], |row| {
                    let mut line = table.clone();
                    for i in 0..columns {
                        line.push_str(&format!("|{:?}", row.get_ref(i)?));
                    }
                    Ok(line)
                })
                .unwrap();
            out.extend(rows.map(Result::unwrap));
        }
        out.sort();
        out
    }
}
