//! R-LIC-4: sixteen admins assigning the last seats of one pool at the same
//! moment, each in their own process, never oversubscribe it.
#![allow(clippy::unwrap_used)]

#[path = "assign_store/fixture.rs"]
mod fixture;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rusqlite::Connection;
use seats::demo::{DemoOptions, generate};
use seats::store::{self, OpenMode};

const PROCESSES: usize = 16;
const FREE: i64 = 5;

/// Builds a small demo and leaves exactly FREE seats in a local pool;
/// returns the pool and PROCESSES users who hold none of it.
fn prepare(db: &Path) -> (i64, Vec<String>) {
    let mut conn = store::open(db, OpenMode::Create).unwrap();
    let options = DemoOptions {
        users: 200,
        seed: 11,
        actor: seats::paths::os_user(),
        ..DemoOptions::default()
    };
    generate(&mut conn, &options, &mut |_| {}).unwrap();
    let pool: i64 = conn
        .query_row(
            "SELECT id FROM pools WHERE connector_id IS NULL AND kind <> 'agreement' AND status = 'active' \
             AND total IS NOT NULL AND assignable_to <> 'device' ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute(
        "UPDATE pools SET total = consumed + ?2 WHERE id = ?1",
        [pool, FREE],
    )
    .unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT upn FROM users WHERE enabled = 1 AND deleted = 0 AND id NOT IN \
             (SELECT user_id FROM assignments WHERE pool_id = ?1 AND user_id IS NOT NULL) ORDER BY id LIMIT ?2",
        )
        .unwrap();
    let users: Vec<String> = stmt
        .query_map([pool, PROCESSES as i64], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(users.len(), PROCESSES);
    (pool, users)
}

/// Starts one `seats assign` that waits (bounded) for the `go` file first,
/// so all of them hit the cache together.
fn spawn(home: &Path, db: &Path, pool: i64, upn: &str) -> Child {
    let script = "i=0; while [ ! -e \"$GO\" ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i+1)); done; \
                  exec \"$SEATS\" assign --db \"$DB\" --pool \"$POOL\" --user \"$UPN\"";
    Command::new("sh")
        .args(["-c", script])
        .env("GO", home.join("go"))
        .env("SEATS", env!("CARGO_BIN_EXE_seats"))
        .env("DB", db)
        .env("POOL", pool.to_string())
        .env("UPN", upn)
        .env("HOME", home)
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("USER", "tester")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for a child, killing it after the deadline.
fn finish(mut child: Child, deadline: Instant) -> (Option<i32>, String) {
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn concurrent_processes_never_oversubscribe_a_pool_r_lic_4() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("race.db");
    let (pool, users) = prepare(&db);
    let children: Vec<Child> = users.iter().map(|u| spawn(home.path(), &db, pool, u)).collect();
    std::fs::write(home.path().join("go"), b"").unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let results: Vec<_> = children.into_iter().map(|c| finish(c, deadline)).collect();
    let ok = results.iter().filter(|r| r.0 == Some(0)).count();
    let refused: Vec<_> = results.iter().filter(|r| r.0 == Some(3)).collect();
    assert_eq!(ok, FREE as usize, "{results:#?}");
    assert_eq!(refused.len(), PROCESSES - FREE as usize, "{results:#?}");
    assert!(refused.iter().all(|r| r.1.contains("short by 1")), "{refused:#?}");
    let conn = Connection::open(&db).unwrap();
    let (total, consumed, rows): (i64, i64, i64) = conn
        .query_row(
            "SELECT total, consumed, (SELECT count(*) FROM assignments a WHERE a.pool_id = p.id \
             AND a.state <> 'error') FROM pools p WHERE id = ?1",
            [pool],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(consumed, total, "every free seat was given, none twice");
    assert_eq!(rows, consumed, "consumed equals the seat rows");
    let audited: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit WHERE action = 'assign' AND pool_id = ?1",
            [pool],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        audited, PROCESSES as i64,
        "every attempt is audited, refused ones too"
    );
    fixture::check_cache(&conn);
}
