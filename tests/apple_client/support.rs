//! A simulator on an ephemeral port and an Apple client with small limits.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use seats::connectors::apple::{AppleClient, AppleConfig, AppleToken};
use seats::connectors::{ConnectorError, HttpConfig, RetryPolicy};
use seats::domain::apple::{AppleEventStatus, AppleUser, AppleUserStatus};
use seats::sim::{Faults, SimConfig, SimHandle, Simulator};

/// A bound for anything a test waits for.
pub const BOUND: Duration = Duration::from_secs(30);

/// Users and assignments per page: small, so reads take several pages.
pub const PAGE: usize = 20;

pub struct Env {
    pub sim: Arc<SimHandle>,
    pub dir: tempfile::TempDir,
}

impl Env {
    pub async fn start() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let mut config = SimConfig::new(dir.path().join("sim.db"), 150);
        config.seed = 11;
        config.apple_page_size = PAGE;
        config.apple_event_delay = Duration::from_millis(300);
        let runtime = tokio::runtime::Handle::current();
        let sim = tokio::task::block_in_place(|| Simulator::start(config, &runtime)).unwrap();
        Env {
            sim: Arc::new(sim),
            dir,
        }
    }

    pub fn token_text(&self) -> String {
        self.sim.apple_token_file().unwrap()
    }

    pub fn token(&self) -> AppleToken {
        AppleToken::from_file_text(&self.token_text()).unwrap()
    }

    pub fn config(&self) -> AppleConfig {
        AppleConfig {
            api_url: self.sim.apple_api_url(),
            lookup_url: self.sim.apple_lookup_url(),
            http: quick_http(),
            ..AppleConfig::default()
        }
    }

    pub fn client(&self) -> AppleClient {
        AppleClient::new(self.config(), self.token()).unwrap()
    }

    pub fn client_with(&self, adjust: impl FnOnce(&mut AppleConfig)) -> AppleClient {
        let mut config = self.config();
        adjust(&mut config);
        AppleClient::new(config, self.token()).unwrap()
    }

    pub fn faults(&self, spec: &str) {
        self.sim.set_faults(spec.parse().unwrap());
    }

    /// Clears the faults once `n` more requests have arrived (bounded).
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

    /// Requests whose log line starts with `prefix`.
    pub fn requests_like(&self, prefix: &str) -> Vec<String> {
        self.sim
            .request_log()
            .into_iter()
            .filter(|l| l.starts_with(prefix))
            .collect()
    }

    /// Neither the error's text nor its Debug may carry the token.
    pub fn assert_clean(&self, err: &ConnectorError) {
        let shown = format!("{err}\n{err:?}");
        assert_clean_text(&self.token_text(), &shown);
    }
}

pub fn assert_clean_text(token_file: &str, shown: &str) {
    assert!(!shown.contains(token_file), "the token file in {shown}");
    let inner = inner_token(token_file);
    assert!(!shown.contains(&inner), "the inner token in {shown}");
    assert!(!shown.contains("Bearer "), "an Authorization header in {shown}");
}

/// The opaque `token` inside a token file.
pub fn inner_token(file: &str) -> String {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD.decode(file).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    json["token"].as_str().unwrap().to_owned()
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

/// Polls an event until it is no longer pending (bounded).
pub async fn settle(client: &AppleClient, event: &str) -> AppleEventStatus {
    let started = std::time::Instant::now();
    loop {
        let status = client.event_status(event).await.unwrap();
        if status != AppleEventStatus::Pending {
            return status;
        }
        assert!(started.elapsed() < BOUND, "event {event} stayed pending");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Users of the location by status.
pub fn with_status(users: &[AppleUser], status: AppleUserStatus) -> Vec<&AppleUser> {
    users.iter().filter(|u| u.status == status).collect()
}
