//! The request an error is about, and what the source said about it.

use std::fmt;

use reqwest::header::HeaderMap;
use serde_json::Value;

/// The request an error is about: method, host and path (never the query,
/// which may carry opaque tokens).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub method: String,
    /// `host` or `host:port`.
    pub host: String,
    pub path: String,
}

impl Target {
    pub fn new(method: &reqwest::Method, url: &reqwest::Url) -> Target {
        Target {
            method: method.as_str().to_owned(),
            host: host_of(url),
            path: url.path().to_owned(),
        }
    }
}

/// `host` or `host:port` of a URL, for messages.
pub fn host_of(url: &reqwest::Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

/// What the source said about a failed request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorDetail {
    /// The HTTP status (0 when there was no answer).
    pub status: u16,
    /// The source's error code (Graph `error.code`, such as
    /// `Request_BadRequest`; the identity platform's `error`).
    pub code: Option<String>,
    /// The source's message, exactly as sent.
    pub message: Option<String>,
    /// The source's request id (`request-id` header, `innerError.request-id`,
    /// or the identity platform's `trace_id`), for a support case.
    pub request_id: Option<String>,
}

/// Longest source text kept in a message when the body is not an error body.
const TEXT_LIMIT: usize = 300;

impl ErrorDetail {
    /// Reads an error answer: Graph's `{"error":{code, message, innerError}}`,
    /// the identity platform's `{"error", "error_description", "trace_id"}`,
    /// or, for anything else, the start of the body as text.
    pub fn from_answer(status: u16, headers: &HeaderMap, body: &[u8]) -> ErrorDetail {
        let mut detail = ErrorDetail {
            status,
            ..ErrorDetail::default()
        };
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
                .filter(|v| !v.is_empty())
        };
        detail.request_id = header("request-id").or_else(|| header("x-ms-request-id"));
        match serde_json::from_slice::<Value>(body) {
            Ok(json) => detail.read_json(&json),
            Err(_) => detail.message = text_of(body),
        }
        detail
    }

    fn read_json(&mut self, json: &Value) {
        let text = |v: &Value| v.as_str().map(str::to_owned).filter(|s| !s.is_empty());
        // Apple's `{"errorNumber": 9621, "errorMessage": "..."}`.
        if let Some(number) = json["errorNumber"].as_i64() {
            self.code = Some(number.to_string());
            self.message = text(&json["errorMessage"]);
            return;
        }
        match &json["error"] {
            Value::Object(error) => {
                let inner = error.get("innerError").or_else(|| error.get("innererror"));
                self.code = error.get("code").and_then(text);
                self.message = error.get("message").and_then(text);
                if self.request_id.is_none() {
                    self.request_id = inner.and_then(|i| i.get("request-id")).and_then(text);
                }
            }
            Value::String(code) => {
                self.code = Some(code.clone());
                // The description's first line; the rest repeats the ids.
                self.message = json["error_description"]
                    .as_str()
                    .and_then(|d| d.lines().next())
                    .map(|l| l.trim().to_owned());
                if self.request_id.is_none() {
                    self.request_id = text(&json["trace_id"]);
                }
            }
            _ => self.message = text_of(json.to_string().as_bytes()),
        }
    }

    /// Apple's `errorNumber`, when the body carried one.
    pub fn apple_number(&self) -> Option<i64> {
        self.code.as_deref()?.parse().ok()
    }

    /// The identity platform's AADSTS number, when the message carries one.
    pub fn aadsts(&self) -> Option<u32> {
        let message = self.message.as_deref()?;
        let digits: String = message
            .strip_prefix("AADSTS")?
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    }
}

/// The start of a non-JSON body as one line of text.
fn text_of(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.is_empty() {
        return None;
    }
    let mut cut: String = line.chars().take(TEXT_LIMIT).collect();
    if cut.len() < line.len() {
        cut.push('…');
    }
    Some(cut)
}

impl fmt::Display for ErrorDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.status != 0 {
            write!(f, "{}", self.status)?;
        }
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_error_bodies_give_code_message_and_request_id() {
        let body = br#"{"error":{"code":"Request_BadRequest","message":"Subscription with SKU x does not have any available licenses.","innerError":{"date":"2025-04-21T15:53:53","request-id":"abc","client-request-id":"abc"}}}"#;
        let detail = ErrorDetail::from_answer(400, &HeaderMap::new(), body);
        assert_eq!(detail.code.as_deref(), Some("Request_BadRequest"));
        assert_eq!(
            detail.message.as_deref(),
            Some("Subscription with SKU x does not have any available licenses.")
        );
        assert_eq!(detail.request_id.as_deref(), Some("abc"));
        assert_eq!(
            detail.to_string(),
            "400 Request_BadRequest: Subscription with SKU x does not have any available licenses. (request id abc)"
        );
    }

    #[test]
    fn the_request_id_header_wins_and_odd_bodies_become_text() {
        let mut headers = HeaderMap::new();
        headers.insert("request-id", "from-header".parse().unwrap());
        let detail = ErrorDetail::from_answer(502, &headers, b"<html>\n  Bad   gateway </html>");
        assert_eq!(detail.request_id.as_deref(), Some("from-header"));
        assert_eq!(detail.message.as_deref(), Some("<html> Bad gateway </html>"));
        let long = "x".repeat(1000);
        let detail = ErrorDetail::from_answer(500, &HeaderMap::new(), long.as_bytes());
        assert!(detail.message.unwrap().chars().count() <= TEXT_LIMIT + 1);
        assert_eq!(
            ErrorDetail::from_answer(500, &HeaderMap::new(), b"").message,
            None
        );
    }

    #[test]
    fn apple_error_bodies_give_the_error_number() {
        let body = br#"{"errorNumber":9621,"errorMessage":"The sToken has expired."}"#;
        let detail = ErrorDetail::from_answer(200, &HeaderMap::new(), body);
        assert_eq!(detail.apple_number(), Some(9621));
        assert_eq!(detail.message.as_deref(), Some("The sToken has expired."));
        assert_eq!(detail.to_string(), "200 9621: The sToken has expired.");
    }

    #[test]
    fn identity_platform_errors_give_the_aadsts_number() {
        let body = br#"{"error":"invalid_request","error_description":"AADSTS90002: Tenant 'x' not found.\r\nTrace ID: t\r\nCorrelation ID: c","error_codes":[90002],"trace_id":"t"}"#;
        let detail = ErrorDetail::from_answer(400, &HeaderMap::new(), body);
        assert_eq!(detail.code.as_deref(), Some("invalid_request"));
        assert_eq!(
            detail.message.as_deref(),
            Some("AADSTS90002: Tenant 'x' not found.")
        );
        assert_eq!(detail.request_id.as_deref(), Some("t"));
        assert_eq!(detail.aadsts(), Some(90002));
    }
}
