//! What the client tests against the in-process simulator share (Graph,
//! Store for Business): a simulator on an ephemeral port, HTTP limits so
//! small that every fault ends fast, a bound on every wait, queries of the
//! simulator's file, and the check that an error carries no secret.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use seats::connectors::{ConnectorError, HttpConfig, RetryPolicy, Secret};
use seats::sim::{SimConfig, SimHandle, SimTenant, Simulator};

/// A bound for anything a test waits for.
pub const BOUND: Duration = Duration::from_secs(30);

pub struct Env {
    pub sim: Arc<SimHandle>,
    pub dir: tempfile::TempDir,
}

impl Env {
    /// A simulator of `users` users from `seed`, as `adjust` leaves it.
    pub async fn start_seeded(users: u32, seed: u64, adjust: impl FnOnce(&mut SimConfig)) -> Env {
        let dir = tempfile::tempdir().unwrap();
        let mut config = SimConfig::new(dir.path().join("sim.db"), users);
        config.seed = seed;
        adjust(&mut config);
        let runtime = tokio::runtime::Handle::current();
        let sim = tokio::task::block_in_place(|| Simulator::start(config, &runtime)).unwrap();
        Env {
            sim: Arc::new(sim),
            dir,
        }
    }

    pub fn tenant(&self) -> SimTenant {
        self.sim.tenant().unwrap()
    }

    /// The simulator's tenant id, client id and client secret.
    pub fn credentials(&self) -> (String, String, Secret) {
        let creds = self.sim.credentials();
        (
            creds.tenant_id.clone(),
            creds.client_id.clone(),
            Secret::new(creds.client_secret.clone()),
        )
    }

    pub fn faults(&self, spec: &str) {
        self.sim.set_faults(spec.parse().unwrap());
    }

    /// The error must not carry the client secret, any of `tokens`, or an
    /// Authorization header.
    pub fn assert_clean_of(&self, err: &ConnectorError, tokens: &[String]) {
        let shown = format!("{err}\n{err:?}");
        let secret = &self.sim.credentials().client_secret;
        assert!(!shown.contains(secret.as_str()), "the secret in {shown}");
        for token in tokens {
            assert!(!shown.contains(token), "a token in {shown}");
        }
        assert!(!shown.contains("Bearer "), "an Authorization header in {shown}");
    }
}

/// Short timeouts and waits: every retry path ends in well under a second.
pub fn quick_http() -> HttpConfig {
    HttpConfig {
        connect_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            max_retries: 3,
            max_total_wait: Duration::from_secs(2),
            backoff_base: Duration::from_millis(10),
            backoff_max: Duration::from_millis(50),
        },
        concurrency: 4,
    }
}

/// Runs `work`, failing the test if it takes longer than [`BOUND`].
pub async fn bounded<T>(work: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(BOUND, work)
        .await
        .expect("the call did not end in time")
}

/// Strings from a query of the simulator's file.
pub fn strings(tenant: &SimTenant, sql: &str, params: impl rusqlite::Params) -> Vec<String> {
    let conn = tenant.connection();
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map(params, |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}
