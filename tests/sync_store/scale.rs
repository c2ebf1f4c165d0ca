//! A by-hand measurement of a pull at scale (ignored; prints only, never
//! asserts a timing): 100k users with ten licenses each (~1M seats), 30
//! groups, staged in pages of 999 into an empty cache, committed, pulled
//! again unchanged, then a delta with 1% of the users changed.
//!
//! `cargo test --test sync_store scale -- --ignored --nocapture`

use std::time::Instant;

use seats::domain::source::{
    LicenseState, SkuCapability, SourceGroup, SourceLicense, SourceMember, SourceSku, SourceUser, UserChange,
};
use seats::store::connectors_admin::{GraphSettings, create_graph_connector};
use seats::store::sync::{PullKind, PullStage, SyncSummary};
use seats::store::{self, OpenMode};

/// Users in the tenant; `SEATS_SCALE_USERS` sets another size.
fn user_count() -> usize {
    std::env::var("SEATS_SCALE_USERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000)
}
const SKUS: usize = 30;
const GROUPS: usize = 30;
const PAGE: usize = 999;

fn sku_id(n: usize) -> String {
    format!("{n:08x}-0000-4000-8000-000000000000")
}

fn group_id(n: usize) -> String {
    format!("{n:08x}-1111-4000-8000-000000000000")
}

/// Users `range` of the tenant, the first `changed` of them renamed: built
/// page by page, as a sync receives them, so the figures are the store's.
fn users(range: std::ops::Range<usize>, changed: usize) -> Vec<SourceUser> {
    range
        .map(|i| {
            let licenses = (0..10)
                .map(|k| {
                    let sku = (i * 7 + k * 3) % SKUS;
                    // Every licence of SKU 0 comes through the user's group.
                    let via = (sku == 0).then(|| group_id(i % GROUPS));
                    SourceLicense {
                        sku_id: sku_id(sku),
                        via_group: via,
                        state: LicenseState::Active,
                        error: None,
                    }
                })
                .collect();
            SourceUser {
                source_id: user_source_id(i),
                upn: format!("user{i}@scale.example"),
                display_name: format!("User {i}{}", if i < changed { " (renamed)" } else { "" }),
                enabled: true,
                department: Some(format!("Dept {}", i % 12)),
                usage_location: Some("US".to_owned()),
                last_sign_in: Some("2026-05-01T00:00:00Z".to_owned()),
                licenses,
            }
        })
        .collect()
}

fn user_source_id(i: usize) -> String {
    format!("{i:08x}-2222-4000-8000-000000000000")
}

/// Stages every SKU and group, and users `0..count` (page by page).
fn stage_all(
    conn: &rusqlite::Connection,
    kind: PullKind,
    count: usize,
    changed: usize,
) -> (PullStage<'_>, f64) {
    let started = Instant::now();
    let mut stage = PullStage::begin(conn, 1, kind).unwrap();
    let skus: Vec<SourceSku> = (0..SKUS)
        .map(|n| SourceSku {
            sku_id: sku_id(n),
            part_number: format!("SKU_{n}"),
            assignable: true,
            capability: SkuCapability::Enabled,
            enabled_units: user_count() as i64,
            warning_units: 0,
            consumed_units: 0,
        })
        .collect();
    stage.add_skus(&skus).unwrap();
    let groups: Vec<SourceGroup> = (0..GROUPS)
        .map(|n| SourceGroup {
            source_id: group_id(n),
            name: format!("Group {n}"),
            licenses: vec![sku_id(0)],
        })
        .collect();
    stage.add_groups(&groups).unwrap();
    for (n, group) in groups.iter().enumerate() {
        let members: Vec<SourceMember> = (n..user_count())
            .step_by(GROUPS)
            .map(|i| SourceMember::User(user_source_id(i)))
            .collect();
        for page in members.chunks(PAGE) {
            stage.add_members(&group.source_id, page).unwrap();
        }
    }
    for start in (0..count).step_by(PAGE) {
        let page = users(start..count.min(start + PAGE), changed);
        match kind {
            PullKind::Full => stage.add_users(&page).unwrap(),
            PullKind::Delta => {
                let changes: Vec<UserChange> = page.into_iter().map(UserChange::Upsert).collect();
                stage.add_user_changes(&changes).unwrap();
            }
        }
    }
    (stage, started.elapsed().as_secs_f64())
}

fn commit(stage: PullStage<'_>) -> (SyncSummary, f64) {
    let started = Instant::now();
    let summary = stage.commit(None, &|part| part.to_owned()).unwrap();
    (summary, started.elapsed().as_secs_f64())
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

#[test]
#[ignore = "a measurement at 100k users: run by hand with --ignored --nocapture"]
fn a_pull_of_100k_users_staged_and_committed() {
    let dir = tempfile::tempdir().unwrap();
    let conn = store::open(&dir.path().join("scale.db"), OpenMode::Create).unwrap();
    create_graph_connector(
        &conn,
        &GraphSettings::new("Scale", "tenant-scale", "client", "/dev/null"),
    )
    .unwrap();
    let count = user_count();
    eprintln!("{count} users; peak RSS before the pull {:.0} MB", peak_rss_mb());
    let (stage, staged) = stage_all(&conn, PullKind::Full, count, 0);
    eprintln!("staged: peak RSS {:.0} MB", peak_rss_mb());
    let (summary, committed) = commit(stage);
    eprintln!(
        "first full pull: staged in {staged:.2} s, committed in {committed:.2} s \
         ({} users, {} seats added); peak RSS {:.0} MB",
        summary.users.added,
        summary.seats.added,
        peak_rss_mb()
    );
    let (stage, staged) = stage_all(&conn, PullKind::Full, count, 0);
    let (summary, committed) = commit(stage);
    eprintln!(
        "second full pull, nothing changed: staged in {staged:.2} s, committed in {committed:.2} s (unchanged: {})",
        summary.is_unchanged()
    );
    let (stage, staged) = stage_all(&conn, PullKind::Delta, count / 100, count / 100);
    let (summary, committed) = commit(stage);
    eprintln!(
        "delta of 1% ({} users updated): staged in {staged:.2} s, committed in {committed:.2} s; peak RSS {:.0} MB",
        summary.users.updated,
        peak_rss_mb()
    );
    let findings = store::check::check(&conn).unwrap();
    assert!(
        findings.iter().all(|f| f.ok),
        "{:?}",
        findings.iter().filter(|f| !f.ok).collect::<Vec<_>>()
    );
}
