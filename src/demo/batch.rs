//! Multi-row INSERTs for the bulk tables. The schema's `CHECK (x IN (...))`
//! constraints make SQLite build a small temporary index each time a
//! statement runs; one statement per row spent most of the build on that.
//! Sixty-four rows a statement amortise it (and the per-call overhead).

use rusqlite::{Connection, Statement, ToSql};

use super::progress::Tracker;

/// Rows per statement; 64 rows of up to 12 columns stay far below SQLite's
/// limit on bound parameters.
const ROWS: usize = 64;

/// Binds the values of one row, column by column, in the statement's order.
pub(crate) struct Row<'s, 'c> {
    stmt: &'s mut Statement<'c>,
    next: usize,
}

impl Row<'_, '_> {
    /// Binds the next column.
    pub(crate) fn put<T: ToSql>(&mut self, value: T) -> rusqlite::Result<&mut Self> {
        self.next += 1;
        self.stmt.raw_bind_parameter(self.next, value)?;
        Ok(self)
    }
}

/// Inserts `items` into `into` (`"table (col, col, …)"`, `width` columns),
/// `bind` giving each item's values together with its 0-based index.
pub(crate) fn insert<T>(
    conn: &Connection,
    into: &str,
    width: usize,
    items: &[T],
    t: &mut Tracker,
    mut bind: impl FnMut(&mut Row, usize, &T) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    let full = values_sql(into, width, ROWS);
    for (chunk_index, chunk) in items.chunks(ROWS).enumerate() {
        let tail;
        let sql = if chunk.len() == ROWS {
            &full
        } else {
            tail = values_sql(into, width, chunk.len());
            &tail
        };
        let mut stmt = conn.prepare_cached(sql)?;
        let mut row = Row {
            stmt: &mut stmt,
            next: 0,
        };
        for (offset, item) in chunk.iter().enumerate() {
            bind(&mut row, chunk_index * ROWS + offset, item)?;
        }
        debug_assert_eq!(row.next, width * chunk.len(), "columns bound for {into}");
        stmt.raw_execute()?;
        for _ in chunk {
            t.row();
        }
    }
    Ok(())
}

/// Runs `load` with CHECK constraints off. SQLite evaluates a
/// `CHECK (x IN (...))` by building a small temporary index for every row,
/// which cost more than the insert itself; the rows come from closed enums,
/// and the tests copy every table into a freshly migrated cache with the
/// checks on, so a schema change that the demo breaks fails there.
pub(crate) fn without_checks<T>(
    conn: &Connection,
    load: impl FnOnce() -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    conn.pragma_update(None, "ignore_check_constraints", true)?;
    let loaded = load();
    // Restored whatever `load` returned.
    conn.pragma_update(None, "ignore_check_constraints", false)?;
    loaded
}

fn values_sql(into: &str, width: usize, rows: usize) -> String {
    let one = format!("({})", vec!["?"; width].join(","));
    format!("INSERT INTO {into} VALUES {}", vec![one; rows].join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_placeholders() {
        assert_eq!(
            values_sql("t (a, b)", 2, 2),
            "INSERT INTO t (a, b) VALUES (?,?),(?,?)"
        );
    }

    #[test]
    fn inserts_full_and_partial_chunks() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT CHECK (v IN ('a', 'b', 'c')))")
            .unwrap();
        let items: Vec<&str> = (0..150).map(|i| ["a", "b", "c"][i % 3]).collect();
        let mut report = |_| {};
        let mut t = Tracker::new(&mut report, items.len() as u64);
        insert(&conn, "t (id, v)", 2, &items, &mut t, |row, index, v| {
            row.put(index as i64 + 1)?.put(*v)?;
            Ok(())
        })
        .unwrap();
        let (count, sum): (i64, i64) = conn
            .query_row("SELECT count(*), sum(id) FROM t WHERE v = 'b'", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(
            (count, sum),
            (50, (0..150).filter(|i| i % 3 == 1).map(|i| i + 1).sum())
        );
    }

    #[test]
    fn checks_are_back_on_afterwards() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (v TEXT CHECK (v IN ('a', 'b', 'c')))")
            .unwrap();
        let insert = |v: &str| conn.execute("INSERT INTO t VALUES (?1)", [v]).map(|_| ());
        without_checks(&conn, || insert("a")).unwrap();
        assert!(without_checks(&conn, || Err::<(), _>(rusqlite::Error::InvalidQuery)).is_err());
        assert!(insert("bad").is_err());
    }
}
