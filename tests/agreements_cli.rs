//! `seats import agreements`, `seats agreements` and `seats license-groups`
//! as other tools see them (issue 9): stdout, stderr, JSON keys and every
//! exit code of the contract (2 bad file, 3 rule, 4 read-only).
#![allow(clippy::unwrap_used)]

mod common;

use common::cache::Cache;

impl Cache {
    fn sets(&self) -> i64 {
        self.count("SELECT count(*) FROM agreement_number_sets")
    }
}

const GOOD: &[u8] = b"\xEF\xBB\xBFAgreement number,Enrollment number,Name\r\n\
    91-07001,91-07001,Office agreements EU\r\n\r\n\"92345678\",\"97654321\",\"Select, EU\"\r\n";

#[test]
fn a_dry_run_shows_the_sets_and_changes_nothing_then_the_import_adds_them_pending() {
    let cache = Cache::new();
    let file = cache.file("eu.csv", GOOD);
    let before = cache.sets();
    let (stdout, _) = cache.expect(&["import", "agreements", &file, "--dry-run"], 0);
    assert!(stdout.contains("line 1 read as a header"), "{stdout}");
    assert!(stdout.contains("would add 2 volume agreements"), "{stdout}");
    assert!(
        stdout.contains("Select, EU") && stdout.contains("nothing was changed"),
        "{stdout}"
    );
    assert_eq!(cache.sets(), before, "a dry run changes nothing");
    let (stdout, _) = cache.expect(&["import", "agreements", &file, "--new-group", "Europe"], 0);
    assert!(
        stdout.contains("imported 2 volume agreements (2 number sets)"),
        "{stdout}"
    );
    assert!(stdout.contains("new license group \"Europe\""), "{stdout}");
    assert_eq!(cache.sets(), before + 2);
    let rows = cache.json(&["agreements", "--group", "europe"]);
    assert_eq!(rows.len(), 2);
    let office = &rows[0];
    let keys: Vec<&str> = office.as_object().unwrap().keys().map(String::as_str).collect();
    for key in [
        "id",
        "name",
        "kind",
        "group",
        "number_sets",
        "publisher",
        "product",
        "licenses",
        "starts",
        "ends",
        "validation",
    ] {
        assert!(keys.contains(&key), "{key} missing from {keys:?}");
    }
    assert_eq!(office["name"], "Office agreements EU");
    assert_eq!(office["kind"], "volume");
    assert_eq!(office["group"], "Europe");
    assert_eq!(
        office["number_sets"],
        serde_json::json!([["91-07001", "91-07001"]])
    );
    assert_eq!(office["validation"], "pending");
    assert_eq!(office["product"], serde_json::Value::Null);
    let (table, _) = cache.expect(&["agreements", "--group", "Europe"], 0);
    assert!(
        table.contains("not available"),
        "volume agreements have no product (R-AGR-9): {table}"
    );
    let audited =
        cache.count("SELECT count(*) FROM audit WHERE action = 'agreements_import' AND result = 'ok'");
    assert_eq!(audited, 1);
}

#[test]
fn a_bad_file_exits_2_listing_every_bad_line_and_imports_nothing() {
    let cache = Cache::new();
    let file = cache.file(
        "bad.csv",
        "91001,91001,Good\n12345678,123456789\n٠١٢,91003\n91004,91004,Office/EU\n1,2,n,x\n".as_bytes(),
    );
    let before = cache.sets();
    let (_, stderr) = cache.expect(&["import", "agreements", &file], 2);
    assert!(stderr.contains("nothing was imported"), "{stderr}");
    for expected in [
        "line 2, columns 1-2 (number pair)",
        "line 3, column 1 (first number)",
        "line 4, column 3 (agreement name)",
        "line 5, column 4",
    ] {
        assert!(stderr.contains(expected), "{expected} missing: {stderr}");
    }
    assert!(
        !stderr.contains("line 1,"),
        "the good line is not listed: {stderr}"
    );
    assert_eq!(cache.sets(), before);
    let long = cache.file(&format!("{}.csv", "n".repeat(125)), b"91001,91001\n");
    let (_, stderr) = cache.expect(&["import", "agreements", &long], 2);
    assert!(
        stderr.contains("129 characters") && stderr.contains("R-AGR-5"),
        "{stderr}"
    );
    let empty = cache.file("empty.csv", b"");
    cache.expect(&["import", "agreements", &empty], 2);
    assert_eq!(cache.sets(), before);
}

#[test]
fn an_unknown_group_is_bad_usage_and_read_only_is_not_permitted() {
    let cache = Cache::new();
    let file = cache.file("a.csv", b"91001,91001\n");
    let (_, stderr) = cache.expect(&["import", "agreements", &file, "--group", "Nowhere"], 2);
    assert!(stderr.contains("license-groups list"), "{stderr}");
    cache.expect(&["--read-only", "import", "agreements", &file], 4);
    let (stdout, _) = cache.expect(&["--read-only", "import", "agreements", &file, "--dry-run"], 0);
    assert!(
        stdout.contains("would add 1 volume agreement"),
        "a dry run only reads: {stdout}"
    );
    let missing = cache.home.path().join("missing.csv");
    let (_, stderr) = cache.expect(&["import", "agreements", missing.to_str().unwrap()], 2);
    assert!(stderr.contains("can't read"), "{stderr}");
    cache.expect(&["--read-only", "license-groups", "add", "X"], 4);
    assert_eq!(
        cache.count("SELECT count(*) FROM license_groups WHERE name = 'X'"),
        0
    );
}

