//! The Graph simulator (issue 7), spoken to over HTTP the way a client
//! would: token flow, bearer, paging, SKUs, delta, license assignment,
//! `$batch`, faults, a shared state file, and `seats simulate`.
#![allow(clippy::unwrap_used)]

#[path = "sim_graph/support.rs"]
mod support;

#[path = "sim_graph/auth.rs"]
mod auth;
#[path = "sim_graph/batch.rs"]
mod batch;
#[path = "sim_graph/cli.rs"]
mod cli;
#[path = "sim_graph/delta.rs"]
mod delta;
#[path = "sim_graph/detected_apps.rs"]
mod detected_apps;
#[path = "sim_graph/faults.rs"]
mod faults;
#[path = "sim_graph/licenses.rs"]
mod licenses;
#[path = "sim_graph/scale.rs"]
mod scale;
#[path = "sim_graph/users.rs"]
mod users;
