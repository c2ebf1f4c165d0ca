//! Faults: throttling with Retry-After waited out, throttling past the
//! retries, tokens renewed or refused, and errors without secrets.

use std::time::{Duration, Instant};

use seats::connectors::{ErrorClass, ErrorKind, Secret};
use seats::sim::Faults;

use crate::support::{BOUND, Env, bounded};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_with_retry_after_is_waited_out() {
    let env = Env::start().await;
    let client = env.client();
    bounded(client.check_credentials()).await.unwrap();
    env.faults("429=1,retry-after=0.3");
    // The storm ends once a second request arrives: the first is surely
    // throttled (the second races the clearing, so it may be too).
    let sim = std::sync::Arc::clone(&env.sim);
    let until = sim.graph_requests() + 2;
    let clear = tokio::spawn(async move {
        let started = Instant::now();
        while sim.graph_requests() < until && started.elapsed() < BOUND {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        sim.set_faults(Faults::none());
    });
    let started = Instant::now();
    let entries = bounded(client.inventory()).await.unwrap();
    clear.await.unwrap();
    assert!(!entries.is_empty());
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    assert!(env.requests_like("GET /V1/Inventory").len() >= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_past_the_retries_is_a_clear_transient_error() {
    let env = Env::start().await;
    let client = env.client();
    env.faults("429=1,retry-after=0.05");
    let err = bounded(client.inventory()).await.unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Throttled { attempts: 4, .. }),
        "{err:?}"
    );
    assert_eq!(err.class(), ErrorClass::Transient);
    env.assert_clean(&err);

    env.faults("503=1,retry-after=0.01");
    let to_do = env.app("Microsoft To Do (Online)");
    let user = env.users_without(&to_do, 1).remove(0);
    let err = bounded(client.assign(&to_do.product, &to_do.sku, &user))
        .await
        .unwrap_err();
    assert_eq!(err.class(), ErrorClass::Transient, "{err:?}");
    env.assert_clean(&err);
    env.faults("");
    assert!(env.holders(&to_do).iter().all(|u| u != &user), "nothing assigned");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_are_renewed_and_refusals_never_show_them() {
    let env = Env::start().await;
    let client = env.client();
    bounded(client.inventory()).await.unwrap();
    // Every token revoked: the client fetches a new one once and goes on.
    env.tenant().expire_access_tokens().unwrap();
    bounded(client.inventory()).await.unwrap();
    let tokens = env
        .sim
        .request_log()
        .iter()
        .filter(|l| l.ends_with("/oauth2/v2.0/token"))
        .count();
    assert_eq!(tokens, 2);

    let wrong = env.client_with(|c| c.secret = Secret::new("not-the-secret"));
    let err = bounded(wrong.inventory()).await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::SecretRefused { .. }), "{err:?}");
    env.assert_clean(&err);
    assert!(!format!("{wrong:?}").contains("not-the-secret"));
}

/// A token from the simulator's endpoint for `scope`.
async fn raw_token(env: &Env, scope: &str) -> String {
    let creds = env.sim.credentials();
    let form = [
        ("client_id", creds.client_id.as_str()),
        ("client_secret", creds.client_secret.as_str()),
        ("scope", scope),
        ("grant_type", "client_credentials"),
    ];
    let answer: serde_json::Value = reqwest::Client::new()
        .post(env.sim.token_url())
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulator_speaks_the_store_wire_format() {
    let env = Env::start().await;
    let http = reqwest::Client::new();
    let base = env.sim.store_url();

    let anonymous = http.get(format!("{base}/Inventory")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    let graph = raw_token(&env, "https://graph.microsoft.com/.default").await;
    let refused = http
        .get(format!("{base}/Inventory"))
        .bearer_auth(&graph)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401, "a Graph token is not for the store");

    let token = raw_token(&env, seats::sim::STORE_SCOPE).await;
    let users = format!("{}/v1.0/users", env.sim.graph_url());
    let on_graph = http.get(users).bearer_auth(&token).send().await.unwrap();
    assert_eq!(on_graph.status(), 401, "a store token is not for Graph");
    let get = |path: String| http.get(format!("{base}{path}")).bearer_auth(&token).send();
    let page: serde_json::Value = get("/Inventory?maxResults=1".into())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entry = &page["inventoryEntries"][0];
    for key in [
        "productKey",
        "seatCapacity",
        "availableSeats",
        "lastModified",
        "licenseType",
        "distributionPolicy",
        "status",
    ] {
        assert!(entry.get(key).is_some(), "{key} in {entry}");
    }
    assert!(page["continuationToken"].is_string());
    let bad = get("/Inventory?continuationToken=garbage".into()).await.unwrap();
    assert_eq!(bad.status(), 400);
    let body: serde_json::Value = bad.json().await.unwrap();
    assert_eq!(body["data"]["Parameter name"], "continuationToken");
    let too_many = get("/Inventory/x/y/Seats?maxResults=101".into()).await.unwrap();
    assert_eq!(too_many.status(), 400);

    let portal = env.app("Company Portal (Offline)");
    let user = env.users_without(&portal, 1).remove(0);
    let conflict = http
        .post(format!(
            "{base}/Inventory/{}/{}/Seats/{user}",
            portal.product, portal.sku
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(conflict.status(), 409);
    let body: serde_json::Value = conflict.json().await.unwrap();
    assert_eq!(body["data"]["Reason"], "Not online");

    let to_do = env.app("Microsoft To Do (Online)");
    let holder = env.holders(&to_do).remove(0);
    let one: serde_json::Value = get(format!(
        "/Inventory/{}/{}/Seats/{holder}",
        to_do.product, to_do.sku
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(
        (one["assignedTo"].as_str(), one["state"].as_str()),
        (Some(holder.as_str()), Some("Active"))
    );
    assert_eq!(one["productKey"]["skuId"], to_do.sku.as_str());

    let missing = get(format!(
        "/Inventory/{}/{}/Seats/ghost@nowhere.example",
        portal.product, "0010"
    ))
    .await
    .unwrap();
    assert_eq!(missing.status(), 404);
    let body: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(body["data"]["ItemType"], "Inventory");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_pages_and_5xx_mid_read_still_read_everything_once() {
    let env = Env::start().await;
    let client = env.client_with(|c| {
        c.inventory_page = 2;
        c.seats_page = 7;
    });
    let clean = bounded(client.inventory()).await.unwrap();
    let to_do = env.app("Microsoft To Do (Online)");
    let seats = bounded(client.seats(&to_do.product, &to_do.sku)).await.unwrap();

    env.faults("empty=0.3,500=0.1,503=0.05,retry-after=0.01,seed=3");
    let again = bounded(client.inventory()).await.unwrap();
    assert_eq!(again, clean);
    let reread = bounded(client.seats(&to_do.product, &to_do.sku)).await.unwrap();
    assert_eq!(reread, seats);
    // Both reads ran twice: more requests than twice the pages means some
    // pages were asked for again.
    let asked = env.requests_like("GET /V1/").len();
    let pages = clean.len().div_ceil(2) + seats.len() / 7 + 1;
    assert!(asked > 2 * pages, "{asked} requests for {pages} pages");
}
