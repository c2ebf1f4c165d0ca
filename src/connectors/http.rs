//! The HTTP client every connector shares: reqwest over rustls, connect and
//! request timeouts, a small concurrency limit, `User-Agent: seats/<version>`,
//! and retries (the source's `Retry-After` on 429 and 5xx, exponential
//! backoff with jitter on 5xx and on broken or timed-out connections),
//! bounded in attempts and in total wait.

use std::error::Error as _;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, RequestBuilder, StatusCode, Url};
use tokio::sync::Semaphore;

use super::error::{ConnectorError, ErrorDetail, ErrorKind, Target};
use super::retry::{Next, RetryPolicy, parse_retry_after};

/// `seats/<version>`, sent with every request.
pub const USER_AGENT: &str = concat!("seats/", env!("CARGO_PKG_VERSION"));

/// Timeouts, retries and concurrency of one connector's client.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpConfig {
    /// How long to wait for a connection.
    pub connect_timeout: Duration,
    /// How long one attempt may take, the whole answer read.
    pub request_timeout: Duration,
    pub retry: RetryPolicy,
    /// Requests in flight at once (per client, so per connector).
    pub concurrency: usize,
}

impl Default for HttpConfig {
    fn default() -> HttpConfig {
        HttpConfig {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            concurrency: 4,
        }
    }
}

/// An answer that is not retried: its status, headers and whole body.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// Attempts it took (1 when the first one answered).
    pub attempts: u32,
}

impl Reply {
    /// What the source said, for an error answer.
    pub fn detail(&self) -> ErrorDetail {
        ErrorDetail::from_answer(self.status.as_u16(), &self.headers, &self.body)
    }
}

/// The shared client. Cloning is cheap and shares the connection pool and
/// the concurrency limit.
#[derive(Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    config: Arc<HttpConfig>,
    permits: Arc<Semaphore>,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Why one attempt failed in a way worth another try.
enum Failure {
    Status(Reply),
    Transport(reqwest::Error),
}

impl HttpClient {
    pub fn new(config: HttpConfig) -> Result<HttpClient, ConnectorError> {
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .build()
            .map_err(|err| ErrorKind::ClientSetup {
                detail: describe(&err),
            })?;
        Ok(HttpClient {
            client,
            permits: Arc::new(Semaphore::new(config.concurrency.max(1))),
            config: Arc::new(config),
        })
    }

    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// Sends `method url` as `build` completes it (headers, body; called
    /// again for every attempt) and reads the whole answer. 429, 5xx and
    /// transport failures are retried; any other answer is returned as it
    /// is, success or not. After the retries: `Throttled`, `ServerFailed`,
    /// `Unreachable`, `Timeout` or `Broken`.
    pub async fn send<F>(&self, method: Method, url: &Url, build: F) -> Result<Reply, ConnectorError>
    where
        F: Fn(RequestBuilder) -> RequestBuilder,
    {
        let target = Target::new(&method, url);
        let policy = &self.config.retry;
        let mut waited = Duration::ZERO;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let request = build(self.client.request(method.clone(), url.clone()));
            let failure = match self.attempt(request, attempt).await {
                Ok(reply) => return Ok(reply),
                Err(failure) => failure,
            };
            let asked = match &failure {
                Failure::Status(reply) => retry_after(reply),
                Failure::Transport(_) => None,
            };
            let wait = match policy.next(attempt, waited, asked) {
                Next::Wait(wait) => wait,
                Next::OutOfAttempts => return Err(give_up(target, failure, attempt, waited, None, self)),
                Next::TooLong(asked) => {
                    return Err(give_up(target, failure, attempt, waited, Some(asked), self));
                }
            };
            tracing::debug!(%target, host = %target.host, attempt, wait_ms = wait.as_millis() as u64, "retrying");
            tokio::time::sleep(wait).await;
            waited += wait;
        }
    }

    /// One attempt, holding a permit of the concurrency limit.
    async fn attempt(&self, request: RequestBuilder, attempt: u32) -> Result<Reply, Failure> {
        let _permit = self.permits.acquire().await.ok();
        let response = request.send().await.map_err(Failure::Transport)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(Failure::Transport)?.to_vec();
        let reply = Reply {
            status,
            headers,
            body,
            attempts: attempt,
        };
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            return Err(Failure::Status(reply));
        }
        Ok(reply)
    }
}

/// The source's `Retry-After`, honoured on 429 and on any 5xx (Apple
/// sends it with 500 too, apis.md §3.5).
fn retry_after(reply: &Reply) -> Option<Duration> {
    if reply.status != StatusCode::TOO_MANY_REQUESTS && !reply.status.is_server_error() {
        return None;
    }
    let value = reply.headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(value, chrono::Utc::now())
}

/// The error for the last failure once retrying stops.
fn give_up(
    target: Target,
    failure: Failure,
    attempts: u32,
    waited: Duration,
    asked: Option<Duration>,
    client: &HttpClient,
) -> ConnectorError {
    let kind = match failure {
        Failure::Status(reply) if reply.status == StatusCode::TOO_MANY_REQUESTS => ErrorKind::Throttled {
            target,
            detail: reply.detail(),
            attempts,
            waited,
            asked,
        },
        Failure::Status(reply) => ErrorKind::ServerFailed {
            target,
            detail: reply.detail(),
            attempts,
        },
        Failure::Transport(err) => {
            return transport_error(target, &err, attempts, client.config.request_timeout);
        }
    };
    kind.into()
}

/// A reqwest failure as a connector error (never with the URL: reqwest
/// puts the whole URL, query included, in its messages).
pub(crate) fn transport_error(
    target: Target,
    err: &reqwest::Error,
    attempts: u32,
    timeout: Duration,
) -> ConnectorError {
    if err.is_timeout() {
        return ErrorKind::Timeout {
            target,
            after: timeout,
            attempts,
        }
        .into();
    }
    let detail = describe(err);
    let kind = if err.is_connect() {
        ErrorKind::Unreachable {
            target,
            detail,
            attempts,
        }
    } else {
        ErrorKind::Broken {
            target,
            detail,
            attempts,
        }
    };
    kind.into()
}

/// The error and its causes as one line, without the URL.
fn describe(err: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let top = format!("{}", WithoutUrl(err));
    parts.push(top);
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

/// reqwest's own message for an error, minus the URL it appends.
struct WithoutUrl<'a>(&'a reqwest::Error);

impl std::fmt::Display for WithoutUrl<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let err = self.0;
        let kind = if err.is_timeout() {
            "timed out"
        } else if err.is_connect() {
            "could not connect"
        } else if err.is_body() || err.is_decode() {
            // reqwest reports a body cut short while reading it as either.
            "the answer broke off"
        } else if err.is_request() {
            "the request failed"
        } else if err.is_builder() {
            "the request could not be built"
        } else {
            "HTTP error"
        };
        f.write_str(kind)
    }
}
