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

/// Reads every assignment of a fresh location of 150 users built with
/// `extra` extra assignments.
async fn assignments_with(
    extra: u32,
) -> (
    Vec<seats::domain::apple::AppleAssignment>,
    Vec<seats::domain::apple::AppleAsset>,
) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = SimConfig::new(dir.path().join("sim.db"), 150);
    config.seed = 11;
    config.apple_extra_assignments = extra;
    let runtime = tokio::runtime::Handle::current();
    let sim = tokio::task::block_in_place(|| Simulator::start(config, &runtime)).unwrap();
    let token = AppleToken::from_file_text(&sim.apple_token_file().unwrap()).unwrap();
    let config = AppleConfig {
        api_url: sim.apple_api_url(),
        lookup_url: sim.apple_lookup_url(),
        http: quick_http(),
        ..AppleConfig::default()
    };
    let client = AppleClient::new(config, token).unwrap();
    let assignments = client.assignments(None).await.unwrap().items;
    (assignments, client.assets().await.unwrap())
}

/// The benchmark's knob: extra assignments go to seats' own users, never
/// repeat a pair, and fit the assets' totals; none by default.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extra_assignments_size_the_location() {
    let (plain, _) = assignments_with(0).await;
    let (grown, assets) = assignments_with(100).await;
    assert_eq!(grown.len(), plain.len() + 100);
    let added: Vec<_> = grown.iter().filter(|a| !plain.contains(a)).collect();
    assert_eq!(added.len(), 100);
    assert!(added.iter().all(|a| matches!(&a.holder,
        seats::domain::apple::AppleHolder::User(c) if c.starts_with("seats:"))));
    for asset in &assets {
        assert!(asset.total.is_none_or(|t| t >= asset.assigned), "{asset:?}");
    }
}
