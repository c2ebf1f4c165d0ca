//! How three seat columns are written (migrations 0020 and 0023, issue 11). The seat
//! table keeps `assigned_unix`, unix seconds (4 bytes a row instead of 20 of
//! ISO text), and `intent_code`, 0/1/2 (no bytes at all for 0 and 1, instead
//! of 8 or 9 of text), and gives `assigned_at` and `intent` back as the same
//! text through virtual columns, so readers are unchanged. Writers go
//! through [`unix_time!`](crate::store::db::unix_time) and
//! [`intent_code!`](crate::store::db::intent_code).
//!
//! `state_code` (0023) is the same for the state, 0 active, 1 pending,
//! 2 error, behind a virtual `state`; but the indexes hold the code (a
//! virtual column in an index does not cover a query), so the readers that
//! filter or count by state compare codes too, through
//! [`state_code!`](crate::store::db::state_code), and the SQL still names
//! the state.
//!
//! `assigned_by_code` (0025) keeps who assigned a seat: 0 for `sync` (a
//! pulled seat, nine in ten rows at a million users), 1 for `root`, any
//! other name as its own text (the column has no type, so text stays text,
//! even `'0'`); a virtual `assigned_by` gives the text back. Writers go
//! through [`assigned_by_code!`](crate::store::db::assigned_by_code).

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

/// `state_code` for a state: `state_code!("error")` is the literal `2` (and
/// `"active"` 0, `"pending"` 1), for readers comparing codes, so the covering
/// indexes stay covering; any other text `$x` (a parameter, a column) is the
/// SQL expression mapping it to its code, NULL for any other state, which
/// the column refuses (NOT NULL), as the CHECK on the text did before.
macro_rules! state_code {
    ("active") => {
        "0"
    };
    ("pending") => {
        "1"
    };
    ("error") => {
        "2"
    };
    ($x:literal) => {
        concat!(
            "(CASE ",
            $x,
            " WHEN 'active' THEN 0 WHEN 'pending' THEN 1 WHEN 'error' THEN 2 END)"
        )
    };
}
pub(crate) use state_code;

/// The SQL expression storing the name `$x` (a parameter, a column or a
/// literal) as `assigned_by_code`: 0 for `'sync'`, 1 for `'root'`, the text
/// itself otherwise, so `assigned_by` reads back exactly what was written.
macro_rules! assigned_by_code {
    ($x:literal) => {
        concat!(
            "(CASE ",
            $x,
            " WHEN 'sync' THEN 0 WHEN 'root' THEN 1 ELSE ",
            $x,
            " END)"
        )
    };
}
pub(crate) use assigned_by_code;

/// What [`assigned_by_code!`] stores for `name`, as a value to bind, for the
/// demo's bulk writer, which binds rows of plain values.
pub(crate) fn assigned_by_value(name: &str) -> rusqlite::types::ToSqlOutput<'_> {
    match name {
        "sync" => 0i64.into(),
        "root" => 1i64.into(),
        _ => name.into(),
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    /// The literals and the expression give the same code as the virtual
    /// column reads back (0023), and any other text no code at all.
    #[test]
    fn state_codes_match_the_column() -> rusqlite::Result<()> {
        let conn = Connection::open_in_memory()?;
        assert_eq!(
            [
                state_code!("active"),
                state_code!("pending"),
                state_code!("error")
            ],
            ["0", "1", "2"]
        );
        let sql = concat!("SELECT ", state_code!("?1"));
        for (text, code) in [
            ("active", Some(0)),
            ("pending", Some(1)),
            ("error", Some(2)),
            ("x", None),
        ] {
            let got: Option<i64> = conn.query_row(sql, [text], |r| r.get(0))?;
            assert_eq!(got, code, "{text}");
        }
        Ok(())
    }

    /// 'sync' and 'root' go in as codes and every name comes out as written,
    /// also names that look like the codes.
    #[test]
    fn round_trips_every_actor() -> rusqlite::Result<()> {
        let conn = Connection::open_in_memory()?;
        conn.execute_batch(
            "CREATE TABLE t (assigned_by_code NOT NULL, assigned_by TEXT GENERATED ALWAYS AS (\
             CASE assigned_by_code WHEN 0 THEN 'sync' WHEN 1 THEN 'root' ELSE assigned_by_code END) VIRTUAL)",
        )?;
        let insert = concat!(
            "INSERT INTO t (assigned_by_code) VALUES (",
            assigned_by_code!("?1"),
            ")"
        );
        for (text, kind) in [
            ("sync", "integer"),
            ("root", "integer"),
            ("alice", "text"),
            ("0", "text"),
            ("1", "text"),
            ("Sync", "text"),
            ("", "text"),
        ] {
            conn.execute("DELETE FROM t", [])?;
            conn.execute(insert, [text])?;
            let (back, stored): (String, String) =
                conn.query_row("SELECT assigned_by, typeof(assigned_by_code) FROM t", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
            assert_eq!((back.as_str(), stored.as_str()), (text, kind));
            let bound: (String, String) = conn.query_row(
                "SELECT CASE ?1 WHEN 0 THEN 'sync' WHEN 1 THEN 'root' ELSE ?1 END, typeof(?1)",
                [super::assigned_by_value(text)],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            assert_eq!((bound.0.as_str(), bound.1.as_str()), (text, kind), "bound");
        }
        Ok(())
    }

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
