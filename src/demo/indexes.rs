//! Secondary indexes of the bulk tables are dropped before the load and
//! rebuilt after it, inside the same transaction: building an index once
//! over a million sorted rows is much cheaper than keeping it up to date row
//! by row. Unique indexes come back as unique, so a duplicate still fails
//! the whole build.

use rusqlite::Transaction;

/// The tables the demo fills with most rows.
const BULK_TABLES: &[&str] = &["assignments", "installs", "inventory"];

/// The dropped indexes' definitions, to run again.
pub struct DroppedIndexes {
    definitions: Vec<String>,
}

impl DroppedIndexes {
    /// Drops every explicit index of the bulk tables (not the ones SQLite
    /// makes for constraints, which have no SQL and cannot be dropped).
    pub fn drop_all(tx: &Transaction<'_>) -> rusqlite::Result<DroppedIndexes> {
        let mut found: Vec<(String, String)> = Vec::new();
        {
            let mut stmt = tx.prepare(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
                 AND tbl_name IN (SELECT value FROM json_each(?1)) ORDER BY name",
            )?;
            let tables = serde_json::to_string(BULK_TABLES).unwrap_or_else(|_| "[]".to_owned());
            let rows = stmt.query_map([tables], |row| Ok((row.get(0)?, row.get(1)?)))?;
            for row in rows {
                found.push(row?);
            }
        }
        for (name, _) in &found {
            tx.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
        }
        Ok(DroppedIndexes {
            definitions: found.into_iter().map(|(_, sql)| sql).collect(),
        })
    }

    /// Builds the dropped indexes again.
    pub fn rebuild(self, tx: &Transaction<'_>) -> rusqlite::Result<()> {
        for sql in self.definitions {
            tx.execute_batch(&sql)?;
        }
        Ok(())
    }
}
