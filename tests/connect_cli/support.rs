//! A simulated Graph tenant served from the test process, a secret file,
//! and the seats binary run against them.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use rusqlite::Connection;
use seats::sim::{SimConfig, SimHandle, Simulator};

use crate::common::{run_seats_env, text};

/// Users of the simulated tenant (and of the demo cache beside it).
pub const USERS: u32 = 240;
/// Its seed.
pub const SEED: u64 = 7;

/// A simulator, the runtime serving it, a home for seats and a secret file.
pub struct Graph {
    pub runtime: tokio::runtime::Runtime,
    pub sim: SimHandle,
    pub home: tempfile::TempDir,
    pub secret_file: PathBuf,
}

impl Graph {
    pub fn start() -> Graph {
        Graph::start_with(|_| {})
    }

    /// A simulator whose configuration `adjust` changes first.
    pub fn start_with(adjust: impl FnOnce(&mut SimConfig)) -> Graph {
        let home = tempfile::tempdir().unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let mut config = SimConfig::new(home.path().join("sim.db"), USERS);
        config.seed = SEED;
        adjust(&mut config);
        let sim = Simulator::start(config, runtime.handle()).unwrap();
        let secret_file = home.path().join("graph.secret");
        write_private(&secret_file, &sim.credentials().client_secret);
        Graph {
            runtime,
            sim,
            home,
            secret_file,
        }
    }

    pub fn secret(&self) -> String {
        self.sim.credentials().client_secret.clone()
    }

    /// A path in the test's home.
    pub fn path(&self, name: &str) -> PathBuf {
        self.home.path().join(name)
    }

    /// `seats ARGS` with this home, `env` set.
    pub fn seats(&self, env: &[(&str, &str)], args: &[&str]) -> Output {
        run_seats_env(self.home.path(), env, args)
    }

    /// `seats connect graph` to this simulator with `extra` arguments
    /// (`--db`, the secret, and any of the defaults to replace).
    pub fn connect(&self, extra: &[&str]) -> Output {
        let credentials = self.sim.credentials();
        let url = self.sim.base_url();
        let defaults = [
            ("--tenant-id", credentials.tenant_id.as_str()),
            ("--client-id", credentials.client_id.as_str()),
            ("--graph-url", url),
            ("--login-url", url),
        ];
        let mut args = vec!["connect", "graph"];
        for (flag, value) in defaults {
            if !extra.contains(&flag) {
                args.extend([flag, value]);
            }
        }
        args.extend(extra);
        self.seats(&[], &args)
    }
}

/// Writes `text` to a file only its owner may read.
pub fn write_private(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// Asserts the exit code and returns (stdout, stderr).
pub fn expect(out: &Output, code: i32) -> (String, String) {
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    (stdout, stderr)
}

/// How many rows a query counts.
pub fn count(db: &Path, sql: &str) -> i64 {
    Connection::open(db)
        .unwrap()
        .query_row(sql, [], |row| row.get(0))
        .unwrap()
}

/// `seats check` finds the cache clean.
pub fn check_clean(graph: &Graph, db: &Path) {
    let out = graph.seats(&[], &["check", "--db", db.to_str().unwrap()]);
    let (stdout, _) = expect(&out, 0);
    assert!(stdout.starts_with("cache ok"), "{stdout}");
}

/// A demo cache of the simulator's tenant (same users and seed), built by
/// the binary (so the OS user running the tests is its global
/// administrator), its Graph connector pointed at the simulator over HTTP.
pub struct Connected {
    pub graph: Graph,
    pub db: PathBuf,
    pub connector: i64,
}

impl Connected {
    pub fn start() -> Connected {
        Connected::start_with(|_| {})
    }

    /// A demo cache connected to a simulator that `adjust` configures.
    pub fn start_with(adjust: impl FnOnce(&mut SimConfig)) -> Connected {
        let graph = Graph::start_with(adjust);
        let db = graph.path("demo.db");
        let users = USERS.to_string();
        let seed = SEED.to_string();
        let out = graph.seats(
            &[],
            &[
                "demo",
                "--users",
                &users,
                "--seed",
                &seed,
                "--no-open",
                "--db",
                db.to_str().unwrap(),
            ],
        );
        expect(&out, 0);
        let conn = Connection::open(&db).unwrap();
        let connector = seats::store::connectors_admin::find_connector(&conn, "Microsoft Graph")
            .unwrap()
            .unwrap();
        let credentials = graph.sim.credentials();
        let mut settings = seats::store::connectors_admin::GraphSettings::new(
            "Microsoft Graph",
            &credentials.tenant_id,
            &credentials.client_id,
            graph.secret_file.to_str().unwrap(),
        );
        settings.graph_url = graph.sim.graph_url().to_owned();
        settings.login_url = graph.sim.login_url().to_owned();
        seats::store::connectors_admin::configure_graph(&conn, connector, &settings).unwrap();
        Connected { graph, db, connector }
    }

    /// `seats ARGS --db DB`.
    pub fn seats(&self, args: &[&str]) -> Output {
        self.seats_env(&[], args)
    }

    pub fn seats_env(&self, env: &[(&str, &str)], args: &[&str]) -> Output {
        self.graph
            .seats(env, &[args, &["--db", self.db.to_str().unwrap()]].concat())
    }

    pub fn count(&self, sql: &str) -> i64 {
        count(&self.db, sql)
    }

    pub fn check_clean(&self) {
        check_clean(&self.graph, &self.db);
    }
}

/// Every table's rows but the sync's own bookkeeping, to compare the cache
/// before and after.
pub fn dump(db: &Path) -> Vec<String> {
    let conn = Connection::open(db).unwrap();
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = Vec::new();
    for table in tables {
        if ["sync_runs", "connectors", "sync_leases"].contains(&table.as_str()) {
            continue;
        }
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
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

/// `seats connectors --format json`, by name.
pub fn connectors_json(connected: &Connected) -> std::collections::BTreeMap<String, serde_json::Value> {
    let (stdout, _) = expect(&connected.seats(&["connectors", "--format", "json"]), 0);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    rows.into_iter()
        .map(|row| (row["name"].as_str().unwrap().to_owned(), row))
        .collect()
}
