//! The assign picker at scale (issue 11): its in-memory index built once
//! over every user, group and pool, then one search per keystroke of names
//! typed letter by letter, as the worker answers them (200 rows and the
//! count). Run: `cargo bench --bench picker -- --db PATH` on a demo cache
//! (`seats demo --users 1000000 --no-open --db PATH`), or `-- --users N` to
//! build one. Nothing here is asserted.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::time::{Duration, Instant};

use seats::store::{self, OpenMode};
use seats::worker::search::{SearchIndex, SearchScope};

/// Surnames, first names, a department, a two-word name, short stems, a
/// word no one has, and single letters (every entry matches).
const TYPED: &[&str] = &[
    "jan.smit",
    "sophie de vries",
    "mohammed",
    "li.wei",
    "anna",
    "sales",
    "perez",
    "zz",
    "e",
    "a",
];

fn main() {
    let (_dir, db) = common::cache_arg();
    let conn = store::open(&db, OpenMode::MustExist).unwrap();
    let users: i64 = conn
        .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
        .unwrap();
    println!("# picker: {users} users on {}", common::machine());
    let mut builds = Vec::new();
    let mut index = SearchIndex::default();
    for _ in 0..3 {
        let start = Instant::now();
        index = SearchIndex::build(&conn).unwrap();
        builds.push(start.elapsed());
    }
    common::summary("picker index build", builds);
    let (mut first, mut next) = (Vec::new(), Vec::new());
    for round in 0..3 {
        for name in TYPED {
            let mut keys: Vec<Duration> = Vec::new();
            for end in 0..=name.len() {
                let start = Instant::now();
                let (items, _total) = index.search(SearchScope::Principals, &name[..end], 200, &[]);
                keys.push(start.elapsed());
                std::hint::black_box(items);
            }
            if round == 0 {
                let worst = keys.iter().max().copied().unwrap_or_default();
                println!("  {name:<18} worst key {:>8.1} ms", worst.as_secs_f64() * 1e3);
            }
            first.push(keys[1]);
            next.extend_from_slice(&keys[2..]);
        }
    }
    common::summary("picker: the first letter typed", first);
    common::summary("picker: every later keystroke", next);
}
