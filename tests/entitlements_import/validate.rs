//! Validation of number sets against the imported export (R-AGR-8): each
//! outcome with its reason, the agreement's state and entitlements
//! following its sets, and imports that replace or leave everything.

use chrono::{TimeZone, Utc};
use seats::domain::agreement_csv;
use seats::domain::entitlement_csv;
use seats::store::agreement_validation::{Scope, overall, set_states, validate_agreements};
use seats::store::agreements_import::{Target, import as import_agreements};
use seats::store::changes::Actor;
use seats::store::entitlements_import::import;

use super::fixture::Fixture;

const HEADER: &str = "Agreement Number,Enrollment Number,Product,Quantity,Start Date,End Date\n";

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

/// A cache holding the agreements of `csv` (pair and name per line).
fn with_agreements(csv: &str) -> Fixture {
    let fixture = Fixture::new();
    let file = agreement_csv::parse("a.csv", csv.as_bytes()).unwrap();
    import_agreements(&fixture.conn, &fixture.actor, "a.csv", &file, Target::Unassigned).unwrap();
    fixture
}

fn import_export(fixture: &Fixture, rows: &str) -> seats::store::entitlements_import::Imported {
    let rows = entitlement_csv::parse(format!("{HEADER}{rows}").as_bytes()).unwrap();
    import(&fixture.conn, &fixture.actor, "summary.csv", &rows, now()).unwrap()
}

/// An agreement: (name, overall state, each set's state and note).
type Judged = (String, String, Vec<(String, Option<String>)>);

