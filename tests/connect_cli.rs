//! `seats connect`, `seats connectors`, `seats sync` and the pushes of
//! `seats assign` run as the real binary against a Graph simulator served
//! by the test process (issue 7; R-CON-5, R-CON-8, R-CON-9, R-LIC-5).
#![allow(clippy::unwrap_used)]

mod common;

#[path = "connect_cli/apple.rs"]
mod apple;
#[path = "connect_cli/apple_delta.rs"]
mod apple_delta;
#[path = "connect_cli/apple_devices.rs"]
mod apple_devices;
#[path = "connect_cli/apple_events.rs"]
mod apple_events;
#[path = "connect_cli/connect.rs"]
mod connect;
#[path = "connect_cli/demo.rs"]
mod demo;
#[path = "connect_cli/forbidden.rs"]
mod forbidden;
#[path = "connect_cli/installs_import.rs"]
mod installs_import;
#[path = "connect_cli/push.rs"]
mod push;
#[path = "connect_cli/secrets.rs"]
mod secrets;
#[path = "connect_cli/store.rs"]
mod store;
#[path = "connect_cli/store_push.rs"]
mod store_push;
#[path = "connect_cli/support.rs"]
mod support;
#[path = "connect_cli/sync.rs"]
mod sync;
