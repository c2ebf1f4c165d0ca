//! The agreement file corpus (issue 9; R-AGR-2..5): every file in
//! tests/agreements_corpus with its expected outcome, the 5,000 / 5,001 set
//! and 128 / 129 character file name limits, and imports that are all or
//! nothing (R-AGR-1, R-AGR-7).
#![allow(clippy::unwrap_used)]

#[path = "agreements_import/expected.rs"]
mod expected;
#[path = "agreements_import/fixture.rs"]
mod fixture;
#[path = "agreements_import/props.rs"]
mod props;

use expected::{BAD, Expected, GOOD};
use fixture::{Fixture, corpus};
use seats::domain::agreement_csv::parse;
use seats::domain::agreement_rules::Rule;
use seats::store::agreements_import::{Target, import};
use seats::store::license_groups::AgreementError;

#[test]
fn every_good_file_imports_exactly_its_sets_pending_in_unassigned() {
    for good in GOOD {
        let fixture = Fixture::new();
        let file = parse(good.file, &corpus(good.file)).unwrap_or_else(|p| panic!("{}: {p:?}", good.file));
        assert_eq!(file.header.as_ref().map(|h| h.0), good.header, "{}", good.file);
        let plan = import(
            &fixture.conn,
            &fixture.actor,
            good.file,
            &file,
            Target::Unassigned,
        )
        .unwrap();
        assert_eq!(plan.sets.len(), good.sets, "{}", good.file);
        let mut expected: Vec<(String, String)> = file
            .sets
            .iter()
            .map(|s| (s.first.clone(), s.second.clone()))
            .collect();
        expected.sort();
        assert_eq!(fixture.sets(), expected, "{}", good.file);
        let states = fixture.strings(
            "SELECT DISTINCT a.validation || '/' || g.name || '/' || a.source_file FROM agreements a \
             JOIN license_groups g ON g.id = a.license_group_id",
        );
        assert_eq!(states, [format!("pending/Unassigned agreements/{}", good.file)]);
        assert_eq!(
            fixture.count("SELECT count(*) FROM audit WHERE action = 'agreements_import'"),
            1
        );
    }
}

#[test]
fn every_bad_file_is_refused_listing_each_bad_line_with_its_rule() {
    let covered: Vec<&str> = BAD.iter().map(|(f, _)| *f).collect();
    for name in fixture::corpus_files() {
        let listed = covered.contains(&name.as_str()) || GOOD.iter().any(|g| g.file == name);
        assert!(listed, "{name} has no expected outcome in this test");
    }
    for (file, expected) in BAD {
        let problems = parse(file, &corpus(file)).unwrap_err();
        let found: Vec<Expected> = problems.iter().map(|p| (p.line, p.rule)).collect();
        assert_eq!(found, *expected, "{file}: {problems:#?}");
        for problem in &problems {
            let text = problem.to_string();
            assert!(
                text.contains(problem.rule.id()) && text.contains(problem.rule.fix()),
                "{text}"
            );
        }
    }
}

#[test]
fn non_ascii_digits_are_named_with_column_and_code_point() {
    let problems = parse("f.csv", &corpus("bad_non_ascii_digits.csv")).unwrap_err();
    let first = problems[0].to_string();
    assert!(first.starts_with("line 1, column 1 (first number): "), "{first}");
    assert!(first.contains("U+0660"), "{first}");
    assert!(problems[1].to_string().contains("U+FF10"), "{}", problems[1]);
}

/// `n` distinct good lines.
fn lines(n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| format!("{i:08},{i:08}\r\n"))
        .collect::<String>()
        .into_bytes()
}

#[test]
fn five_thousand_sets_import_and_five_thousand_and_one_import_nothing() {
    let fixture = Fixture::new();
    let file = parse("big.csv", &lines(5000)).unwrap();
    import(
        &fixture.conn,
        &fixture.actor,
        "big.csv",
        &file,
        Target::Unassigned,
    )
    .unwrap();
    assert_eq!(fixture.count("SELECT count(*) FROM agreement_number_sets"), 5000);
    let problems = parse("bigger.csv", &lines(5001)).unwrap_err();
    assert_eq!(problems.len(), 1, "one problem for the file, not one per line");
    assert_eq!((problems[0].line, problems[0].rule), (None, Rule::SetCount));
    assert!(
        problems[0].to_string().contains("5001 number sets; at most 5000"),
        "{}",
        problems[0]
    );
}

#[test]
fn a_129_character_file_name_is_refused_and_128_pass() {
    let text = b"1001,1001\n";
    assert!(parse(&format!("{}.csv", "a".repeat(124)), text).is_ok());
    let problems = parse(&format!("{}.csv", "a".repeat(125)), text).unwrap_err();
    assert_eq!((problems[0].line, problems[0].rule), (None, Rule::FileName));
    assert!(
        problems[0].to_string().contains("129 characters"),
        "{}",
        problems[0]
    );
}

#[test]
fn a_line_clashing_with_the_cache_refuses_the_whole_file() {
    let fixture = Fixture::new();
    let first = parse("a.csv", b"1001,1001,Office\n").unwrap();
    import(&fixture.conn, &fixture.actor, "a.csv", &first, Target::Unassigned).unwrap();
    let before = fixture.sets();
    let second = parse("b.csv", b"2001,2001,Visio\n2002,2002,office\n1001,1001,Project\n").unwrap();
    let err = import(
        &fixture.conn,
        &fixture.actor,
        "b.csv",
        &second,
        Target::NewGroup("EU"),
    )
    .unwrap_err();
    let AgreementError::BadFile(problems) = &err else {
        panic!("{err:?}")
    };
    let found: Vec<_> = problems.iter().map(|p| (p.line, p.rule)).collect();
    assert_eq!(
        found,
        [(Some(2), Rule::DuplicateName), (Some(3), Rule::DuplicatePair)]
    );
    assert_eq!(err.exit_code(), 2);
    assert_eq!(fixture.sets(), before, "nothing of the file was imported");
    assert_eq!(
        fixture.count("SELECT count(*) FROM license_groups WHERE name = 'EU'"),
        0
    );
}

#[test]
fn new_and_existing_groups_take_the_agreements() {
    let fixture = Fixture::new();
    let file = parse("a.csv", b"1001,1001,Office\n").unwrap();
    import(
        &fixture.conn,
        &fixture.actor,
        "a.csv",
        &file,
        Target::NewGroup("Europe"),
    )
    .unwrap();
    let file = parse("b.csv", b"1002,1002,Visio\n").unwrap();
    import(
        &fixture.conn,
        &fixture.actor,
        "b.csv",
        &file,
        Target::Group("EUROPE"),
    )
    .unwrap();
    let groups = fixture.strings(
        "SELECT g.name FROM agreements a JOIN license_groups g ON g.id = a.license_group_id ORDER BY a.id",
    );
    assert_eq!(groups, ["Europe", "Europe"]);
    let file = parse("c.csv", b"1003,1003,Project\n").unwrap();
    let err = import(
        &fixture.conn,
        &fixture.actor,
        "c.csv",
        &file,
        Target::Group("Asia"),
    )
    .unwrap_err();
    assert_eq!(err.exit_code(), 2, "{err}");
}
