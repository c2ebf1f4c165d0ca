//! The store's refusals as connector errors that name the app and the
//! user. Microsoft documents the fields of an error (`Parameter name`,
//! `Reason`, `Details`, `ItemType`, `Values`), not where they sit, so
//! they are looked for at the top of the body and under `data`, any case.

use reqwest::StatusCode;
use serde_json::Value;

use super::wire::field;
use crate::connectors::error::{ConnectorError, ErrorDetail, ErrorKind, Target};
use crate::connectors::http::Reply;
use crate::domain::store_business::SeatRefusal;

/// What the store said, read from a failed answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct StoreSaid {
    pub reason: Option<String>,
    pub details: Option<String>,
    pub item_type: Option<String>,
    pub parameter: Option<String>,
}

/// Reads the store's fields from an error body.
pub(crate) fn said(body: &[u8]) -> StoreSaid {
    let Ok(json) = serde_json::from_slice::<Value>(body) else {
        return StoreSaid::default();
    };
    let look = |name: &str| -> Option<String> {
        let found = field(&json, name).or_else(|| field(&json, "data").and_then(|d| field(d, name)));
        found.and_then(|v| match v {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    };
    StoreSaid {
        reason: look("Reason"),
        details: look("Details"),
        item_type: look("ItemType").or_else(|| look("Item type")),
        parameter: look("Parameter name"),
    }
}

/// The shared detail (status, request id, code, message), with the
/// store's reason and details as the message when it gave them.
pub(crate) fn detail(reply: &Reply) -> ErrorDetail {
    let mut detail = reply.detail();
    let store = said(&reply.body);
    if let Ok(json) = serde_json::from_slice::<Value>(&reply.body) {
        if detail.code.is_none() {
            detail.code = field(&json, "code").and_then(Value::as_str).map(str::to_owned);
        }
        let mut parts: Vec<String> = Vec::new();
        if let Some(parameter) = &store.parameter {
            parts.push(format!("parameter {parameter}"));
        }
        parts.extend(store.reason.iter().cloned());
        parts.extend(store.details.iter().cloned());
        if let Some(kind) = &store.item_type {
            parts.push(format!("{kind} not found"));
        }
        if !parts.is_empty() {
            detail.message = Some(parts.join(": "));
        } else if let Some(message) = field(&json, "message").and_then(Value::as_str) {
            detail.message = Some(message.to_owned());
        }
    }
    for header in ["ms-cv", "x-ms-correlation-id", "x-correlation-id"] {
        if detail.request_id.is_none() {
            detail.request_id = reply
                .headers
                .get(header)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
        }
    }
    detail
}

/// Why the store refused, from the status and its fields.
pub(crate) fn refusal(status: StatusCode, store: &StoreSaid) -> Option<SeatRefusal> {
    let text = format!(
        "{} {}",
        store.reason.as_deref().unwrap_or_default(),
        store.details.as_deref().unwrap_or_default()
    );
    match status {
        StatusCode::NOT_FOUND => Some(match store.item_type.as_deref().map(str::to_ascii_lowercase) {
            Some(kind) if kind == "user" => SeatRefusal::UnknownUser,
            Some(kind) if kind == "seat" => SeatRefusal::NoSeat,
            _ => SeatRefusal::UnknownApp,
        }),
        StatusCode::CONFLICT | StatusCode::BAD_REQUEST => {
            let reason = reason_of(&text);
            (reason != SeatRefusal::Other).then_some(reason)
        }
        _ => None,
    }
}

/// A refusal from its words (`failureReason` of a bulk call, `Reason`).
pub(crate) fn reason_of(text: &str) -> SeatRefusal {
    let lower = text.to_ascii_lowercase();
    if lower.contains("not online") {
        SeatRefusal::NotOnline
    } else if lower.contains("seat")
        && ["available", "left", "exhaust", "insufficient"]
            .iter()
            .any(|w| lower.contains(w))
    {
        SeatRefusal::NoSeatsLeft
    } else if lower.contains("user") && lower.contains("not found") {
        SeatRefusal::UnknownUser
    } else if lower.contains("seat") && lower.contains("not found") {
        SeatRefusal::NoSeat
    } else if (lower.contains("inventory") || lower.contains("product")) && lower.contains("not found") {
        SeatRefusal::UnknownApp
    } else {
        SeatRefusal::Other
    }
}

/// The error for an answer that is not a success, about `app` and `user`.
pub(crate) fn failure(target: Target, reply: &Reply, app: String, user: Option<&str>) -> ConnectorError {
    let store = said(&reply.body);
    let detail = detail(reply);
    if reply.status == StatusCode::FORBIDDEN {
        return ErrorKind::Forbidden {
            target,
            detail,
            permission: "of a management tool: enable the application as the management tool in the \
                         Store for Business settings (Distribute → Management tools)",
        }
        .into();
    }
    match refusal(reply.status, &store) {
        Some(reason) => ErrorKind::StoreRefused {
            target,
            app,
            user: user.map(str::to_owned),
            reason,
            detail,
        }
        .into(),
        None => ErrorKind::Rejected { target, detail }.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_store_fields_are_found_under_data_or_on_top() {
        let body = br#"{"code":"Conflict","message":"Conflict","data":{"Reason":"Not online"}}"#;
        let store = said(body);
        assert_eq!(store.reason.as_deref(), Some("Not online"));
        assert_eq!(
            refusal(StatusCode::CONFLICT, &store),
            Some(SeatRefusal::NotOnline)
        );
        let top = said(br#"{"itemType":"User","values":"x@y"}"#);
        assert_eq!(
            refusal(StatusCode::NOT_FOUND, &top),
            Some(SeatRefusal::UnknownUser)
        );
        assert_eq!(
            refusal(StatusCode::NOT_FOUND, &said(b"")),
            Some(SeatRefusal::UnknownApp)
        );
    }

    #[test]
    fn reasons_are_read_from_their_words() {
        assert_eq!(reason_of("Not online"), SeatRefusal::NotOnline);
        assert_eq!(reason_of("No seats available"), SeatRefusal::NoSeatsLeft);
        assert_eq!(reason_of("User not found"), SeatRefusal::UnknownUser);
        assert_eq!(reason_of("Seat not found"), SeatRefusal::NoSeat);
        assert_eq!(reason_of("Inventory not found"), SeatRefusal::UnknownApp);
        assert_eq!(reason_of("Something else"), SeatRefusal::Other);
        assert_eq!(
            refusal(
                StatusCode::BAD_REQUEST,
                &said(br#"{"Reason":"Invalid parameter"}"#)
            ),
            None
        );
    }
}
