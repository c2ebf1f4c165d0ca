//! The Microsoft Graph client (apis.md §1): a token by client credentials,
//! the documented reads (organization, subscribedSkus, users, users/delta,
//! groups, members, Intune's detected apps and their devices) page by page,
//! and license changes pushed back one by one or in `$batch`es. It turns
//! Graph's wire format into the records of `domain::source` (and
//! `domain::detected`); it knows nothing of the cache.
//!
//! The client is cheap to clone and `Send + Sync`: a sync worker moves it
//! into a tokio task and reads pages with [`Pages::next_page`], writing
//! each before asking for the next.

mod batch;
mod detected_apps;
mod paging;
mod push;
mod read;
// Shared with the Store for Business client (same flow, another scope).
pub(crate) mod token;
mod whole;
mod wire;

use std::sync::Arc;

use reqwest::{Method, StatusCode, Url};
use serde_json::Value;

pub use detected_apps::DETECTED_APPS_PERMISSION;
pub use paging::{Page, PageGuard, PageProgress, Pages, SIGN_IN_WARNING};
pub use push::PushOutcome;
pub use read::USER_FIELDS;

use super::error::{ConnectorError, ErrorKind, Target};
use super::http::{HttpClient, HttpConfig, Reply};
use super::secret::Secret;
use token::TokenSource;

/// Graph of Microsoft's public cloud.
pub const PUBLIC_GRAPH_URL: &str = "https://graph.microsoft.com";
/// The identity platform of Microsoft's public cloud.
pub const PUBLIC_LOGIN_URL: &str = "https://login.microsoftonline.com";

/// How to reach one tenant's Graph.
#[derive(Debug, Clone)]
pub struct GraphConfig {
    /// Directory (tenant) id, or one of its domains.
    pub tenant: String,
    /// Application (client) id.
    pub client_id: String,
    pub secret: Secret,
    /// Graph's base (`https://graph.microsoft.com`, a national cloud's, the
    /// simulator's): calls go to `{graph_url}/v1.0/...`.
    pub graph_url: String,
    /// The identity platform's base: tokens come from
    /// `{login_url}/{tenant}/oauth2/v2.0/token`.
    pub login_url: String,
    pub http: HttpConfig,
    pub guard: PageGuard,
    /// Whether to ask for `signInActivity` (it needs AuditLog.Read.All; a
    /// 403 for it is a warning, and the read goes on without it).
    pub sign_in_activity: bool,
}

impl GraphConfig {
    /// A tenant of the public cloud, with the default limits.
    pub fn new(tenant: impl Into<String>, client_id: impl Into<String>, secret: Secret) -> GraphConfig {
        GraphConfig {
            tenant: tenant.into(),
            client_id: client_id.into(),
            secret,
            graph_url: PUBLIC_GRAPH_URL.to_owned(),
            login_url: PUBLIC_LOGIN_URL.to_owned(),
            http: HttpConfig::default(),
            guard: PageGuard::default(),
            sign_in_activity: true,
        }
    }
}

/// A client of one tenant's Graph. Clones share the token, the connection
/// pool and the concurrency limit.
#[derive(Clone)]
pub struct GraphClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: HttpClient,
    tokens: TokenSource,
    /// `graph_url` without a trailing slash.
    graph: String,
    graph_url: Url,
    guard: PageGuard,
    sign_in_activity: bool,
}

impl std::fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphClient")
            .field("graph", &self.inner.graph)
            .finish_non_exhaustive()
    }
}

impl GraphClient {
    /// Checks the URLs and builds the client; nothing is sent yet.
    pub fn new(config: GraphConfig) -> Result<GraphClient, ConnectorError> {
        let (graph, graph_url) = base_url("--graph-url", &config.graph_url)?;
        let (login, _) = base_url("--login-url", &config.login_url)?;
        let http = HttpClient::new(config.http)?;
        let tokens = TokenSource::new(
            http.clone(),
            &login,
            &config.tenant,
            &config.client_id,
            config.secret,
            &graph,
        )?;
        Ok(GraphClient {
            inner: Arc::new(Inner {
                http,
                tokens,
                graph,
                graph_url,
                guard: config.guard,
                sign_in_activity: config.sign_in_activity,
            }),
        })
    }

    /// Fetches a token now: the credentials work, or the error says which
    /// option to fix.
    pub async fn check_credentials(&self) -> Result<(), ConnectorError> {
        self.inner.tokens.token().await.map(|_| ())
    }

    pub(crate) fn guard(&self) -> PageGuard {
        self.inner.guard
    }

