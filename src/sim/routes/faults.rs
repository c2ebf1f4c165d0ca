//! The fault layer: at most one drawn fault per Graph request (after the
//! bearer check), as an error status, a broken connection, a hang, or a
//! 200 whose body is wrong.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::token::invalid_token;
use crate::sim::faults::Fault;
use crate::sim::http::{GraphError, base_url, json_response};
use crate::sim::paging::context;
use crate::sim::server::{Shared, TransportFault};
use crate::sim::store_business;

/// Bodies larger than this are not rewritten by a fault (never the case:
/// a page of 999 users is a few MB).
const BODY_LIMIT: usize = 256 * 1024 * 1024;

pub(crate) async fn inject(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let (fault, faults, retry_after) = shared.draw();
    if !faults.slow.is_zero() {
        tokio::time::sleep(faults.slow).await;
    }
    match fault {
        None => next.run(request).await,
        Some(Fault::Status(status)) => status_fault(status, retry_after).into_response(),
        Some(Fault::Hang) => std::future::pending::<Response>().await,
        Some(Fault::Reset) => {
            let mut response = Response::new(Body::empty());
            response.extensions_mut().insert(TransportFault::Reset);
            response
        }
        Some(Fault::Truncate) => {
            let mut response = next.run(request).await;
            response.extensions_mut().insert(TransportFault::Truncate);
            response
        }
        Some(Fault::Malformed) => rewrite(next.run(request).await, wrong_shape).await,
        Some(Fault::BadJson) => rewrite(next.run(request).await, cut_json).await,
        Some(Fault::Empty) if store_business::is_collection(&request) => store_business::empty_page(&request),
        Some(Fault::Empty) if is_collection(&request) => empty_page(&request),
        Some(Fault::Empty) => next.run(request).await,
    }
}

/// Graph's error for a drawn status.
pub(crate) fn status_fault(status: u16, retry_after: String) -> GraphError {
    match status {
        401 => invalid_token("Lifetime validation failed, the token is expired."),
        429 => GraphError::new(429, "TooManyRequests", "Please retry again later.")
            .with_header("retry-after", retry_after)
            .with_header("x-ms-throttle-information", "ResourceUnitLimitExceeded")
            .with_header(
                "x-ms-throttle-scope",
                "Tenant_Application/ReadWrite/simulator/simulator",
            ),
        503 => GraphError::new(
            503,
            "serviceNotAvailable",
            "The service is temporarily unavailable. Please retry later.",
        )
        .with_header("retry-after", retry_after),
        502 => GraphError::new(502, "BadGateway", "The gateway received an invalid response."),
        504 => GraphError::new(
            504,
            "GatewayTimeout",
            "The gateway did not receive a response in time.",
        ),
        _ => GraphError::new(500, "generalException", "An unexpected error occurred."),
    }
}

fn is_collection(request: &Request) -> bool {
    let path = request.uri().path();
    request.method() == axum::http::Method::GET
        && [
            "/users",
            "/users/delta",
            "/groups",
            "/members",
            "/transitiveMembers",
            "/detectedApps",
            "/managedDevices",
        ]
        .iter()
        .any(|end| path.ends_with(end))
}

/// An empty page whose nextLink asks for the same page again.
fn empty_page(request: &Request) -> Response {
    let base = base_url(request.headers());
    let again = match request.uri().path_and_query() {
        Some(pq) => format!("{base}{pq}"),
        None => base.clone(),
    };
    let what = request.uri().path().rsplit('/').next().unwrap_or("users");
    json_response(
        StatusCode::OK,
        &json!({"@odata.context": context(&base, what), "value": [], "@odata.nextLink": again}),
    )
}

/// Rewrites the body of a successful JSON answer.
async fn rewrite(response: Response, change: fn(Bytes) -> Bytes) -> Response {
    if !response.status().is_success() {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(err) => return GraphError::internal(err).into_response(),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(change(bytes)))
}

/// Valid JSON of the wrong shape: a collection's `value` becomes an
/// object, any other object comes wrapped in an array.
fn wrong_shape(bytes: Bytes) -> Bytes {
    let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let changed = match value {
        Value::Object(mut object) if object.get("value").is_some_and(Value::is_array) => {
            let items = object
                .remove("value")
                .and_then(|v| v.as_array().cloned())
                .unwrap_or_default();
            let keyed: Map<String, Value> = items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v))
                .collect();
            object.insert("value".into(), Value::Object(keyed));
            Value::Object(object)
        }
        other => json!([other]),
    };
    Bytes::from(changed.to_string())
}

/// The first half of the JSON text, as a complete HTTP answer.
fn cut_json(bytes: Bytes) -> Bytes {
    bytes.slice(..bytes.len() / 2)
}
