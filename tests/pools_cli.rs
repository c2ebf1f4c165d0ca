//! `seats pools` carries each pool's status and expiry (architecture §5,
//! R-SUB-3, R-SUB-4, R-LIC-1): JSON, CSV, the table and the Licenses pane.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::NaiveDate;
use rusqlite::{Connection, params};
use seats::app::PaneId;
use seats::domain::PoolStatus;
use seats::headless;
use seats::output::Format;
use seats::store::{self, OpenMode, pools};
use serde_json::Value;

fn pools_json(conn: &Connection) -> Vec<Value> {
    let text = headless::pools(conn, None, Format::Json, common::fixed_now()).unwrap();
    serde_json::from_str::<Value>(&text)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn named<'a>(pools: &'a [Value], name: &str) -> &'a Value {
    pools.iter().find(|p| p["name"] == name).unwrap()
}

fn expires_on(conn: &Connection, name: &str) -> String {
    conn.query_row("SELECT expires_on FROM pools WHERE name = ?1", [name], |r| {
        r.get(0)
    })
    .unwrap()
}

#[test]
fn json_has_exactly_the_contract_keys_in_order() {
    let (_dir, _path, conn) = common::demo_db(300);
    let text = headless::pools(&conn, None, Format::Json, common::fixed_now()).unwrap();
    let first = serde_json::from_str::<Vec<serde_json::Map<String, Value>>>(&text).unwrap()[0].clone();
    let keys: Vec<&str> = first.keys().map(String::as_str).collect();
    let mut expected = vec![
        "id",
        "name",
        "kind",
        "source",
        "total",
        "consumed",
        "available",
        "status",
        "expires",
    ];
    expected.sort_unstable();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, expected, "exactly the contract's keys");
    let order = text.find("\"available\"").unwrap() < text.find("\"status\"").unwrap()
        && text.find("\"status\"").unwrap() < text.find("\"expires\"").unwrap();
    assert!(order, "status and expires follow the seat figures");
}

#[test]
fn pending_disabled_and_expired_pools_of_the_demo_say_so_r_sub_4() {
    let (_dir, _path, conn) = common::demo_db(300);
    let pools = pools_json(&conn);

    let pending = named(&pools, "Adatum Sign");
    assert_eq!(pending["status"], "pending_activation");
    assert_eq!(
        pending["expires"],
        format!("{}T00:00:00Z", expires_on(&conn, "Adatum Sign"))
    );

    let disabled = named(&pools, "Tailspin Survey");
    assert_eq!(disabled["status"], "disabled", "payment lapsed");

    let expired = named(&pools, "Woodgrove Expenses");
    assert_eq!(expired["status"], "expired", "disabled because its term ended");
    assert!(
        expired["total"].is_null() && expired["available"].is_null(),
        "flat-rate"
    );

    let grace = named(&pools, "Project Plan 3");
    assert_eq!(grace["status"], "expired", "Graph's warning: expired, in grace");

    let portal = named(&pools, "Company Portal (Offline)");
    assert_eq!(portal["status"], "active");
    assert!(portal["expires"].is_null(), "no end date: null");

    for pool in &pools {
        let status = pool["status"].as_str().unwrap();
        assert!(status.parse::<PoolStatus>().is_ok(), "{status}");
        if let Some(expires) = pool["expires"].as_str() {
            assert!(
                chrono::DateTime::parse_from_rfc3339(expires).is_ok(),
                "RFC 3339: {expires}"
            );
        }
    }
}

#[test]
fn csv_and_table_carry_status_and_expires() {
    let (_dir, _path, conn) = common::demo_db(300);
    let csv = headless::pools(&conn, None, Format::Csv, common::fixed_now()).unwrap();
    assert!(
        csv.starts_with("id,name,kind,source,total,consumed,available,status,expires\n"),
        "{csv}"
    );
    let tailspin = csv.lines().find(|l| l.contains("Tailspin Survey")).unwrap();
    let expires = expires_on(&conn, "Tailspin Survey");
    assert!(
        tailspin.ends_with(&format!(",disabled,{expires}T00:00:00Z")),
        "{tailspin}"
    );
    let table = headless::pools(&conn, None, Format::Table, common::fixed_now()).unwrap();
    let header = table.lines().next().unwrap();
    assert!(
        header.contains("status") && header.contains("expires"),
        "{header}"
    );
    let row = table.lines().find(|l| l.contains("Adatum Sign")).unwrap();
    assert!(row.contains("pending_activation"), "{row}");
}

#[test]
fn the_licenses_pane_shows_status_as_a_column() {
    let (_dir, _path, conn) = common::demo_db(300);
    let screen = headless::snapshot(
        &conn,
        PaneId::Licenses,
        None,
        (120, 30),
        common::ACTOR,
        common::fixed_now(),
    )
    .unwrap();
    let header = screen.lines().nth(2).unwrap();
    assert!(header.contains("Status"), "{header}");
    let row = screen.lines().find(|l| l.contains("Adatum Sign")).unwrap();
    assert!(row.contains("pending"), "{row}");
}

/// Every combination of what the cache may hold, read through the store's
/// SQL, gives what the documented rule (`PoolStatus::derive`) gives.
#[test]
fn the_stores_status_follows_the_rule_for_every_combination() {
    let dir = tempfile::tempdir().unwrap();
    let conn = store::open(&dir.path().join("s.db"), OpenMode::Create).unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let ends = [None, Some("2026-05-31"), Some("2026-06-01"), Some("2026-06-02")];
    let mut expected = Vec::new();
    for status in ["active", "pending_activation", "warning", "suspended", "disabled"] {
        for reason in [None, Some("cancelled"), Some("expired"), Some("payment_lapsed")] {
            for end in ends {
                conn.execute(
                    "INSERT INTO pools (name, kind, source, total, status, disabled_reason, expires_on) \
                     VALUES (?1, 'saas', 'local', 5, ?2, ?3, ?4)",
                    params![format!("{status}/{reason:?}/{end:?}"), status, reason, end],
                )
                .unwrap();
                let end = end.map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap());
                expected.push(PoolStatus::derive(status, reason, end, today));
            }
        }
    }
    let read = pools::list(&conn, None, Some("2026-06-01T12:00:00+00:00".into())).unwrap();
    let mut by_id: Vec<(i64, PoolStatus)> = read.iter().map(|p| (p.id, p.status)).collect();
    by_id.sort_unstable_by_key(|(id, _)| *id);
    let got: Vec<PoolStatus> = by_id.into_iter().map(|(_, s)| s).collect();
    assert_eq!(got, expected);
    assert!(got.contains(&PoolStatus::Expired) && got.contains(&PoolStatus::Active));
}

#[test]
fn the_command_filters_pools_and_refuses_a_bad_filter_with_exit_2() {
    let (dir, path, _conn) = common::demo_db(300);
    let db = path.to_str().unwrap();
    let out = common::run_seats(
        dir.path(),
        &[
            "pools",
            "--db",
            db,
            "--format",
            "json",
            "--filter",
            "status:disabled",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", common::text(&out.stderr));
    let listed: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = listed.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Tailspin Survey"]);

    let out = common::run_seats(
        dir.path(),
        &["pools", "--db", db, "--filter", "kind:m365 free<abc"],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = common::text(&out.stderr);
    assert!(stderr.contains("free<abc"), "{stderr}");
    assert!(stderr.contains("free<10"), "says what works: {stderr}");
    assert!(out.stdout.is_empty());
}
