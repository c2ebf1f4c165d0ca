//! Shared fixtures: a small demo tenant at a fixed seed and clock.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::PathBuf;

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