#[test]
fn groups_are_made_renamed_and_removed_and_the_501st_is_refused() {
    let cache = Cache::new();
    let file = cache.file("a.csv", b"91001,91001,Office EU\n");
    cache.expect(&["license-groups", "add", "Europe"], 0);
    cache.expect(&["import", "agreements", &file, "--group", "Europe"], 0);
    cache.expect(&["license-groups", "rename", "Europe", "EMEA"], 0);
    let rows = cache.json(&["agreements", "--group", "EMEA"]);
    assert_eq!(rows[0]["name"], "Office EU");
    let (stdout, _) = cache.expect(&["license-groups", "remove", "EMEA"], 0);
    assert!(
        stdout.contains("1 agreement moved to \"Unassigned agreements\""),
        "{stdout}"
    );
    let rows = cache.json(&["agreements", "--filter", "Office EU"]);
    assert_eq!(rows[0]["group"], "Unassigned agreements");
    let (_, stderr) = cache.expect(&["license-groups", "remove", "Unassigned agreements"], 3);
    assert!(stderr.contains("can't be removed"), "{stderr}");
    cache.expect(&["license-groups", "rename", "unassigned agreements", "Misc"], 3);
    // Fill up to 499 groups made by admins, then the 500th and the 501st.
    let made = cache.count("SELECT count(*) FROM license_groups WHERE builtin = 0");
    let conn = rusqlite::Connection::open(&cache.db).unwrap();
    for i in made..499 {
        conn.execute(
            "INSERT INTO license_groups (name) VALUES (?1)",
            [format!("Filler {i}")],
        )
        .unwrap();
    }
    cache.expect(&["license-groups", "add", "Five hundred"], 0);
    let (_, stderr) = cache.expect(&["license-groups", "add", "Five hundred and one"], 3);
    assert!(
        stderr.contains("500 license groups") && stderr.contains("R-AGR-12"),
        "{stderr}"
    );
    let other = cache.file("b.csv", b"91002,91002\n");
    cache.expect(&["import", "agreements", &other, "--new-group", "Too many"], 3);
    assert_eq!(
        cache.count("SELECT count(*) FROM agreement_number_sets WHERE first_number = '91002'"),
        0
    );
    let refused = cache
        .count("SELECT count(*) FROM audit WHERE result LIKE 'refused:%' AND action LIKE 'license_group_%'");
    assert!(refused >= 3, "refusals are audited: {refused}");
    let groups = cache.json(&["license-groups", "list"]);
    assert_eq!(groups.len(), 501);
    assert_eq!(groups[0]["name"], "Unassigned agreements");
    assert_eq!(groups[0]["builtin"], true);
    let (stdout, _) = cache.expect(&["check"], 0);
    assert!(stdout.starts_with("cache ok"), "{stdout}");
}

/// A kill -9 at any moment of an import leaves the cache exactly as before
/// or exactly as after: the 5,000 sets all or none, and `seats check`
/// finds nothing wrong.
#[test]
fn a_kill_9_during_an_import_leaves_the_cache_as_before_or_as_after() {
    use std::process::{Command, Stdio};
    use std::time::Duration;
    let cache = Cache::new();
    let lines: String = (0..5000)
        .map(|i| format!("{:08},{:08}\r\n", 10_000_000 + i, 20_000_000 + i))
        .collect();
    let file = cache.file("many.csv", lines.as_bytes());
    let before = cache.sets();
    let mut outcomes = (0, 0);
    for delay in [0u64, 2, 5, 10, 20, 40, 80, 160] {
        let copy = cache.home.path().join(format!("copy-{delay}.db"));
        std::fs::copy(&cache.db, &copy).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_seats"))
            .env("HOME", cache.home.path())
            .env("XDG_CONFIG_HOME", cache.home.path().join("config"))
            .env("XDG_DATA_HOME", cache.home.path().join("data"))
            .env("XDG_STATE_HOME", cache.home.path().join("state"))
            .env_remove("SEATS_DB")
            .env_remove("SEATS_CONFIG")
            .args(["import", "agreements", &file, "--db", copy.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        // SIGKILL: no chance to clean up.
        child.kill().unwrap();
        child.wait().unwrap();
        let conn = rusqlite::Connection::open(&copy).unwrap();
        let sets: i64 = conn
            .query_row("SELECT count(*) FROM agreement_number_sets", [], |r| r.get(0))
            .unwrap();
        match sets - before {
            0 => outcomes.0 += 1,
            5000 => outcomes.1 += 1,
            other => panic!("{other} sets after a kill at {delay} ms: neither before nor after"),
        }
        let findings = seats::store::check::check(&conn).unwrap();
        assert!(findings.iter().all(|f| f.ok), "{delay} ms: {findings:?}");
    }
    eprintln!("kills: {} before, {} after", outcomes.0, outcomes.1);
}
