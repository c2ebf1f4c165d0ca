//! Apple's error body (`{errorNumber, errorMessage, errorInfo?}`) with the
//! HTTP status apis.md §3.5 gives each number. The guard may rewrite the
//! status to 200 (Apple answers some errors that way).

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::sim::http::GraphError;

/// Marks a response as an Apple error, for the HTTP-200 fault.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ErrorMark;

/// One Apple error.
#[derive(Debug, Clone)]
pub(crate) struct AppleError {
    pub number: i64,
    pub message: String,
    pub info: Option<Value>,
    pub retry_after: Option<String>,
    /// A status other than the number's (a drawn 502, 503 or 504).
    pub http_status: Option<u16>,
}

impl AppleError {
    pub(crate) fn new(number: i64, message: impl Into<String>) -> AppleError {
        AppleError {
            number,
            message: message.into(),
            info: None,
            retry_after: None,
            http_status: None,
        }
    }

    pub(crate) fn with_info(mut self, info: Value) -> AppleError {
        self.info = Some(info);
        self
    }

    pub(crate) fn with_retry_after(mut self, seconds: String) -> AppleError {
        self.retry_after = Some(seconds);
        self
    }

    pub(crate) fn with_status(mut self, status: u16) -> AppleError {
        self.http_status = Some(status);
        self
    }

    pub(crate) fn invalid(message: impl Into<String>) -> AppleError {
        AppleError::new(9602, message)
    }

    /// The HTTP status Apple gives this number.
    pub(crate) fn status(&self) -> StatusCode {
        let code = self.http_status.unwrap_or(match self.number {
            9601 | 9621 | 9625 | 9722 => 401,
            9603 => 500,
            9634 => 410,
            9646 => 429,
            9726 => 405,
            9727 => 415,
            9604 => 503,
            _ => 400,
        });
        StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST)
    }

    /// The body, `{errorNumber, errorMessage, errorInfo?}`.
    pub(crate) fn body(&self) -> Value {
        let mut body = json!({"errorNumber": self.number, "errorMessage": self.message});
        if let Some(info) = &self.info {
            body["errorInfo"] = info.clone();
        }
        body
    }
}

impl From<GraphError> for AppleError {
    fn from(err: GraphError) -> AppleError {
        AppleError::new(9603, format!("Internal error: {}", err.message))
    }
}

impl From<rusqlite::Error> for AppleError {
    fn from(err: rusqlite::Error) -> AppleError {
        AppleError::from(GraphError::internal(err))
    }
}

impl IntoResponse for AppleError {
    fn into_response(self) -> Response {
        let mut response = json_response(self.status(), &self.body());
        if let Some(value) = self
            .retry_after
            .as_deref()
            .and_then(|v| HeaderValue::from_str(v).ok())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response.extensions_mut().insert(ErrorMark);
        response
    }
}

/// A JSON answer (Apple sends plain `application/json`).
pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    response
}

/// What an Apple route answers.
pub(crate) type AppleResult = Result<Response, AppleError>;
