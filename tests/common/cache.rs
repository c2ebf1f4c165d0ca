//! A small demo cache in a home of its own, driven through the built
//! binary as other tools drive it: stdout, stderr and exit codes.

use std::path::PathBuf;
use std::process::Output;

use super::{run_seats, text};

pub struct Cache {
    pub home: tempfile::TempDir,
    pub db: PathBuf,
}

impl Cache {
    /// A 50-user demo tenant built by the user running the tests (its
    /// global administrator).
    pub fn new() -> Cache {
        let home = tempfile::tempdir().unwrap();
        let db = home.path().join("d.db");
        let cache = Cache { home, db };
        cache.expect(&["demo", "--users", "50", "--no-open"], 0);
        cache
    }

    /// `seats ARGS --db DB`.
    pub fn run(&self, args: &[&str]) -> Output {
        run_seats(
            self.home.path(),
            &[args, &["--db", self.db.to_str().unwrap()]].concat(),
        )
    }

    /// Runs seats, asserts the exit code, returns (stdout, stderr).
    pub fn expect(&self, args: &[&str], code: i32) -> (String, String) {
        let out = self.run(args);
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}\nstdout: {stdout}\nstderr: {stderr}"
        );
        (stdout, stderr)
    }

    /// Writes `bytes` to a file called `name` in the home; its path.
    pub fn file(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.home.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_owned()
    }

    /// The first column of the first row of `sql`.
    pub fn count(&self, sql: &str) -> i64 {
        let conn = rusqlite::Connection::open(&self.db).unwrap();
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// `seats ARGS --format json`, parsed.
    pub fn json(&self, args: &[&str]) -> Vec<serde_json::Value> {
        let (stdout, _) = self.expect(&[args, &["--format", "json"]].concat(), 0);
        serde_json::from_str(&stdout).unwrap()
    }
}
