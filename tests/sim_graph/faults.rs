//! Faults (`--faults`): each kind observable at probability 1, and the
//! draw repeatable from its seed.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use seats::sim::Faults;
use serde_json::Value;

use super::support::{Sim, code};

fn faults(spec: &str) -> Faults {
    spec.parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_faults_carry_graphs_bodies_and_retry_after() {
    let sim = Sim::start().await;
    sim.handle.set_faults(faults("429=1,retry-after=2.128"));
    let (status, headers, body) = sim.get("/v1.0/users").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(headers["retry-after"], "2.128");
    assert_eq!(code(&body), "TooManyRequests");
    assert_eq!(body["error"]["innerError"]["status"], "429");
    assert!(body["error"]["innerError"]["request-id"].is_string());

    for (spec, expected, graph_code) in [
        ("500=1", 500, "generalException"),
        ("502=1", 502, "BadGateway"),
        ("503=1", 503, "serviceNotAvailable"),
        ("504=1", 504, "GatewayTimeout"),
        ("401=1", 401, "InvalidAuthenticationToken"),
    ] {
        sim.handle.set_faults(faults(spec));
        let (status, headers, body) = sim.get("/v1.0/subscribedSkus").await;
        assert_eq!(status.as_u16(), expected, "{spec}");
        assert_eq!(code(&body), graph_code, "{spec}");
        if expected == 503 {
            assert!(headers.contains_key("retry-after"));
        }
    }
    // The token endpoint is never faulted.
    let token = super::support::fetch_token(&sim.http, &sim.handle).await;
    assert!(!token.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transport_faults_break_the_connection_or_never_answer() {
    let sim = Sim::start().await;
    let url = sim.url("/v1.0/users?$top=999&$select=id,displayName");

    sim.handle.set_faults(faults("truncate=1"));
    let response = sim.http.get(&url).bearer_auth(&sim.token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.bytes().await.is_err(), "a truncated body read whole");

    sim.handle.set_faults(faults("reset=1"));
    let sent = sim.http.get(&url).bearer_auth(&sim.token).send().await;
    assert!(sent.is_err(), "a reset answered: {sent:?}");

    sim.handle.set_faults(faults("hang=1"));
    let impatient = sim
        .http
        .get(&url)
        .bearer_auth(&sim.token)
        .timeout(Duration::from_millis(300))
        .send()
        .await;
    assert!(impatient.unwrap_err().is_timeout());

    // The server is still fine afterwards.
    sim.handle.set_faults(Faults::none());
    assert_eq!(sim.get("/v1.0/organization").await.0, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn body_faults_give_a_200_that_cannot_be_used() {
    let sim = Sim::start().await;
    let url = sim.url("/v1.0/users?$select=id");

    sim.handle.set_faults(faults("malformed=1"));
    let (status, _, body) = sim.get(&url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body["value"].is_array(), "{body}");

    sim.handle.set_faults(faults("badjson=1"));
    let response = sim.http.get(&url).bearer_auth(&sim.token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");

    sim.handle.set_faults(faults("empty=1"));
    let (status, _, body) = sim.get(&url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["value"], serde_json::json!([]));
    assert_eq!(body["@odata.nextLink"], url.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_delays_every_graph_request() {
    let sim = Sim::start().await;
    sim.handle.set_faults(faults("slow=150ms"));
    let started = Instant::now();
    assert_eq!(sim.get("/v1.0/organization").await.0, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(150));
}

/// The statuses of `n` sequential requests under `spec`.
async fn statuses(sim: &Sim, spec: &str, n: usize) -> Vec<u16> {
    sim.handle.set_faults(faults(spec));
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(sim.get("/v1.0/organization").await.0.as_u16());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fault_draw_repeats_with_its_seed() {
    let sim = Sim::start().await;
    let first = statuses(&sim, "429=0.3,500=0.2,seed=5", 40).await;
    let again = statuses(&sim, "429=0.3,500=0.2,seed=5", 40).await;
    let other = statuses(&sim, "429=0.3,500=0.2,seed=6", 40).await;
    assert_eq!(first, again);
    assert_ne!(first, other);
    assert!(
        first.contains(&429) && first.contains(&500) && first.contains(&200),
        "{first:?}"
    );
}
