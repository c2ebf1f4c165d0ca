//! Shared fixtures: a small demo tenant at a fixed seed and clock.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::Connection;
use seats::demo::{DemoOptions, generate};
use seats::store::{self, OpenMode};

/// The clock every fixture and snapshot is measured against.
pub fn fixed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

/// The OS user the fixtures act as.
pub const ACTOR: &str = "tester";

/// A temp dir holding a demo tenant of `users` users built at `fixed_now`.
pub fn demo_db(users: u32) -> (tempfile::TempDir, PathBuf, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    let mut conn = store::open(&path, OpenMode::Create).unwrap();
    let options = DemoOptions {
        users,
        seed: 7,
        now: fixed_now(),
        actor: ACTOR.to_owned(),
    };
    generate(&mut conn, &options, &mut |_| {}).unwrap();
    (dir, path, conn)
}

/// Runs the seats binary as OS user `user`, with its home, config, data and
/// log under `home` and stdin closed (not a terminal).
pub fn run_seats(home: &Path, user: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_seats"))
        .args(args)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env_remove("SEATS_DB")
        .env_remove("SEATS_CONFIG")
        .env_remove("LOGNAME")
        .env("USER", user)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
