//! Where each page of a versioned listing starts (issue 8). A `count(*)`
//! and an `ORDER BY id LIMIT … OFFSET n` per page made a full read
//! quadratic in its pages (7 s of SQL for 198 pages of assignments, where
//! one `SELECT` of the same rows takes 0.03 s). Instead, one ordered scan
//! of the ids per (listing, since-version, filter, page size) and location
//! version gives the first id of every page; page n is then read by keyset
//! (`id >= start`). Every change of the location bumps its version, so a
//! page holds exactly what an `OFFSET` read at the same version would, and
//! `totalPages` still changes mid-read when the data does.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::{Connection, params};

/// Entries kept at most (each filtered read makes one).
const MAX_ENTRIES: usize = 64;

/// What one set of page starts is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    /// The listing (`users`, `assignments`).
    pub listing: &'static str,
    pub since: Option<i64>,
    pub filter: Option<String>,
    pub size: i64,
}

/// The page starts of one simulator, computed once per version.
#[derive(Debug, Default)]
pub(crate) struct PageStarts {
    inner: Mutex<Starts>,
}

#[derive(Debug, Default)]
struct Starts {
    /// The newest location version seen: older entries are dropped.
    newest: i64,
    by_key: HashMap<(Key, i64), Arc<Vec<i64>>>,
}

impl PageStarts {
    /// The first id of every page of `key` at location `version`, `from`
    /// being the listing's `FROM … WHERE …` (`?1` since, `?2` filter).
    /// `conn` must read at `version` (one transaction).
    pub(crate) fn get(
        &self,
        conn: &Connection,
        from: &str,
        key: Key,
        version: i64,
    ) -> rusqlite::Result<Arc<Vec<i64>>> {
        // Held while scanning: concurrent readers of a new version wait
        // for one scan instead of each running their own.
        let mut starts = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = (key, version);
        if let Some(found) = starts.by_key.get(&entry) {
            return Ok(Arc::clone(found));
        }
        let (key, version) = entry;
        let found = Arc::new(scan(conn, from, &key)?);
        if version >= starts.newest {
            let newest = version;
            starts.newest = newest;
            starts.by_key.retain(|(_, v), _| *v >= newest);
            if starts.by_key.len() >= MAX_ENTRIES {
                starts.by_key.clear();
            }
            starts.by_key.insert((key, version), Arc::clone(&found));
        }
        Ok(found)
    }
}

/// One ordered pass over the listing's ids, keeping every `size`-th.
fn scan(conn: &Connection, from: &str, key: &Key) -> rusqlite::Result<Vec<i64>> {
    let size = key.size.max(1);
    let mut stmt = conn.prepare_cached(&format!("SELECT id {from} ORDER BY id"))?;
    let mut rows = stmt.query(params![key.since, key.filter])?;
    let mut starts = Vec::new();
    let mut n: i64 = 0;
    while let Some(row) = rows.next()? {
        if n % size == 0 {
            starts.push(row.get(0)?);
        }
        n += 1;
    }
    Ok(starts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(size: i64) -> Key {
        Key {
            listing: "t",
            since: None,
            filter: None,
            size,
        }
    }

    #[test]
    fn pages_start_every_size_ids_and_follow_the_version() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER);")
            .unwrap();
        for id in [3, 5, 8, 13, 21, 34, 55] {
            conn.execute("INSERT INTO t (id, v) VALUES (?1, 1)", [id])
                .unwrap();
        }
        let from = "FROM t WHERE (?1 IS NULL OR v > ?1) AND (?2 IS NULL OR ?2 = '')";
        let pages = PageStarts::default();
        assert_eq!(*pages.get(&conn, from, key(3), 1).unwrap(), vec![3, 13, 55]);
        // Same version: the rows are not read again (even when changed
        // behind the version's back, which the simulator never does).
        conn.execute("DELETE FROM t WHERE id = 3", []).unwrap();
        assert_eq!(*pages.get(&conn, from, key(3), 1).unwrap(), vec![3, 13, 55]);
        // A new version: read again, and the old entry is dropped.
        assert_eq!(*pages.get(&conn, from, key(3), 2).unwrap(), vec![5, 21]);
        assert_eq!(pages.inner.lock().unwrap().by_key.len(), 1);
        // An empty listing has no page start (its page 0 is empty).
        let empty = "FROM t WHERE v > 9 AND (?1 IS NULL OR ?2 IS NULL)";
        assert!(pages.get(&conn, empty, key(4), 2).unwrap().is_empty());
    }
}
