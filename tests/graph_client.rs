//! The Microsoft Graph client (issue 7, apis.md §1) against the in-process
//! simulator: tokens, full reads, paging, delta, faults, pushes, `$batch`,
//! and errors that never carry a secret.
#![allow(clippy::unwrap_used)]

#[path = "sim_client/mod.rs"]
mod sim_client;
#[path = "graph_client/support.rs"]
mod support;

#[path = "graph_client/auth.rs"]
mod auth;
#[path = "graph_client/delta.rs"]
mod delta;
#[path = "graph_client/faults.rs"]
mod faults;
#[path = "graph_client/push.rs"]
mod push;
#[path = "graph_client/reads.rs"]
mod reads;
#[path = "graph_client/scale.rs"]
mod scale;
#[path = "graph_client/secrets.rs"]
mod secrets;
