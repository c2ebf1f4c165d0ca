//! How two seat columns are written (migration 0020, issue 11). The seat
//! table keeps `assigned_unix`, unix seconds (4 bytes a row instead of 20 of
//! ISO text), and `intent_code`, 0/1/2 (no bytes at all for 0 and 1, instead
//! of 8 or 9 of text), and gives `assigned_at` and `intent` back as the same
//! text through virtual columns, so readers are unchanged. Writers go
//! through [`unix_time!`](crate::store::db::unix_time) and
//! [`intent_code!`](crate::store::db::intent_code).

/// The SQL expression storing the RFC 3339 text `$x` (a parameter such as
/// `"?3"` or a column such as `"c.assigned_at"`) as `assigned_unix`: unix
/// seconds when `$x` is a whole-second UTC time `YYYY-MM-DDTHH:MM:SSZ`, the
/// text itself otherwise, so `assigned_at` always reads back exactly what
/// was written. A string literal, for `concat!` and `format!` alike.
macro_rules! unix_time {
    ($x:literal) => {
        concat!(
            "(CASE WHEN strftime('%Y-%m-%dT%H:%M:%SZ', ",
            $x,
            ") IS ",
            $x,
            " THEN unixepoch(",
            $x,
            ") ELSE ",
            $x,
            " END)"
        )
    };
}
pub(crate) use unix_time;

/// The SQL expression storing the intent text `$x` (`'required'`,
/// `'available'` or `'uninstall'`; a parameter, a column or a literal) as
/// `intent_code`; NULL for any other text, which the column refuses (NOT
/// NULL), as its CHECK on the text did before.
macro_rules! intent_code {
    ($x:literal) => {
        concat!(
            "(CASE ",
            $x,
            " WHEN 'required' THEN 0 WHEN 'available' THEN 1 WHEN 'uninstall' THEN 2 END)"
        )
    };
}
pub(crate) use intent_code;

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    /// A canonical time goes in as an integer and comes out as the same
    /// text; anything else is kept as text, unchanged.
    #[test]
    fn round_trips_every_text() -> rusqlite::Result<()> {
        let conn = Connection::open_in_memory()?;
        conn.execute_batch(
            "CREATE TABLE t (assigned_unix INTEGER NOT NULL, assigned_at TEXT GENERATED ALWAYS AS (\
             CASE typeof(assigned_unix) WHEN 'integer' THEN strftime('%Y-%m-%dT%H:%M:%SZ', assigned_unix, \
             'unixepoch') ELSE assigned_unix END) VIRTUAL)",
        )?;
        let insert = concat!("INSERT INTO t (assigned_unix) VALUES (", unix_time!("?1"), ")");
        for text in [
            "2025-10-07T16:56:23Z",
            "2025-10-07T16:56:23.5Z",
            "2025-10-07T18:56:23+02:00",
            "x",
        ] {
            conn.execute("DELETE FROM t", [])?;
            conn.execute(insert, [text])?;
            let (back, kind): (String, String) =
                conn.query_row("SELECT assigned_at, typeof(assigned_unix) FROM t", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
            assert_eq!(back, text);
            let canonical = text == "2025-10-07T16:56:23Z";
            assert_eq!(kind, if canonical { "integer" } else { "text" }, "{text}");
        }
        Ok(())
    }
}
