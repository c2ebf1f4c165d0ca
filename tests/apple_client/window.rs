//! The read-ahead window (issue 8) against a scripted Apple: a few pages
//! at a time (Apple allows at most five), every page once and in order
//! whatever its size (empty ones too), more pages followed when a later
//! page announces them, a shrunk end (9650) ending the read.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine as _;
use seats::connectors::apple::{AppleClient, AppleConfig, AppleToken};
use serde_json::{Value, json};

use crate::support::quick_http;

/// Users per page as they are now, and the `totalPages` page 0 and the
/// later pages tell.
struct Script {
    pages: Vec<usize>,
    announced: (usize, usize),
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
    asked: Mutex<Vec<usize>>,
}

async fn users(State(script): State<Arc<Script>>, Query(query): Query<HashMap<String, String>>) -> Response {
    let index: usize = query.get("pageIndex").map_or(0, |p| p.parse().unwrap());
    script.asked.lock().unwrap().push(index);
    let now = script.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    script.most_in_flight.fetch_max(now, Ordering::SeqCst);
    // Long enough for the pages asked ahead to overlap.
    tokio::time::sleep(Duration::from_millis(25)).await;
    script.in_flight.fetch_sub(1, Ordering::SeqCst);
    let total = if index == 0 {
        script.announced.0
    } else {
        script.announced.1
    };
    let Some(&size) = script.pages.get(index) else {
        let body = json!({"errorNumber": 9650, "errorMessage": "pageIndex out of range"});
        return (StatusCode::BAD_REQUEST, axum::Json(body)).into_response();
    };
    let users: Vec<Value> = (0..size)
        .map(|k| json!({"clientUserId": format!("seats:u{index}-{k}"), "status": "Associated"}))
        .collect();
    let mut body = json!({
        "users": users, "currentPageIndex": index, "totalPages": total, "size": 100,
        "versionId": "v1", "uId": "1", "tokenExpirationDate": "2030-11-08T22:33:22+0000",
    });
    if index + 1 < total {
        body["nextPageIndex"] = json!(index + 1);
    }
    axum::Json(body).into_response()
}

/// Reads every user from a scripted Apple; the ids read and the script.
async fn read(pages: Vec<usize>, announced: (usize, usize)) -> (Vec<String>, Arc<Script>) {
    let script = Arc::new(Script {
        pages,
        announced,
        in_flight: AtomicUsize::new(0),
        most_in_flight: AtomicUsize::new(0),
        asked: Mutex::new(Vec::new()),
    });
    let app = Router::new()
        .route("/mdm/v2/users", get(users))
        .with_state(Arc::clone(&script));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let file = base64::engine::general_purpose::STANDARD
        .encode(json!({"token": "t", "expDate": "2030-11-08T22:33:22+0000", "orgName": "ORG"}).to_string());
    let config = AppleConfig {
        api_url: format!("{base}/mdm/v2"),
        lookup_url: format!("{base}/lookup"),
        http: quick_http(),
        ..AppleConfig::default()
    };
    let client = AppleClient::new(config, AppleToken::from_file_text(&file).unwrap()).unwrap();
    let read = tokio::time::timeout(crate::support::BOUND, client.users(None))
        .await
        .unwrap()
        .unwrap();
    server.abort();
    let ids = read.items.into_iter().map(|u| u.client_user_id).collect();
    (ids, script)
}

/// The ids `pages` hold, in order.
fn expected(pages: &[usize]) -> Vec<String> {
    let mut ids = Vec::new();
    for (index, &size) in pages.iter().enumerate() {
        ids.extend((0..size).map(|k| format!("seats:u{index}-{k}")));
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_read_a_few_ahead_in_order_whatever_their_size() {
    let pages = vec![3, 0, 5, 1, 7, 2, 0, 0, 4, 6, 3, 2, 1, 9, 1, 1];
    let (ids, script) = read(pages.clone(), (pages.len(), pages.len())).await;
    assert_eq!(ids, expected(&pages), "every user once, in page order");
    let mut asked = script.asked.lock().unwrap().clone();
    asked.sort_unstable();
    assert_eq!(asked, (0..pages.len()).collect::<Vec<_>>(), "every page once");
    let most = script.most_in_flight.load(Ordering::SeqCst);
    assert!(most <= 5, "Apple allows at most five at once; {most} were");
    assert!(most >= 2, "pages are read ahead ({most} at most at once)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_announced_later_are_read_and_a_shrunk_end_stops_the_read() {
    // Page 0 announces 3 pages; the later ones say there are 11.
    let pages = vec![2, 2, 2, 2, 0, 2, 2, 2, 2, 2, 1];
    let (ids, _) = read(pages.clone(), (3, 11)).await;
    assert_eq!(ids, expected(&pages));
    // Every page announces 12; only 5 are left: 9650 for page 5 ends it.
    let pages = vec![4, 4, 4, 4, 4];
    let (ids, script) = read(pages.clone(), (12, 12)).await;
    assert_eq!(ids, expected(&pages));
    let asked = script.asked.lock().unwrap().len();
    assert!(asked <= pages.len() + 5, "{asked} pages asked for");
}
