//! The Apple Apps and Books client (the VPP API v2, apis.md §3): service
//! and client configuration, registration as the location's manager,
//! paged reads of assets, users and assignments (incremental with
//! `sinceVersionId`), asynchronous associations and user changes polled by
//! event id, invitation links, and app names from Apple's public lookup
//! service. It returns the records of `domain::apple`; it knows nothing of
//! the cache.
//!
//! Apple may answer an error with HTTP 200: every body is checked for
//! `errorNumber`. 9646 (429) and 5xx are retried by the shared HTTP layer
//! with `Retry-After`; a 9646 that comes with 200 is retried here.

mod call;
mod lookup;
mod read;
mod service;
mod token;
mod window;
mod wire;
mod write;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Url;

pub use read::Versioned;
pub use service::ServiceConfig;
pub use token::{AppleToken, parse_apple_date};
pub use write::NewAppleUser;

use super::error::{ConnectorError, ErrorKind};
use super::http::{HttpClient, HttpConfig};

/// Apple's API v2.
pub const APPLE_API_URL: &str = "https://vpp.itunes.apple.com/mdm/v2";
/// Apple's public lookup service.
pub const APPLE_LOOKUP_URL: &str = "https://itunes.apple.com/lookup";

/// How to reach Apple.
#[derive(Debug, Clone)]
pub struct AppleConfig {
    /// `{api_url}/assets`, `{api_url}/users`… (the simulator's
    /// `{base}/mdm/v2`).
    pub api_url: String,
    /// Apple's lookup service (`?id=ID1,ID2`).
    pub lookup_url: String,
    pub http: HttpConfig,
    /// The most pages one read may take before it is stopped as a loop.
    pub max_pages: u32,
    /// Ids per lookup request.
    pub lookup_batch: usize,
    /// How long `/service/config` is reused (Apple: re-read every ~5 min).
    pub service_config_ttl: Duration,
}

impl Default for AppleConfig {
    fn default() -> AppleConfig {
        AppleConfig {
            api_url: APPLE_API_URL.to_owned(),
            lookup_url: APPLE_LOOKUP_URL.to_owned(),
            http: HttpConfig::default(),
            max_pages: 10_000,
            lookup_batch: 100,
            service_config_ttl: Duration::from_secs(300),
        }
    }
}

/// A client of one Apple location (one content token). Clones share the
/// connection pool, the concurrency limit and the cached service config.
#[derive(Clone)]
pub struct AppleClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: HttpClient,
    token: AppleToken,
    /// `api_url` without a trailing slash.
    api: String,
    lookup: Url,
    max_pages: u32,
    lookup_batch: usize,
    service_ttl: Duration,
    service: Mutex<Option<(std::time::Instant, ServiceConfig)>>,
    /// The newest `tokenExpirationDate` any answer carried.
    seen_expiry: Mutex<Option<String>>,
}

impl std::fmt::Debug for AppleClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppleClient")
            .field("api", &self.inner.api)
            .field("org", &self.inner.token.org_name())
            .finish_non_exhaustive()
    }
}

impl AppleClient {
    /// Checks the URLs and builds the client; nothing is sent yet.
    pub fn new(config: AppleConfig, token: AppleToken) -> Result<AppleClient, ConnectorError> {
        let api = checked_url("--api-url", &config.api_url)?;
        let lookup = checked_url("--lookup-url", &config.lookup_url)?;
        let http = HttpClient::new(config.http)?;
        Ok(AppleClient {
            inner: Arc::new(Inner {
                http,
                token,
                api: api.as_str().trim_end_matches('/').to_owned(),
                lookup,
                max_pages: config.max_pages.max(1),
                lookup_batch: config.lookup_batch.max(1),
                service_ttl: config.service_config_ttl,
                service: Mutex::new(None),
                seen_expiry: Mutex::new(None),
            }),
        })
    }

    /// The token this client uses (org name, expiry; never its text).
    pub fn token(&self) -> &AppleToken {
        &self.inner.token
    }

    /// The `tokenExpirationDate` of the last answer that carried one.
    pub fn token_expiry_seen(&self) -> Option<String> {
        self.inner.seen_expiry.lock().ok().and_then(|g| g.clone())
    }

    fn url(&self, path: &str) -> Result<Url, ConnectorError> {
        let text = format!("{}{path}", self.inner.api);
        Url::parse(&text).map_err(|err| {
            ErrorKind::BadUrl {
                option: "--api-url",
                url: text,
                why: err.to_string(),
            }
            .into()
        })
    }
}

fn checked_url(option: &'static str, text: &str) -> Result<Url, ConnectorError> {
    let bad = |why: String| -> ConnectorError {
        ErrorKind::BadUrl {
            option,
            url: text.to_owned(),
            why,
        }
        .into()
    };
    let url = Url::parse(text.trim()).map_err(|err| bad(err.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("it must be an http or https URL".to_owned()));
    }
    if url.query().is_some() {
        return Err(bad("it must not carry a query".to_owned()));
    }
    Ok(url)
}
