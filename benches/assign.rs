//! Seat changes at 100,000 users: one user assigned (with its audit row), and
//! a group of about 10,000 members assigned, released and undone.
//! Run: `cargo bench --bench assign` (add `-- --users N` for another size).
//! Targets: one user p99 ≤ 2 ms; a 10,000-member group ≤ 1 s. Nothing here is
//! asserted; figures go to BENCHMARKS.md by hand.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use common::summary;
use std::time::{Duration, Instant};

use chrono::Utc;
use rusqlite::Connection;
use seats::demo::{DemoOptions, generate};
use seats::domain::Principal;
use seats::store::changes::{self, Actor};
use seats::store::{self, OpenMode};

const SAMPLES: usize = 1200;
const GROUP_SIZE: i64 = 10_000;

fn main() {
    let users = common::users_arg();
    let dir = tempfile::tempdir().unwrap();
    let mut conn = store::open(&dir.path().join("bench.db"), OpenMode::Create).unwrap();
    let options = DemoOptions {
        users,
        seed: 42,
        now: Utc::now(),
        actor: "bench".into(),
    };
    let start = Instant::now();
    let summary = generate(&mut conn, &options, &mut |_| {}).unwrap();
    println!(
        "# seat changes: {} users, {} assignments (demo built in {:.1} s)",
        summary.users,
        summary.assignments,
        start.elapsed().as_secs_f64()
    );
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    let actor = Actor::new("bench");
    bench_single(&conn, &actor);
    bench_group(&conn, &actor);
}

fn once(label: &str, elapsed: Duration, what: &str) {
    println!("{label:<44} {:>9.1} ms   {what}", elapsed.as_secs_f64() * 1e3);
}

