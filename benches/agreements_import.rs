//! Importing 5,000 volume-licensing number sets (issue 9, R-AGR-2..5): the
//! file parsed, checked and written in one transaction, against a demo
//! cache of 100,000 users; beside it the same 5,000 rows written by plain
//! SQL (one prepared INSERT each, one transaction) in the same run.
//! Run: `cargo bench --bench agreements_import` (`-- --users N` for another
//! size). Target: ≤ 1 s. Nothing here is asserted; figures go to
//! BENCHMARKS.md by hand.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::time::{Duration, Instant};

use chrono::Utc;
use seats::demo::{DemoOptions, generate};
use seats::domain::agreement_csv;
use seats::store::agreements_import::{Target, import};
use seats::store::changes::Actor;
use seats::store::{self, OpenMode};

const SETS: usize = 5_000;
const RUNS: usize = 15;

fn main() {
    let users = common::users_arg();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.db");
    let mut conn = store::open(&path, OpenMode::Create).unwrap();
    let options = DemoOptions {
        users,
        seed: 42,
        now: Utc::now(),
        actor: "bench".into(),
    };
    generate(&mut conn, &options, &mut |_| {}).unwrap();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    println!(
        "# agreements import: {SETS} sets into a {users}-user demo cache; {}",
        common::machine()
    );
    let actor = Actor::new("bench");
    let (mut ours, mut raw) = (Vec::new(), Vec::new());
    for run in 0..RUNS {
        // Numbers unique per run: every run adds 5,000 new sets.
        let text: String = (0..SETS)
            .map(|i| {
                format!(
                    "{:08},{:08},\"Run {run} set {i}\"\r\n",
                    run * 100_000 + i,
                    50_000_000 + run * 100_000 + i
                )
            })
            .collect();
        let start = Instant::now();
        let file = agreement_csv::parse("bench.csv", text.as_bytes()).unwrap();
        import(&conn, &actor, "bench.csv", &file, Target::Unassigned).unwrap();
        ours.push(start.elapsed());
        raw.push(plain_sql(&conn, run));
    }
    common::summary("parse + check + import 5,000 sets (seats)", ours);
    common::summary("plain SQL: 5,000 agreements + sets, one tx", raw);
}

/// The same rows written by hand: an agreement and its set per line.
fn plain_sql(conn: &rusqlite::Connection, run: usize) -> Duration {
    let start = Instant::now();
    let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate).unwrap();
    {
        let mut agreement = tx
            .prepare("INSERT INTO agreements (name, kind, created_at) VALUES (?1, 'volume', '2026-12-02T00:00:00Z')")
            .unwrap();
        let mut set = tx
            .prepare("INSERT INTO agreement_number_sets (agreement_id, first_number, second_number) VALUES (?1, ?2, ?3)")
            .unwrap();
        for i in 0..SETS {
            agreement.execute([format!("Raw {run} set {i}")]).unwrap();
            let id = tx.last_insert_rowid();
            set.execute(rusqlite::params![
                id,
                format!("R{:07}", run * 100_000 + i),
                format!("S{:07}", run * 100_000 + i)
            ])
            .unwrap();
        }
    }
    tx.commit().unwrap();
    start.elapsed()
}