    pub(crate) fn graph_base(&self) -> &Url {
        &self.inner.graph_url
    }

    /// `{graph}/v1.0{path}`.
    pub(crate) fn v1(&self, path: &str) -> String {
        format!("{}/v1.0{path}", self.inner.graph)
    }

    /// Sends a Graph request with a bearer token; a 401 drops the token and
    /// tries once more with a new one, then fails. Any other answer comes
    /// back as it is (429 and 5xx only after the retries).
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
                    let request = request.bearer_auth(token.expose());
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
                    detail: reply.detail(),
                }
                .into());
            }
            tracing::info!(
                path = url.path(),
                "Graph refused the access token; fetching a new one"
            );
            self.inner.tokens.forget(&token).await;
            renewed = true;
        }
    }

    /// The error for an answer that is not a success.
    pub(crate) fn failure(&self, target: Target, reply: &Reply) -> ConnectorError {
        let detail = reply.detail();
        if reply.status == StatusCode::FORBIDDEN {
            let permission = permission_for(&target.path);
            return ErrorKind::Forbidden {
                target,
                detail,
                permission,
            }
            .into();
        }
        ErrorKind::Rejected { target, detail }.into()
    }
}

/// The least application permission for a Graph path (apis.md 1.3, 1.4;
/// Intune's detected apps: DeviceManagementManagedDevices.Read.All).
fn permission_for(path: &str) -> &'static str {
    if path.contains("/deviceManagement/") {
        DETECTED_APPS_PERMISSION
    } else if path.ends_with("/assignLicense") || path.ends_with("/$batch") {
        "LicenseAssignment.ReadWrite.All"
    } else if path.contains("/subscribedSkus") {
        "LicenseAssignment.Read.All (or Organization.Read.All)"
    } else if path.contains("/organization") {
        "Organization.Read.All"
    } else if path.contains("/groups") {
        "GroupMember.Read.All"
    } else if path.contains("/users") {
        "User.Read.All"
    } else {
        "this call needs"
    }
}

/// A base URL from an option: https (http only on loopback, where the
/// simulator runs), a host, no query; returned without a trailing slash.
pub(crate) fn base_url(option: &'static str, text: &str) -> Result<(String, Url), ConnectorError> {
    let bad = |why: String| -> ConnectorError {
        ErrorKind::BadUrl {
            option,
            url: text.to_owned(),
            why,
        }
        .into()
    };
    let trimmed = text.trim().trim_end_matches('/');
    let url = Url::parse(trimmed).map_err(|err| bad(format!("{err}; give it as https://host")))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(bad(
                "plain http would send the credentials unencrypted; use https (http is accepted only \
                 for 127.0.0.1 and localhost)"
                    .to_owned(),
            ));
        }
        other => return Err(bad(format!("the scheme {other:?} is not https"))),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("it names no host; give it as https://host".to_owned()));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("a base URL takes no query or fragment".to_owned()));
    }
    Ok((trimmed.to_owned(), url))
}

fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked_and_trimmed() {
        let (text, _) = base_url("--graph-url", "https://graph.microsoft.us/").unwrap();
        assert_eq!(text, "https://graph.microsoft.us");
        assert!(base_url("--graph-url", "http://127.0.0.1:8080").is_ok());
        assert!(base_url("--graph-url", "http://localhost:8080").is_ok());
        let err = base_url("--graph-url", "http://graph.example")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("--graph-url \"http://graph.example\" cannot be used"),
            "{err}"
        );
        assert!(err.contains("use https"), "{err}");
        let err = base_url("--login-url", "login.microsoftonline.com")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--login-url") && err.contains("https://host"),
            "{err}"
        );
        assert!(base_url("--graph-url", "https://g.example/?x=1").is_err());
        assert!(base_url("--graph-url", "ftp://g.example").is_err());
    }

    #[test]
    fn permissions_are_named_by_path() {
        assert_eq!(
            permission_for("/v1.0/subscribedSkus"),
            "LicenseAssignment.Read.All (or Organization.Read.All)"
        );
        assert_eq!(
            permission_for("/v1.0/users/x/assignLicense"),
            "LicenseAssignment.ReadWrite.All"
        );
        assert_eq!(permission_for("/v1.0/groups/g/members"), "GroupMember.Read.All");
        assert_eq!(permission_for("/v1.0/users/delta"), "User.Read.All");
        assert_eq!(
            permission_for("/v1.0/deviceManagement/detectedApps/a/managedDevices"),
            "DeviceManagementManagedDevices.Read.All"
        );
    }
}
