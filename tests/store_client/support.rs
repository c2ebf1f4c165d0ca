//! A simulator on an ephemeral port and a store client with small limits,
//! so every fault ends fast.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use seats::connectors::graph::PageGuard;
use seats::connectors::store_business::{StoreClient, StoreConfig};
use seats::connectors::{ConnectorError, HttpConfig, RetryPolicy, Secret};
use seats::sim::{SimConfig, SimHandle, SimTenant, Simulator};

/// Users of the test tenants: enough for seats over several pages.
pub const USERS: u32 = 300;

/// A bound for anything a test waits for.
pub const BOUND: Duration = Duration::from_secs(30);

pub struct Env {
    pub sim: Arc<SimHandle>,
    pub dir: tempfile::TempDir,
}

/// An app of the simulated store, by the demo's name.
#[derive(Debug, Clone)]
pub struct App {
    pub product: String,
    pub sku: String,
}

impl Env {
    pub async fn start() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let mut config = SimConfig::new(dir.path().join("sim.db"), USERS);
        config.seed = 11;
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

    /// The simulator's tenant with the right credentials and small limits.
    pub fn config(&self) -> StoreConfig {
        let creds = self.sim.credentials();
        let mut config = StoreConfig::new(
            creds.tenant_id.clone(),
            creds.client_id.clone(),
            Secret::new(creds.client_secret.clone()),
        );
        config.api_url = self.sim.store_url();
        config.login_url = self.sim.login_url().to_owned();
        config.http = quick_http();
        config.guard = PageGuard::default();
        config
    }

    pub fn client(&self) -> StoreClient {
        StoreClient::new(self.config()).unwrap()
    }

    pub fn client_with(&self, adjust: impl FnOnce(&mut StoreConfig)) -> StoreClient {
        let mut config = self.config();
        adjust(&mut config);
        StoreClient::new(config).unwrap()
    }

    pub fn faults(&self, spec: &str) {
        self.sim.set_faults(spec.parse().unwrap());
    }

    /// Requests whose log line starts with `prefix`.
    pub fn requests_like(&self, prefix: &str) -> Vec<String> {
        self.sim
            .request_log()
            .into_iter()
            .filter(|l| l.starts_with(prefix))
            .collect()
    }

    /// The app the demo names `name` (with its " (Online)"/" (Offline)").
    pub fn app(&self, name: &str) -> App {
        let tenant = self.tenant();
        tenant
            .connection()
            .query_row(
                "SELECT p.product_id, p.sku_id FROM sim_store_products p JOIN apps a ON a.id = p.app_id \
                 WHERE a.name = ?1",
                [name],
                |row| {
                    Ok(App {
                        product: row.get(0)?,
                        sku: row.get(1)?,
                    })
                },
            )
            .unwrap()
    }

    /// `n` listed users without an active seat of `app`.
    pub fn users_without(&self, app: &App, n: usize) -> Vec<String> {
        strings(
            &self.tenant(),
            "SELECT upn FROM users WHERE deleted = 0 AND upn NOT IN (SELECT upn FROM sim_store_seats \
             WHERE product_id = ?1 AND sku_id = ?2 AND state = 'Active') ORDER BY id LIMIT ?3",
            rusqlite::params![app.product, app.sku, n as i64],
        )
    }

    /// UPNs holding an active seat of `app`, as the simulator's file says.
    pub fn holders(&self, app: &App) -> Vec<String> {
        strings(
            &self.tenant(),
            "SELECT upn FROM sim_store_seats WHERE product_id = ?1 AND sku_id = ?2 AND state = 'Active' \
             ORDER BY id",
            rusqlite::params![app.product, app.sku],
        )
    }

    /// The error must not carry the client secret, any access token the
    /// simulator handed out (Graph's or the store's), or an Authorization
    /// header.
    pub fn assert_clean(&self, err: &ConnectorError) {
        let shown = format!("{err}\n{err:?}");
        let secret = &self.sim.credentials().client_secret;
        assert!(!shown.contains(secret.as_str()), "the secret in {shown}");
        let tenant = self.tenant();
        let mut tokens = strings(&tenant, "SELECT token FROM sim_store_tokens", []);
        tokens.extend(strings(&tenant, "SELECT token FROM sim_tokens", []));
        for token in tokens {
            assert!(!shown.contains(&token), "a token in {shown}");
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

/// One number from a query of the simulator's file.
pub fn number(tenant: &SimTenant, sql: &str, params: impl rusqlite::Params) -> i64 {
    tenant
        .connection()
        .query_row(sql, params, |row| row.get(0))
        .unwrap()
}
