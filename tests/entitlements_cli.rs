//! `seats import entitlements` and the validation `seats agreements` shows
//! (issue 9, R-AGR-8, R-AGR-9) as other tools see them: the built binary,
//! stdout, stderr, JSON keys and exit codes.
#![allow(clippy::unwrap_used)]

mod common;

use common::cache::Cache;

impl Cache {
    /// The agreement called `name` as `seats agreements --format json` has it.
    fn agreement(&self, name: &str) -> serde_json::Value {
        let (stdout, _) = self.expect(&["agreements", "--format", "json"], 0);
        let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
        rows.into_iter().find(|r| r["name"] == name).unwrap()
    }
}

const AGREEMENTS: &[u8] = b"91-07001,91-07001,Office agreements EU\r\n92345678,97654321,Select EU\r\n";
const EXPORT: &[u8] =
    b"\xEF\xBB\xBFQuantity,Product,Enrollment Number,Agreement Number,Start Date,End Date,Reseller\r\n\
    40,Microsoft 365 Apps for enterprise,91-07001,91-07001,2025-01-01,2027-12-31,Contoso\r\n\
    \"1,000\",x,1,1,2025-01-01,2027-12-31,\r\n";

#[test]
fn agreements_wait_for_the_export_then_each_set_shows_what_validation_found() {
    let cache = Cache::new();
    let demo = cache.agreement("Server licensing");
    assert_eq!(demo["validation"], "valid", "the demo's own validation stands");
    assert_eq!(demo["sets_validation"], serde_json::json!(["valid"]));

    let file = cache.file("eu.csv", AGREEMENTS);
    let (stdout, _) = cache.expect(&["import", "agreements", &file], 0);
    assert!(stdout.contains("may differ until validated"), "{stdout}");
    assert!(stdout.contains("seats import entitlements FILE"), "{stdout}");
    let (table, _) = cache.expect(&["agreements"], 0);
    assert!(table.contains("91-07001 91-07001 (pending)"), "{table}");
    assert!(table.contains("(may differ until validated)"), "{table}");
    assert!(table.contains("not available"), "R-AGR-9: {table}");

    // A bad export: exit 2, every bad line listed, nothing stored.
    let bad = cache.file("summary.csv", EXPORT);
    let (_, stderr) = cache.expect(&["import", "entitlements", &bad], 2);
    assert!(stderr.contains("nothing was imported"), "{stderr}");
    assert!(
        stderr.contains("line 3, column 1 (Quantity): \"1,000\""),
        "{stderr}"
    );
    assert_eq!(cache.count("SELECT count(*) FROM vl_entitlements"), 0);

    let good_text = String::from_utf8_lossy(EXPORT).replace(
        "\"1,000\",x,1,1",
        "7,Microsoft Visio Professional 2021,97654322,92345678",
    );
    let good = cache.file("summary.csv", good_text.as_bytes());
    let (stdout, _) = cache.expect(&["import", "entitlements", &good], 0);
    assert!(
        stdout.contains("imported 2 entitlements (2 number sets)"),
        "{stdout}"
    );
    assert!(stdout.contains("1 valid"), "{stdout}");

    let office = cache.agreement("Office agreements EU");
    assert_eq!(office["validation"], "valid");
    assert_eq!(office["sets_validation"], serde_json::json!(["valid"]));
    assert_eq!(office["licenses"], 40);
    assert_eq!(office["product"], serde_json::Value::Null);
    let select = cache.agreement("Select EU");
    assert_eq!(select["validation"], "mismatched");
    let server = cache.agreement("Server licensing");
    assert_eq!(
        server["validation"], "not_found",
        "the export does not hold the demo's set"
    );
    assert_eq!(server["licenses"], serde_json::Value::Null);

    // The filter sees the per-set states too, not the coarse column.
    let (stdout, _) = cache.expect(
        &["agreements", "--filter", "valid=mismatched", "--format", "json"],
        0,
    );
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    let names: Vec<&str> = rows.iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names, ["Select EU"], "{stdout}");
    let (stdout, _) = cache.expect(
        &["agreements", "--filter", "valid=not_found", "--format", "json"],
        0,
    );
    assert!(stdout.contains("Server licensing"), "{stdout}");

    let (table, _) = cache.expect(&["agreements"], 0);
    assert!(
        table.contains("Select EU: 92345678 97654321 mismatched: the export pairs 92345678 with 97654322"),
        "{table}"
    );
    let audited =
        cache.count("SELECT count(*) FROM audit WHERE action = 'entitlements_import' AND result = 'ok'");
    assert_eq!(audited, 1);
}

#[test]
fn an_empty_or_missing_export_exits_2_and_read_only_refuses_with_4() {
    let cache = Cache::new();
    let empty = cache.file("empty.csv", b"");
    let (_, stderr) = cache.expect(&["import", "entitlements", &empty], 2);
    assert!(stderr.contains("the file is empty"), "{stderr}");
    let good = cache.file(
        "summary.csv",
        b"Agreement Number,Enrollment Number,Product,Quantity,Start Date,End Date\nA-1,L-1,P,1,2024-01-01,\n",
    );
    let (_, stderr) = cache.expect(&["--read-only", "import", "entitlements", &good], 4);
    assert!(!stderr.is_empty());
    let missing = cache.home.path().join("nope.csv");
    cache.expect(&["import", "entitlements", missing.to_str().unwrap()], 2);
    assert_eq!(cache.count("SELECT count(*) FROM vl_entitlement_imports"), 0);
}
