//! A fresh, empty cache whose global administrator is the test's actor,
//! and the corpus files.
#![allow(dead_code)]

use std::path::PathBuf;

use rusqlite::Connection;
use seats::store::changes::Actor;
use seats::store::{self, OpenMode};

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub conn: Connection,
    pub actor: Actor,
}

impl Fixture {
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let conn = store::open(&dir.path().join("a.db"), OpenMode::Create).unwrap();
        store::admins::ensure_creator(&conn, "tester").unwrap();
        Fixture {
            dir,
            conn,
            actor: Actor::new("tester"),
        }
    }

    /// Every number set in the cache, sorted.
    pub fn sets(&self) -> Vec<(String, String)> {
        let mut stmt = self
            .conn
            .prepare("SELECT first_number, second_number FROM agreement_number_sets ORDER BY 1, 2")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    pub fn strings(&self, sql: &str) -> Vec<String> {
        let mut stmt = self.conn.prepare(sql).unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }
}

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/agreements_corpus")
}

/// The bytes of a corpus file.
pub fn corpus(name: &str) -> Vec<u8> {
    std::fs::read(corpus_dir().join(name)).unwrap()
}

/// The names of every corpus file.
pub fn corpus_files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".csv"))
        .collect();
    names.sort();
    names
}
