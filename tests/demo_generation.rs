//! The demo tenant: deterministic, complete (every pool kind and edge case),
//! consistent (consumed, foreign keys, uniqueness), and built only if absent.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::Connection;
use seats::demo::{DemoOptions, DemoProgress, DemoSummary, generate, generate_alone};
use seats::store::{self, OpenMode};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap()
}

fn options(users: u32, seed: u64) -> DemoOptions {
    DemoOptions {
        users,
        seed,
        now: now(),
        actor: "alice".to_owned(),
    }
}

fn build(path: &Path, opts: &DemoOptions) -> (Connection, DemoSummary) {
    let mut conn = store::open(path, OpenMode::Create).unwrap();
    let summary = generate(&mut conn, opts, &mut |_| {}).unwrap();
    (conn, summary)
}

fn one(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |row| row.get(0)).unwrap()
}

/// Plain tables: not SQLite's own, not the Users filter's full-text index
/// (a virtual table with shadow tables, rebuilt by its triggers from the
/// users when rows are copied, and compared through a search in `dump`).
const PLAIN_TABLES: &str = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
     AND name IN (SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table')";

/// Every row of every table, as text, in a stable order, and the users a
/// search of the full-text index finds.
fn dump(conn: &Connection) -> Vec<String> {
    let mut tables = conn.prepare(&format!("{PLAIN_TABLES} ORDER BY name")).unwrap();
    let names: Vec<String> = tables
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = Vec::new();
    for name in names {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {name} ORDER BY 1, 2"))
            .unwrap();
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            let cells: Vec<String> = (0..columns)
                .map(|i| format!("{:?}", row.get_ref(i).unwrap()))
                .collect();
            out.push(format!("{name}|{}", cells.join("|")));
        }
    }
    let mut search = conn
        .prepare("SELECT rowid FROM users_search WHERE users_search MATCH 'ann' ORDER BY rowid")
        .unwrap();
    let found = search.query_map([], |r| r.get::<_, i64>(0)).unwrap();
    out.extend(found.map(|id| format!("users_search|{}", id.unwrap())));
    out
}

#[test]
fn same_inputs_give_the_same_cache() {
    let dir = tempfile::tempdir().unwrap();
    let (a, sa) = build(&dir.path().join("a.db"), &options(400, 9));
    let (b, sb) = build(&dir.path().join("b.db"), &options(400, 9));
    let (c, _) = build(&dir.path().join("c.db"), &options(400, 10));
    assert_eq!(sa, sb);
    let (da, db) = (dump(&a), dump(&b));
    assert!(da.len() > 4000, "{} rows", da.len());
    assert!(da == db, "two builds with one seed differ");
    assert!(dump(&c) != da, "another seed gave the same tenant");
}

/// `seats demo --no-open` builds with a rollback journal (written once, not
/// twice through the WAL; issue 11): the same rows, and the cache is back
/// in WAL afterwards, which the console's concurrent readers rely on.
#[test]
fn a_build_alone_gives_the_same_cache_and_returns_to_wal() {
    let dir = tempfile::tempdir().unwrap();
    let (walled, _) = build(&dir.path().join("wal.db"), &options(400, 9));
    let path = dir.path().join("alone.db");
    let mut alone = store::open(&path, OpenMode::Create).unwrap();
    generate_alone(&mut alone, &options(400, 9), &mut |_| {}).unwrap();
    assert!(
        dump(&alone) == dump(&walled),
        "the build alone wrote another tenant"
    );
    let mode: String = alone.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    drop(alone);
    // The file header's read and write versions say WAL (2) to every opener.
    let header = std::fs::read(&path).unwrap();
    assert_eq!((header[18], header[19]), (2, 2));
    assert!(!dir.path().join("alone.db-journal").exists());
}

/// Another connection holding the cache keeps the build in WAL (a rollback
/// journal would make it wait for the whole build): still built, still WAL.
#[test]
fn a_build_alone_beside_a_reader_stays_in_wal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    let mut conn = store::open(&path, OpenMode::Create).unwrap();
    let reader = store::open(&path, OpenMode::MustExist).unwrap();
    // Idle, after a read, as the console's reader is between queries.
    assert_eq!(one(&reader, "SELECT count(*) FROM users"), 0);
    let summary = generate_alone(&mut conn, &options(300, 1), &mut |_| {}).unwrap();
    assert!(summary.users >= 300);
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(one(&reader, "SELECT count(*) FROM users"), summary.users as i64);
}

