//! Connectors: each turns an outside source into the records of
//! `domain::source` and pushes queued changes back. They share one HTTP
//! layer ([`http`]): timeouts, retries with `Retry-After` and backoff, a
//! concurrency limit, and errors ([`ConnectorError`]) that name the host,
//! keep the source's request id, and never carry a secret.

pub mod apple;
pub mod error;
pub mod graph;
pub mod http;
pub mod retry;
pub mod secret;
pub mod store_business;

pub use error::{ConnectorError, ErrorClass, ErrorDetail, ErrorKind, Target};
pub use http::{HttpClient, HttpConfig, USER_AGENT};
pub use retry::RetryPolicy;
pub use secret::Secret;
