//! A larger location read in full (ignored by default: it builds a big
//! tenant). `cargo test --release --test apple_client scale -- --ignored`.

use std::time::{Duration, Instant};

use seats::connectors::apple::{AppleClient, AppleConfig, AppleToken};
use seats::sim::{SimConfig, Simulator};

use crate::support::quick_http;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "builds a tenant of 20k users"]
async fn a_large_location_reads_in_full_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = SimConfig::new(dir.path().join("sim.db"), 20_000);
    config.seed = 5;
    let runtime = tokio::runtime::Handle::current();
    let sim = tokio::task::block_in_place(|| Simulator::start(config, &runtime)).unwrap();
    let token = AppleToken::from_file_text(&sim.apple_token_file().unwrap()).unwrap();
    let mut http = quick_http();
    http.request_timeout = Duration::from_secs(30);
    let config = AppleConfig {
        api_url: sim.apple_api_url(),
        lookup_url: sim.apple_lookup_url(),
        http,
        ..AppleConfig::default()
    };
    let client = AppleClient::new(config, token).unwrap();
    let started = Instant::now();
    let users = client.users(None).await.unwrap();
    let after_users = started.elapsed();
    let assignments = client.assignments(None).await.unwrap();
    let total = started.elapsed();
    eprintln!(
        "{} users in {after_users:?}, {} assignments in {:?}",
        users.items.len(),
        assignments.items.len(),
        total - after_users
    );
    assert!(total < Duration::from_secs(15), "{total:?}");
}