#[test]
fn a_second_build_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    let (conn, first) = build(&path, &options(300, 1));
    let before = dump(&conn);
    drop(conn);
    let mut conn = store::open(&path, OpenMode::Create).unwrap();
    let mut calls = 0;
    let second = generate(&mut conn, &options(900, 2), &mut |_| calls += 1).unwrap();
    assert_eq!(first, second);
    assert_eq!(dump(&conn), before);
    assert_eq!(calls, 0);
}

#[test]
fn seats_are_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let (conn, summary) = build(&dir.path().join("demo.db"), &options(2000, 42));
    // The connection's settings are back after a build.
    assert_eq!(one(&conn, "PRAGMA foreign_keys"), 1);
    assert_eq!(one(&conn, "PRAGMA ignore_check_constraints"), 0);
    assert_eq!(one(&conn, "PRAGMA cache_size"), -2000);
    assert_eq!(
        one(&conn, "PRAGMA temp_store"),
        1,
        "temporary storage as every connection has it (FILE, store::db)"
    );
    let drift = one(
        &conn,
        "SELECT count(*) FROM pools p WHERE p.consumed <> \
         (SELECT count(*) FROM assignments a WHERE a.pool_id = p.id AND a.state <> 'error')",
    );
    assert_eq!(drift, 0, "pools whose consumed is not the count of their seats");
    let duplicates = one(
        &conn,
        "SELECT count(*) FROM (SELECT pool_id, user_id FROM assignments WHERE user_id IS NOT NULL \
         GROUP BY 1, 2 HAVING count(*) > 1)",
    );
    assert_eq!(duplicates, 0);
    let mut fk = conn.prepare("PRAGMA foreign_key_check").unwrap();
    assert!(
        fk.query([]).unwrap().next().unwrap().is_none(),
        "foreign key violations"
    );
    let per_user = summary.assignments as f64 / summary.users as f64;
    assert!((9.0..11.0).contains(&per_user), "{per_user} seats a user");
    let per_user = summary.devices as f64 / summary.users as f64;
    assert!((1.1..1.35).contains(&per_user), "{per_user} devices a user");
    // Only deliberate shortfalls: the over-allocated pool and nothing else.
    assert_eq!(one(&conn, "SELECT count(*) FROM pools WHERE consumed > total"), 1);
    // Group seats point at a group that was given the pool.
    let orphans = one(
        &conn,
        "SELECT count(*) FROM assignments a WHERE (a.direct = 0 AND a.via_group_id IS NULL) OR \
         (a.via_group_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM group_assignments g \
          WHERE g.pool_id = a.pool_id AND g.group_id = a.via_group_id))",
    );
    assert_eq!(orphans, 0);
}

/// An Apple invitation belongs to the user, not to one app (Apple holds one
/// account a user, Registered until it is accepted): a demo user's VPP
/// seats share one state, so the Apple sync, which reads the user's state
/// back onto every seat, leaves no invited user with an installed app
/// (issue 8 polish, R-APP-8).
#[test]
fn a_vpp_users_seats_share_one_invitation_and_only_accepted_ones_install() {
    let dir = tempfile::tempdir().unwrap();
    let (conn, _) = build(&dir.path().join("demo.db"), &options(2000, 42));
    let mixed = one(
        &conn,
        "SELECT count(*) FROM (SELECT s.user_id FROM assignments s JOIN pools p ON p.id = s.pool_id \
         WHERE p.source = 'apple_vpp' AND s.user_id IS NOT NULL GROUP BY s.user_id \
         HAVING count(DISTINCT s.invitation) > 1)",
    );
    assert_eq!(mixed, 0, "users with accepted and waiting VPP seats");
    let installed_waiting = one(
        &conn,
        "SELECT count(*) FROM installs i JOIN pools p ON p.app_id = i.app_id AND p.source = 'apple_vpp' \
         WHERE i.state = 'installed' AND EXISTS (SELECT 1 FROM assignments s JOIN pools q \
         ON q.id = s.pool_id WHERE q.source = 'apple_vpp' AND s.user_id = i.user_id \
         AND s.invitation <> 'accepted')",
    );
    assert_eq!(
        installed_waiting, 0,
        "Apple apps installed for a user not yet accepted"
    );
    assert!(
        one(
            &conn,
            "SELECT count(*) FROM assignments WHERE invitation = 'invited'"
        ) > 0
    );
}

