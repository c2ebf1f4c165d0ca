//! Graph's wire conventions shared by every route: the JSON content type,
//! request ids, and the error body with its `innerError`.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// Graph's content type for JSON answers.
pub(crate) const JSON_TYPE: &str =
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/// The ids of one request, set by the envelope before any route runs.
#[derive(Debug, Clone)]
pub(crate) struct Ids {
    pub request_id: String,
    pub client_request_id: String,
}

impl Ids {
    /// New ids; the client's `client-request-id` is echoed when it sent one.
    pub(crate) fn for_request(headers: &HeaderMap) -> Ids {
        let request_id = super::rng::random_guid();
        let client_request_id = headers
            .get("client-request-id")
            .and_then(|v| v.to_str().ok())
            .map_or_else(|| request_id.clone(), str::to_owned);
        Ids {
            request_id,
            client_request_id,
        }
    }
}

/// A Graph error, turned into `{"error":{code, message, innerError}}` once
/// the request's ids are known (see [`finish`]).
#[derive(Debug, Clone)]
pub(crate) struct GraphError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub headers: Vec<(&'static str, String)>,
}

impl GraphError {
    pub(crate) fn new(status: u16, code: &str, message: impl Into<String>) -> GraphError {
        GraphError {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code: code.to_owned(),
            message: message.into(),
            headers: Vec::new(),
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> GraphError {
        GraphError::new(400, "Request_BadRequest", message)
    }

    /// A failure of the simulator itself (its state file).
    pub(crate) fn internal(err: impl std::fmt::Display) -> GraphError {
        tracing::warn!(%err, "simulator request failed");
        GraphError::new(500, "generalException", format!("The simulator failed: {err}"))
    }

    pub(crate) fn with_header(mut self, name: &'static str, value: impl Into<String>) -> GraphError {
        self.headers.push((name, value.into()));
        self
    }
}

impl From<rusqlite::Error> for GraphError {
    fn from(err: rusqlite::Error) -> GraphError {
        GraphError::internal(err)
    }
}

impl From<super::licenses::Refusal> for GraphError {
    fn from(refusal: super::licenses::Refusal) -> GraphError {
        GraphError::new(refusal.status, refusal.code, refusal.message)
    }
}

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = self.status;
        for (name, value) in &self.headers {
            if let Ok(value) = HeaderValue::from_str(value) {
                response.headers_mut().insert(*name, value);
            }
        }
        response.extensions_mut().insert(self);
        response
    }
}

/// Graph's `innerError.date`: UTC, seconds, no offset.
fn error_date() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// The error body of Graph for `err` (429 carries its extra fields).
pub(crate) fn error_body(err: &GraphError, ids: &Ids) -> Value {
    let mut inner = json!({
        "date": error_date(),
        "request-id": ids.request_id,
        "client-request-id": ids.client_request_id,
    });
    if err.status == StatusCode::TOO_MANY_REQUESTS {
        inner["code"] = json!("429");
        inner["message"] = json!("Please retry after");
        inner["status"] = json!("429");
    }
    json!({"error": {"code": err.code, "message": err.message, "innerError": inner}})
}

/// Fills in the body of a [`GraphError`] response and sets Graph's headers.
pub(crate) fn finish(mut response: Response, ids: &Ids) -> Response {
    if let Some(err) = response.extensions_mut().remove::<GraphError>() {
        let body = error_body(&err, ids).to_string();
        *response.body_mut() = Body::from(body);
        set_json(response.headers_mut());
    }
    let headers = response.headers_mut();
    for (name, value) in [
        ("request-id", ids.request_id.as_str()),
        ("client-request-id", ids.client_request_id.as_str()),
    ] {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    }
    headers.insert(
        "x-ms-ags-diagnostic",
        HeaderValue::from_static(
            r#"{"ServerInfo":{"DataCenter":"Loopback","Slice":"E","Ring":"1","ScaleUnit":"000","RoleInstance":"SEATS-SIM"}}"#,
        ),
    );
    response
}

fn set_json(headers: &mut HeaderMap) {
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_TYPE));
}

/// A JSON answer with Graph's content type.
pub(crate) fn json_response(status: StatusCode, value: &Value) -> Response {
    let mut response = Response::new(Body::from(value.to_string()));
    *response.status_mut() = status;
    set_json(response.headers_mut());
    response
}

/// A 200 collection page written from its parts: `value` is the JSON text
/// of its list (serialized straight from the rows, without a tree of
/// values), `links` the `@odata.nextLink` or `@odata.deltaLink` it carries.
pub(crate) fn page_response(context: &str, value: &str, links: &[(&str, &str)]) -> Response {
    let quoted = |text: &str| serde_json::to_string(text).unwrap_or_default();
    let mut body = String::with_capacity(value.len() + 512);
    body.push_str("{\"@odata.context\":");
    body.push_str(&quoted(context));
    body.push_str(",\"value\":");
    body.push_str(value);
    for (name, link) in links {
        body.push(',');
        body.push_str(&quoted(name));
        body.push(':');
        body.push_str(&quoted(link));
    }
    body.push('}');
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::OK;
    set_json(response.headers_mut());
    response
}

/// `http://host:port` as the client addressed us, for links in answers.
pub(crate) fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

/// What a Graph route answers.
pub(crate) type GraphResult = Result<Response, GraphError>;
