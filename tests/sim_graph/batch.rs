//! `POST /$batch` (at most 20 requests).

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::support::{Sim, code};

fn get(id: usize, url: &str) -> Value {
    json!({"id": id.to_string(), "method": "GET", "url": url})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_of_21_is_refused_and_one_of_3_answers_each() {
    let sim = Sim::start().await;
    let many: Vec<Value> = (1..=21).map(|i| get(i, "/organization")).collect();
    let (status, body) = sim.post("/v1.0/$batch", &json!({"requests": many})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&body), "BadRequest");
    let before = sim.handle.graph_requests();

    let tenant = sim.tenant();
    let user = tenant.nth_user(0).unwrap();
    let sku_id = tenant.sku_id("EMSPREMIUM").unwrap();
    let requests = json!({"requests": [
        get(1, "/organization"),
        {"id": "2", "method": "POST", "url": format!("/users/{}/assignLicense", user.id),
         "headers": {"Content-Type": "application/json"},
         "body": {"addLicenses": [], "removeLicenses": [sku_id]}},
        get(3, "/users/nobody@contoso-demo.example"),
    ]});
    let (status, body) = sim.post("/v1.0/$batch", &requests).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let responses = body["responses"].as_array().unwrap();
    assert_eq!(responses.len(), 3);
    let by_id = |id: &str| responses.iter().find(|r| r["id"] == id).unwrap();
    assert_eq!(by_id("1")["status"], 200);
    assert_eq!(
        by_id("1")["body"]["value"][0]["id"],
        sim.handle.credentials().tenant_id.as_str()
    );
    assert_eq!(by_id("2")["status"], 200, "{}", by_id("2"));
    assert_eq!(by_id("2")["body"]["id"], user.id.as_str());
    assert_eq!(by_id("3")["status"], 404);
    assert_eq!(code(&by_id("3")["body"]), "Request_ResourceNotFound");
    assert!(by_id("3")["headers"]["Content-Type"].is_string());
    // The batch is one request to Graph; its parts are logged as batch parts.
    assert_eq!(sim.handle.graph_requests(), before + 1);
    let log = sim.handle.request_log();
    assert_eq!(
        log.iter().filter(|l| l.starts_with("batch ")).count(),
        3,
        "{log:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batched_body_needs_its_content_type() {
    let sim = Sim::start().await;
    let user = sim.tenant().nth_user(0).unwrap();
    let requests = json!({"requests": [
        {"id": "a", "method": "POST", "url": format!("/users/{}/assignLicense", user.id),
         "body": {"addLicenses": [], "removeLicenses": []}},
    ]});
    let (status, body) = sim.post("/v1.0/$batch", &requests).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["responses"][0]["status"], 400, "{body}");
}