#[test]
fn every_row_passes_the_schema_checks() {
    // The bulk tables are written with CHECK constraints off (for speed);
    // copying everything into a fresh cache with them on proves the rows.
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("demo.db");
    drop(build(&source, &options(600, 11)));
    let mut fresh = store::open(&dir.path().join("fresh.db"), OpenMode::Create).unwrap();
    fresh
        .execute("ATTACH DATABASE ?1 AS src", [source.to_str().unwrap()])
        .unwrap();
    let mut stmt = fresh
        .prepare(&format!(
            "{} ORDER BY rowid",
            PLAIN_TABLES.replace("sqlite_master", "src.sqlite_master")
        ))
        .unwrap();
    // Later migrations add references to tables made after the one they
    // alter (inventory → product_raw_names): keys are checked after the
    // copy, by foreign_key_check, instead of row by row.
    let tables: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    drop(stmt);
    fresh.pragma_update(None, "foreign_keys", "OFF").unwrap();
    let tx = fresh.transaction().unwrap();
    tx.execute("DELETE FROM main.license_groups", []).unwrap();
    for table in &tables {
        // Stored columns only: the generated ones (migration 0020) are
        // computed again in the copy.
        let columns: String = tx
            .query_row(
                "SELECT group_concat(name, ', ') FROM pragma_table_info(?1, 'src')",
                [table],
                |r| r.get(0),
            )
            .unwrap();
        let copied = tx.execute(
            &format!("INSERT INTO main.{table} ({columns}) SELECT {columns} FROM src.{table}"),
            [],
        );
        copied.unwrap_or_else(|e| panic!("{table}: {e}"));
    }
    tx.commit().unwrap();
    let mut fk = fresh.prepare("PRAGMA main.foreign_key_check").unwrap();
    assert!(
        fk.query([]).unwrap().next().unwrap().is_none(),
        "foreign key violations"
    );
    assert!(one(&fresh, "SELECT count(*) FROM main.assignments") > 5000);
    // The build fills the Users filter's full-text index in one statement
    // after the load; the copy's users filled it row by row through the
    // triggers. Both find the same users.
    let source = Connection::open(&source).unwrap();
    for term in ["ann", "son", "van", "engineering", "@contoso", "zzq"] {
        let found = |conn: &Connection| -> Vec<i64> {
            let mut stmt = conn
                .prepare("SELECT rowid FROM users_search WHERE users_search MATCH ?1 ORDER BY rowid")
                .unwrap();
            // Every trigram its own term, as the Users filter asks.
            let trigrams: Vec<String> = term
                .as_bytes()
                .windows(3)
                .map(|w| format!("\"{}\"", String::from_utf8_lossy(w)))
                .collect();
            let rows = stmt.query_map([trigrams.join(" ")], |r| r.get(0)).unwrap();
            rows.map(Result::unwrap).collect()
        };
        let (built, copied) = (found(&source), found(&fresh));
        assert_eq!(built, copied, "search {term}");
        assert_eq!(built.is_empty(), term == "zzq", "search {term}");
    }
}

