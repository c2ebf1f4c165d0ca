//! Property (issue 9): an import either adds exactly the file's number sets
//! or nothing, whatever the file holds and whatever the cache holds
//! already. One cache takes every case, so later files clash with earlier
//! imports as real ones do.

use std::cell::Cell;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use seats::domain::agreement_csv::parse;
use seats::store::agreements_import::{Target, import};

use super::fixture::Fixture;

/// A number from a small alphabet (so pairs repeat), 1 to 7 characters:
/// mostly good, and now and then one with a non-ASCII digit, a space, or
/// empty or too long, so that files are refused too.
fn number() -> impl Strategy<Value = String> {
    let good = prop::sample::select(vec!['0', '1', '2', '7', '-', 'V']);
    let any = prop::sample::select(vec!['0', '1', '7', '\u{0663}', ' ']);
    prop_oneof![
        12 => prop::collection::vec(good, 1..8).prop_map(String::from_iter),
        1 => prop::collection::vec(any, 0..12).prop_map(String::from_iter),
    ]
}

fn name() -> impl Strategy<Value = Option<String>> {
    let good = ["Office", "Visio", "Select, EU", ""];
    let bad = ["Bad/name", "office"];
    prop::option::of(prop_oneof![
        12 => prop::sample::select(good.to_vec()).prop_map(str::to_owned),
        1 => prop::sample::select(bad.to_vec()).prop_map(str::to_owned),
    ])
}

fn csv_line((first, second, name): &(String, String, Option<String>)) -> String {
    match name {
        Some(name) => format!("{first},{second},\"{name}\"\r\n"),
        None => format!("{first},{second}\r\n"),
    }
}

/// A line a spreadsheet leaves empty: skipped, not a set.
fn blank((first, second, name): &(String, String, Option<String>)) -> bool {
    first.trim().is_empty() && second.trim().is_empty() && name.as_deref().unwrap_or("").is_empty()
}

#[test]
fn an_import_adds_exactly_the_files_sets_or_nothing() {
    let fixture = Fixture::new();
    let file = prop::collection::vec((number(), number(), name()), 0..6);
    // A fixed seed: the same 96 files every run, so the check that both
    // outcomes occur can't fail by the luck of the draw.
    let config = Config {
        cases: 96,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let (added, refused) = (Cell::new(0), Cell::new(0));
    runner
        .run(&file, |lines| {
            let text: String = lines.iter().map(csv_line).collect();
            let before = fixture.sets();
            let outcome = parse("p.csv", text.as_bytes()).map_err(|_| ()).and_then(|file| {
                import(&fixture.conn, &fixture.actor, "p.csv", &file, Target::Unassigned)
                    .map_err(|_| ())
                    .map(|_| file)
            });
            let after = fixture.sets();
            match outcome {
                Ok(_) => {
                    // Worked out from the lines drawn, not from the parser.
                    let mut expected = before.clone();
                    expected.extend(
                        lines
                            .iter()
                            .filter(|l| !blank(l))
                            .map(|(first, second, _)| (first.trim().to_owned(), second.trim().to_owned())),
                    );
                    expected.sort();
                    prop_assert_eq!(after, expected);
                    added.set(added.get() + 1);
                }
                Err(()) => {
                    prop_assert_eq!(after, before);
                    refused.set(refused.get() + 1);
                }
            }
            Ok(())
        })
        .unwrap();
    let (added, refused) = (added.get(), refused.get());
    assert!(
        added > 0 && refused > 0,
        "both outcomes drawn: {added} added, {refused} refused"
    );
}
