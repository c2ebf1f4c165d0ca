//! Shared fixtures: a small demo tenant at a fixed seed and clock.
#![allow(dead_code, clippy::unwrap_used)]

pub mod cache;
pub mod tmux;

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

/// `program` with seats' home, config, data and log under `home`,
/// SEATS_* unset and stdin closed (not a terminal).
fn with_home(program: &str, home: &Path) -> Command {
    let mut command = Command::new(program);
    command
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env_remove("SEATS_DB")
        .env_remove("SEATS_CONFIG")
        .stdin(Stdio::null());
    command
}

/// Runs the seats binary as the OS user running the tests (seats takes the
/// actor from the real user id: see [`me`]).
pub fn run_seats(home: &Path, args: &[&str]) -> Output {
    with_home(env!("CARGO_BIN_EXE_seats"), home)
        .args(args)
        .output()
        .unwrap()
}

/// As [`run_seats`], with `env` set for the binary too.
pub fn run_seats_env(home: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut command = with_home(env!("CARGO_BIN_EXE_seats"), home);
    command.envs(env.iter().copied()).args(args).output().unwrap()
}

/// The actor seats names for the user running the tests.
pub fn me() -> String {
    let out = Command::new("id").arg("-un").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// The actor seats names for a user id that has no name.
pub fn uid_name(uid: u32) -> String {
    format!("uid-{uid}")
}

/// Runs the seats binary as user id `uid` (group `uid`, no other groups)
/// through `setpriv`, with a home of its own, `home/as-UID`; `home` is opened
/// to others (at least 0755) so that user can reach it. `None`, with the reason printed,
/// when the tests do not run as root or setpriv is missing: the caller skips.
pub fn run_seats_as(home: &Path, uid: u32, args: &[&str]) -> Option<Output> {
    use std::os::unix::fs::PermissionsExt;
    if me() != "root" {
        eprintln!("skipped: switching to user id {uid} needs root");
        return None;
    }
    if Command::new("setpriv").arg("--version").output().is_err() {
        eprintln!("skipped: setpriv (util-linux) is not installed");
        return None;
    }
    let opened = std::fs::metadata(home).unwrap().permissions().mode() | 0o755;
    std::fs::set_permissions(home, std::fs::Permissions::from_mode(opened)).unwrap();
    let own = home.join(format!("as-{uid}"));
    std::fs::create_dir_all(&own).unwrap();
    std::fs::set_permissions(&own, std::fs::Permissions::from_mode(0o777)).unwrap();
    let id = uid.to_string();
    // The binary's folders (target/debug) are world-searchable.
    let out = with_home("setpriv", &own)
        .args([
            "--reuid",
            &id,
            "--regid",
            &id,
            "--clear-groups",
            env!("CARGO_BIN_EXE_seats"),
        ])
        .args(args)
        .output()
        .unwrap();
    Some(out)
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
