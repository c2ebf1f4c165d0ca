//! One call to Apple: the bearer, the JSON body, the shared retries, then
//! Apple's errors read from every body (they may come with HTTP 200).

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Method, Url};
use serde_json::Value;

use super::AppleClient;
use crate::connectors::error::{ConnectorError, ErrorDetail, ErrorKind, Target};
use crate::connectors::http::Reply;
use crate::connectors::retry::Next;

impl AppleClient {
    /// Sends and reads a JSON answer; an `errorNumber` in it (whatever the
    /// status) or a non-2xx status is an error. A 9646 that came with 200
    /// is retried here with the shared policy's backoff.
    pub(super) async fn call(
        &self,
        method: Method,
        url: &Url,
        body: Option<&Value>,
    ) -> Result<Value, ConnectorError> {
        let target = Target::new(&method, url);
        let policy = self.inner.http.config().retry.clone();
        let mut waited = std::time::Duration::ZERO;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let reply = self.send(method.clone(), url, body).await?;
            match read_answer(&target, &reply) {
                Err(err) if is_throttle(&err) => match policy.next(attempt, waited, None) {
                    Next::Wait(wait) => {
                        tokio::time::sleep(wait).await;
                        waited += wait;
                    }
                    _ => return Err(err),
                },
                Ok(json) => {
                    self.note_expiry(&json);
                    return Ok(json);
                }
                Err(err) => return Err(err),
            }
        }
    }

    async fn send(&self, method: Method, url: &Url, body: Option<&Value>) -> Result<Reply, ConnectorError> {
        let bearer = self.inner.token.bearer();
        let payload = body.map(Value::to_string);
        self.inner
            .http
            .send(method, url, |request| {
                let request = request
                    .header(AUTHORIZATION, bearer.as_str())
                    .header(ACCEPT, "application/json");
                match &payload {
                    Some(text) => request
                        .header(CONTENT_TYPE, "application/json")
                        .body(text.clone()),
                    None => request,
                }
            })
            .await
    }

    fn note_expiry(&self, json: &Value) {
        if let Some(date) = json["tokenExpirationDate"].as_str().filter(|d| !d.is_empty())
            && let Ok(mut seen) = self.inner.seen_expiry.lock()
        {
            *seen = Some(date.to_owned());
        }
    }
}

fn is_throttle(err: &ConnectorError) -> bool {
    matches!(err.kind(), ErrorKind::Throttled { .. })
}

/// The JSON of a good answer, or the error it carries.
pub(super) fn read_answer(target: &Target, reply: &Reply) -> Result<Value, ConnectorError> {
    let json: Option<Value> = serde_json::from_slice(&reply.body).ok();
    let number = json.as_ref().and_then(|j| j["errorNumber"].as_i64());
    if number.is_some() || !reply.status.is_success() {
        return Err(apple_error(target.clone(), reply.detail(), reply.attempts));
    }
    match json {
        Some(json @ Value::Object(_)) => Ok(json),
        Some(_) => Err(malformed(target, "JSON that is not an object")),
        None => Err(malformed(target, "a body that is not JSON")),
    }
}

pub(super) fn malformed(target: &Target, problem: &str) -> ConnectorError {
    ErrorKind::Malformed {
        target: target.clone(),
        problem: problem.to_owned(),
    }
    .into()
}

/// Apple's error numbers (apis.md §3.5) as connector errors.
pub(super) fn apple_error(target: Target, detail: ErrorDetail, attempts: u32) -> ConnectorError {
    let kind = match detail.apple_number() {
        Some(9621) => ErrorKind::AppleTokenExpired { target, detail },
        Some(9625) => ErrorKind::AppleTokenRevoked { target, detail },
        Some(9601 | 9622 | 9722) => ErrorKind::AppleTokenRefused { target, detail },
        Some(9721) => ErrorKind::DeltaExpired { target, detail },
        Some(9646) => ErrorKind::Throttled {
            target,
            detail,
            attempts,
            waited: std::time::Duration::ZERO,
            asked: None,
        },
        Some(9603 | 9604 | 9644) => ErrorKind::ServerFailed {
            target,
            detail,
            attempts,
        },
        _ if detail.status == 401 => ErrorKind::AppleTokenRefused { target, detail },
        _ if detail.status >= 500 => ErrorKind::ServerFailed {
            target,
            detail,
            attempts,
        },
        _ => ErrorKind::Rejected { target, detail },
    };
    kind.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::StatusCode;
    use reqwest::header::HeaderMap;

    fn answer(status: u16, body: &str) -> Result<Value, ConnectorError> {
        let reply = Reply {
            status: StatusCode::from_u16(status).unwrap(),
            headers: HeaderMap::new(),
            body: body.as_bytes().to_vec(),
            attempts: 1,
        };
        let url = Url::parse("https://vpp.example/mdm/v2/assets").unwrap();
        read_answer(&Target::new(&Method::GET, &url), &reply)
    }

    #[test]
    fn error_numbers_count_whatever_the_status() {
        let kind = |r: Result<Value, ConnectorError>| r.unwrap_err().kind().clone();
        assert!(matches!(
            kind(answer(200, r#"{"errorNumber":9621}"#)),
            ErrorKind::AppleTokenExpired { .. }
        ));
        assert!(matches!(
            kind(answer(200, r#"{"errorNumber":9625}"#)),
            ErrorKind::AppleTokenRevoked { .. }
        ));
        let throttled = answer(200, r#"{"errorNumber":9646,"errorMessage":"slow down"}"#).unwrap_err();
        assert!(is_throttle(&throttled), "a 9646 with 200 is retried like a 429");
        assert!(matches!(
            kind(answer(400, r#"{"errorNumber":9721}"#)),
            ErrorKind::DeltaExpired { .. }
        ));
        assert!(matches!(
            kind(answer(500, "oops")),
            ErrorKind::ServerFailed { .. }
        ));
        assert!(matches!(
            kind(answer(400, r#"{"errorNumber":9602}"#)),
            ErrorKind::Rejected { .. }
        ));
        assert!(matches!(kind(answer(200, "[1]")), ErrorKind::Malformed { .. }));
        assert!(matches!(kind(answer(200, "<html>")), ErrorKind::Malformed { .. }));
        assert_eq!(answer(200, r#"{"uId":"1"}"#).unwrap()["uId"], "1");
    }
}
