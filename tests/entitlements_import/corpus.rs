//! The licensing-summary export corpus: every file in
//! tests/entitlements_corpus with its expected outcome.

use seats::domain::entitlement_csv::parse;
use seats::domain::entitlement_problem::Rule;

fn corpus(name: &str) -> Vec<u8> {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/entitlements_corpus");
    std::fs::read(dir.join(name)).unwrap()
}

/// A first row: (line, first number, second number, quantity).
type FirstRow = (usize, &'static str, &'static str, i64);
/// Every problem of a file as (line, rule); line None is the whole file.
type Found = &'static [(Option<usize>, Rule)];

/// Good files: how many rows, and the first row.
const GOOD: &[(&str, usize, FirstRow)] = &[
    ("good_portal.csv", 3, (2, "4471-2210", "E-90211", 12)),
    ("good_bom_crlf.csv", 2, (3, "4471-2210", "E-90211", 12)),
    (
        "good_reordered_extra_columns.csv",
        2,
        (2, "A-102934", "L-88120", 16),
    ),
    ("good_perpetual_quoted.csv", 1, (2, "A-77001", "L-77001", 10)),
];

/// Bad files and their problems.
const BAD: &[(&str, Found)] = &[
    ("bad_missing_column.csv", &[(Some(1), Rule::Header)]),
    ("bad_column_twice.csv", &[(Some(1), Rule::Header)]),
    (
        "bad_quantity.csv",
        &[
            (Some(2), Rule::Quantity),
            (Some(3), Rule::Quantity),
            (Some(5), Rule::Quantity),
        ],
    ),
    (
        "bad_date.csv",
        &[
            (Some(2), Rule::Date),
            (Some(3), Rule::Date),
            (Some(4), Rule::Date),
        ],
    ),
    ("bad_empty.csv", &[(None, Rule::RowCount)]),
    ("bad_header_only.csv", &[(None, Rule::RowCount)]),
    (
        "bad_numbers.csv",
        &[
            (Some(2), Rule::Number),
            (Some(3), Rule::Number),
            (Some(4), Rule::Number),
        ],
    ),
    ("bad_short_line.csv", &[(Some(2), Rule::Cells)]),
];

#[test]
fn every_good_export_reads_every_row() {
    for (file, rows, (line, first, second, quantity)) in GOOD {
        let read = parse(&corpus(file)).unwrap_or_else(|p| panic!("{file}: {p:?}"));
        assert_eq!(read.len(), *rows, "{file}");
        let row = &read[0];
        assert_eq!(
            (row.line, row.first.as_str(), row.second.as_str(), row.quantity),
            (*line, *first, *second, *quantity),
            "{file}"
        );
    }
}

#[test]
fn every_bad_export_is_refused_listing_every_bad_line_and_its_rule() {
    for (file, expected) in BAD {
        let problems = parse(&corpus(file)).expect_err(file);
        let found: Vec<(Option<usize>, Rule)> = problems.iter().map(|p| (p.line, p.rule)).collect();
        assert_eq!(found, *expected, "{file}: {problems:#?}");
        for problem in &problems {
            let text = problem.to_string();
            assert!(text.contains("R-AGR-8"), "{file}: {text}");
        }
    }
}

#[test]
fn quoted_commas_stay_in_the_product_and_an_empty_end_is_perpetual() {
    let rows = parse(&corpus("good_reordered_extra_columns.csv")).unwrap();
    assert_eq!(rows[0].product, "Windows Server 2022 Datacenter, 2 core");
    assert_eq!(rows[0].ends.map(|d| d.to_string()).as_deref(), Some("2026-09-30"));
    let rows = parse(&corpus("good_perpetual_quoted.csv")).unwrap();
    assert_eq!(rows[0].ends, None);
}

#[test]
fn a_problem_names_its_line_and_column_as_the_header_does() {
    let problems = parse(&corpus("bad_quantity.csv")).unwrap_err();
    let text = problems[0].to_string();
    assert!(text.starts_with("line 2, column 4 (Quantity): \"ten\""), "{text}");
}
