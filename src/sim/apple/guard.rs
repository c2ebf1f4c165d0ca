//! What every `/mdm/v2` call passes: the request log, the shared fault
//! draw (429 as 9646, 5xx, broken connections), the bearer check (the
//! whole base64 token file), expired and revoked tokens, due events, and
//! errors rewritten to HTTP 200 under the `apple-http200` fault.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::{AppleError, ErrorMark};
use super::events::process_due;
use crate::sim::faults::{Fault, Faults};
use crate::sim::server::{Shared, TransportFault};
use crate::sim::tenant::{meta, now_ms};

pub(crate) async fn guard(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let line = match request.uri().path_and_query() {
        Some(pq) => format!("{} {pq}", request.method()),
        None => request.method().to_string(),
    };
    shared.note_request(line);
    let (fault, faults, retry_after) = shared.draw();
    if !faults.slow.is_zero() {
        tokio::time::sleep(faults.slow).await;
    }
    let response = match fault {
        Some(Fault::Status(status)) => status_fault(status, retry_after).into_response(),
        Some(Fault::Hang) => std::future::pending::<Response>().await,
        Some(Fault::Reset) => {
            let mut response = Response::new(Body::empty());
            response.extensions_mut().insert(TransportFault::Reset);
            response
        }
        Some(Fault::Truncate) => {
            let mut response = checked(&shared, &faults, request, next).await;
            response.extensions_mut().insert(TransportFault::Truncate);
            response
        }
        _ => checked(&shared, &faults, request, next).await,
    };
    if faults.apple_http200 {
        to_http200(response)
    } else {
        response
    }
}

/// Apple's answer for a drawn status fault.
fn status_fault(status: u16, retry_after: String) -> AppleError {
    match status {
        429 => AppleError::new(9646, "Too many recent calls. Please try again later.")
            .with_retry_after(retry_after),
        401 => AppleError::new(9621, "Token expired. Please get a new token."),
        // Apple: "5xx may carry Retry-After"; the drawn status is kept.
        status => AppleError::new(9603, "Service temporarily unavailable.")
            .with_retry_after(retry_after)
            .with_status(status),
    }
}

/// The response with status 200 when it is an Apple error other than a
/// throttle or a server failure (those keep their status).
fn to_http200(mut response: Response) -> Response {
    let status = response.status();
    let marked = response.extensions().get::<ErrorMark>().is_some();
    if marked && status != StatusCode::TOO_MANY_REQUESTS && !status.is_server_error() {
        *response.status_mut() = StatusCode::OK;
    }
    response
}

/// 9726 for a method the path does not take.
pub(crate) async fn method_not_allowed(request: Request) -> Response {
    AppleError::new(9726, format!("Unsupported method {}.", request.method())).into_response()
}

/// 9727 for a body that is not declared JSON.
fn is_json_post(request: &Request) -> bool {
    request.method() != axum::http::Method::POST
        || request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().starts_with("application/json"))
}

/// The token check, then the route.
async fn checked(shared: &Arc<Shared>, faults: &Faults, request: Request, next: Next) -> Response {
    if !is_json_post(&request) {
        return AppleError::new(9727, "Unsupported Content-Type; send application/json.").into_response();
    }
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned());
    let expired_by_fault = faults.apple_expired;
    let revoked = faults.apple_revoked;
    let verdict = shared
        .db
        .run(move |conn| {
            let file = meta(conn, "apple_token_file")?.unwrap_or_default();
            let previous = meta(conn, "apple_token_previous")?.filter(|p| !p.is_empty());
            if presented.is_some() && presented == previous {
                return Ok(Err(AppleError::new(9625, "The server has revoked the sToken.")));
            }
            if presented.as_deref() != Some(file.as_str()) || file.is_empty() {
                return Ok(Err(AppleError::new(
                    9722,
                    "Authorization header is missing or invalid.",
                )));
            }
            if revoked {
                return Ok(Err(AppleError::new(9625, "The server has revoked the sToken.")));
            }
            let expires = meta(conn, "apple_token_expires")?.unwrap_or_default();
            if expired_by_fault || has_passed(&expires) {
                return Ok(Err(AppleError::new(9621, "The sToken has expired.")));
            }
            process_due(conn, now_ms())?;
            Ok(Ok(()))
        })
        .await;
    match verdict {
        Ok(Ok(())) => next.run(request).await,
        Ok(Err(err)) => err.into_response(),
        Err(err) => AppleError::from(err).into_response(),
    }
}

/// Whether an `expDate` (`2030-11-08T22:33:22+0000`) lies in the past.
fn has_passed(text: &str) -> bool {
    chrono::DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%z")
        .map(|at| at.timestamp_millis() <= now_ms())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http200_keeps_throttles_and_server_failures() {
        let throttled = to_http200(status_fault(429, "1".into()).into_response());
        assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(throttled.headers()[header::RETRY_AFTER], "1");
        let failed = to_http200(status_fault(503, "2".into()).into_response());
        assert_eq!(failed.status(), StatusCode::SERVICE_UNAVAILABLE);
        let expired = to_http200(AppleError::new(9621, "x").into_response());
        assert_eq!(expired.status(), StatusCode::OK);
        assert!(has_passed("2001-01-01T00:00:00+0000"));
        assert!(!has_passed("2999-01-01T00:00:00-0700"));
    }
}
