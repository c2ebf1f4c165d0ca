//! Importing a software inventory of 100,000 computers × 40 titles (4M
//! rows) from CSV (issue 9), against plain SQL inserts of the same rows;
//! then the installation report over it against the same SQL run raw.
//! Run: `cargo bench --bench inventory` (`-- --users N` for N computers,
//! `-- --runs N` for more runs). Target: the import ≤ 60 s. Nothing here is
//! asserted; figures go to BENCHMARKS.md by hand.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::time::{Duration, Instant};

use chrono::Utc;
use rusqlite::{Connection, params};
use seats::domain::inventory_csv::parse;
use seats::store::changes::Actor;
use seats::store::{self, OpenMode, inventory_import};

const TITLES: usize = 40;
const PUBLISHERS: usize = 8;

fn runs_arg() -> usize {
    std::env::args()
        .skip_while(|a| a != "--runs")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(3)
}

/// The product name of title `t` on computer `c`: every other computer
/// reports the architecture, as detected inventories do.
fn product(t: usize, c: usize) -> String {
    if c.is_multiple_of(2) {
        format!("Product {t} Professional 2024 (64-bit)")
    } else {
        format!("Product {t} Professional 2024")
    }
}

fn csv(computers: usize) -> Vec<u8> {
    let mut text = String::with_capacity(computers * TITLES * 96);
    text.push_str("\u{feff}Computer,User,Publisher,Product,Version,Last seen\r\n");
    for c in 0..computers {
        for t in 0..TITLES {
            let day = 1 + (c + t) % 28;
            text.push_str(&format!(
                "PC-{c:06},user{c}@contoso.example,\"Publisher {}, Inc.\",{},{t}.{}.0,2026-11-{day:02}\r\n",
                t % PUBLISHERS,
                product(t, c),
                c % 3
            ));
        }
    }
    text.into_bytes()
}

fn fresh(dir: &std::path::Path, name: &str) -> Connection {
    let conn = store::open(&dir.join(name), OpenMode::Create).unwrap();
    store::admins::ensure_creator(&conn, "bench").unwrap();
    conn
}

/// The import as `seats import inventory` runs it (parse, then one
/// transaction) into a fresh cache, then the same file again (every row
/// looked up, none changed): (parse, parse + import, the same again).
fn import(dir: &std::path::Path, bytes: &[u8], run: usize) -> (Duration, Duration, Duration) {
    let conn = fresh(dir, &format!("import{run}.db"));
    let actor = Actor::new("bench");
    let start = Instant::now();
    let file = parse(bytes, Utc::now()).unwrap();
    let parsed = start.elapsed();
    let outcome = inventory_import::import(&conn, &actor, "bench.csv", &file, Utc::now()).unwrap();
    let imported = start.elapsed();
    assert_eq!(outcome.added, file.rows.len());
    drop(file);
    let again = Instant::now();
    let file = parse(bytes, Utc::now()).unwrap();
    let outcome = inventory_import::import(&conn, &actor, "bench.csv", &file, Utc::now()).unwrap();
    assert_eq!(outcome.unchanged, file.rows.len());
    (parsed, imported, again.elapsed())
}

/// The same rows inserted by plain SQL: devices, catalog and inventory,
/// ids known beforehand, one transaction, no parsing and no look-ups.
fn raw_sql(dir: &std::path::Path, computers: usize, run: usize) -> Duration {
    let conn = fresh(dir, &format!("raw{run}.db"));
    let start = Instant::now();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    let mut device = conn
        .prepare("INSERT INTO devices (id, name, os, managed, imported_from) VALUES (?1, ?2, 'unknown', 0, 'bench.csv')")
        .unwrap();
    for c in 0..computers {
        device
            .execute(params![c as i64 + 1, format!("PC-{c:06}")])
            .unwrap();
    }
    for p in 0..PUBLISHERS {
        conn.execute(
            "INSERT INTO publishers (id, name) VALUES (?1, ?2)",
            params![p as i64 + 1, format!("Publisher {p}, Inc.")],
        )
        .unwrap();
    }
    for t in 0..TITLES {
        let (id, publisher) = (t as i64 + 1, (t % PUBLISHERS) as i64 + 1);
        let title = format!("Product {t} Professional 2024");
        conn.execute(
            "INSERT INTO products (id, publisher_id, title) VALUES (?1, ?2, ?3)",
            params![id, publisher, title],
        )
        .unwrap();
        for (variant, raw) in [(0, product(t, 0)), (1, product(t, 1))] {
            conn.execute(
                "INSERT INTO product_raw_names (id, publisher_id, raw, product_id) VALUES (?1, ?2, ?3, (?1 - 1) / 2 + 1)",
                params![id * 2 - 1 + variant, publisher, raw],
            )
            .unwrap();
        }
    }
    let mut row = conn
        .prepare(
            "INSERT INTO inventory (device_id, product_id, version, detected_unix, raw_name_id, user_upn) \
             VALUES (?1, ?2, ?3, unixepoch(?4), ?5, ?6)",
        )
        .unwrap();
    for c in 0..computers {
        let user = format!("user{c}@contoso.example");
        for t in 0..TITLES {
            let day = 1 + (c + t) % 28;
            let seen = format!("2026-11-{day:02}T00:00:00Z");
            let raw = (t * 2 + c % 2) as i64 + 1;
            let version = format!("{t}.{}.0", c % 3);
            row.execute(params![c as i64 + 1, t as i64 + 1, version, seen, raw, user])
                .unwrap();
        }
    }
    conn.execute_batch("COMMIT").unwrap();
    start.elapsed()
}