/// Each query must find at least one row: one edge case the console shows.
const EDGE_CASES: &[(&str, &str)] = &[
    (
        "nearly exhausted",
        "SELECT count(*) FROM pools WHERE total - consumed BETWEEN 1 AND 2",
    ),
    (
        "over-allocated",
        "SELECT count(*) FROM pools WHERE consumed > total",
    ),
    (
        "unlimited",
        "SELECT count(*) FROM pools WHERE total IS NULL AND pricing = 'flat_rate'",
    ),
    (
        "disabled saas",
        "SELECT count(*) FROM pools WHERE kind = 'saas' AND status = 'disabled' AND disabled_reason = 'payment_lapsed'",
    ),
    (
        "pending activation",
        "SELECT count(*) FROM pools WHERE status = 'pending_activation'",
    ),
    (
        "online app",
        "SELECT count(*) FROM pools WHERE kind = 'store_online' AND name LIKE '% (Online)'",
    ),
    (
        "offline app",
        "SELECT count(*) FROM pools WHERE kind = 'store_offline' AND name LIKE '% (Offline)'",
    ),
    (
        "free app",
        "SELECT count(*) FROM apps WHERE price_cents = 0 AND source = 'store_business'",
    ),
    (
        "encrypted skipped",
        "SELECT count(*) FROM apps WHERE encrypted = 1 AND sync_status = 'skipped' AND skip_reason LIKE '%encrypted%'",
    ),
    (
        "isv vendor managed",
        "SELECT count(*) FROM pools WHERE kind = 'isv' AND vendor_managed = 1",
    ),
    (
        "vpp token soon",
        "SELECT count(*) FROM connectors WHERE kind = 'apple_vpp' AND enabled = 1 \
         AND token_expires_at > '2026-03-01' AND token_expires_at < '2026-03-31'",
    ),
    (
        "vpp token expired and claimed",
        "SELECT count(*) FROM connectors WHERE kind = 'apple_vpp' AND token_expires_at < '2026-03-01' \
         AND claimed_by IS NOT NULL",
    ),
    (
        // The demo's Store connector syncs for real now (issue 8): the
        // error the demo shows is the old district token's last one.
        "failed connector",
        "SELECT count(*) FROM connectors WHERE state IN ('error', 'disabled') AND last_error IS NOT NULL",
    ),
    (
        "failed sync run",
        "SELECT count(*) FROM sync_runs WHERE result = 'failed'",
    ),
    (
        "source drift",
        "SELECT count(*) FROM pools WHERE source_consumed <> consumed",
    ),
    (
        "expired pool",
        "SELECT count(*) FROM pools WHERE expires_on < '2026-03-01'",
    ),
    (
        "expiring pool",
        "SELECT count(*) FROM pools WHERE expires_on BETWEEN '2026-03-01' AND '2026-03-31'",
    ),
    (
        "count violation",
        "SELECT count(*) FROM assignments WHERE state = 'error' AND error = 'CountViolation'",
    ),
    (
        "vpp invited",
        "SELECT count(*) FROM assignments WHERE invitation = 'invited'",
    ),
    (
        "vpp declined",
        "SELECT count(*) FROM assignments WHERE invitation = 'declined'",
    ),
    (
        "device seat",
        "SELECT count(*) FROM assignments WHERE device_id IS NOT NULL",
    ),
    (
        "via group and direct",
        "SELECT count(*) FROM assignments WHERE direct = 1 AND via_group_id IS NOT NULL",
    ),
    (
        "uninstall intent",
        "SELECT count(*) FROM assignments WHERE intent = 'uninstall'",
    ),
    (
        "failed install",
        "SELECT count(*) FROM installs WHERE state = 'failed'",
    ),
    (
        "reclaimable seats",
        "SELECT count(*) FROM assignments a JOIN users u ON u.id = a.user_id WHERE u.deleted = 1 OR u.enabled = 0",
    ),
    (
        "long inactive",
        "SELECT count(*) FROM users WHERE last_sign_in < '2025-12-01'",
    ),
    (
        "nested group",
        "SELECT count(*) FROM group_members WHERE child_group_id IS NOT NULL",
    ),
    ("mixed group", "SELECT count(*) FROM groups WHERE kind = 'mixed'"),
    (
        "device group",
        "SELECT count(*) FROM groups WHERE kind = 'device'",
    ),
    (
        "user in two groups",
        "SELECT count(*) FROM (SELECT user_id FROM group_members GROUP BY 1 HAVING count(*) > 1)",
    ),
    (
        "agreement groups",
        "SELECT count(DISTINCT license_group_id) - 1 FROM agreements",
    ),
    (
        "volume agreement",
        "SELECT count(*) FROM agreements a JOIN agreement_number_sets s ON s.agreement_id = a.id",
    ),
    ("entitlements", "SELECT count(*) FROM entitlements"),
    (
        "pending validation",
        "SELECT count(*) FROM agreements WHERE validation = 'pending'",
    ),
    (
        "invalid agreement",
        "SELECT count(*) FROM agreements WHERE validation = 'invalid'",
    ),
    (
        "global admin",
        "SELECT count(*) FROM admins WHERE os_user = 'alice' AND role = 'global'",
    ),
    (
        "catalog type-ahead",
        "SELECT count(*) - 1 FROM publishers WHERE name LIKE '%soft%'",
    ),
];

