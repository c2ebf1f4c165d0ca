//! `POST /$batch`: up to 20 requests, each served by the same Graph routes
//! (bearer check included) and answered as `{id, status, headers, body}`.
//! A status fault (429, 5xx) may hit any one sub-request, as Graph
//! throttles inside batches; the answers come back in reverse order, since
//! Graph promises no order.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use serde_json::{Map, Value, json};

use super::faults::status_fault;
use super::users::json_body;
use crate::sim::faults::Fault;
use crate::sim::http::{GraphError, GraphResult, Ids, error_body, finish, json_response};
use crate::sim::server::Shared;

/// Graph's limit of requests in one batch.
const MAX_REQUESTS: usize = 20;

/// Marks a request made from inside a batch.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SubRequest;

fn bad(message: impl Into<String>) -> GraphError {
    GraphError::new(400, "BadRequest", message)
}

pub(crate) async fn batch(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> GraphResult {
    let body = json_body(&body)?;
    let requests = body
        .get("requests")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("Invalid batch payload format: the body must be {\"requests\": [...]}."))?;
    if requests.is_empty() {
        return Err(bad("Invalid batch payload format: the requests array is empty."));
    }
    if requests.len() > MAX_REQUESTS {
        return Err(bad(format!(
            "The batch holds {} requests; the limit is {MAX_REQUESTS} requests per batch.",
            requests.len()
        )));
    }
    let ids: Vec<String> = requests.iter().map(|r| id_of(r).unwrap_or_default()).collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    if unique.len() != ids.len() {
        return Err(bad("Batch request ids must be unique."));
    }
    let mut responses = Vec::with_capacity(requests.len());
    for item in requests {
        responses.push(answer(&shared, &headers, item).await);
    }
    responses.reverse();
    Ok(json_response(StatusCode::OK, &json!({"responses": responses})))
}

fn id_of(item: &Value) -> Option<String> {
    match item.get("id")? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Serves one sub-request; every outcome becomes a response entry.
async fn answer(shared: &Arc<Shared>, outer: &HeaderMap, item: &Value) -> Value {
    let id = id_of(item).unwrap_or_default();
    let ids = Ids::for_request(&HeaderMap::new());
    let entry = |status: u16, headers: Map<String, Value>, body: Value| json!({"id": id, "status": status, "headers": headers, "body": body});
    let refused = |err: GraphError| {
        let mut headers = Map::new();
        headers.insert("Content-Type".into(), json!("application/json"));
        for (name, value) in &err.headers {
            headers.insert(title_case(name), json!(value));
        }
        entry(err.status.as_u16(), headers, error_body(&err, &ids))
    };
    let request = match build(item, outer) {
        Ok(request) => request,
        Err(err) => return refused(err),
    };
    if let (Some(Fault::Status(status)), _, retry_after) = shared.draw() {
        return refused(status_fault(status, retry_after));
    }
    let Some(router) = shared.inner.get() else {
        return refused(GraphError::internal("the router is not ready"));
    };
    let mut router = router.clone();
    let response = match tower_service::Service::call(&mut router, request).await {
        Ok(response) => finish(response, &ids),
        Err(never) => match never {},
    };
    let status = response.status().as_u16();
    let mut headers = Map::new();
    for name in [header::CONTENT_TYPE, header::RETRY_AFTER, header::LOCATION] {
        if let Some(value) = response.headers().get(&name).and_then(|v| v.to_str().ok()) {
            headers.insert(title_case(name.as_str()), json!(value));
        }
    }
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap_or_default();
    let body: Value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|_| json!(String::from_utf8_lossy(&bytes)))
    };
    entry(status, headers, body)
}

/// "retry-after" → "Retry-After".
fn title_case(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// The sub-request as an HTTP request to the Graph routes.
fn build(item: &Value, outer: &HeaderMap) -> Result<Request, GraphError> {
    id_of(item).ok_or_else(|| bad("Every batch request needs an 'id'."))?;
    let method = item
        .get("method")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("Every batch request needs a 'method'."))?;
    let url = item
        .get("url")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("Every batch request needs a 'url'."))?;
    let relative = url.trim_start_matches('/');
    if relative.starts_with("$batch") || url.contains("://") {
        return Err(bad(format!(
            "Invalid request URL {url:?}: batch URLs are relative to the version, such as /users/{{id}}/assignLicense, and batches do not nest."
        )));
    }
    let mut builder = Request::builder()
        .method(method.to_ascii_uppercase().as_str())
        .uri(format!("/v1.0/{relative}"));
    for name in [header::AUTHORIZATION, header::HOST] {
        if let Some(value) = outer.get(&name) {
            builder = builder.header(name, value.clone());
        }
    }
    let mut has_type = false;
    if let Some(headers) = item.get("headers").and_then(Value::as_object) {
        for (name, value) in headers {
            let Some(value) = value.as_str().and_then(|v| HeaderValue::from_str(v).ok()) else {
                continue;
            };
            has_type |= name.eq_ignore_ascii_case("content-type");
            builder = builder.header(name.as_str(), value);
        }
    }
    let body = match item.get("body") {
        None | Some(Value::Null) => Body::empty(),
        Some(_) if !has_type => {
            return Err(bad(
                "A batch request with a body must carry a Content-Type header (application/json).",
            ));
        }
        Some(body) => Body::from(body.to_string()),
    };
    let mut request = builder
        .body(body)
        .map_err(|err| bad(format!("Invalid batch request: {err}")))?;
    request.extensions_mut().insert(SubRequest);
    Ok(request)
}
