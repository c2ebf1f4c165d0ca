//! A store that answers oddly but legally (empty pages, unknown fields,
//! capitalized names, entries it cannot describe) and one that loops:
//! small axum stubs, since the simulator itself is well-behaved.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde_json::{Value, json};

use seats::connectors::store_business::{StoreClient, StoreConfig};
use seats::connectors::{ErrorKind, Secret};

use crate::support::{bounded, quick_http};

type Pages = Arc<dyn Fn(Option<&str>) -> Value + Send + Sync>;

#[derive(Clone)]
struct Stub {
    pages: Pages,
    calls: Arc<AtomicU32>,
}

async fn token() -> axum::Json<Value> {
    axum::Json(json!({"token_type": "Bearer", "expires_in": 3599, "access_token": "stub-token"}))
}

async fn inventory(State(stub): State<Stub>, Query(q): Query<Vec<(String, String)>>) -> axum::Json<Value> {
    stub.calls.fetch_add(1, Ordering::Relaxed);
    let token = q
        .iter()
        .find(|(k, _)| k == "continuationToken")
        .map(|(_, v)| v.as_str());
    axum::Json((stub.pages)(token))
}

async fn details(Path((p, s)): Path<(String, String)>) -> axum::Json<Value> {
    axum::Json(json!({
        "productKey": {"productId": p, "skuId": s},
        "supportedLanguages": ["de-DE", "en-US"],
    }))
}

/// Only German names: any other language is a 404, as an older store did.
async fn localized(
    Path((_, _, language)): Path<(String, String, String)>,
) -> (StatusCode, axum::Json<Value>) {
    if language == "de-DE" {
        let body = json!({"language": "de-DE", "displayName": "Rechner", "publisher": {"publisherName": "Fabrikam"}});
        return (StatusCode::OK, axum::Json(body));
    }
    let body = json!({"code": "NotFound", "data": {"ItemType": "Inventory", "Values": "x"}});
    (StatusCode::NOT_FOUND, axum::Json(body))
}

/// Serves `pages` on a free port; returns a client of it and the call count.
async fn serve(pages: Pages) -> (StoreClient, Arc<AtomicU32>) {
    let calls = Arc::new(AtomicU32::new(0));
    let stub = Stub {
        pages,
        calls: Arc::clone(&calls),
    };
    let app = Router::new()
        .route("/{tenant}/oauth2/v2.0/token", post(token))
        .route("/V1/Inventory", get(inventory))
        .route("/V1/Products/{p}/{s}", get(details))
        .route("/V1/Products/{p}/{s}/LocalizedDetails/{language}", get(localized))
        .with_state(stub);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let mut config = StoreConfig::new("tenant", "client", Secret::new("secret"));
    config.api_url = format!("{base}/V1/");
    config.login_url = base;
    config.http = quick_http();
    (StoreClient::new(config).unwrap(), calls)
}

fn entry(product: &str) -> Value {
    json!({
        "ProductKey": {"ProductId": product, "SkuId": "0010"},
        "SeatCapacity": 5, "AvailableSeats": "2", "LicenseType": "Online",
        "DistributionPolicy": "Restricted", "Status": "Active", "LastModified": "2026-01-01T00:00:00Z",
        "newField": {"nested": [1, 2]},
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_pages_unknown_fields_and_odd_entries_are_read() {
    let pages: Pages = Arc::new(|token| match token {
        None => json!({"inventoryEntries": [entry("9A"), entry("9B")], "continuationToken": "t1"}),
        Some("t1") => json!({"inventoryEntries": [], "continuationToken": "t2"}),
        Some("t2") => json!({"InventoryEntries": null, "continuationToken": "t3"}),
        _ => json!({"inventoryEntries": [entry("9C"), {"productKey": {"productId": "9D"}}], "extra": 1}),
    });
    let (client, calls) = serve(pages).await;
    let entries = bounded(client.inventory()).await.unwrap();
    let ids: Vec<&str> = entries.iter().map(|e| e.key.product_id.as_str()).collect();
    assert_eq!(
        ids,
        ["9A", "9B", "9C"],
        "the entry without a SKU or license type is skipped"
    );
    assert_eq!((entries[0].seat_capacity, entries[0].available_seats), (5, 2));
    assert_eq!(calls.load(Ordering::Relaxed), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_sends_the_read_back_is_stopped() {
    // Full pages that always point to the same token: a loop at once.
    let pages: Pages = Arc::new(|_| json!({"inventoryEntries": [entry("9A")], "continuationToken": "again"}));
    let (client, calls) = serve(pages).await;
    let err = bounded(client.inventory()).await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::PagingLoop { .. }), "{err:?}");
    assert!(calls.load(Ordering::Relaxed) <= 3);
    assert!(!format!("{err}{err:?}").contains("stub-token"));

    // Empty pages pointing to themselves: retried a few times, then stopped.
    let pages: Pages = Arc::new(|_| json!({"inventoryEntries": [], "continuationToken": "same"}));
    let (client, calls) = serve(pages).await;
    let err = bounded(client.inventory()).await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::PagingLoop { .. }), "{err:?}");
    assert!(
        calls.load(Ordering::Relaxed) <= 6,
        "{}",
        calls.load(Ordering::Relaxed)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_404_for_the_language_falls_back_to_the_first_supported() {
    let pages: Pages = Arc::new(|_| json!({"inventoryEntries": []}));
    let (client, _) = serve(pages).await;
    let found = bounded(client.localized("9CALC", "0010", "en-GB")).await.unwrap();
    assert_eq!(
        (found.name.as_str(), found.language.as_str()),
        ("Rechner", "de-DE")
    );
    assert_eq!(found.publisher.as_deref(), Some("Fabrikam"));
}
