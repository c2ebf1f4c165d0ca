//! Many license changes through `POST /$batch` (at most 20 requests each):
//! one outcome per change. A part of a batch can fail alone; parts that are
//! throttled (429) or fail on the server (5xx) are sent again in a smaller
//! batch after the wait they ask for, within the retry policy.

use std::collections::HashMap;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode, Url};
use serde_json::{Value, json};
use tokio::task::JoinSet;

use super::GraphClient;
use super::push::{PushOutcome, assign_body, assign_path, is_empty, outcome, refusal};
use crate::connectors::error::{ConnectorError, ErrorDetail, ErrorKind, Target, host_of};
use crate::connectors::retry::{Next, parse_retry_after};
use crate::domain::source::LicenseChange;

/// Graph's limit of requests in one batch.
pub const BATCH_LIMIT: usize = 20;

type Outcome = Result<PushOutcome, ConnectorError>;

/// A part of a batch that failed in a way worth another try.
struct Transient {
    status: StatusCode,
    detail: ErrorDetail,
}

impl GraphClient {
    /// Sends `changes` in batches of at most [`BATCH_LIMIT`] (a few at
    /// once, within the client's concurrency limit) and returns one outcome
    /// per change, in the same order.
    pub async fn push_batch(&self, changes: Vec<LicenseChange>) -> Vec<Outcome> {
        let mut outcomes: Vec<Option<Outcome>> = vec![None; changes.len()];
        let mut work: Vec<(usize, LicenseChange)> = Vec::new();
        for (index, change) in changes.into_iter().enumerate() {
            if is_empty(&change) {
                outcomes[index] = Some(Ok(PushOutcome::Applied));
            } else {
                work.push((index, change));
            }
        }
        let mut tasks = JoinSet::new();
        let mut owners: HashMap<tokio::task::Id, Vec<usize>> = HashMap::new();
        while !work.is_empty() {
            let rest = work.split_off(work.len().min(BATCH_LIMIT));
            let chunk = std::mem::replace(&mut work, rest);
            let client = self.clone();
            let indexes = chunk.iter().map(|(i, _)| *i).collect();
            let handle = tasks.spawn(async move { client.send_batch(chunk).await });
            owners.insert(handle.id(), indexes);
        }
        while let Some(joined) = tasks.join_next_with_id().await {
            match joined {
                Ok((_, done)) => {
                    for (index, result) in done {
                        outcomes[index] = Some(result);
                    }
                }
                Err(err) => {
                    let lost = owners.remove(&err.id()).unwrap_or_default();
                    for index in lost {
                        outcomes[index] = Some(Err(self.lost(&err.to_string())));
                    }
                }
            }
        }
        outcomes
            .into_iter()
            .map(|o| o.unwrap_or_else(|| Err(self.lost("no outcome was recorded"))))
            .collect()
    }

    /// The error of a change whose batch task failed.
    fn lost(&self, why: &str) -> ConnectorError {
        ErrorKind::Malformed {
            target: self.batch_target(),
            problem: format!("no answer for the change ({why})"),
        }
        .into()
    }

    fn batch_target(&self) -> Target {
        Target {
            method: "POST".to_owned(),
            host: host_of(self.graph_base()),
            path: "/v1.0/$batch".to_owned(),
        }
    }

    /// One batch of at most 20, its transient parts sent again.
    async fn send_batch(&self, mut pending: Vec<(usize, LicenseChange)>) -> Vec<(usize, Outcome)> {
        let policy = self.inner.http.config().retry.clone();
        let mut done = Vec::with_capacity(pending.len());
        let (mut round, mut waited) = (0, Duration::ZERO);
        loop {
            round += 1;
            let answers = match self.post_batch(&pending).await {
                Ok(answers) => answers,
                Err(err) => {
                    done.extend(pending.into_iter().map(|(i, _)| (i, Err(err.clone()))));
                    return done;
                }
            };
            let mut again = Vec::new();
            let mut asked: Option<Duration> = None;
            for (index, change) in pending {
                match self.judge(&change, answers.get(&index.to_string())) {
                    Ok(result) => done.push((index, result)),
                    Err((transient, wait)) => {
                        asked = asked.max(wait);
                        again.push((index, change, transient));
                    }
                }
            }
            if again.is_empty() {
                return done;
            }
            let wait = match policy.next(round, waited, asked) {
                Next::Wait(wait) => wait,
                Next::OutOfAttempts | Next::TooLong(_) => {
                    for (index, change, transient) in again {
                        done.push((index, Err(self.gave_up(&change, transient, round, waited))));
                    }
                    return done;
                }
            };
            tracing::debug!(
                parts = again.len(),
                wait_ms = wait.as_millis() as u64,
                "retrying batch parts"
            );
            tokio::time::sleep(wait).await;
            waited += wait;
            pending = again.into_iter().map(|(i, c, _)| (i, c)).collect();
        }
    }

