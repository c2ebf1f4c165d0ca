//! The routes, and the layers every Graph request passes: the envelope
//! (request ids, error bodies), the bearer check, and the faults.

mod batch;
mod delta;
mod detected_apps;
mod faults;
mod groups;
mod member_out;
mod organization;
mod token;
mod users;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::http::{GraphError, Ids, finish};
use super::licenses::process_due_jobs;
use super::server::Shared;
use super::tenant::now_ms;

/// The whole service: the token endpoint and Graph with its faults. The
/// Graph routes without faults are kept in `shared.inner` for `$batch`.
pub(crate) fn router(shared: &Arc<Shared>) -> Router {
    let graph = graph_routes().with_state(Arc::clone(shared));
    let inner = graph
        .clone()
        .layer(from_fn_with_state(Arc::clone(shared), require_token));
    // Set once per server; a second router on the same state keeps the first.
    let _ = shared.inner.set(inner);
    let outer = graph
        .layer(from_fn_with_state(Arc::clone(shared), faults::inject))
        .layer(from_fn_with_state(Arc::clone(shared), require_token));
    let store = super::store_business::routes()
        .with_state(Arc::clone(shared))
        .layer(from_fn_with_state(Arc::clone(shared), faults::inject))
        .layer(from_fn_with_state(
            Arc::clone(shared),
            super::store_business::require_token,
        ));
    Router::new()
        .route("/{tenant}/oauth2/v2.0/token", post(token::token))
        .with_state(Arc::clone(shared))
        .merge(outer)
        .merge(store)
        .fallback(fallback)
        .layer(from_fn(envelope))
        // Apple's routes answer in Apple's format, outside Graph's envelope.
        .merge(super::apple::router(shared))
}

fn graph_routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1.0/organization", get(organization::organization))
        .route("/v1.0/subscribedSkus", get(organization::subscribed_skus))
        .route("/v1.0/subscribedSkus/{id}", get(organization::subscribed_sku))
        .route("/v1.0/users", get(users::list))
        .route("/v1.0/users/delta", get(delta::delta))
        .route("/v1.0/users/{id}", get(users::one))
        .route("/v1.0/users/{id}/assignLicense", post(users::assign_license))
        .route("/v1.0/users/{id}/licenseDetails", get(users::license_details))
        .route("/v1.0/groups", get(groups::list))
        .route("/v1.0/groups/{id}", get(groups::one))
        .route("/v1.0/groups/{id}/members", get(groups::members))
        .route(
            "/v1.0/groups/{id}/transitiveMembers",
            get(groups::transitive_members),
        )
        .route("/v1.0/groups/{id}/assignLicense", post(groups::assign_license))
        .route("/v1.0/$batch", post(batch::batch))
        .route("/v1.0/deviceManagement/detectedApps", get(detected_apps::list))
        .route(
            "/v1.0/deviceManagement/detectedApps/{id}/managedDevices",
            get(detected_apps::managed_devices),
        )
        .method_not_allowed_fallback(method_not_allowed)
}

async fn method_not_allowed(request: Request) -> Response {
    let message = format!(
        "The HTTP method '{}' is not allowed for {}.",
        request.method(),
        request.uri().path()
    );
    GraphError::new(405, "Request_BadRequest", message).into_response()
}

/// Request ids in, Graph's headers and error bodies out.
async fn envelope(mut request: Request, next: Next) -> Response {
    let ids = Ids::for_request(request.headers());
    request.extensions_mut().insert(ids.clone());
    finish(next.run(request).await, &ids)
}

/// Every Graph call needs a live bearer token from the token endpoint;
/// group license jobs that are due run before the call is served.
async fn require_token(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let line = match request.uri().path_and_query() {
        Some(pq) => format!("{} {pq}", request.method()),
        None => request.method().to_string(),
    };
    let batched = request.extensions().get::<batch::SubRequest>().is_some();
    if batched {
        shared.log_line(format!("batch {line}"));
    } else {
        shared.note_request(line);
    }
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(|t| t.trim().to_owned());
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return token::invalid_token("Access token is empty.").into_response();
    };
    let now = now_ms();
    let verdict = shared
        .db
        .run(move |conn| {
            use rusqlite::OptionalExtension as _;
            let expires: Option<i64> = conn
                .prepare_cached("SELECT expires_ms FROM sim_tokens WHERE token = ?1")?
                .query_row([token], |row| row.get(0))
                .optional()?;
            if expires.is_some_and(|at| at > now) {
                process_due_jobs(conn, now)?;
            }
            Ok(expires)
        })
        .await;
    match verdict {
        Ok(Some(at)) if at > now => next.run(request).await,
        Ok(Some(_)) => {
            token::invalid_token("Lifetime validation failed, the token is expired.").into_response()
        }
        Ok(None) => token::invalid_token("Access token validation failure.").into_response(),
        Err(err) => err.into_response(),
    }
}

/// Graph's answer for a path it has no resource for.
async fn fallback(request: Request) -> Response {
    let path = request.uri().path();
    match path.strip_prefix("/v1.0/") {
        Some(rest) => {
            let segment = rest.split('/').next().unwrap_or(rest);
            GraphError::new(
                400,
                "BadRequest",
                format!("Resource not found for the segment '{segment}'."),
            )
            .into_response()
        }
        None => GraphError::new(
            404,
            "NotFound",
            format!("No service at {path}; Graph is under /v1.0/."),
        )
        .into_response(),
    }
}