/// The busiest pool that still has SAMPLES users without a seat, given room
/// for all of them: an index miss would scan its many rows.
fn single_pool(conn: &Connection) -> (i64, Vec<i64>) {
    let pool: i64 = conn
        .query_row(
            "SELECT id FROM pools WHERE kind <> 'agreement' AND status = 'active' AND assignable_to <> 'device' \
             AND (SELECT count(*) FROM users WHERE enabled = 1 AND deleted = 0) - consumed > ?1 * 2 \
             ORDER BY consumed DESC LIMIT 1",
            [SAMPLES as i64],
            |r| r.get(0),
        )
        .expect("no pool leaves room for twice the samples: run with --users 50000 or more");
    conn.execute(
        "UPDATE pools SET total = consumed + ?2 WHERE id = ?1",
        [pool, SAMPLES as i64 + 10],
    )
    .unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT id FROM users WHERE enabled = 1 AND deleted = 0 AND id NOT IN \
             (SELECT user_id FROM assignments WHERE pool_id = ?1 AND user_id IS NOT NULL) ORDER BY id LIMIT ?2",
        )
        .unwrap();
    let users = stmt
        .query_map([pool, SAMPLES as i64], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let (name, consumed): (String, i64) = conn
        .query_row("SELECT name, consumed FROM pools WHERE id = ?1", [pool], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    println!("single-user pool: {name} ({consumed} seats held)");
    (pool, users)
}

fn bench_single(conn: &Connection, actor: &Actor) {
    let (pool, users) = single_pool(conn);
    let (first, second) = users.split_at(users.len() / 2);
    let mut samples = Vec::with_capacity(first.len());
    for user in first {
        let start = Instant::now();
        changes::assign(conn, actor, pool, &[Principal::User(*user)]).unwrap();
        samples.push(start.elapsed());
    }
    summary("assign one user (tx + audit + commit)", samples);
    // SQLite checkpoints the WAL inside a commit once it passes 1000 pages
    // (about one commit in 80 here), and that fsync dominates the p99; run
    // it between samples to show the change's own cost.
    let mut samples = Vec::with_capacity(second.len());
    for (i, user) in second.iter().enumerate() {
        if i % 20 == 0 {
            conn.execute_batch("PRAGMA wal_checkpoint(PASSIVE)").unwrap();
        }
        let start = Instant::now();
        changes::assign(conn, actor, pool, &[Principal::User(*user)]).unwrap();
        samples.push(start.elapsed());
    }
    summary("  same, WAL checkpoint between samples", samples);
    let mut samples = Vec::new();
    for user in 1..=200 {
        let start = Instant::now();
        changes::plan_assign(conn, pool, &[Principal::User(user)]).unwrap();
        samples.push(start.elapsed());
    }
    summary("plan_assign one user (preview)", samples);
}

/// A group of about GROUP_SIZE members: an existing one close to it, or a
/// new one of that many active users.
fn big_group(conn: &Connection) -> (i64, i64) {
    conn.execute(
        "INSERT INTO pools (name, kind, source, total) VALUES ('Bench Probe', 'saas', 'local', NULL)",
        [],
    )
    .unwrap();
    let probe = conn.last_insert_rowid();
    let groups: Vec<i64> = conn
        .prepare("SELECT id FROM groups")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let sized = groups.into_iter().map(|g| {
        let plan = changes::plan_assign(conn, probe, &[Principal::Group(g)]).unwrap();
        (g, plan.new_seats)
    });
    if let Some(found) = sized
        .min_by_key(|(_, n)| (n - GROUP_SIZE).abs())
        .filter(|(_, n)| (GROUP_SIZE * 8 / 10..=GROUP_SIZE * 12 / 10).contains(n))
    {
        return found;
    }
    conn.execute("INSERT INTO groups (name, kind) VALUES ('Bench 10k', 'user')", [])
        .unwrap();
    let group = conn.last_insert_rowid();
    let added = conn
        .execute(
            "INSERT INTO group_user_members (group_id, user_id) SELECT ?1, id FROM users \
             WHERE enabled = 1 AND deleted = 0 ORDER BY id DESC LIMIT ?2",
            [group, GROUP_SIZE],
        )
        .unwrap();
    (group, added as i64)
}

fn bench_group(conn: &Connection, actor: &Actor) {
    let (group, members) = big_group(conn);
    let name: String = conn
        .query_row("SELECT name FROM groups WHERE id = ?1", [group], |r| r.get(0))
        .unwrap();
    println!("group: {name} ({members} members, nested groups flattened)");
    conn.execute(
        "INSERT INTO pools (name, kind, source, total) VALUES ('Bench Group Tool', 'saas', 'local', ?1)",
        [members + 10],
    )
    .unwrap();
    let pool = conn.last_insert_rowid();
    let who = [Principal::Group(group)];
    let start = Instant::now();
    let plan = changes::plan_assign(conn, pool, &who).unwrap();
    once(
        "plan_assign group (preview)",
        start.elapsed(),
        &format!("{} members", plan.new_seats),
    );
    let start = Instant::now();
    let out = changes::assign(conn, actor, pool, &who).unwrap();
    once(
        "assign group (one transaction)",
        start.elapsed(),
        &format!("+{} seats", out.added),
    );
    let start = Instant::now();
    let plan = changes::plan_unassign(conn, pool, &who).unwrap();
    once(
        "plan_unassign group (preview)",
        start.elapsed(),
        &format!("{} seats", plan.released.len()),
    );
    let start = Instant::now();
    let out = changes::unassign(conn, actor, pool, &who).unwrap();
    once(
        "unassign group",
        start.elapsed(),
        &format!("-{} seats", out.released),
    );
    let start = Instant::now();
    let plan = changes::plan_undo(conn, std::slice::from_ref(&out.batch_id)).unwrap();
    let given: usize = plan.pools.iter().map(|p| p.given.len()).sum();
    once(
        "plan_undo of the unassign (dry run)",
        start.elapsed(),
        &format!("{given} seats"),
    );
    let start = Instant::now();
    let undone = changes::undo(conn, actor, &out.batch_id).unwrap();
    let added: i64 = undone.iter().map(|o| o.added).sum();
    once(
        "undo of the unassign (re-assign exactly)",
        start.elapsed(),
        &format!("+{added} seats"),
    );
}