    /// Posts one batch; the answers by request id.
    async fn post_batch(
        &self,
        pending: &[(usize, LicenseChange)],
    ) -> Result<HashMap<String, Value>, ConnectorError> {
        let requests: Vec<Value> = pending
            .iter()
            .map(|(index, change)| {
                json!({
                    "id": index.to_string(),
                    "method": "POST",
                    "url": assign_path(change),
                    "headers": {"Content-Type": "application/json"},
                    "body": assign_body(change),
                })
            })
            .collect();
        let link = self.v1("/$batch");
        let target = self.batch_target();
        let url = Url::parse(&link).map_err(|err| ErrorKind::BadUrl {
            option: "--graph-url",
            url: link.clone(),
            why: err.to_string(),
        })?;
        let reply = self
            .call(Method::POST, &url, Some(&json!({"requests": requests})))
            .await?;
        if !reply.status.is_success() {
            return Err(self.failure(target, &reply));
        }
        let malformed = |problem: String| -> ConnectorError {
            ErrorKind::Malformed {
                target: target.clone(),
                problem,
            }
            .into()
        };
        let body: Value = serde_json::from_slice(&reply.body)
            .map_err(|err| malformed(format!("a batch answer that is not valid JSON ({err})")))?;
        let responses = body["responses"]
            .as_array()
            .ok_or_else(|| malformed("a batch answer without a \"responses\" list".to_owned()))?;
        Ok(responses
            .iter()
            .filter_map(|r| {
                let id = match &r["id"] {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => return None,
                };
                Some((id, r.clone()))
            })
            .collect())
    }

    /// One part's answer: an outcome, or a transient failure and the wait
    /// it asks for.
    fn judge(
        &self,
        change: &LicenseChange,
        answer: Option<&Value>,
    ) -> Result<Outcome, (Transient, Option<Duration>)> {
        let target = self.part_target(change);
        let Some(answer) = answer else {
            return Ok(Err(ErrorKind::Malformed {
                target,
                problem: "a batch answer without this change's response".to_owned(),
            }
            .into()));
        };
        let status = answer["status"]
            .as_u64()
            .and_then(|s| u16::try_from(s).ok())
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_success() {
            return Ok(Ok(outcome(status)));
        }
        let headers = part_headers(&answer["headers"]);
        let body = serde_json::to_vec(&answer["body"]).unwrap_or_default();
        let detail = ErrorDetail::from_answer(status.as_u16(), &headers, &body);
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            let wait = headers
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, chrono::Utc::now()));
            return Err((Transient { status, detail }, wait));
        }
        if let Some(refused) = refusal(change, &target, status, &detail) {
            return Ok(Err(refused));
        }
        Ok(Err(ConnectorError::from(match status {
            StatusCode::UNAUTHORIZED => ErrorKind::Unauthorized { target, detail },
            StatusCode::FORBIDDEN => ErrorKind::Forbidden {
                target,
                detail,
                permission: "LicenseAssignment.ReadWrite.All",
            },
            _ => ErrorKind::Rejected { target, detail },
        })))
    }

    /// The error of a part still failing when the retries are spent.
    fn gave_up(
        &self,
        change: &LicenseChange,
        failed: Transient,
        attempts: u32,
        waited: Duration,
    ) -> ConnectorError {
        let target = self.part_target(change);
        let kind = if failed.status == StatusCode::TOO_MANY_REQUESTS {
            ErrorKind::Throttled {
                target,
                detail: failed.detail,
                attempts,
                waited,
                asked: None,
            }
        } else {
            ErrorKind::ServerFailed {
                target,
                detail: failed.detail,
                attempts,
            }
        };
        kind.into()
    }

    fn part_target(&self, change: &LicenseChange) -> Target {
        Target {
            method: "POST".to_owned(),
            host: host_of(self.graph_base()),
            path: format!("/v1.0{}", assign_path(change)),
        }
    }
}

/// A batch part's `headers` object as a header map.
fn part_headers(headers: &Value) -> HeaderMap {
    let mut out = HeaderMap::new();
    for (name, value) in headers.as_object().into_iter().flatten() {
        let (Ok(name), Some(Ok(value))) = (
            HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes()),
            value.as_str().map(HeaderValue::from_str),
        ) else {
            continue;
        };
        out.insert(name, value);
    }
    out
}
