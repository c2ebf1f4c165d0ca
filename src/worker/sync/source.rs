//! The Graph client of a connector, built from its row in the cache. A
//! connector whose Graph URL is `sim:users=N,seed=S` talks to the local
//! simulator (the demo's): this process starts it once, on a state file
//! beside the cache, and every sync of that cache in this process — the
//! console's or `seats sync` — uses it over real HTTP.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, Utc};

use super::secret::{self, SecretError};
use crate::connectors::graph::{GraphClient, GraphConfig, PUBLIC_GRAPH_URL, PUBLIC_LOGIN_URL};
use crate::connectors::{ConnectorError, Secret};
use crate::sim::{SimConfig, SimHandle, Simulator};
use crate::store::connectors_admin::ConnectorConfig;

/// The scheme of a connector that talks to the in-process simulator.
pub const SIM_SCHEME: &str = "sim:";

/// Why a connector's client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{0}")]
    Secret(#[from] SecretError),
    #[error("{0}")]
    Client(#[from] ConnectorError),
    #[error("the connector has no {0}; reconnect it with `seats connect graph`")]
    Missing(&'static str),
    #[error("the simulator for {url} could not start: {reason}")]
    Simulator { url: String, reason: String },
}

/// The `sim:` URL of a simulated tenant of `users` users from `seed`.
pub fn sim_url(users: u32, seed: u64) -> String {
    format!("{SIM_SCHEME}users={users},seed={seed}")
}

/// The client for `config`, the connector of the cache at `db_path`.
pub fn graph_client(db_path: &Path, config: &ConnectorConfig) -> Result<GraphClient, SourceError> {
    let graph_url = config.graph_url.as_deref().unwrap_or(PUBLIC_GRAPH_URL);
    if let Some(spec) = graph_url.strip_prefix(SIM_SCHEME) {
        return simulated(db_path, graph_url, spec);
    }
    let tenant = config
        .tenant_id
        .clone()
        .ok_or(SourceError::Missing("tenant id"))?;
    let client_id = config
        .client_id
        .clone()
        .ok_or(SourceError::Missing("client id"))?;
    let reference = config.secret_ref.as_deref().ok_or(SecretError::NotConfigured)?;
    let mut graph = GraphConfig::new(tenant, client_id, secret::read(reference)?);
    graph.graph_url = graph_url.to_owned();
    graph.login_url = config
        .login_url
        .clone()
        .unwrap_or_else(|| PUBLIC_LOGIN_URL.to_owned());
    Ok(GraphClient::new(graph)?)
}

/// A client of the simulator `spec` (`users=N,seed=S`) names, started on
/// first use with its state beside the cache.
fn simulated(db_path: &Path, url: &str, spec: &str) -> Result<GraphClient, SourceError> {
    let handle = simulator(db_path, url, spec)?;
    let credentials = handle.credentials();
    let mut graph = GraphConfig::new(
        credentials.tenant_id.clone(),
        credentials.client_id.clone(),
        Secret::new(credentials.client_secret.clone()),
    );
    graph.graph_url = handle.graph_url().to_owned();
    graph.login_url = handle.login_url().to_owned();
    Ok(GraphClient::new(graph)?)
}

/// The in-process simulator `spec` (`users=N,seed=S`) of the `sim:` URL
/// `url` names, started on first use with its state beside the cache; it
/// serves every source of the simulated organization (Graph, Apple).
pub fn simulator(db_path: &Path, url: &str, spec: &str) -> Result<Arc<SimHandle>, SourceError> {
    let failed = |reason: String| SourceError::Simulator {
        url: url.to_owned(),
        reason,
    };
    let (users, seed) = parse_spec(spec).ok_or_else(|| failed("expected sim:users=N,seed=S".into()))?;
    let state = state_path(db_path);
    let built_at = built_at(db_path);
    discard_stale(&state, built_at).map_err(|err| failed(format!("{}: {err}", state.display())))?;
    running(&state, users, seed, built_at).map_err(failed)
}

/// Removes a simulator state file left by an earlier cache at this path:
/// the simulated tenant is built from the cache's own tenant (same seed,
/// same clock), so a demo cache built again beside an old state file would
/// otherwise sync against the old tenant (its invitations, its leavers).
/// The state is kept when it was built at the cache's instant (to the
/// second: both times come from the same text), or when either time is
/// unknown.
fn discard_stale(state: &Path, built_at: Option<DateTime<Utc>>) -> std::io::Result<()> {
    let (Some(built_at), Some(state_built)) = (built_at, built_at_of(state)) else {
        return Ok(());
    };
    if (state_built - built_at).num_seconds().abs() < 1 {
        return Ok(());
    }
    tracing::info!(state = %state.display(), "the simulator's state is from an earlier cache; building it again");
    for suffix in ["", "-wal", "-shm"] {
        let mut path = state.as_os_str().to_owned();
        path.push(suffix);
        match std::fs::remove_file(&path) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(err),
            _ => {}
        }
    }
    Ok(())
}

/// A stored link as this process's client reaches it: a simulator listens
/// on a new port in each process, so a `sim:` connector's delta link is
/// moved to the running simulator (same state file, same tenant); any
/// other link is kept as it is.
pub fn current_link(config: &ConnectorConfig, client: &GraphClient, link: &str) -> String {
    let simulated = config
        .graph_url
        .as_deref()
        .is_some_and(|url| url.starts_with(SIM_SCHEME));
    let Ok(mut url) = reqwest::Url::parse(link) else {
        return link.to_owned();
    };
    let base = client.graph_base();
    if simulated && url.set_port(base.port()).is_ok() && url.set_host(base.host_str()).is_ok() {
        return url.to_string();
    }
    link.to_owned()
}

fn parse_spec(spec: &str) -> Option<(u32, u64)> {
    let mut users = None;
    let mut seed = None;
    for part in spec.split(',') {
        match part.split_once('=')? {
            ("users", n) => users = n.parse().ok(),
            ("seed", n) => seed = n.parse().ok(),
            _ => return None,
        }
    }
    Some((users?, seed?))
}

/// The simulator's state file for the cache at `db_path`: `demo.db` →
/// `demo.graph-sim.db`, in the same (private) folder.
pub fn state_path(db_path: &Path) -> PathBuf {
    let stem = db_path
        .file_stem()
        .map_or_else(|| "seats".into(), |s| s.to_string_lossy().into_owned());
    db_path.with_file_name(format!("{stem}.graph-sim.db"))
}

/// When the cache's tenant was built (the demo's clock), so a new
/// simulator builds the same tenant with the same dates; None when unknown.
fn built_at(db_path: &Path) -> Option<DateTime<Utc>> {
    let conn = crate::store::open(db_path, crate::store::OpenMode::MustExist).ok()?;
    tenant_created_at(&conn)
}

/// When the simulated tenant in a state file was built, read without
/// changing the file; None when there is none.
fn built_at_of(state: &Path) -> Option<DateTime<Utc>> {
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = rusqlite::Connection::open_with_flags(state, flags).ok()?;
    tenant_created_at(&conn)
}

fn tenant_created_at(conn: &rusqlite::Connection) -> Option<DateTime<Utc>> {
    let text: String = conn
        .query_row("SELECT created_at FROM tenant WHERE id = 1", [], |row| row.get(0))
        .ok()?;
    DateTime::parse_from_rfc3339(&text)
        .ok()
        .map(|at| at.with_timezone(&Utc))
}

/// Simulators this process runs, by state file: started once, kept while
/// the process lives.
fn running(
    state: &Path,
    users: u32,
    seed: u64,
    built_at: Option<DateTime<Utc>>,
) -> Result<Arc<SimHandle>, String> {
    static RUNNING: OnceLock<Mutex<HashMap<PathBuf, Arc<SimHandle>>>> = OnceLock::new();
    let mut running = RUNNING
        .get_or_init(Default::default)
        .lock()
        .map_err(|_| "the simulator registry is poisoned".to_owned())?;
    if let Some(handle) = running.get(state) {
        return Ok(Arc::clone(handle));
    }
    let runtime =
        tokio::runtime::Handle::try_current().map_err(|_| "no async runtime to serve it on".to_owned())?;
    let mut config = SimConfig::new(state, users);
    config.seed = seed;
    config.built_at = built_at;
    let handle = Arc::new(Simulator::start(config, &runtime).map_err(|err| err.to_string())?);
    running.insert(state.to_owned(), Arc::clone(&handle));
    Ok(handle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sim_urls_round_trip_and_bad_ones_are_refused() {
        let url = sim_url(2000, 42);
        assert_eq!(
            parse_spec(url.strip_prefix(SIM_SCHEME).unwrap()),
            Some((2000, 42))
        );
        assert_eq!(parse_spec("users=x,seed=1"), None);
        assert_eq!(parse_spec("users=5"), None);
        assert_eq!(
            state_path(Path::new("/d/demo.db")),
            PathBuf::from("/d/demo.graph-sim.db")
        );
    }

    /// A demo cache built again at the same path got the earlier tenant's
    /// simulator back (its invitations and leavers) until the state file
    /// went: now a state from another instant is removed, with its WAL.
    #[test]
    fn a_state_file_from_an_earlier_cache_is_discarded() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("demo.graph-sim.db");
        let built = DateTime::parse_from_rfc3339("2026-12-03T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let conn = rusqlite::Connection::open(&state).unwrap();
        conn.execute_batch(
            "CREATE TABLE tenant (id INTEGER PRIMARY KEY, created_at TEXT); \
             INSERT INTO tenant VALUES (1, '2026-12-03T10:00:00Z');",
        )
        .unwrap();
        drop(conn);
        let wal = dir.path().join("demo.graph-sim.db-wal");
        std::fs::write(&wal, b"").unwrap();

        discard_stale(&state, Some(built)).unwrap();
        discard_stale(&state, None).unwrap();
        assert!(
            state.exists(),
            "the same instant, or an unknown one, keeps the state"
        );

        discard_stale(&state, Some(built + chrono::Duration::hours(1))).unwrap();
        assert!(
            !state.exists() && !wal.exists(),
            "a state from another cache goes"
        );
        discard_stale(&state, Some(built)).unwrap();
    }
}
