//! seats: a keyboard-driven terminal console for software licenses.

pub mod app;
pub mod cli;
pub mod cli_apps;
pub mod cli_cache;
pub mod cli_changes;
pub mod cli_check;
pub mod cli_connect;
pub mod cli_connect_apple;
pub mod cli_connect_store;
pub mod cli_connectors;
pub mod cli_console;
pub mod cli_simulate;
pub mod cli_sync;
pub mod config;
pub mod connectors;
pub mod console;
pub mod demo;
pub mod domain;
pub mod headless;
pub mod logging;
pub mod output;
pub mod paths;
pub mod sim;
pub mod store;
pub mod ui;
pub mod worker;
