//! The Microsoft identity platform's token endpoint, client credentials
//! flow only (apis.md 1.1): `POST /{tenant}/oauth2/v2.0/token`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use base64::Engine as _;
use serde_json::json;

use crate::sim::http::{GraphError, base_url};
use crate::sim::rng::{random_guid, random_text};
use crate::sim::server::Shared;
use crate::sim::store_business::STORE_SCOPE;
use crate::sim::tenant::{Credentials, now_ms};

/// The public Graph resource, accepted besides the simulator's own URL.
const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";

/// An AADSTS error.
struct AadError {
    status: StatusCode,
    error: &'static str,
    code: u32,
    text: String,
}

fn aad(status: u16, error: &'static str, code: u32, text: impl Into<String>) -> AadError {
    AadError {
        status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        error,
        code,
        text: text.into(),
    }
}

fn missing(name: &str) -> AadError {
    aad(
        400,
        "invalid_request",
        900_144,
        format!("The request body must contain the following parameter: '{name}'."),
    )
}

pub(crate) async fn token(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.log_line(format!("POST /{tenant}/oauth2/v2.0/token"));
    let form: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let checked = check(&shared.credentials, &tenant, &form, &headers);
    // A token for the store's resource is good for the store only.
    let store = form.get("scope").is_some_and(|s| s == STORE_SCOPE);
    match checked {
        Err(err) => aad_response(err),
        Ok(()) => issue(&shared, store).await,
    }
}

/// Checks the request the way the identity platform does, first failure wins.
fn check(
    creds: &Credentials,
    tenant: &str,
    form: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<(), AadError> {
    let known_tenant = [&creds.tenant_id, &creds.domain, &creds.initial_domain]
        .iter()
        .any(|t| t.eq_ignore_ascii_case(tenant));
    if !known_tenant {
        return Err(aad(
            400,
            "invalid_request",
            90_002,
            format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are \
                 signing into the correct cloud. Check with your subscription administrator, this may \
                 happen if there are no active subscriptions for the tenant."
            ),
        ));
    }
    let grant = form.get("grant_type").ok_or_else(|| missing("grant_type"))?;
    if grant != "client_credentials" {
        return Err(aad(
            400,
            "unsupported_grant_type",
            70_003,
            "The app requested an unsupported grant type.",
        ));
    }
    let (client_id, secret) = match basic_auth(headers) {
        Some((id, secret)) => (Some(id), Some(secret)),
        None => (form.get("client_id").cloned(), form.get("client_secret").cloned()),
    };
    let client_id = client_id.ok_or_else(|| missing("client_id"))?;
    if !client_id.eq_ignore_ascii_case(&creds.client_id) {
        return Err(aad(
            400,
            "unauthorized_client",
            700_016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory '{}'. This can \
                 happen if the application has not been installed by the administrator of the tenant or \
                 consented to by any user in the tenant. You may have sent your authentication request to \
                 the wrong tenant.",
                creds.tenant_name
            ),
        ));
    }
    let scope = form.get("scope").ok_or_else(|| missing("scope"))?;
    if !scope_ok(scope, headers) {
        return Err(aad(
            400,
            "invalid_scope",
            70_011,
            format!(
                "The provided request must include a 'scope' input parameter. The provided value for the \
                 input parameter 'scope' is not valid. The scope {scope} is not valid."
            ),
        ));
    }
    let secret = secret.ok_or_else(|| {
        aad(
            401,
            "invalid_client",
            7_000_218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        )
    })?;
    if secret != creds.client_secret {
        return Err(aad(
            401,
            "invalid_client",
            7_000_215,
            format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the client \
                 secret value, not the client secret ID, for a secret added to app '{client_id}'."
            ),
        ));
    }
    Ok(())
}

/// `https://graph.microsoft.com/.default`, the store's
/// `https://onestore.microsoft.com/.default`, or `http://HOST:PORT/.default`
/// for this simulator's port (the client's `--graph-url`).
fn scope_ok(scope: &str, headers: &HeaderMap) -> bool {
    if scope == GRAPH_SCOPE || scope == STORE_SCOPE {
        return true;
    }
    let ours = base_url(headers);
    let port = |url: &str| {
        url.rsplit_once(':')
            .map(|(_, p)| p.trim_end_matches('/').to_owned())
    };
    match scope.strip_suffix("/.default") {
        Some(resource) if resource.starts_with("http://") => {
            let host = resource.trim_start_matches("http://");
            let local = host.starts_with("127.0.0.1:")
                || host.starts_with("localhost:")
                || host.starts_with("[::1]:");
            local && port(resource) == port(&ours)
        }
        _ => false,
    }
}

/// `Authorization: Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1).
fn basic_auth(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let unescape = |s: &str| -> String {
        form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Some((unescape(id), unescape(secret)))
}

async fn issue(shared: &Arc<Shared>, store: bool) -> Response {
    let token = random_text(64);
    let lifetime = shared.config.token_lifetime;
    let expires_ms = now_ms() + lifetime.as_millis() as i64;
    let stored = token.clone();
    let saved = shared
        .db
        .run(move |conn| {
            let table = if store { "sim_store_tokens" } else { "sim_tokens" };
            conn.execute(
                &format!("INSERT INTO {table} (token, expires_ms) VALUES (?1, ?2)"),
                rusqlite::params![stored, expires_ms],
            )?;
            conn.execute(
                &format!("DELETE FROM {table} WHERE expires_ms < ?1"),
                [now_ms() - 3_600_000],
            )?;
            Ok(())
        })
        .await;
    if let Err(err) = saved {
        return aad_response(aad(500, "temporarily_unavailable", 50_000, err.message));
    }
    let seconds = lifetime.as_secs().max(1);
    let body = json!({
        "token_type": "Bearer",
        "expires_in": seconds,
        "ext_expires_in": seconds,
        "access_token": token,
    });
    token_response(StatusCode::OK, body.to_string())
}

fn aad_response(err: AadError) -> Response {
    let (trace, correlation) = (random_guid(), random_guid());
    let timestamp = chrono::Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string();
    let description = format!(
        "AADSTS{}: {}\r\nTrace ID: {trace}\r\nCorrelation ID: {correlation}\r\nTimestamp: {timestamp}",
        err.code, err.text
    );
    let body = json!({
        "error": err.error,
        "error_description": description,
        "error_codes": [err.code],
        "timestamp": timestamp,
        "trace_id": trace,
        "correlation_id": correlation,
        "error_uri": format!("https://login.microsoftonline.com/error?code={}", err.code),
    });
    token_response(err.status, body.to_string())
}

fn token_response(status: StatusCode, body: String) -> Response {
    let mut response = Response::new(axum::body::Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache"),
    );
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// Used by the Graph side to say a token is not accepted.
pub(crate) fn invalid_token(message: &str) -> GraphError {
    GraphError::new(401, "InvalidAuthenticationToken", message).with_header(
        "www-authenticate",
        "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", \
         client_id=\"00000003-0000-0000-c000-000000000000\"",
    )
}
