//! The cache every `seats` command test works on: a demo tenant plus a
//! small local pool, run through the real binary.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Output;

use rusqlite::Connection;

use super::common::{run_seats, run_seats_as, text};

pub struct Cache {
    pub home: tempfile::TempDir,
    pub db: PathBuf,
}

impl Cache {
    /// A demo tenant built by `tester` (the user running the tests), plus a
    /// local pool "CLI Tool" of 3 seats that nobody holds yet.
    pub fn new() -> Cache {
        let home = tempfile::tempdir().unwrap();
        let db = home.path().join("d.db");
        let cache = Cache { home, db };
        let out = cache.run("tester", &["demo", "--users", "150", "--no-open"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        cache.sql(
            "INSERT INTO pools (id, name, kind, source, total) VALUES (900, 'CLI Tool', 'saas', 'local', 3)",
        );
        cache
    }

    /// Runs seats on this cache as `tester`: the OS user running the tests
    /// (seats takes the actor from the real user id, not from a name).
    pub fn run(&self, user: &str, args: &[&str]) -> Output {
        assert_eq!(user, "tester", "another user runs through run_as");
        run_seats(
            self.home.path(),
            &[args, &["--db", self.db.to_str().unwrap()]].concat(),
        )
    }

    /// Runs seats on this cache as user id `uid` (seats names it `uid-N`),
    /// the cache opened to every user for it; `None`: the test skips.
    pub fn run_as(&self, uid: u32, args: &[&str]) -> Option<Output> {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(self.home.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        std::fs::set_permissions(&self.db, std::fs::Permissions::from_mode(0o666)).unwrap();
        run_seats_as(
            self.home.path(),
            uid,
            &[args, &["--db", self.db.to_str().unwrap()]].concat(),
        )
    }

    pub fn conn(&self) -> Connection {
        Connection::open(&self.db).unwrap()
    }

    pub fn sql(&self, sql: &str) {
        self.conn().execute_batch(sql).unwrap();
    }

    pub fn number(&self, sql: &str) -> i64 {
        self.conn().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// UPNs of `n` active users without a seat of the pool.
    pub fn seatless(&self, pool: i64, n: usize) -> Vec<String> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT upn FROM users WHERE enabled = 1 AND deleted = 0 AND id NOT IN \
                 (SELECT user_id FROM assignments WHERE pool_id = ?1 AND user_id IS NOT NULL) ORDER BY id LIMIT ?2",
            )
            .unwrap();
        stmt.query_map(rusqlite::params![pool, n as i64], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    pub fn cli_tool(&self) -> i64 {
        self.number("SELECT consumed FROM pools WHERE id = 900")
    }

    /// `seats check` finds every invariant of the cache intact.
    pub fn check_ok(&self) {
        let (stdout, _) = expect(&self.run("tester", &["check"]), 0);
        assert!(
            stdout.starts_with("cache ok: ") && stdout.ends_with(" invariants checked\n"),
            "{stdout}"
        );
    }
}

pub fn expect(out: &Output, code: i32) -> (String, String) {
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    (stdout, stderr)
}