/// Installed against licensed per product, for the coverage cases.
const COVERAGE: &str = "WITH installed AS (SELECT product_id, count(*) AS n FROM inventory GROUP BY 1), \
     licensed AS (SELECT product_id, sum(n) AS n FROM ( \
        SELECT product_id, license_count AS n FROM agreements WHERE kind = 'other' \
        UNION ALL SELECT e.product_id, e.quantity FROM entitlements e \
        JOIN agreements a ON a.id = e.agreement_id WHERE a.validation = 'valid') GROUP BY 1) \
     SELECT i.n, l.n FROM installed i JOIN licensed l USING (product_id)";

#[test]
fn every_kind_and_edge_case_is_present() {
    // From 200 users on every edge case is there, whatever the seed.
    for seed in [3, 17, 42] {
        let dir = tempfile::tempdir().unwrap();
        let (conn, _) = build(&dir.path().join("demo.db"), &options(200, seed));
        assert_edge_cases(&conn, seed);
    }
}

fn assert_edge_cases(conn: &Connection, seed: u64) {
    let kinds = one(conn, "SELECT count(DISTINCT kind) FROM pools");
    assert_eq!(kinds, 7, "every pool kind (seed {seed})");
    let missing: Vec<&str> = EDGE_CASES
        .iter()
        .filter(|(_, sql)| one(conn, sql) < 1)
        .map(|(name, _)| *name)
        .collect();
    assert!(
        missing.is_empty(),
        "missing edge cases (seed {seed}): {missing:?}"
    );
    let mut stmt = conn.prepare(COVERAGE).unwrap();
    let pairs: Vec<(i64, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(
        pairs.iter().any(|(i, l)| l < i),
        "a product short of licenses: {pairs:?}"
    );
    assert!(
        pairs.iter().any(|(i, l)| l > i),
        "a product with surplus: {pairs:?}"
    );
    assert!(
        pairs.iter().any(|(i, l)| l == i),
        "a product exactly covered: {pairs:?}"
    );
}

#[test]
fn progress_is_smooth_and_ends_full() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = store::open(&dir.path().join("demo.db"), OpenMode::Create).unwrap();
    let mut seen: Vec<DemoProgress> = Vec::new();
    generate(&mut conn, &options(3000, 5), &mut |p| seen.push(p)).unwrap();
    let last = seen.last().unwrap();
    assert_eq!((last.stage, last.done), ("done", last.total));
    // Every planned row was written before the commit: the count is exact.
    let saving = seen.iter().find(|p| p.stage == "saving").unwrap();
    assert_eq!(saving.done, saving.total);
    assert!(
        seen.windows(2)
            .all(|w| w[0].done <= w[1].done && w[1].done <= w[1].total)
    );
    assert!(seen.iter().all(|p| p.total == last.total));
    let steps = seen.len();
    assert!((10..200).contains(&steps), "{steps} reports");
}

/// A `seats demo --no-open` killed mid-build (the rollback journal's case:
/// pages already in the file) leaves the cache as before: the next open
/// rolls the journal back, no tenant, intact, in WAL, and a build succeeds.
#[test]
fn a_build_killed_midway_leaves_the_cache_as_before() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("killed.db");
    drop(store::open(&path, OpenMode::Create).unwrap());
    let before = std::fs::metadata(&path).unwrap().len();
    let mut child = Command::new(env!("CARGO_BIN_EXE_seats"))
        .args(["demo", "--no-open", "--users", "200000", "--db"])
        .arg(&path)
        .env("HOME", dir.path())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill once the build has spilled pages into the file itself.
    let deadline = Instant::now() + Duration::from_secs(300);
    while std::fs::metadata(&path).unwrap().len() < before + 8_000_000 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the build ended before the kill"
        );
        assert!(Instant::now() < deadline, "the file never grew");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        dir.path().join("killed.db-journal").exists(),
        "no rollback journal to test"
    );
    let mut conn = store::open(&path, OpenMode::MustExist).unwrap();
    assert_eq!(one(&conn, "SELECT count(*) FROM tenant"), 0);
    assert_eq!(one(&conn, "SELECT count(*) FROM users"), 0);
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    let summary = generate_alone(&mut conn, &options(300, 1), &mut |_| {}).unwrap();
    assert!(summary.users >= 300);
}
