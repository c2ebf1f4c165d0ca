//! Property (issue 9): importing an inventory file twice is importing it
//! once, and so is importing it with its lines shuffled and repeated; a
//! bad line anywhere imports nothing.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use seats::domain::inventory_csv::parse;

use super::{Fixture, now};

/// One line: computer, publisher, product, version, user, last-seen day.
type Line = (usize, usize, usize, Option<usize>, Option<usize>, Option<u32>);

const COMPUTERS: &[&str] = &["PC-1", "pc-1", "PC-2", "LAPTOP-9"];
const PUBLISHERS: &[&str] = &["Adobe", "adobe", "Zoom, Inc."];
const PRODUCTS: &[&str] = &[
    "Acrobat Pro 2024 (64-bit)",
    "Acrobat Pro 2024",
    "Workplace x64",
    "Reader",
];
const USERS: &[&str] = &["ana@contoso.com", "bo@contoso.com"];

fn line() -> impl Strategy<Value = Line> {
    (
        0..COMPUTERS.len(),
        0..PUBLISHERS.len(),
        0..PRODUCTS.len(),
        prop::option::of(0..3usize),
        prop::option::of(0..USERS.len()),
        prop::option::of(1..28u32),
    )
}

fn csv(lines: &[Line]) -> String {
    let mut text = String::from("\u{feff}Computer,Publisher,Product,Version,User,Last seen\r\n");
    for (c, p, r, v, u, d) in lines {
        let version = v.map(|v| format!("1.{v}")).unwrap_or_default();
        let user = u.map(|u| USERS[u]).unwrap_or_default();
        let day = d.map(|d| format!("2026-11-{d:02}")).unwrap_or_default();
        text.push_str(&format!(
            "{},\"{}\",\"{}\",{version},{user},{day}\r\n",
            COMPUTERS[*c], PUBLISHERS[*p], PRODUCTS[*r]
        ));
    }
    text
}

fn runner() -> TestRunner {
    let config = Config {
        cases: 24,
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
}

#[test]
fn importing_twice_or_shuffled_and_repeated_is_importing_once() {
    let lines = prop::collection::vec(line(), 1..30);
    runner()
        .run(&(lines, any::<u64>()), |(lines, seed)| {
            let text = csv(&lines);
            let once = Fixture::new();
            once.import(text.as_bytes());
            let first = once.snapshot();
            let again = once.import(text.as_bytes());
            prop_assert_eq!(again.added + again.updated, 0);
            prop_assert_eq!(once.snapshot(), first.clone());
            // The same lines in another order, some twice: the same cache,
            // because the latest last seen wins whatever the order.
            let mut shuffled = lines.clone();
            shuffled.rotate_left((seed as usize) % lines.len());
            shuffled.extend(lines.iter().take((seed % 3) as usize).cloned());
            let other = Fixture::new();
            other.import(csv(&shuffled).as_bytes());
            prop_assert_eq!(rows_without_users(&other.snapshot()), rows_without_users(&first));
            Ok(())
        })
        .unwrap();
}

/// The snapshot without the user column, lowercase: when two lines of a key
/// give the same last seen and different users, which user is kept depends
/// on order, and so does which spelling of a computer or publisher is kept.
fn rows_without_users(rows: &[String]) -> Vec<String> {
    let mut rows: Vec<String> = rows
        .iter()
        .map(|r| {
            let mut cells: Vec<&str> = r.split('|').collect();
            if cells[0] == "inv" {
                cells.remove(5);
            }
            cells.join("|").to_lowercase()
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn a_bad_line_anywhere_imports_nothing() {
    let lines = prop::collection::vec(line(), 1..20);
    runner()
        .run(&(lines, any::<usize>()), |(lines, at)| {
            let fixture = Fixture::new();
            let mut text = csv(&lines);
            let bad_line = 2 + at % lines.len();
            let mut rows: Vec<String> = text.lines().map(str::to_owned).collect();
            rows.insert(bad_line - 1, "PC-9,Adobe,,1.0,,".to_owned());
            text = rows.join("\r\n");
            let problems = parse(text.as_bytes(), now()).unwrap_err();
            prop_assert_eq!(
                problems.iter().map(|p| p.line).collect::<Vec<_>>(),
                vec![Some(bad_line)]
            );
            prop_assert_eq!(fixture.count("SELECT count(*) FROM inventory"), 0);
            Ok(())
        })
        .unwrap();
}
