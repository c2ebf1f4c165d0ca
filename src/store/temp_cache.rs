//! Figures derived from big tables, kept in a TEMP table of one connection
//! and refilled only when the cache changed: the Inventory view's title
//! counts and the reports' installed and reclaimable counts are one grouped
//! pass over every detection or user, too slow for each key of a view.
//!
//! The table is fresh while its key holds: other connections' commits
//! (`data_version`), this connection's own changes (`total_changes`, read
//! after the refill, which counts itself) and a caller's `extra` (say, the
//! minute a count was taken at). Any change at all refills, so the figures
//! are never older than the cache.

use rusqlite::{Connection, params};

/// Makes `temp.{table}` (`columns`, as in CREATE TABLE) hold what `fill`
/// writes into it, unless it already does for the cache as it is and
/// `extra`.
pub fn refresh(
    conn: &Connection,
    table: &str,
    columns: &str,
    extra: &str,
    fill: impl FnOnce(&Connection) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    conn.execute_batch(&format!(
        "CREATE TEMP TABLE IF NOT EXISTS {table} ({columns}); \
         CREATE TEMP TABLE IF NOT EXISTS {table}_key (extra TEXT, data_version INTEGER, changes INTEGER);"
    ))?;
    if is_fresh(conn, table, extra)? {
        return Ok(());
    }
    let version: i64 = conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
    conn.execute_batch(&format!(
        "DELETE FROM temp.{table}; DELETE FROM temp.{table}_key;"
    ))?;
    fill(conn)?;
    // The key's own insert is one more change.
    let changes = conn.total_changes() as i64 + 1;
    conn.execute(
        &format!("INSERT INTO temp.{table}_key (extra, data_version, changes) VALUES (?1, ?2, ?3)"),
        params![extra, version, changes],
    )?;
    Ok(())
}

/// Whether `temp.{table}` holds the figures of the cache as it is for
/// `extra`, so `refresh` would not refill it: the console's first frame
/// shows a list without its figures rather than wait for a refill (issue
/// 11: a grouped pass over two million detections takes seconds).
pub fn is_fresh(conn: &Connection, table: &str, extra: &str) -> rusqlite::Result<bool> {
    let made: bool = conn.query_row(
        "SELECT count(*) FROM sqlite_temp_master WHERE type = 'table' AND name = ?1",
        [format!("{table}_key")],
        |r| r.get(0),
    )?;
    if !made {
        return Ok(false);
    }
    let version: i64 = conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
    let changes = conn.total_changes() as i64;
    conn.query_row(
        &format!(
            "SELECT count(*) FROM temp.{table}_key WHERE extra = ?1 AND data_version = ?2 AND changes = ?3"
        ),
        params![extra, version, changes],
        |r| r.get(0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(conn: &Connection, extra: &str, fills: &mut u32) {
        refresh(conn, "t_cache", "n INTEGER", extra, |c| {
            *fills += 1;
            c.execute_batch("INSERT INTO temp.t_cache SELECT count(*) FROM main.src")
        })
        .unwrap();
    }

    #[test]
    fn refills_only_when_the_cache_or_the_extra_key_changed() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE src (x); INSERT INTO src VALUES (1);")
            .unwrap();
        let mut fills = 0;
        assert!(!is_fresh(&conn, "t_cache", "a").unwrap(), "never filled");
        filled(&conn, "a", &mut fills);
        assert!(is_fresh(&conn, "t_cache", "a").unwrap());
        filled(&conn, "a", &mut fills);
        assert_eq!(fills, 1, "nothing changed");
        conn.execute("INSERT INTO src VALUES (2)", []).unwrap();
        filled(&conn, "a", &mut fills);
        assert_eq!(fills, 2, "this connection changed the cache");
        let n: i64 = conn
            .query_row("SELECT n FROM temp.t_cache", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 2);
        filled(&conn, "b", &mut fills);
        assert_eq!(fills, 3, "another extra key");
    }
}
