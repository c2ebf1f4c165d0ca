//! A simulator on an ephemeral port and a store client with small limits,
//! so every fault ends fast.
#![allow(dead_code)]

use seats::connectors::ConnectorError;
use seats::connectors::graph::PageGuard;
use seats::connectors::store_business::{StoreClient, StoreConfig};
use seats::sim::SimTenant;

pub use crate::sim_client::{BOUND, Env, bounded, quick_http, strings};

/// Users of the test tenants: enough for seats over several pages.
pub const USERS: u32 = 300;

/// An app of the simulated store, by the demo's name.
#[derive(Debug, Clone)]
pub struct App {
    pub product: String,
    pub sku: String,
}

impl Env {
    pub async fn start() -> Env {
        Env::start_seeded(USERS, 11, |_| {}).await
    }

    /// The simulator's tenant with the right credentials and small limits.
    pub fn config(&self) -> StoreConfig {
        let (tenant, client, secret) = self.credentials();
        let mut config = StoreConfig::new(tenant, client, secret);
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
        let tenant = self.tenant();
        let mut tokens = strings(&tenant, "SELECT token FROM sim_store_tokens", []);
        tokens.extend(strings(&tenant, "SELECT token FROM sim_tokens", []));
        self.assert_clean_of(err, &tokens);
    }
}

/// One number from a query of the simulator's file.
pub fn number(tenant: &SimTenant, sql: &str, params: impl rusqlite::Params) -> i64 {
    tenant
        .connection()
        .query_row(sql, params, |row| row.get(0))
        .unwrap()
}
