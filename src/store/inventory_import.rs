//! Importing a software-inventory file (issue 9, R-APP-10). All or
//! nothing: every row goes in one IMMEDIATE transaction with its audit
//! row. Rows are keyed by computer + product name as detected + version,
//! so importing the same file again changes nothing; a later last seen or
//! another user updates the row, an earlier one is kept (a stale export
//! does not roll the inventory back). Nothing is removed: software missing
//! from a file stays until the admin removes it.
//!
//! Computers the cache does not know are created unmanaged (no source
//! manages them; R-AGR-11 counts managed computers only), recording the
//! file that brought them, so they count as installations in the reports.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension as _, Transaction, params};
use serde_json::json;

use super::catalog::{Catalog, Made};
use super::changes::Actor;
use super::db::unix_time;
use super::license_groups::{AgreementError, audit, audited};
use super::sync_state::stamp;
use crate::domain::inventory_csv::InventoryFile;

/// What an import did (or, for a dry run, would do).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Outcome {
    /// Rows of the file after merging repeated lines.
    pub rows: usize,
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Computers created (unmanaged).
    pub computers_created: usize,
    pub made: Made,
}

/// Imports `file` (called `file_name`), all or nothing, audited as
/// `inventory_import`; needs the global or license administrator role.
pub fn import(
    conn: &Connection,
    actor: &Actor,
    file_name: &str,
    file: &InventoryFile,
    now: DateTime<Utc>,
) -> Result<Outcome, AgreementError> {
    audited(conn, actor, "inventory_import", file_name, |tx| {
        let outcome = apply(tx, file_name, file, now)?;
        let detail = json!({ "file": file_name, "lines": file.lines, "outcome": outcome });
        audit(tx, actor, "inventory_import", &[file_name], "ok", Some(detail))?;
        Ok(outcome)
    })
}

/// What importing `file` would do; changes nothing (the work is rolled back).
pub fn dry_run(
    conn: &Connection,
    file_name: &str,
    file: &InventoryFile,
    now: DateTime<Utc>,
) -> Result<Outcome, AgreementError> {
    let tx = Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Deferred)?;
    let outcome = apply(&tx, file_name, file, now)?;
    tx.rollback()?;
    Ok(outcome)
}

/// Writes the file's rows; the caller commits or rolls back.
fn apply(
    tx: &Connection,
    file_name: &str,
    file: &InventoryFile,
    now: DateTime<Utc>,
) -> rusqlite::Result<Outcome> {
    let mut outcome = Outcome {
        rows: file.rows.len(),
        ..Outcome::default()
    };
    let (devices, created) = devices(tx, file_name, &file.computers)?;
    outcome.computers_created = created.iter().filter(|c| **c).count();
    let mut catalog = Catalog::load(tx)?;
    let mut names = Vec::with_capacity(file.products.len());
    for (publisher, product) in &file.products {
        let publisher = catalog.publisher(tx, publisher)?;
        names.push(catalog.raw_name(tx, publisher, product)?);
    }
    outcome.made = catalog.made;
    let at = stamp(now);
    let mut find = tx.prepare_cached(
        "SELECT id, user_upn, detected_at FROM inventory \
         WHERE device_id = ?1 AND raw_name_id = ?2 AND ifnull(version, '') = ?3 \
         AND connector_id IS NULL",
    )?;
    let mut insert = tx.prepare_cached(concat!(
        "INSERT INTO inventory (device_id, product_id, version, detected_unix, raw_name_id, user_upn) \
         VALUES (?1, ?2, ?3, ",
        unix_time!("?4"),
        ", ?5, ?6)"
    ))?;
    let mut update = tx.prepare_cached(concat!(
        "UPDATE inventory SET user_upn = ?2, detected_unix = ",
        unix_time!("?3"),
        " WHERE id = ?1"
    ))?;
    for row in &file.rows {
        let device = devices[row.computer as usize];
        let (raw_id, product, raw_new) = names[row.product as usize];
        let version = row.version.map(|v| file.versions[v as usize].as_str());
        let user = row.user.map(|u| file.users[u as usize].as_str());
        let seen = row.seen.map(stamp);
        // A computer or name new to the cache has no row yet: skip the look-up.
        let held: Option<(i64, Option<String>, String)> = if created[row.computer as usize] || raw_new {
            None
        } else {
            find.query_row(params![device, raw_id, version.unwrap_or("")], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?
        };
        match held {
            None => {
                let detected = seen.as_deref().unwrap_or(&at);
                insert.execute(params![device, product, version, detected, raw_id, user])?;
                outcome.added += 1;
            }
            Some((id, held_user, held_seen)) => {
                let newer = seen.as_ref().is_some_and(|s| *s > held_seen);
                let user_changed = user.is_some_and(|u| held_user.as_deref() != Some(u));
                if newer || user_changed {
                    let user = user.map(str::to_owned).or(held_user);
                    let detected = if newer {
                        seen.unwrap_or(held_seen)
                    } else {
                        held_seen
                    };
                    update.execute(params![id, user, detected])?;
                    outcome.updated += 1;
                } else {
                    outcome.unchanged += 1;
                }
            }
        }
    }
    Ok(outcome)
}

/// The device id of each computer name (a managed device first, then the
/// oldest, when names repeat), and whether this import created it.
fn devices(
    tx: &Connection,
    file_name: &str,
    computers: &[String],
) -> rusqlite::Result<(Vec<i64>, Vec<bool>)> {
    let mut known: HashMap<String, i64> = HashMap::new();
    let mut stmt = tx.prepare("SELECT id, name FROM devices ORDER BY managed DESC, id")?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
        let (id, name) = row?;
        known.entry(name.to_lowercase()).or_insert(id);
    }
    let mut insert = tx.prepare_cached(
        "INSERT INTO devices (name, os, managed, imported_from) VALUES (?1, 'unknown', 0, ?2)",
    )?;
    let mut ids = Vec::with_capacity(computers.len());
    let mut created = Vec::with_capacity(computers.len());
    for name in computers {
        match known.get(&name.to_lowercase()) {
            Some(id) => {
                ids.push(*id);
                created.push(false);
            }
            None => {
                insert.execute(params![name, file_name])?;
                ids.push(tx.last_insert_rowid());
                created.push(true);
            }
        }
    }
    Ok((ids, created))
}
