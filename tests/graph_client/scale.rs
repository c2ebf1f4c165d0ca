//! Measurements, not tests of timing: a 100k-user tenant read in full
//! through the client, a delta round after 1 % changed, and 1,000 changes
//! pushed in batches. Run with
//! `cargo test --release --test graph_client -- --ignored --nocapture scale`.

use std::time::Instant;

use seats::domain::source::{ChangeTarget, LicenseChange};
use seats::sim::{SimConfig, Simulator};

use super::support::{Env, users_without};

/// A memory figure of this process (simulator and client) in MB.
fn memory_mb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace()
        .nth(1)?
        .parse::<u64>()
        .ok()
        .map(|kb| kb / 1024)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement of 100k users; run by hand"]
async fn scale_100k_users_read_delta_and_push() {
    let dir = tempfile::tempdir().unwrap();
    let config = SimConfig::new(dir.path().join("sim.db"), 100_000);
    let runtime = tokio::runtime::Handle::current();
    let started = Instant::now();
    let sim = tokio::task::block_in_place(|| Simulator::start(config, &runtime)).unwrap();
    let built = started.elapsed();
    let env = Env {
        sim: std::sync::Arc::new(sim),
        dir,
    };
    let client = env.client_with(|c| c.http = Default::default());
    // Reset the peak (Linux): what follows is measured on its own.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = memory_mb("VmRSS:");

    let started = Instant::now();
    let mut pages = client.users();
    let (mut users, mut seats, mut biggest) = (0usize, 0usize, 0usize);
    while let Some(page) = pages.next_page().await.unwrap() {
        users += page.items.len();
        biggest = biggest.max(page.items.len());
        seats += page.items.iter().map(|u| u.licenses.len()).sum::<usize>();
    }
    let read = started.elapsed();
    let page_count = pages.progress().pages;
    let peak = memory_mb("VmHWM:");
    assert_eq!(users as u64, env.tenant().user_count().unwrap());

    // The same without signInActivity: Graph pages by 999 then.
    let plain = env.client_with(|c| {
        c.http = Default::default();
        c.sign_in_activity = false;
    });
    let started = Instant::now();
    let mut pages = plain.users();
    while pages.next_page().await.unwrap().is_some() {}
    let plain_read = started.elapsed();
    let plain_pages = pages.progress().pages;

    let mut pages = client.users_delta(None);
    let started = Instant::now();
    while pages.next_page().await.unwrap().is_some() {}
    let first_delta = started.elapsed();
    let link = pages.delta_link().unwrap().to_owned();
    let changed = env.tenant().change_users(0.01).unwrap();
    let started = Instant::now();
    let changes = client.users_delta(Some(&link)).all().await.unwrap();
    let delta = started.elapsed();
    assert_eq!(changes.len() as u64, changed);

    let mut tenant = env.tenant();
    let sku = tenant.sku_id("ATP_ENTERPRISE").unwrap();
    let held = tenant.held_seats("ATP_ENTERPRISE").unwrap();
    tenant.set_prepaid_units("ATP_ENTERPRISE", held + 1000).unwrap();
    let targets = users_without(&tenant, &sku, 1000);
    let changes: Vec<LicenseChange> = targets
        .iter()
        .map(|u| LicenseChange {
            target: ChangeTarget::User(u.clone()),
            add: vec![sku.clone()],
            remove: vec![],
        })
        .collect();
    let started = Instant::now();
    let outcomes = client.push_batch(changes).await;
    let pushed = started.elapsed();
    assert!(outcomes.iter().all(Result::is_ok));

    eprintln!(
        "graph client, 100k users (tenant built in {:.1} s): full users read {users} users / {seats} license \
         states in {} pages (largest {biggest}) in {:.1} s, RSS {} MB before and {} MB at the peak (simulator and \
         client); without signInActivity {plain_pages} pages in {:.1} s; \
         first delta round {:.1} s; delta after {changed} changes {:.2} s; push of {} changes in $batch {:.2} s",
        built.as_secs_f64(),
        page_count,
        read.as_secs_f64(),
        before.map_or("?".to_owned(), |m| m.to_string()),
        peak.map_or("?".to_owned(), |m| m.to_string()),
        plain_read.as_secs_f64(),
        first_delta.as_secs_f64(),
        delta.as_secs_f64(),
        outcomes.len(),
        pushed.as_secs_f64(),
    );
}
