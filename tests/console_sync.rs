//! The console is live (issue 7; R-CON-5, R-CON-8): keys, the schedule and
//! the worker's sync and push events, headless and against the in-process
//! Graph simulator.
#![allow(clippy::unwrap_used)]

mod common;

#[path = "console_sync/headless.rs"]
mod headless;
#[path = "console_sync/worker.rs"]
mod worker;
#[path = "console_sync/world.rs"]
mod world;