fn main() {
    let computers = common::users_arg() as usize;
    let runs = runs_arg();
    let dir = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let bytes = csv(computers);
    println!(
        "# inventory import: {computers} computers × {TITLES} titles = {} rows, {:.0} MB of CSV (made in {:.1} s); {}",
        computers * TITLES,
        bytes.len() as f64 / 1e6,
        start.elapsed().as_secs_f64(),
        common::machine()
    );
    let (mut parses, mut imports, mut agains, mut raws) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for run in 0..runs {
        let (parsed, total, again) = import(dir.path(), &bytes, run);
        println!(
            "run {run}: parse {:.1} s, parse + import {:.1} s, the same file again {:.1} s",
            parsed.as_secs_f64(),
            total.as_secs_f64(),
            again.as_secs_f64()
        );
        parses.push(parsed);
        imports.push(total);
        agains.push(again);
        let raw = raw_sql(dir.path(), computers, run);
        println!("run {run}: plain SQL inserts {:.1} s", raw.as_secs_f64());
        raws.push(raw);
        for db in ["import", "raw"] {
            // The last import stays for the report below.
            if db == "import" && run + 1 == runs {
                continue;
            }
            for end in ["db", "db-wal", "db-shm"] {
                let _ = std::fs::remove_file(dir.path().join(format!("{db}{run}.{end}")));
            }
        }
    }
    common::summary("parse (CSV → rows)", parses);
    common::summary("seats import inventory (parse + import)", imports);
    common::summary("the same file again (nothing changes)", agains);
    common::summary("plain SQL inserts of the same rows", raws);
    report(&dir.path().join(format!("import{}.db", runs - 1)));
}

/// The installation report (R-RPT-2) over the imported inventory, beside
/// the same figures computed by plain SQL, taking turns (issue 9 target:
/// ≤ 2× the raw SQL).
fn report(db: &std::path::Path) {
    use seats::store::reports::{Scope, installation};
    let conn = store::open(db, OpenMode::MustExist).unwrap();
    let scope = Scope {
        group: None,
        now: Utc::now(),
    };
    let (mut ours, mut raw) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        let start = Instant::now();
        let rows = installation::rows(&conn, &scope).unwrap();
        ours.push(start.elapsed());
        let start = Instant::now();
        let plain: Vec<(String, String, i64, i64)> = conn
            .prepare(PLAIN)
            .unwrap()
            .query_map([scope.today()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        raw.push(start.elapsed());
        assert_eq!(rows.len(), plain.len());
    }
    common::summary("installation report (seats report)", ours);
    common::summary("the same figures by plain SQL", raw);
}

/// The installation report's figures written plainly: licensed = valid
/// volume entitlements + current other-software counts, installed =
/// distinct computers per title.
const PLAIN: &str = "SELECT pub.name, p.title, \
      coalesce((SELECT sum(e.quantity) FROM entitlements e JOIN agreements a ON a.id = e.agreement_id \
                WHERE e.product_id = p.id AND a.kind = 'volume' AND a.validation = 'valid'), 0) \
    + coalesce((SELECT sum(a.license_count) FROM agreements a WHERE a.product_id = p.id \
                AND a.kind = 'other' AND (a.ends_on IS NULL OR a.ends_on >= ?1)), 0) AS licensed, \
      (SELECT count(DISTINCT i.device_id) FROM inventory i WHERE i.product_id = p.id) AS installed \
  FROM products p JOIN publishers pub ON pub.id = p.publisher_id \
  WHERE installed > 0 \
     OR EXISTS (SELECT 1 FROM agreements a WHERE a.product_id = p.id AND a.kind = 'other' \
                AND a.license_count IS NOT NULL AND (a.ends_on IS NULL OR a.ends_on >= ?1)) \
     OR EXISTS (SELECT 1 FROM entitlements e JOIN agreements a ON a.id = e.agreement_id \
                WHERE e.product_id = p.id AND a.kind = 'volume' AND a.validation = 'valid') \
  ORDER BY pub.name COLLATE NOCASE, p.title COLLATE NOCASE";
