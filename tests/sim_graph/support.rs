//! A simulator on an ephemeral port and a reqwest client with bounded
//! timeouts.
#![allow(dead_code)]

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use seats::sim::{SimConfig, SimHandle, SimTenant, Simulator};
use serde_json::Value;

/// Users of the test tenants (the demo's minimum is 50).
pub const USERS: u32 = 240;

pub struct Sim {
    pub handle: SimHandle,
    pub http: reqwest::Client,
    pub token: String,
    pub dir: tempfile::TempDir,
}

/// A client that never waits long.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(2))
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

impl Sim {
    pub async fn start() -> Sim {
        Sim::start_with(|_| {}).await
    }

    /// Starts a simulator on a new state file, `adjust`ing its config first.
    pub async fn start_with(adjust: impl FnOnce(&mut SimConfig)) -> Sim {
        let dir = tempfile::tempdir().unwrap();
        let mut config = SimConfig::new(dir.path().join("sim.db"), USERS);
        config.seed = 11;
        adjust(&mut config);
        let runtime = tokio::runtime::Handle::current();
        let handle = tokio::task::block_in_place(|| Simulator::start(config, &runtime)).unwrap();
        let http = client();
        let token = fetch_token(&http, &handle).await;
        Sim {
            handle,
            http,
            token,
            dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.handle.base_url())
    }

    pub fn tenant(&self) -> SimTenant {
        self.handle.tenant().unwrap()
    }

    /// GET with the bearer token: status, headers, JSON body (Null if none).
    pub async fn get(&self, url: &str) -> (StatusCode, HeaderMap, Value) {
        self.get_with(url, &[]).await
    }

    pub async fn get_with(&self, url: &str, headers: &[(&str, &str)]) -> (StatusCode, HeaderMap, Value) {
        let url = if url.starts_with("http") {
            url.to_owned()
        } else {
            self.url(url)
        };
        let mut request = self.http.get(url).bearer_auth(&self.token);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, headers, body)
    }

    /// POST JSON with the bearer token.
    pub async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        let response = self
            .http
            .post(self.url(path))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Every item of a collection, following `@odata.nextLink` to the end
    /// (at most `guard` pages); also the number of pages.
    pub async fn walk(&self, first: &str) -> (Vec<Value>, usize) {
        let mut items = Vec::new();
        let mut next = Some(self.url(first));
        let mut pages = 0;
        while let Some(url) = next {
            pages += 1;
            assert!(pages < 10_000, "paging does not end");
            let (status, _, body) = self.get(&url).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            items.extend(body["value"].as_array().unwrap().iter().cloned());
            next = body["@odata.nextLink"].as_str().map(str::to_owned);
        }
        (items, pages)
    }
}

/// A token by the client-credentials flow.
pub async fn fetch_token(http: &reqwest::Client, handle: &SimHandle) -> String {
    let creds = handle.credentials();
    let scope = format!("{}/.default", handle.graph_url());
    let form = [
        ("client_id", creds.client_id.as_str()),
        ("client_secret", creds.client_secret.as_str()),
        ("grant_type", "client_credentials"),
        ("scope", scope.as_str()),
    ];
    let response = http.post(handle.token_url()).form(&form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

/// Object ids of the users Graph lists, from the simulator's own file.
pub fn listed_ids(tenant: &SimTenant) -> Vec<String> {
    let conn = tenant.connection();
    let mut stmt = conn
        .prepare("SELECT source_id FROM users WHERE deleted = 0 ORDER BY id")
        .unwrap();
    stmt.query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// The `error.code` of a Graph error body.
pub fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

pub fn message(body: &Value) -> &str {
    body["error"]["message"].as_str().unwrap_or("")
}
