//! Multi-row INSERTs for the bulk tables, streamed. The schema's `CHECK (x IN (...))`
//! constraints make SQLite build a small temporary index each time a
//! statement runs; one statement per row spent most of the build on that.
//! Sixty-four rows a statement amortise it (and the per-call overhead).

use rusqlite::{Connection, Statement, ToSql};

/// Rows per statement; 64 rows of up to 12 columns stay far below SQLite's
/// limit on bound parameters.
///
/// The statements are `INSERT OR FAIL`: a failing row stops the statement
/// without undoing its earlier rows, which the build never needs (any error
/// rolls the whole build back), and spares SQLite a statement journal, a
/// copy of every page the statement touches, written to a temporary file
/// while the build keeps its temporary storage on disk (see `Bulk`).
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

/// Rows on their way into one table, `ROWS` to a statement: items are
/// pushed one at a time as they are drawn and the batch holds at most
/// `ROWS` of them, so a table of ten million rows costs no more memory than
/// one of ten. [`Batch::finish`] writes the last, shorter statement.
pub(crate) struct Batch<'c, T, F> {
    conn: &'c Connection,
    into: &'static str,
    width: usize,
    full: String,
    items: Vec<T>,
    bind: F,
}

impl<'c, T, F> Batch<'c, T, F>
where
    F: FnMut(&mut Row, &T) -> rusqlite::Result<()>,
{
    /// A batch into `into` (`"table (col, col, …)"`, `width` columns),
    /// `bind` giving an item's values in the columns' order.
    pub(crate) fn new(conn: &'c Connection, (into, width): (&'static str, usize), bind: F) -> Self {
        Batch {
            conn,
            into,
            width,
            full: values_sql(into, width, ROWS),
            items: Vec::with_capacity(ROWS),
            bind,
        }
    }

    /// Adds a row, writing a full statement's worth when there is one.
    pub(crate) fn push(&mut self, item: T) -> rusqlite::Result<()> {
        self.items.push(item);
        if self.items.len() == ROWS {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes the rows still held.
    pub(crate) fn finish(mut self) -> rusqlite::Result<()> {
        self.flush()
    }

    fn flush(&mut self) -> rusqlite::Result<()> {
        if self.items.is_empty() {
            return Ok(());
        }
        let tail;
        let sql = if self.items.len() == ROWS {
            &self.full
        } else {
            tail = values_sql(self.into, self.width, self.items.len());
            &tail
        };
        let mut stmt = self.conn.prepare_cached(sql)?;
        let mut row = Row {
            stmt: &mut stmt,
            next: 0,
        };
        for item in &self.items {
            (self.bind)(&mut row, item)?;
        }
        debug_assert_eq!(
            row.next,
            self.width * self.items.len(),
            "columns bound for {}",
            self.into
        );
        stmt.raw_execute()?;
        self.items.clear();
        Ok(())
    }
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
    format!("INSERT OR FAIL INTO {into} VALUES {}", vec![one; rows].join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_placeholders() {
        assert_eq!(
            values_sql("t (a, b)", 2, 2),
            "INSERT OR FAIL INTO t (a, b) VALUES (?,?),(?,?)"
        );
    }

    #[test]
    fn inserts_full_and_partial_chunks() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT CHECK (v IN ('a', 'b', 'c')))")
            .unwrap();
        let mut batch = Batch::new(&conn, ("t (id, v)", 2), |row, (id, v): &(i64, &str)| {
            row.put(*id)?.put(*v)?;
            Ok(())
        });
        for i in 0..150 {
            batch.push((i as i64 + 1, ["a", "b", "c"][i % 3])).unwrap();
        }
        batch.finish().unwrap();
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
