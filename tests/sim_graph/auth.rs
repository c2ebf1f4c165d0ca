//! The token endpoint (apis.md 1.1) and the bearer check.

use base64::Engine as _;
use reqwest::StatusCode;
use serde_json::Value;

use super::support::{Sim, code, message};

async fn token_request(sim: &Sim, tenant: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let url = format!("{}/{tenant}/oauth2/v2.0/token", sim.handle.login_url());
    let response = sim.http.post(url).form(form).send().await.unwrap();
    (response.status(), response.json().await.unwrap())
}

/// The identity platform's error shape, with the AADSTS code in front.
fn assert_aad(body: &Value, error: &str, code: u64) {
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["error_codes"][0], code, "{body}");
    let description = body["error_description"].as_str().unwrap();
    assert!(
        description.starts_with(&format!("AADSTS{code}: ")),
        "{description}"
    );
    for field in ["timestamp", "trace_id", "correlation_id"] {
        assert!(
            body[field].as_str().is_some_and(|s| !s.is_empty()),
            "{field} missing: {body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_flow_accepts_the_app_and_refuses_each_mistake_as_entra_does() {
    let sim = Sim::start().await;
    let creds = sim.handle.credentials().clone();
    let scope = format!("{}/.default", sim.handle.graph_url());
    let good = [
        ("client_id", creds.client_id.as_str()),
        ("client_secret", creds.client_secret.as_str()),
        ("grant_type", "client_credentials"),
        ("scope", scope.as_str()),
    ];
    let with = |index: usize, value: &'static str| {
        let mut form = good;
        form[index].1 = value;
        form
    };

    let (status, body) = token_request(&sim, &creds.tenant_id, &good).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3599);
    assert!(body["access_token"].as_str().unwrap().len() >= 32);

    // The domain names the tenant too, and Graph's public scope is accepted.
    let public = with(3, "https://graph.microsoft.com/.default");
    let (status, _) = token_request(&sim, &creds.domain, &public).await;
    assert_eq!(status, StatusCode::OK);

    let (status, body) = token_request(&sim, "00000000-0000-0000-0000-000000000000", &good).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_aad(&body, "invalid_request", 90002);

    let (status, body) = token_request(&sim, &creds.tenant_id, &with(1, "not-the-secret")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_aad(&body, "invalid_client", 7000215);

    let wrong_client = with(0, "11111111-1111-1111-1111-111111111111");
    let (status, body) = token_request(&sim, &creds.tenant_id, &wrong_client).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_aad(&body, "unauthorized_client", 700016);

    let wrong_scope = with(3, "https://example.com/.default");
    let (status, body) = token_request(&sim, &creds.tenant_id, &wrong_scope).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_aad(&body, "invalid_scope", 70011);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_secret_may_come_by_http_basic_auth() {
    let sim = Sim::start().await;
    let creds = sim.handle.credentials().clone();
    let scope = format!("{}/.default", sim.handle.graph_url());
    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:{}", creds.client_id, creds.client_secret));
    let response = sim
        .http
        .post(sim.handle.token_url())
        .header("authorization", format!("Basic {basic}"))
        .form(&[("grant_type", "client_credentials"), ("scope", scope.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    let token = body["access_token"].as_str().unwrap();
    let graph = sim
        .http
        .get(sim.url("/v1.0/organization"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(graph.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_graph_call_needs_a_live_bearer_token() {
    let sim = Sim::start_with(|c| c.token_lifetime = std::time::Duration::from_millis(1)).await;
    let url = sim.url("/v1.0/users");
    let missing = sim
        .http
        .get(&url)
        .header("client-request-id", "my-id-1")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
    let request_id = missing.headers()["request-id"].to_str().unwrap().to_owned();
    assert_eq!(missing.headers()["client-request-id"], "my-id-1");
    let body: Value = missing.json().await.unwrap();
    assert_eq!(code(&body), "InvalidAuthenticationToken");
    assert_eq!(body["error"]["innerError"]["request-id"], request_id.as_str());
    assert_eq!(body["error"]["innerError"]["client-request-id"], "my-id-1");
    assert!(body["error"]["innerError"]["date"].is_string());

    let garbage = sim.http.get(&url).bearer_auth("garbage").send().await.unwrap();
    assert_eq!(garbage.status(), StatusCode::UNAUTHORIZED);

    // The token was issued with a lifetime of 1 ms: it is expired by now.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let (status, _, body) = sim.get("/v1.0/users").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(message(&body).contains("expired"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_tokens_are_refused_and_a_new_one_works() {
    let mut sim = Sim::start().await;
    assert_eq!(sim.get("/v1.0/organization").await.0, StatusCode::OK);
    sim.tenant().expire_access_tokens().unwrap();
    let (status, _, body) = sim.get("/v1.0/organization").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&body), "InvalidAuthenticationToken");
    sim.token = super::support::fetch_token(&sim.http, &sim.handle).await;
    let (status, _, body) = sim.get("/v1.0/organization").await;
    assert_eq!(status, StatusCode::OK);
    let org = &body["value"][0];
    assert_eq!(org["id"], sim.handle.credentials().tenant_id.as_str());
    assert!(
        org["verifiedDomains"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["name"] == "contoso-demo.example")
    );
}
