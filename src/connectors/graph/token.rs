//! Access tokens by the client-credentials flow (apis.md 1.1): fetched from
//! `{login}/{tenant}/oauth2/v2.0/token` for the scope `{resource}/.default`
//! (Graph's, or the Store for Business's `https://onestore.microsoft.com`),
//! kept and renewed at 80 % of their lifetime, dropped when Graph refuses
//! one. The identity platform's refusals become errors naming the option
//! to fix.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode, Url};
use serde::Deserialize;
use tokio::sync::Mutex;

use crate::connectors::error::{ConnectorError, ErrorDetail, ErrorKind, Target};
use crate::connectors::http::{HttpClient, Reply};
use crate::connectors::secret::Secret;

/// Share of a token's lifetime after which a new one is fetched.
const RENEW_AT: f64 = 0.8;
/// Lifetime assumed when the answer has no `expires_in`.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);

/// Who signs in, and where.
pub(crate) struct TokenSource {
    http: HttpClient,
    endpoint: Url,
    /// The login URL as configured, for messages.
    login: String,
    tenant: String,
    client_id: String,
    secret: Secret,
    scope: String,
    cached: Mutex<Option<Cached>>,
}

struct Cached {
    token: Secret,
    renew_at: Instant,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    /// Seconds; a number, or a string in older endpoints.
    expires_in: Option<serde_json::Value>,
}

impl TokenSource {
    pub(crate) fn new(
        http: HttpClient,
        login: &str,
        tenant: &str,
        client_id: &str,
        secret: Secret,
        resource: &str,
    ) -> Result<TokenSource, ConnectorError> {
        let endpoint = format!("{login}/{}/oauth2/v2.0/token", path_segment(tenant));
        let endpoint = Url::parse(&endpoint).map_err(|err| ErrorKind::BadUrl {
            option: "--login-url",
            url: login.to_owned(),
            why: format!("the token endpoint {endpoint} is not a URL ({err})"),
        })?;
        Ok(TokenSource {
            http,
            endpoint,
            login: login.to_owned(),
            tenant: tenant.to_owned(),
            client_id: client_id.to_owned(),
            secret,
            scope: format!("{resource}/.default"),
            cached: Mutex::new(None),
        })
    }

    /// A live token: the kept one, or a new one when it is due for renewal.
    pub(crate) async fn token(&self) -> Result<Secret, ConnectorError> {
        // Held across the fetch, so concurrent requests wait for one token.
        let mut cached = self.cached.lock().await;
        if let Some(kept) = cached.as_ref().filter(|c| Instant::now() < c.renew_at) {
            return Ok(kept.token.clone());
        }
        let fresh = self.fetch().await?;
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    /// Forgets `used` (Graph refused it) unless a newer one replaced it.
    pub(crate) async fn forget(&self, used: &Secret) {
        let mut cached = self.cached.lock().await;
        if cached.as_ref().is_some_and(|c| &c.token == used) {
            *cached = None;
        }
    }

    async fn fetch(&self) -> Result<Cached, ConnectorError> {
        let form = [
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.secret.expose()),
            ("scope", self.scope.as_str()),
            ("grant_type", "client_credentials"),
        ];
        let asked = Instant::now();
        let reply = self
            .http
            .send(Method::POST, &self.endpoint, |request| request.form(&form))
            .await?;
        if reply.status != StatusCode::OK {
            return Err(self.refusal(&reply));
        }
        let target = Target::new(&Method::POST, &self.endpoint);
        let malformed = |problem: String| -> ConnectorError {
            ErrorKind::Malformed {
                target: target.clone(),
                problem,
            }
            .into()
        };
        let answer: TokenAnswer = serde_json::from_slice(&reply.body)
            .map_err(|err| malformed(format!("a token answer that is not valid JSON ({err})")))?;
        let token = answer
            .access_token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| malformed("a token answer without access_token".to_owned()))?;
        let lifetime = answer
            .expires_in
            .as_ref()
            .and_then(|v| {
                v.as_f64()
                    .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            })
            .filter(|s| s.is_finite() && *s > 0.0)
            .map_or(DEFAULT_LIFETIME, Duration::from_secs_f64);
        Ok(Cached {
            token: Secret::new(token),
            renew_at: asked + lifetime.mul_f64(RENEW_AT),
        })
    }

    /// The identity platform's refusal, by its AADSTS number or error code.
    fn refusal(&self, reply: &Reply) -> ConnectorError {
        let detail = reply.detail();
        let (tenant, login) = (self.tenant.clone(), self.login.clone());
        let kind = match (detail.aadsts(), detail.code.as_deref()) {
            (Some(90_002), _) => ErrorKind::TenantNotFound {
                tenant,
                login,
                detail,
            },
            (Some(700_016), _) => ErrorKind::UnknownClient {
                client_id: self.client_id.clone(),
                tenant,
                detail,
            },
            (Some(7_000_215 | 7_000_222), _) | (_, Some("invalid_client"))
                if reply.status == StatusCode::UNAUTHORIZED || is_secret_code(&detail) =>
            {
                ErrorKind::SecretRefused {
                    client_id: self.client_id.clone(),
                    tenant,
                    login,
                    detail,
                }
            }
            (Some(70_011), _) | (_, Some("invalid_scope")) => ErrorKind::ScopeRefused {
                scope: self.scope.clone(),
                login,
                detail,
            },
            _ => ErrorKind::TokenRefused {
                tenant,
                login,
                detail,
            },
        };
        kind.into()
    }
}

/// AADSTS7000215 (invalid secret) and 7000222 (expired secret).
fn is_secret_code(detail: &ErrorDetail) -> bool {
    matches!(detail.aadsts(), Some(7_000_215 | 7_000_222))
}

/// A value made safe for one URL path segment (percent-encoding all but
/// the unreserved characters of RFC 3986).
pub(crate) fn path_segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'@') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_percent_encoded() {
        assert_eq!(path_segment("contoso.example"), "contoso.example");
        assert_eq!(
            path_segment("jane_x.com#EXT#@t.onmicrosoft.com"),
            "jane_x.com%23EXT%23@t.onmicrosoft.com"
        );
        assert_eq!(path_segment("zoë/ß ?"), "zo%C3%AB%2F%C3%9F%20%3F");
    }
}
