//! A protocol-faithful local Microsoft Graph (and its token endpoint), for
//! tests, benches, the demo and `seats simulate`.
//!
//! The tenant is built by the demo's generator into the simulator's own
//! SQLite file (the seats schema plus `sim_*` tables), and every response is
//! read from that file page by page, so a tenant of 100k users needs little
//! memory and two processes sharing one file see one tenant. The wire format
//! is Graph's as `shared/spec/apis.md` §1 describes it: nothing in it is
//! specific to seats.
//!
//! URLs: one base for both services, `{base}/{tenant}/oauth2/v2.0/token`
//! and `{base}/v1.0/...`. Faults ([`Faults`]) are injected per Graph request
//! from a seeded generator, so a sequential client sees the same faults on
//! every run.
//!
//! Apple Apps and Books (v2) is served on the same base, under
//! `{base}/mdm/v2/...`, with Apple's public lookup at `{base}/lookup`
//! ([`SimHandle::apple_api_url`]).

mod apple;
mod config;
mod db;
mod error;
mod faults;
mod http;
mod json;
mod licenses;
mod paging;
mod rng;
mod routes;
mod server;
mod store_business;
mod tenant;

use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;

pub use config::SimConfig;
pub use error::SimError;
pub use faults::{FaultSpecError, Faults};
pub use store_business::STORE_SCOPE;
pub use tenant::{CapabilityStatus, Credentials, DetectedAppsAccess, Member, NewUser, SimTenant, SimUser};

use server::Shared;

/// Starts simulators.
pub struct Simulator;

impl Simulator {
    /// Builds (or reuses) the tenant in `config.state`, binds
    /// 127.0.0.1:`config.port` (0: a free port) and serves on `runtime` until
    /// the handle is shut down or dropped. Building a large tenant takes a
    /// while and blocks the calling thread.
    pub fn start(config: SimConfig, runtime: &tokio::runtime::Handle) -> Result<SimHandle, SimError> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", config.port)).map_err(SimError::Bind)?;
        listener.set_nonblocking(true).map_err(SimError::Bind)?;
        let port = listener.local_addr().map_err(SimError::Bind)?.port();
        let shared = Arc::new(Shared::prepare(config)?);
        let (stop, stopped) = watch::channel(false);
        let listener = {
            let _entered = runtime.enter();
            TcpListener::from_std(listener).map_err(SimError::Bind)?
        };
        runtime.spawn(server::run(Arc::clone(&shared), listener, stopped));
        Ok(SimHandle {
            base_url: format!("http://127.0.0.1:{port}"),
            shared,
            stop,
        })
    }
}

/// Serves the simulator on `listener` until the process ends (the tenant
/// is built first, off the async threads).
pub async fn serve(config: SimConfig, listener: TcpListener) -> Result<(), SimError> {
    let shared = tokio::task::spawn_blocking(move || Shared::prepare(config))
        .await
        .map_err(|err| SimError::Task(err.to_string()))??;
    // The sender lives as long as the server: it is never told to stop.
    let (_stop, stopped) = watch::channel(false);
    server::run(Arc::new(shared), listener, stopped).await;
    Ok(())
}

/// A running simulator. Dropping it stops the server.
pub struct SimHandle {
    base_url: String,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
}

impl SimHandle {
    /// `http://127.0.0.1:PORT`: the base of both the login and the Graph URLs.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The value for `--graph-url`: Graph calls go to `{graph_url}/v1.0/...`.
    pub fn graph_url(&self) -> &str {
        &self.base_url
    }

    /// The value for `--login-url`: tokens come from
    /// `{login_url}/{tenant}/oauth2/v2.0/token`.
    pub fn login_url(&self) -> &str {
        &self.base_url
    }

    /// The value for the Store for Business connector's `--api-url`:
    /// `{base}/V1`, as `https://bspmts.mp.microsoft.com/V1`.
    pub fn store_url(&self) -> String {
        format!("{}/V1", self.base_url)
    }

    /// The token endpoint for this tenant.
    pub fn token_url(&self) -> String {
        format!(
            "{}/{}/oauth2/v2.0/token",
            self.base_url,
            self.credentials().tenant_id
        )
    }

    /// Tenant id, domain, client id and secret the simulator accepts.
    pub fn credentials(&self) -> &Credentials {
        &self.shared.credentials
    }

    /// A new connection on the simulator's tenant, to change the source
    /// between syncs.
    pub fn tenant(&self) -> Result<SimTenant, SimError> {
        SimTenant::open(&self.shared.config.state)
    }

    /// Replaces the faults injected from the next request on (the
    /// generator is reseeded from the new spec's seed).
    pub fn set_faults(&self, faults: Faults) {
        self.shared.set_faults(faults);
    }

    /// Graph and Store for Business requests served so far (token
    /// requests not counted).
    pub fn graph_requests(&self) -> u64 {
        self.shared.graph_requests()
    }

    /// The last Graph requests (up to 1,000) as "METHOD /path?query", oldest
    /// first; `$batch` sub-requests appear as "batch METHOD /url".
    pub fn request_log(&self) -> Vec<String> {
        self.shared.request_log()
    }

    /// Stops accepting connections and drops the open ones.
    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        // The server may already be gone; nothing to do then.
        let _ = self.stop.send(true);
    }
}
