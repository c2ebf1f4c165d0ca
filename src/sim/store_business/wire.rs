//! The store's JSON: its error bodies, its records, and its query strings.
//!
//! Error bodies: Microsoft documents the *fields* of an error (400:
//! `Parameter name`, `Reason`, `Details`; 404: `ItemType`, `Values`; 409:
//! `Reason: Not online`), not the envelope. The simulator sends
//! `{"code", "message", "data": {those fields}}`, the shape of the other
//! Microsoft REST services of the time. "No seats left" under a Restricted
//! policy has no documented code: the simulator answers 409 Conflict with
//! `Reason: No seats available` (a conflict with the inventory's state,
//! like "Not online").

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::sim::http::GraphError;

/// The failure reasons the simulator uses, also in `failedSeatOperations`.
pub(crate) const NOT_ONLINE: &str = "Not online";
pub(crate) const NO_SEATS: &str = "No seats available";
pub(crate) const NOT_OWNED: &str = "Not owned";
pub(crate) const NOT_OFFLINE: &str = "Not offline";
pub(crate) const USER_NOT_FOUND: &str = "User not found";
pub(crate) const SEAT_NOT_FOUND: &str = "Seat not found";
pub(crate) const INVENTORY_NOT_FOUND: &str = "Inventory not found";

/// A refusal of the store, with its body.
#[derive(Debug, Clone)]
pub(crate) struct StoreFail {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub data: Value,
    /// The short reason a bulk operation reports for one user.
    pub reason: &'static str,
}

impl StoreFail {
    /// 400: a parameter that cannot be used.
    pub(crate) fn invalid(parameter: &str, details: impl Into<String>) -> StoreFail {
        StoreFail {
            status: StatusCode::BAD_REQUEST,
            code: "InvalidParameters",
            message: "Invalid parameters".to_owned(),
            data: json!({
                "Parameter name": parameter,
                "Reason": "Invalid parameter",
                "Details": details.into(),
            }),
            reason: "Invalid parameter",
        }
    }

    /// 404 for an item of `item_type` (Inventory, User, Seat).
    pub(crate) fn not_found(item_type: &'static str, values: impl Into<String>) -> StoreFail {
        let reason = match item_type {
            "User" => USER_NOT_FOUND,
            "Seat" => SEAT_NOT_FOUND,
            _ => INVENTORY_NOT_FOUND,
        };
        StoreFail {
            status: StatusCode::NOT_FOUND,
            code: "NotFound",
            message: "Not found".to_owned(),
            data: json!({"ItemType": item_type, "Values": values.into()}),
            reason,
        }
    }

    /// 409 with a reason ("Not online", "No seats available", "Not owned").
    pub(crate) fn conflict(reason: &'static str, details: impl Into<String>) -> StoreFail {
        StoreFail {
            status: StatusCode::CONFLICT,
            code: "Conflict",
            message: "Conflict".to_owned(),
            data: json!({"Reason": reason, "Details": details.into()}),
            reason,
        }
    }

    /// 401 for a missing, unknown or expired token, or one for another
    /// resource.
    pub(crate) fn unauthorized(message: &str) -> StoreFail {
        StoreFail {
            status: StatusCode::UNAUTHORIZED,
            code: "Unauthorized",
            message: message.to_owned(),
            data: json!({"Reason": message}),
            reason: "Unauthorized",
        }
    }

    pub(crate) fn internal(err: impl std::fmt::Display) -> StoreFail {
        tracing::warn!(%err, "store simulator request failed");
        StoreFail {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "InternalServerError",
            message: "An internal error occurred.".to_owned(),
            data: json!({"Details": err.to_string()}),
            reason: "Internal error",
        }
    }

    fn body(&self) -> Value {
        json!({"code": self.code, "message": self.message, "data": self.data})
    }
}

impl From<rusqlite::Error> for StoreFail {
    fn from(err: rusqlite::Error) -> StoreFail {
        StoreFail::internal(err)
    }
}

impl From<GraphError> for StoreFail {
    fn from(err: GraphError) -> StoreFail {
        StoreFail::internal(err.message)
    }
}

impl IntoResponse for StoreFail {
    fn into_response(self) -> Response {
        let mut response = json_answer(self.status, &self.body());
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer resource=\"https://onestore.microsoft.com\""),
            );
        }
        response
    }
}

/// A JSON answer.
pub(crate) fn json_answer(status: StatusCode, value: &Value) -> Response {
    let mut response = Response::new(Body::from(value.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

/// What a store route answers.
pub(crate) type StoreResult = Result<Response, StoreFail>;

/// `{"productId", "skuId"}`.
pub(crate) fn product_key(product_id: &str, sku_id: &str) -> Value {
    json!({"productId": product_id, "skuId": sku_id})
}

/// The decoded query string, names compared without case (the service
/// is .NET's model binding).
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    pub(crate) fn parse(raw: Option<&str>) -> Params {
        Params(
            form_urlencoded::parse(raw.unwrap_or("").as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first value of `name`, None when absent or empty.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.all(name).into_iter().find(|v| !v.is_empty())
    }

    /// Every value of `name` (`licenseTypes=online&licenseTypes=offline`).
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// `maxResults`: `default` when absent, 400 outside 1..=`max`.
    pub(crate) fn max_results(&self, default: usize, max: usize) -> Result<usize, StoreFail> {
        let Some(text) = self.get("maxResults") else {
            return Ok(default);
        };
        match text.trim().parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(StoreFail::invalid(
                "maxResults",
                format!("'{text}' is not a number from 1 to {max}."),
            )),
        }
    }
}

/// `continuationToken`: an opaque position (base64url of a number).
pub(crate) fn encode_position(after: i64) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("seats-sim:{after}"))
}

/// The position in a token of ours; 400 for anything else.
pub(crate) fn decode_position(params: &Params) -> Result<i64, StoreFail> {
    use base64::Engine as _;
    let Some(text) = params.get("continuationToken") else {
        return Ok(0);
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|s| s.strip_prefix("seats-sim:").and_then(|n| n.parse().ok()))
        .ok_or_else(|| StoreFail::invalid("continuationToken", "The continuation token is not valid."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_and_garbage_is_refused() {
        let token = encode_position(42);
        let params = Params::parse(Some(&format!("ContinuationToken={token}")));
        assert_eq!(decode_position(&params).unwrap(), 42);
        let bad = Params::parse(Some("continuationToken=nope"));
        let err = decode_position(&bad).unwrap_err();
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
        assert_eq!(err.data["Parameter name"], "continuationToken");
        assert_eq!(decode_position(&Params::parse(None)).unwrap(), 0);
    }

    #[test]
    fn max_results_is_bounded() {
        assert_eq!(Params::parse(None).max_results(25, 100).unwrap(), 25);
        assert_eq!(
            Params::parse(Some("maxresults=100"))
                .max_results(25, 100)
                .unwrap(),
            100
        );
        assert!(
            Params::parse(Some("maxResults=101"))
                .max_results(25, 100)
                .is_err()
        );
        assert!(Params::parse(Some("maxResults=0")).max_results(25, 100).is_err());
    }
}
