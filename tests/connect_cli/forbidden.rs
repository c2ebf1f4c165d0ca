//! A Graph that signs the app in and lists the organization, but denies
//! `subscribedSkus` with 403, as Graph does for an app without
//! LicenseAssignment.Read.All (the simulator grants every permission).

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde_json::json;

/// The request id of the 403.
pub const REQUEST_ID: &str = "4f0d5c3e-0403-4000-8000-00000000f403";

pub struct Server {
    pub url: String,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Server {
    pub fn start(runtime: &tokio::runtime::Runtime) -> Server {
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let app = Router::new()
            .route("/{tenant}/oauth2/v2.0/token", post(token))
            .route("/v1.0/organization", get(organization))
            .route("/v1.0/subscribedSkus", get(denied));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        runtime.spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        Server { url, _stop: stop }
    }
}

async fn token() -> impl IntoResponse {
    axum::Json(json!({"token_type": "Bearer", "expires_in": 3599, "access_token": "opaque-test-token"}))
}

async fn organization() -> impl IntoResponse {
    axum::Json(json!({"value": [{
        "id": "9a0b7c1d-0000-4000-8000-000000000001",
        "displayName": "Fabrikam",
        "verifiedDomains": [{"name": "fabrikam.example", "isDefault": true, "isInitial": false}]
    }]}))
}

async fn denied() -> impl IntoResponse {
    let body = json!({"error": {
        "code": "Authorization_RequestDenied",
        "message": "Insufficient privileges to complete the operation.",
        "innerError": {"date": "2026-06-01T12:00:00", "request-id": REQUEST_ID, "client-request-id": REQUEST_ID}
    }});
    (
        StatusCode::FORBIDDEN,
        [("request-id", REQUEST_ID)],
        axum::Json(body),
    )
}
