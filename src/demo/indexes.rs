//! Secondary indexes of the bulk tables are dropped before the load and
//! rebuilt after it, inside the same transaction: building an index once
//! over a million sorted rows is much cheaper than keeping it up to date row
//! by row. Unique indexes come back as unique, so a duplicate still fails
//! the whole build. (Even the indexes whose keys arrive in order, such as
//! seats by pool and user, measured slower kept live at a million users:
//! 88 s against 74 s for the whole build.)
//!
//! Their triggers go and come back the same way. The ones that keep
//! `pools.consumed` (migrations/0004) would count every seat a second time,
//! since the demo writes each pool with its drawn consumed figure, which
//! equals its seat rows (the demo tests and `seats check` hold them equal).
//! The one that fills the Users filter's full-text index (migration 0017)
//! is replayed as one `INSERT … SELECT` over the loaded users: run per
//! statement, the trigger made every statement a savepoint, at which FTS5
//! writes out what it holds, so a million users made sixteen thousand tiny
//! segments to merge (a third of the build). The replay is derived from the
//! trigger itself, so the index's text stays defined in one place; a
//! trigger of another shape is left in place.

use rusqlite::Transaction;

/// The tables the demo fills with most rows.
const BULK_TABLES: &[&str] = &[
    "users",
    "devices",
    "group_user_members",
    "group_device_members",
    "group_child_groups",
    "assignments",
    "installs",
    "inventory",
];

/// The dropped indexes' and triggers' definitions, to run again, and the
/// statements that replay the dropped insert triggers.
pub struct DroppedIndexes {
    definitions: Vec<String>,
    replays: Vec<String>,
}

impl DroppedIndexes {
    /// Drops every explicit index and trigger of the bulk tables (not the
    /// indexes SQLite makes for constraints, which have no SQL and cannot be
    /// dropped); of the users' triggers, only the insert trigger that can be
    /// replayed.
    pub fn drop_all(tx: &Transaction<'_>) -> rusqlite::Result<DroppedIndexes> {
        let mut found: Vec<(String, String, String, String)> = Vec::new();
        {
            let mut stmt = tx.prepare(
                "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') \
                 AND sql IS NOT NULL AND tbl_name IN (SELECT value FROM json_each(?1)) ORDER BY type, name",
            )?;
            let tables = serde_json::to_string(BULK_TABLES).unwrap_or_else(|_| "[]".to_owned());
            let rows = stmt.query_map([tables], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })?;
            for row in rows {
                found.push(row?);
            }
        }
        let mut dropped = DroppedIndexes {
            definitions: Vec::new(),
            replays: Vec::new(),
        };
        for (kind, name, table, sql) in found {
            if kind == "trigger" && table == "users" {
                match replay(&sql, &table) {
                    Some(replay) => dropped.replays.push(replay),
                    None => continue,
                }
            }
            let what = if kind == "trigger" { "TRIGGER" } else { "INDEX" };
            tx.execute_batch(&format!("DROP {what} \"{}\"", name.replace('"', "\"\"")))?;
            dropped.definitions.push(sql);
        }
        Ok(dropped)
    }

    /// Replays the dropped insert triggers over the loaded rows.
    pub fn replay(&self, tx: &Transaction<'_>) -> rusqlite::Result<()> {
        for sql in &self.replays {
            tx.execute_batch(sql)?;
        }
        Ok(())
    }

    /// Builds the dropped indexes and triggers again (after [`Self::replay`]).
    pub fn rebuild(self, tx: &Transaction<'_>) -> rusqlite::Result<()> {
        for sql in &self.definitions {
            tx.execute_batch(sql)?;
        }
        Ok(())
    }
}

/// The one statement doing for every row of `table` what the insert
/// trigger `sql` does for one: `CREATE TRIGGER … AFTER INSERT ON table BEGIN
/// INSERT INTO t(cols) VALUES (exprs of NEW.x); END` becomes `INSERT INTO
/// t(cols) SELECT exprs of x FROM table`. None for any other shape (a WHEN
/// clause, several statements, OLD, a subquery).
fn replay(sql: &str, table: &str) -> Option<String> {
    let flat = flatten(sql);
    let head = format!(" AFTER INSERT ON {table} BEGIN ");
    let (_, body) = flat.split_once(&head)?;
    let body = body.strip_suffix("END")?.trim_end().strip_suffix(';')?;
    let (into, values) = body.split_once(" VALUES ")?;
    let values = values.trim().strip_prefix('(')?.strip_suffix(')')?;
    let simple = into.starts_with("INSERT INTO ") && !body.contains(';');
    let forbidden = ["OLD.", "SELECT", " WHEN "].iter().any(|w| flat.contains(w));
    if !simple || forbidden {
        return None;
    }
    Some(format!(
        "{into} SELECT {} FROM \"{table}\"",
        values.replace("NEW.", "")
    ))
}

/// `sql` with every run of white space outside quoted literals made one
/// space; inside a literal (`'  '`, the search index's two trailing spaces)
/// every character is kept, or the replay would index other text than the
/// trigger does.
fn flatten(sql: &str) -> String {
    let mut flat = String::with_capacity(sql.len());
    let mut quoted = false;
    for c in sql.trim().chars() {
        if c == '\'' {
            // SQL's '' inside a literal closes and reopens it: the same.
            quoted = !quoted;
        }
        if !quoted && c.is_whitespace() {
            if !flat.ends_with(' ') {
                flat.push(' ');
            }
        } else {
            flat.push(c);
        }
    }
    flat
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRIGGER: &str = "CREATE TRIGGER users_search_insert AFTER INSERT ON users\nBEGIN\n    \
        INSERT INTO users_search(rowid, haystack)\n    VALUES (NEW.id, NEW.upn || ' ' || \
        coalesce(NEW.department, ''));\nEND";

    #[test]
    fn replays_a_plain_insert_trigger() {
        assert_eq!(
            replay(TRIGGER, "users").as_deref(),
            Some(
                "INSERT INTO users_search(rowid, haystack) SELECT id, upn || ' ' || \
                 coalesce(department, '') FROM \"users\""
            )
        );
    }

    /// Migration 0024's trigger ends the text with two spaces: the replay
    /// keeps both (collapsing them made demo caches miss one- and
    /// two-letter words at the end of a user's text).
    #[test]
    fn keeps_the_spaces_inside_literals() {
        let trigger = "CREATE TRIGGER users_search_insert AFTER INSERT ON users\nBEGIN\n    \
            INSERT INTO users_search(rowid, haystack)\n    VALUES (NEW.id, NEW.upn || ' ' || \
            coalesce(NEW.department, '') || '  ');\nEND";
        assert_eq!(
            replay(trigger, "users").as_deref(),
            Some(
                "INSERT INTO users_search(rowid, haystack) SELECT id, upn || ' ' || \
                 coalesce(department, '') || '  ' FROM \"users\""
            )
        );
    }

    #[test]
    fn leaves_other_shapes() {
        let when = TRIGGER.replace("ON users\nBEGIN", "ON users WHEN NEW.id > 0\nBEGIN");
        assert_eq!(replay(&when, "users"), None);
        let two = TRIGGER.replace(");\nEND", "); DELETE FROM x;\nEND");
        assert_eq!(replay(&two, "users"), None);
        let update = TRIGGER.replace("AFTER INSERT", "AFTER UPDATE");
        assert_eq!(replay(&update, "users"), None);
    }
}
