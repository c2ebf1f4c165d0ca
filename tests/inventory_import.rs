//! The software-inventory file corpus (issue 9, R-APP-10): every file in
//! tests/inventory_corpus with its expected outcome; imports that are all
//! or nothing and idempotent; unknown computers created unmanaged; the
//! product-name mapping and its overrides.
#![allow(clippy::unwrap_used)]

#[path = "inventory_import/props.rs"]
mod props;

use std::path::PathBuf;

use rusqlite::Connection;
use seats::domain::inventory_csv::{Rule, parse};
use seats::store::changes::Actor;
use seats::store::{self, OpenMode, inventory_import, products};

struct Fixture {
    _dir: tempfile::TempDir,
    conn: Connection,
    actor: Actor,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let conn = store::open(&dir.path().join("i.db"), OpenMode::Create).unwrap();
        store::admins::ensure_creator(&conn, "tester").unwrap();
        Fixture {
            _dir: dir,
            conn,
            actor: Actor::new("tester"),
        }
    }

    fn import(&self, bytes: &[u8]) -> inventory_import::Outcome {
        let file = parse(bytes, now()).unwrap();
        inventory_import::import(&self.conn, &self.actor, "f.csv", &file, now()).unwrap()
    }

    fn count(&self, sql: &str) -> i64 {
        self.conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// Everything an import writes, as text rows, sorted.
    fn snapshot(&self) -> Vec<String> {
        let sql = "SELECT 'inv|' || d.name || '|' || p.title || '|' || r.raw || '|' || ifnull(i.version, '-') \
                   || '|' || ifnull(i.user_upn, '-') || '|' || i.detected_at FROM inventory i \
                   JOIN devices d ON d.id = i.device_id JOIN products p ON p.id = i.product_id \
                   JOIN product_raw_names r ON r.id = i.raw_name_id \
                   UNION ALL SELECT 'dev|' || name || '|' || managed || '|' || ifnull(imported_from, '-') FROM devices \
                   UNION ALL SELECT 'pub|' || name FROM publishers \
                   UNION ALL SELECT 'prod|' || title FROM products ORDER BY 1";
        let mut stmt = self.conn.prepare(sql).unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }
}

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-12-01T12:00:00Z")
        .unwrap()
        .into()
}

fn corpus(name: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/inventory_corpus")
            .join(name),
    )
    .unwrap()
}

/// Good files: (file, rows after merging, computers, titles).
const GOOD: &[(&str, usize, i64, i64)] = &[
    ("good_plain.csv", 3, 2, 2),
    ("good_bom_crlf.csv", 2, 2, 2),
    ("good_quoted_commas.csv", 2, 2, 1),
    ("good_reordered_extra_columns.csv", 2, 1, 1),
    ("good_trailing_empty_cells.csv", 1, 1, 1),
];

type Expected = (Option<usize>, Rule);

const BAD: &[(&str, &[Expected])] = &[
    ("bad_empty.csv", &[(None, Rule::Empty)]),
    ("bad_blank_only.csv", &[(None, Rule::Empty)]),
    ("bad_header_only.csv", &[(None, Rule::Empty)]),
    ("bad_no_header.csv", &[(Some(1), Rule::Header)]),
    (
        "bad_missing_product_column.csv",
        &[(Some(1), Rule::MissingColumn)],
    ),
    ("bad_duplicate_column.csv", &[(Some(1), Rule::DuplicateColumn)]),
    ("bad_date.csv", &[(Some(2), Rule::Date), (Some(4), Rule::Date)]),
    (
        "bad_every_line_listed.csv",
        &[
            (Some(2), Rule::Upn),
            (Some(3), Rule::Required),
            (Some(4), Rule::Cells),
            (Some(5), Rule::Required),
            (Some(5), Rule::Required),
        ],
    ),
    ("bad_unquoted_comma.csv", &[(Some(2), Rule::Cells)]),
    ("bad_not_utf8.csv", &[(Some(2), Rule::Encoding)]),
    ("bad_too_long.csv", &[(Some(2), Rule::Length)]),
];

#[test]
fn every_corpus_file_has_an_expected_outcome() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/inventory_corpus");
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let listed = GOOD.iter().any(|g| g.0 == name) || BAD.iter().any(|b| b.0 == name);
        assert!(listed, "{name} has no expected outcome");
    }
}

#[test]
fn every_good_file_imports_its_rows_titles_and_unmanaged_computers() {
    for (name, rows, computers, titles) in GOOD {
        let fixture = Fixture::new();
        let outcome = fixture.import(&corpus(name));
        assert_eq!((outcome.rows, outcome.added), (*rows, *rows), "{name}");
        assert_eq!(
            fixture.count("SELECT count(*) FROM inventory"),
            *rows as i64,
            "{name}"
        );
        let unmanaged = "SELECT count(*) FROM devices WHERE managed = 0 AND imported_from = 'f.csv'";
        assert_eq!(fixture.count(unmanaged), *computers, "{name}");
        assert_eq!(fixture.count("SELECT count(*) FROM products"), *titles, "{name}");
        let audited = "SELECT count(*) FROM audit WHERE action = 'inventory_import' AND result = 'ok'";
        assert_eq!(fixture.count(audited), 1, "{name}");
    }
}

