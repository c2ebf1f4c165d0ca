//! The Apple Apps and Books client (issue 8, apis.md §3) against the
//! in-process simulator: the content token, configuration and claims,
//! paged and incremental reads, asynchronous changes, errors that come
//! with HTTP 200, expired and revoked tokens, throttling, the lookup
//! service, and errors that never carry the token.
#![allow(clippy::unwrap_used)]

#[path = "apple_client/support.rs"]
mod support;

#[path = "apple_client/config.rs"]
mod config;
#[path = "apple_client/faults.rs"]
mod faults;
#[path = "apple_client/reads.rs"]
mod reads;
#[path = "apple_client/scale.rs"]
mod scale;
#[path = "apple_client/token.rs"]
mod token;
#[path = "apple_client/window.rs"]
mod window;
#[path = "apple_client/writes.rs"]
mod writes;
