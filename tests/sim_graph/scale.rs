//! A measurement, not a test of timing: builds a 100k-user tenant and walks
//! `/users` at `$top=999` and a 1 % delta, printing the figures. Run with
//! `cargo test --release --test sim_graph -- --ignored --nocapture scale`.

use std::time::Instant;

use reqwest::StatusCode;
use seats::sim::{SimConfig, Simulator};

use super::support::{client, fetch_token};

/// A memory figure of this process (server and client) from
/// /proc/self/status, in MB: "VmHWM" the peak, "VmRSS" now.
fn memory_mb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace()
        .nth(1)?
        .parse::<u64>()
        .ok()
        .map(|kb| kb / 1024)
}

fn peak_rss_mb() -> Option<u64> {
    memory_mb("VmHWM:")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement of 100k users; run by hand"]
async fn scale_100k_users_build_and_full_walk() {
    let dir = tempfile::tempdir().unwrap();
    let config = SimConfig::new(dir.path().join("sim.db"), 100_000);
    let runtime = tokio::runtime::Handle::current();
    let started = Instant::now();
    let handle = tokio::task::block_in_place(|| Simulator::start(config, &runtime)).unwrap();
    let built = started.elapsed();
    let build_rss = peak_rss_mb();
    // Reset the peak (Linux): what follows is measured on its own.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let http = client();
    let token = fetch_token(&http, &handle).await;
    let select = "id,userPrincipalName,displayName,accountEnabled,assignedLicenses,licenseAssignmentStates";
    let started = Instant::now();
    let (mut users, mut pages, mut bytes) = (0usize, 0usize, 0usize);
    let mut next = Some(format!(
        "{}/v1.0/users?$top=999&$select={select}",
        handle.base_url()
    ));
    while let Some(url) = next {
        let response = http.get(url).bearer_auth(&token).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let text = response.text().await.unwrap();
        bytes += text.len();
        let body: serde_json::Value = serde_json::from_str(&text).unwrap();
        users += body["value"].as_array().unwrap().len();
        pages += 1;
        next = body["@odata.nextLink"].as_str().map(str::to_owned);
    }
    let walked = started.elapsed();
    let walk_rss = memory_mb("VmRSS:");
    let listed = handle.tenant().unwrap().user_count().unwrap() as usize;
    assert_eq!(users, listed);

    // A delta round after 1 % of the users changed.
    let latest = format!(
        "{}/v1.0/users/delta?$deltatoken=latest&$select=displayName",
        handle.base_url()
    );
    let body: serde_json::Value = http
        .get(latest)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut next = body["@odata.deltaLink"].as_str().map(str::to_owned);
    let changed = handle.tenant().unwrap().change_users(0.01).unwrap();
    let started = Instant::now();
    let mut reported = 0;
    while let Some(url) = next {
        let body: serde_json::Value = http
            .get(url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        reported += body["value"].as_array().map_or(0, Vec::len);
        next = body["@odata.nextLink"].as_str().map(str::to_owned);
    }
    let delta = started.elapsed();
    eprintln!(
        "simulator, 100k users: built in {:.1} s (peak RSS {} MB); /users walk at $top=999: {users} users, \
         {pages} pages, {:.1} MB in {:.1} s (RSS after it {} MB, server and client); \
         delta after {changed} changes: {reported} users in {:.2} s",
        built.as_secs_f64(),
        build_rss.map_or("?".to_owned(), |m| m.to_string()),
        bytes as f64 / 1e6,
        walked.as_secs_f64(),
        walk_rss.map_or("?".to_owned(), |m| m.to_string()),
        delta.as_secs_f64(),
    );
    assert_eq!(reported as u64, changed);
}
