//! What every benchmark shares: the size argument, the machine line, and the
//! median / p99 / max summary.
#![allow(dead_code, clippy::unwrap_used, clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use seats::demo::{DemoOptions, generate};
use seats::store::{self, OpenMode};

pub mod console;

/// Users from `-- --users N`, 100,000 by default.
pub fn users_arg() -> u32 {
    std::env::args()
        .skip_while(|a| a != "--users")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000)
}

/// "CPU model, N cores", for the figures' record.
pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cpu}, {cores} cores")
}

/// Prints the median, p99 and max of a set of samples.
pub fn summary(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let pick = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{label:<44} n={:<5} median {:>9.3} ms   p99 {:>9.3} ms   max {:>9.3} ms",
        samples.len(),
        pick(0.5).as_secs_f64() * 1e3,
        pick(0.99).as_secs_f64() * 1e3,
        samples.last().unwrap().as_secs_f64() * 1e3
    );
}

/// `-- --db PATH`, or a new demo cache of `--users N` (seed 42) in a
/// temporary folder that lives as long as the returned guard.
pub fn cache_arg() -> (Option<tempfile::TempDir>, PathBuf) {
    let given = std::env::args().skip_while(|a| a != "--db").nth(1);
    if let Some(path) = given {
        return (None, PathBuf::from(path));
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bench.db");
    build_demo(&db, users_arg());
    (Some(dir), db)
}

/// The seed of every bench's demo tenant (and of the simulated one).
pub const SEED: u64 = 42;

/// A new demo cache of `users` users at `db`, built now by "bench" from
/// [`SEED`]; prints how long it took. Returns the open cache and the
/// options it was built with (their `now` is the demo's clock).
pub fn build_demo(db: &Path, users: u32) -> (rusqlite::Connection, DemoOptions) {
    let mut conn = store::open(db, OpenMode::Create).unwrap();
    let started = std::time::Instant::now();
    let options = DemoOptions {
        users,
        seed: SEED,
        now: chrono::Utc::now(),
        actor: "bench".into(),
    };
    generate(&mut conn, &options, &mut |_| {}).unwrap();
    println!("demo cache built in {:.1} s", started.elapsed().as_secs_f64());
    (conn, options)
}
