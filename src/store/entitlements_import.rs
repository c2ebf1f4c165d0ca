//! Importing the volume-licensing portal's licensing-summary export
//! (issue 9, R-AGR-8): its rows replace those of the previous import (an
//! export is a snapshot of what the organisation holds), products are
//! found by title (made under "Microsoft" when the catalog lacks them),
//! and every volume agreement's sets are validated against it, all in one
//! IMMEDIATE transaction with the audit row: all or nothing.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension as _, params};
use serde_json::json;

use super::agreement_validation::{Scope, Validated, validate_on};
use super::changes::Actor;
use super::license_groups::{AgreementError, audit, audited};
use super::sync_state::stamp;
use crate::domain::entitlement_csv::Entitlement;

/// The publisher of volume-licensing products.
const PUBLISHER: &str = "Microsoft";

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub rows: usize,
    /// Distinct number pairs in the export.
    pub pairs: usize,
    /// Product titles the catalog did not hold, added under "Microsoft".
    pub new_products: Vec<String>,
    pub validated: Validated,
}

/// Imports `rows` (the file `file_name`), then validates every set.
pub fn import(
    conn: &Connection,
    actor: &Actor,
    file_name: &str,
    rows: &[Entitlement],
    now: DateTime<Utc>,
) -> Result<Imported, AgreementError> {
    audited(conn, actor, "entitlements_import", file_name, |tx| {
        let mut catalog = Catalog::default();
        tx.execute("DELETE FROM vl_entitlements", [])?;
        let mut insert = tx.prepare_cached(
            "INSERT INTO vl_entitlements (first_number, second_number, product_id, quantity, starts_on, ends_on, line) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let mut pairs = std::collections::HashSet::new();
        for row in rows {
            let product = catalog.product(tx, &row.product)?;
            let ends = row.ends.map(|d| d.to_string());
            insert.execute(params![
                row.first,
                row.second,
                product,
                row.quantity,
                row.starts.to_string(),
                ends,
                row.line as i64
            ])?;
            pairs.insert((row.first.to_ascii_lowercase(), row.second.to_ascii_lowercase()));
        }
        tx.execute(
            "INSERT INTO vl_entitlement_imports (source_file, rows, imported_at, imported_by) VALUES (?1, ?2, ?3, ?4)",
            params![file_name, rows.len() as i64, stamp(now), actor.name],
        )?;
        let validated = validate_on(tx, Scope::All, now)?;
        let detail = json!({
            "file": file_name, "rows": rows.len(), "pairs": pairs.len(),
            "new_products": catalog.made, "validation": validated,
        });
        audit(tx, actor, "entitlements_import", &[file_name], "ok", Some(detail))?;
        Ok(Imported {
            rows: rows.len(),
            pairs: pairs.len(),
            new_products: catalog.made,
            validated,
        })
    })
}

/// Product ids by title (without ASCII case), made as needed.
#[derive(Default)]
struct Catalog {
    ids: HashMap<String, i64>,
    publisher: Option<i64>,
    made: Vec<String>,
}

impl Catalog {
    fn product(&mut self, tx: &Connection, title: &str) -> rusqlite::Result<i64> {
        let key = title.to_ascii_lowercase();
        if let Some(id) = self.ids.get(&key) {
            return Ok(*id);
        }
        // Any publisher's product of that title will do, Microsoft's first.
        let found: Option<i64> = tx
            .query_row(
                "SELECT p.id FROM products p JOIN publishers pu ON pu.id = p.publisher_id \
                 WHERE p.title = ?1 COLLATE NOCASE ORDER BY pu.name = ?2 COLLATE NOCASE DESC, p.id LIMIT 1",
                params![title, PUBLISHER],
                |r| r.get(0),
            )
            .optional()?;
        let id = match found {
            Some(id) => id,
            None => {
                let publisher = self.publisher(tx)?;
                tx.execute(
                    "INSERT INTO products (publisher_id, title) VALUES (?1, ?2)",
                    params![publisher, title],
                )?;
                self.made.push(title.to_owned());
                tx.last_insert_rowid()
            }
        };
        self.ids.insert(key, id);
        Ok(id)
    }

    fn publisher(&mut self, tx: &Connection) -> rusqlite::Result<i64> {
        if let Some(id) = self.publisher {
            return Ok(id);
        }
        tx.execute("INSERT OR IGNORE INTO publishers (name) VALUES (?1)", [PUBLISHER])?;
        let id = tx.query_row("SELECT id FROM publishers WHERE name = ?1", [PUBLISHER], |r| {
            r.get(0)
        })?;
        self.publisher = Some(id);
        Ok(id)
    }
}
