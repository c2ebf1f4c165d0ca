//! The Microsoft Store for Business client (apis.md §4, base
//! `https://bspmts.mp.microsoft.com/V1`): a token by client credentials
//! for `https://onestore.microsoft.com` (the Graph client's token source
//! with another scope), the inventory page by page, product details with
//! their localized name and packages, seats read, assigned and reclaimed
//! one by one or in bulk. It turns the store's wire format into the
//! records of `domain::store_business`; it knows nothing of the cache.
//!
//! Microsoft retired the service in 2023; it is exercised only against the
//! simulator (`seats simulate`, `{base}/V1`).

mod failure;
mod read;
mod seats;
mod wire;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use reqwest::{Method, StatusCode, Url};
use serde_json::Value;

use super::error::{ConnectorError, ErrorKind, Target};
use super::graph::PageGuard;
use super::graph::token::{TokenSource, path_segment};
use super::http::{HttpClient, HttpConfig, Reply};
use super::secret::Secret;
use crate::domain::store_business::ProductKey;

/// The store's public endpoint.
pub const PUBLIC_STORE_URL: &str = "https://bspmts.mp.microsoft.com/V1";
/// The identity platform of Microsoft's public cloud.
pub const PUBLIC_LOGIN_URL: &str = "https://login.microsoftonline.com";
/// The resource tokens are asked for (`{resource}/.default`).
pub const STORE_RESOURCE: &str = "https://onestore.microsoft.com";

/// How to reach one organization's store.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// Directory (tenant) id, or one of its domains.
    pub tenant: String,
    /// Application (client) id of the app enabled as a management tool in
    /// the store.
    pub client_id: String,
    pub secret: Secret,
    /// The store's base, `/V1` included: calls go to `{api_url}/Inventory`...
    pub api_url: String,
    /// The identity platform's base.
    pub login_url: String,
    /// RFC 4646 language of app names (`en-US`); apps still install in
    /// each user's own language.
    pub language: String,
    pub http: HttpConfig,
    pub guard: PageGuard,
    /// `maxResults` of an inventory page (the store's default is 25).
    pub inventory_page: u32,
    /// `maxResults` of a page of seats (at most 100).
    pub seats_page: u32,
    /// Users per bulk call.
    pub bulk_chunk: usize,
}

impl StoreConfig {
    /// The public store, with the default limits.
    pub fn new(tenant: impl Into<String>, client_id: impl Into<String>, secret: Secret) -> StoreConfig {
        StoreConfig {
            tenant: tenant.into(),
            client_id: client_id.into(),
            secret,
            api_url: PUBLIC_STORE_URL.to_owned(),
            login_url: PUBLIC_LOGIN_URL.to_owned(),
            language: "en-US".to_owned(),
            http: HttpConfig::default(),
            guard: PageGuard::default(),
            inventory_page: 25,
            seats_page: 100,
            bulk_chunk: 100,
        }
    }
}

/// A client of one organization's store. Clones share the token, the
/// connection pool, the concurrency limit and the names learnt.
#[derive(Clone)]
pub struct StoreClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: HttpClient,
    tokens: TokenSource,
    /// `api_url` without a trailing slash.
    api: String,
    language: String,
    guard: PageGuard,
    inventory_page: u32,
    seats_page: u32,
    bulk_chunk: usize,
    /// Names of apps read so far, for errors that name the app.
    names: Mutex<HashMap<ProductKey, String>>,
}

impl std::fmt::Debug for StoreClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreClient")
            .field("api", &self.inner.api)
            .finish_non_exhaustive()
    }
}

impl StoreClient {
    /// Checks the URLs and builds the client; nothing is sent yet.
    pub fn new(config: StoreConfig) -> Result<StoreClient, ConnectorError> {
        let (api, _) = super::graph::base_url("--api-url", &config.api_url)?;
        let (login, _) = super::graph::base_url("--login-url", &config.login_url)?;
        let http = HttpClient::new(config.http)?;
        let tokens = TokenSource::new(
            http.clone(),
            &login,
            &config.tenant,
            &config.client_id,
            config.secret,
            STORE_RESOURCE,
        )?;
        Ok(StoreClient {
            inner: Arc::new(Inner {
                http,
                tokens,
                api,
                language: config.language,
                guard: config.guard,
                inventory_page: config.inventory_page.clamp(1, 1000),
                seats_page: config.seats_page.clamp(1, 100),
                bulk_chunk: config.bulk_chunk.clamp(1, 100),
                names: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// Fetches a token now: the credentials work, or the error says which
    /// option to fix.
    pub async fn check_credentials(&self) -> Result<(), ConnectorError> {
        self.inner.tokens.token().await.map(|_| ())
    }

    /// The display language names are read in.
    pub fn language(&self) -> &str {
        &self.inner.language
    }

    /// `{api}/{segments joined, each percent-encoded}` with `query`.
    pub(crate) fn url(&self, segments: &[&str], query: &[(&str, &str)]) -> Result<Url, ConnectorError> {
        let path: Vec<String> = segments.iter().map(|s| path_segment(s)).collect();
        let mut text = format!("{}/{}", self.inner.api, path.join("/"));
        if !query.is_empty() {
            let mut pairs = form_urlencoded::Serializer::new(String::new());
            for (k, v) in query {
                pairs.append_pair(k, v);
            }
            text.push('?');
            text.push_str(&pairs.finish());
        }
        Url::parse(&text).map_err(|err| {
            ErrorKind::BadUrl {
                option: "--api-url",
                url: self.inner.api.clone(),
                why: format!("a request URL could not be built ({err})"),
            }
            .into()
        })
    }

    /// Sends a store request with a bearer token; a 401 drops the token
    /// and tries once more with a new one, then fails. Any other answer
    /// comes back as it is (429 and 5xx only after the retries).
    pub(crate) async fn call(
        &self,
        method: Method,
        url: &Url,
        body: Option<&Value>,
    ) -> Result<Reply, ConnectorError> {
        let mut renewed = false;
        loop {
            let token = self.inner.tokens.token().await?;
            let reply = self
                .inner
                .http
                .send(method.clone(), url, |request| {
                    let request = request
                        .bearer_auth(token.expose())
                        .header(reqwest::header::ACCEPT, "application/json");
                    match body {
                        Some(body) => request.json(body),
                        None => request,
                    }
                })
                .await?;
            if reply.status != StatusCode::UNAUTHORIZED {
                return Ok(reply);
            }
            if renewed {
                return Err(ErrorKind::Unauthorized {
                    target: Target::new(&method, url),
                    detail: failure::detail(&reply),
                }
                .into());
            }
            tracing::info!(
                path = url.path(),
                "the store refused the access token; fetching a new one"
            );
            self.inner.tokens.forget(&token).await;
            renewed = true;
        }
    }

    /// "Name (productId/skuId)" when the name is known.
    pub(crate) fn app_label(&self, key: &ProductKey) -> String {
        let name = self
            .inner
            .names
            .lock()
            .ok()
            .and_then(|names| names.get(key).cloned());
        match name {
            Some(name) => format!("{name} ({key})"),
            None => key.to_string(),
        }
    }

    pub(crate) fn learn_name(&self, key: &ProductKey, name: &str) {
        if let Ok(mut names) = self.inner.names.lock() {
            names.insert(key.clone(), name.to_owned());
        }
    }
}
