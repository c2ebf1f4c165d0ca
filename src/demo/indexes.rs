//! Secondary indexes of the bulk tables are dropped before the load and
//! rebuilt after it, inside the same transaction: building an index once
//! over a million sorted rows is much cheaper than keeping it up to date row
//! by row. Unique indexes come back as unique, so a duplicate still fails
//! the whole build.
//!
//! Their triggers go and come back the same way: the ones that keep
//! `pools.consumed` (migrations/0004) would count every seat a second time,
//! since the demo writes each pool with its planned consumed figure, which
//! equals its seat rows (the demo tests and `seats check` hold them equal).

use rusqlite::Transaction;

/// The tables the demo fills with most rows.
const BULK_TABLES: &[&str] = &["assignments", "installs", "inventory"];

/// The dropped indexes' definitions, to run again.
pub struct DroppedIndexes {
    definitions: Vec<String>,
}

impl DroppedIndexes {
    /// Drops every explicit index and every trigger of the bulk tables (not
    /// the indexes SQLite makes for constraints, which have no SQL and cannot
    /// be dropped).
    pub fn drop_all(tx: &Transaction<'_>) -> rusqlite::Result<DroppedIndexes> {
        let mut found: Vec<(String, String, String)> = Vec::new();
        {
            let mut stmt = tx.prepare(
                "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') \
                 AND sql IS NOT NULL AND tbl_name IN (SELECT value FROM json_each(?1)) ORDER BY type, name",
            )?;
            let tables = serde_json::to_string(BULK_TABLES).unwrap_or_else(|_| "[]".to_owned());
            let rows = stmt.query_map([tables], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
            for row in rows {
                found.push(row?);
            }
        }
        for (kind, name, _) in &found {
            let what = if kind == "trigger" { "TRIGGER" } else { "INDEX" };
            tx.execute_batch(&format!("DROP {what} \"{}\"", name.replace('"', "\"\"")))?;
        }
        Ok(DroppedIndexes {
            definitions: found.into_iter().map(|(_, _, sql)| sql).collect(),
        })
    }

    /// Builds the dropped indexes and triggers again.
    pub fn rebuild(self, tx: &Transaction<'_>) -> rusqlite::Result<()> {
        for sql in self.definitions {
            tx.execute_batch(&sql)?;
        }
        Ok(())
    }
}