#[test]
fn every_bad_file_is_refused_listing_each_bad_line_with_its_rule() {
    for (name, expected) in BAD {
        let problems = parse(&corpus(name), now()).unwrap_err();
        let found: Vec<Expected> = problems.iter().map(|p| (p.line, p.rule)).collect();
        assert_eq!(found, *expected, "{name}: {problems:#?}");
        for problem in &problems {
            let text = problem.to_string();
            assert!(
                text.contains("R-APP-10") && text.contains(problem.rule.fix()),
                "{text}"
            );
        }
    }
}

#[test]
fn a_problem_names_its_line_column_and_header_name() {
    let problems = parse(&corpus("bad_date.csv"), now()).unwrap_err();
    let first = problems[0].to_string();
    assert!(
        first.starts_with("line 2, column 4 (last seen): last seen \"30-11-2026\" is not a date"),
        "{first}"
    );
}

#[test]
fn the_acrobat_variants_count_as_one_title_on_two_computers() {
    let fixture = Fixture::new();
    fixture.import(&corpus("good_plain.csv"));
    let rows = products::list(&fixture.conn).unwrap();
    let acrobat = rows.iter().find(|p| p.title == "Adobe Acrobat Pro 2024").unwrap();
    assert_eq!(acrobat.computers, 2);
    assert_eq!(
        acrobat.raw_names,
        ["Adobe Acrobat Pro 2024", "Adobe Acrobat Pro 2024 (64-bit)"]
    );
    assert!(
        rows.iter()
            .any(|p| p.title == "Zoom Workplace" && p.computers == 1)
    );
}

#[test]
fn a_later_last_seen_updates_the_row_and_an_earlier_one_is_kept() {
    let fixture = Fixture::new();
    let head = "computer,publisher,product,version,last seen,user\n";
    fixture.import(format!("{head}PC-1,Adobe,Acrobat,1,2026-11-20,\n").as_bytes());
    let later = fixture.import(format!("{head}PC-1,Adobe,Acrobat,1,2026-11-25,ana@c.com\n").as_bytes());
    assert_eq!((later.added, later.updated), (0, 1));
    let earlier = fixture.import(format!("{head}PC-1,Adobe,Acrobat,1,2026-11-01,\n").as_bytes());
    assert_eq!((earlier.updated, earlier.unchanged), (0, 1));
    let row = "SELECT count(*) FROM inventory WHERE detected_at = '2026-11-25T00:00:00Z' AND user_upn = 'ana@c.com'";
    assert_eq!(fixture.count(row), 1);
    let other_version = fixture.import(format!("{head}PC-1,Adobe,Acrobat,2,,\n").as_bytes());
    assert_eq!(other_version.added, 1, "another version is another row");
}

#[test]
fn a_known_computer_is_used_not_duplicated() {
    let fixture = Fixture::new();
    fixture
        .conn
        .execute(
            "INSERT INTO devices (name, os, managed) VALUES ('PC-001', 'windows', 1)",
            [],
        )
        .unwrap();
    let outcome = fixture.import(&corpus("good_plain.csv"));
    assert_eq!(outcome.computers_created, 1, "PC-002 only");
    assert_eq!(
        fixture.count("SELECT count(*) FROM devices WHERE name = 'PC-001'"),
        1
    );
}

#[test]
fn a_mapping_moves_the_rows_and_unmapping_moves_them_back_both_audited() {
    let fixture = Fixture::new();
    fixture.import(&corpus("good_plain.csv"));
    let moved = products::map(&fixture.conn, &fixture.actor, "zoom workplace 64-BIT", "Zoom").unwrap();
    assert_eq!(
        (moved.raw_names, moved.rows),
        (1, 1),
        "the raw name compares ignoring case"
    );
    assert_eq!(
        fixture.count("SELECT count(*) FROM products WHERE title = 'Zoom'"),
        1
    );
    let moved = products::map(
        &fixture.conn,
        &fixture.actor,
        "Adobe Acrobat Pro 2024 (64-bit)",
        "Acrobat Pro",
    )
    .unwrap();
    assert_eq!((moved.raw_names, moved.rows), (1, 1));
    let rows = products::list(&fixture.conn).unwrap();
    let pro = rows.iter().find(|p| p.title == "Acrobat Pro").unwrap();
    assert_eq!(pro.overridden, ["Adobe Acrobat Pro 2024 (64-bit)"]);
    let back = products::unmap(&fixture.conn, &fixture.actor, "adobe acrobat pro 2024 (64-BIT)").unwrap();
    assert_eq!((back.raw_names, back.rows), (1, 1));
    assert!(products::unmap(&fixture.conn, &fixture.actor, "Nothing mapped").is_err());
    let audited =
        "SELECT count(*) FROM audit WHERE action IN ('product_map', 'product_unmap') AND result = 'ok'";
    assert_eq!(fixture.count(audited), 3);
}