fn states(fixture: &Fixture) -> Vec<Judged> {
    let sets = set_states(&fixture.conn).unwrap();
    let mut stmt = fixture
        .conn
        .prepare("SELECT id, name, validation FROM agreements ORDER BY id")
        .unwrap();
    let rows: Vec<(i64, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    rows.into_iter()
        .map(|(id, name, coarse)| {
            let mine = sets.get(&id).cloned().unwrap_or_default();
            let state = overall(&mine, &coarse);
            (
                name,
                state,
                mine.into_iter().map(|s| (s.validation, s.note)).collect(),
            )
        })
        .collect()
}

const AGREEMENTS: &str =
    "4471-2210,E-90211,Server\n01-07001,01-07001,Office\nA-1,L-1,Open\nB-1,L-9,Swapped\n";
const EXPORT: &str = "4471-2210,E-90211,SQL Server 2022 Standard,12,2024-07-01,2027-06-30\n\
                      4471-2210,E-90211,SQL Server 2022 Standard,3,2025-07-01,2027-06-30\n\
                      4471-2210,E-90211,Visio Professional 2021,5,2024-07-01,\n\
                      A-1,L-2,Office Standard 2019,10,2019-03-01,\n\
                      L-9,B-1,Project Professional 2021,2,2023-01-01,2026-12-31\n";

#[test]
fn before_any_export_every_set_stays_pending() {
    let fixture = with_agreements(AGREEMENTS);
    let found = validate_agreements(&fixture.conn, Scope::All, now()).unwrap();
    assert!(found.no_export);
    assert!(states(&fixture).iter().all(|(_, state, _)| state == "pending"));
}

#[test]
fn each_set_is_valid_not_found_or_mismatched_with_the_reason() {
    let fixture = with_agreements(AGREEMENTS);
    let imported = import_export(&fixture, EXPORT);
    assert_eq!((imported.rows, imported.pairs), (5, 3));
    assert_eq!(
        (
            imported.validated.valid,
            imported.validated.not_found,
            imported.validated.mismatched
        ),
        (1, 1, 2)
    );
    let states = states(&fixture);
    assert_eq!(states[0].1, "valid");
    assert_eq!(states[1].1, "not_found");
    assert_eq!(states[2].1, "mismatched");
    assert!(
        states[2].2[0]
            .1
            .as_deref()
            .unwrap()
            .contains("pairs A-1 with L-2"),
        "{states:?}"
    );
    assert_eq!(states[3].1, "mismatched");
    assert!(
        states[3].2[0].1.as_deref().unwrap().contains("other way round"),
        "{states:?}"
    );
    let coarse = fixture.strings("SELECT validation FROM agreements ORDER BY id");
    assert_eq!(coarse, ["valid", "invalid", "invalid", "invalid"]);
    // The valid agreement holds what its set holds, per product.
    let held = fixture.strings(
        "SELECT p.title || '=' || e.quantity FROM entitlements e JOIN products p ON p.id = e.product_id \
         JOIN agreements a ON a.id = e.agreement_id WHERE a.name = 'Server' ORDER BY p.title",
    );
    assert_eq!(held, ["SQL Server 2022 Standard=15", "Visio Professional 2021=5"]);
    assert_eq!(fixture.count("SELECT count(*) FROM entitlements"), 2);
    let publisher = fixture
        .strings("SELECT DISTINCT pu.name FROM products p JOIN publishers pu ON pu.id = p.publisher_id");
    assert_eq!(publisher, ["Microsoft"]);
}

#[test]
fn a_term_of_the_agreement_outside_the_exports_is_mismatched() {
    let fixture = with_agreements("4471-2210,E-90211,Server\n");
    fixture
        .conn
        .execute(
            "UPDATE agreements SET starts_on = '2028-01-01', ends_on = '2030-12-31'",
            [],
        )
        .unwrap();
    import_export(
        &fixture,
        "4471-2210,E-90211,SQL Server 2022 Standard,12,2024-07-01,2027-06-30\n",
    );
    let states = states(&fixture);
    assert_eq!(states[0].1, "mismatched");
    assert!(
        states[0].2[0]
            .1
            .as_deref()
            .unwrap()
            .contains("the agreement runs 2028-01-01")
    );
    assert_eq!(fixture.count("SELECT count(*) FROM entitlements"), 0);
}

#[test]
fn a_new_export_replaces_the_last_and_revalidates_every_set() {
    let fixture = with_agreements(AGREEMENTS);
    import_export(&fixture, EXPORT);
    import_export(
        &fixture,
        "01-07001,01-07001,Microsoft 365 Apps for enterprise,40,2025-01-01,2027-12-31\n",
    );
    let states = states(&fixture);
    assert_eq!(states[0].1, "not_found", "the server set left the export");
    assert_eq!(states[1].1, "valid");
    assert_eq!(fixture.count("SELECT count(*) FROM vl_entitlements"), 1);
    let held =
        fixture.strings("SELECT a.name FROM entitlements e JOIN agreements a ON a.id = e.agreement_id");
    assert_eq!(held, ["Office"]);
}

#[test]
fn new_agreements_are_judged_against_the_last_export_and_others_left_alone() {
    let fixture = with_agreements("4471-2210,E-90211,Server\n");
    import_export(&fixture, EXPORT);
    fixture
        .conn
        .execute("UPDATE agreement_number_sets SET validation_note = 'kept'", [])
        .unwrap();
    let file = agreement_csv::parse("b.csv", b"A-1,L-2,Open\n").unwrap();
    import_agreements(&fixture.conn, &fixture.actor, "b.csv", &file, Target::Unassigned).unwrap();
    let found = validate_agreements(&fixture.conn, Scope::Pending, now()).unwrap();
    assert_eq!((found.valid, found.not_found, found.mismatched), (1, 0, 0));
    let notes =
        fixture.strings("SELECT coalesce(validation_note, '-') FROM agreement_number_sets ORDER BY id");
    assert_eq!(notes, ["kept", "-"], "the validated set was not judged again");
}

#[test]
fn a_refused_import_changes_nothing() {
    let fixture = with_agreements(AGREEMENTS);
    import_export(&fixture, EXPORT);
    let rows = entitlement_csv::parse(format!("{HEADER}A-9,L-9,P,1,2024-01-01,\n").as_bytes()).unwrap();
    let reader = Actor {
        name: "tester".to_owned(),
        read_only: true,
    };
    assert!(import(&fixture.conn, &reader, "other.csv", &rows, now()).is_err());
    assert_eq!(fixture.count("SELECT count(*) FROM vl_entitlements"), 5);
    assert_eq!(fixture.count("SELECT count(*) FROM vl_entitlement_imports"), 1);
    assert_eq!(
        fixture.strings("SELECT validation FROM agreements ORDER BY id")[0],
        "valid"
    );
}
