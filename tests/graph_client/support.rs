//! A simulator on an ephemeral port and a Graph client with small limits,
//! so every fault ends fast.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use seats::connectors::ConnectorError;
use seats::connectors::graph::{GraphClient, GraphConfig, PageGuard};
use seats::sim::{Faults, SimConfig, SimTenant};

pub use crate::sim_client::{BOUND, Env, bounded, quick_http, strings};

/// Users of the test tenants: a few hundred, several pages.
pub const USERS: u32 = 300;

impl Env {
    pub async fn start() -> Env {
        Env::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut SimConfig)) -> Env {
        Env::start_seeded(USERS, 7, adjust).await
    }

    /// The simulator's tenant with the right credentials and small limits.
    pub fn config(&self) -> GraphConfig {
        let (tenant, client, secret) = self.credentials();
        let mut config = GraphConfig::new(tenant, client, secret);
        config.graph_url = self.sim.graph_url().to_owned();
        config.login_url = self.sim.login_url().to_owned();
        config.http = quick_http();
        config.guard = PageGuard::default();
        config
    }

    pub fn client(&self) -> GraphClient {
        GraphClient::new(self.config()).unwrap()
    }

    pub fn client_with(&self, adjust: impl FnOnce(&mut GraphConfig)) -> GraphClient {
        let mut config = self.config();
        adjust(&mut config);
        GraphClient::new(config).unwrap()
    }

    /// Clears the faults once `n` more Graph requests have arrived (polled,
    /// bounded): a storm that ends. The n-th request races the clearing, so
    /// it may see the fault or not.
    pub fn clear_faults_after(&self, n: u64) -> tokio::task::JoinHandle<()> {
        let sim = Arc::clone(&self.sim);
        let until = sim.graph_requests() + n;
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            while sim.graph_requests() < until && started.elapsed() < BOUND {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            sim.set_faults(Faults::none());
        })
    }

    /// Token requests served so far.
    pub fn token_requests(&self) -> usize {
        self.sim
            .request_log()
            .iter()
            .filter(|l| l.ends_with("/oauth2/v2.0/token"))
            .count()
    }

    /// Graph requests whose log line starts with `prefix`.
    pub fn requests_like(&self, prefix: &str) -> usize {
        self.sim
            .request_log()
            .iter()
            .filter(|l| l.starts_with(prefix))
            .count()
    }

    /// The error must not carry the client secret, any access token the
    /// simulator handed out, or an Authorization header.
    pub fn assert_clean(&self, err: &ConnectorError) {
        self.assert_clean_of(err, &issued_tokens(&self.tenant()));
    }
}

/// Every access token in the simulator's file.
pub fn issued_tokens(tenant: &SimTenant) -> Vec<String> {
    let conn = tenant.connection();
    let mut stmt = conn.prepare("SELECT token FROM sim_tokens").unwrap();
    stmt.query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// skuIds of the seats each listed user holds, by object id.
pub fn held_by_user(tenant: &SimTenant) -> BTreeMap<String, BTreeSet<String>> {
    let conn = tenant.connection();
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for id in strings(tenant, "SELECT source_id FROM users WHERE deleted = 0", []) {
        out.insert(id, BTreeSet::new());
    }
    let mut stmt = conn
        .prepare(
            "SELECT u.source_id, p.sku_id FROM assignments a JOIN pools p ON p.id = a.pool_id \
             JOIN users u ON u.id = a.user_id WHERE u.deleted = 0 AND a.state <> 'error' \
             AND p.source = 'graph' AND p.sku_id IS NOT NULL",
        )
        .unwrap();
    let rows = stmt
        .query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))
        .unwrap();
    for row in rows {
        let (user, sku) = row.unwrap();
        out.entry(user).or_default().insert(sku);
    }
    out
}

/// Object ids of `n` listed users (with a usage location) who hold no seat
/// of `sku_id`.
pub fn users_without(tenant: &SimTenant, sku_id: &str, n: usize) -> Vec<String> {
    strings(
        tenant,
        "SELECT u.source_id FROM users u WHERE u.deleted = 0 AND u.usage_location IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM assignments a JOIN pools p ON p.id = a.pool_id \
         WHERE a.user_id = u.id AND p.sku_id = ?1) ORDER BY u.id LIMIT ?2",
        rusqlite::params![sku_id, n as i64],
    )
}
