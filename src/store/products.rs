//! The product titles of the catalog with the raw names that count as
//! each (issue 9, R-APP-10), and the admins' overrides of that mapping:
//! `seats products`, `seats products map RAW TITLE`, `seats products unmap
//! RAW`. A change moves the raw name's inventory rows to the new title at
//! once and is audited.

use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, params};
use serde::Serialize;
use serde_json::json;

use super::catalog::{Catalog, fold};
use super::changes::Actor;
use super::license_groups::{AgreementError, audit, audited};
use super::sync_state::stamp;
use crate::domain::inventory_csv::MAX_NAME;
use crate::domain::product_names::{normalise, title_key};

/// One title as `seats products` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProductRow {
    pub title: String,
    pub publisher: String,
    /// Names detected that count as this title.
    pub raw_names: Vec<String>,
    /// Those of them mapped here by an admin's override.
    pub overridden: Vec<String>,
    /// Computers with the title detected.
    pub computers: i64,
}

/// Every title, by publisher and title.
pub fn list(conn: &Connection) -> rusqlite::Result<Vec<ProductRow>> {
    let mut raws: HashMap<i64, Vec<String>> = HashMap::new();
    let mut stmt = conn.prepare("SELECT product_id, raw FROM product_raw_names ORDER BY raw")?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
        let (product, raw) = row?;
        raws.entry(product).or_default().push(raw);
    }
    let mut stmt = conn.prepare("SELECT raw FROM product_name_overrides")?;
    let overrides: HashSet<String> = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .map(|raw| raw.map(|r| fold(&r)))
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare(
        "SELECT p.id, p.title, pub.name, \
         (SELECT count(DISTINCT i.device_id) FROM inventory i WHERE i.product_id = p.id) \
         FROM products p JOIN publishers pub ON pub.id = p.publisher_id \
         ORDER BY pub.name COLLATE NOCASE, p.title COLLATE NOCASE",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, title, publisher, computers) = row?;
        let raw_names = raws.remove(&id).unwrap_or_default();
        let overridden = raw_names
            .iter()
            .filter(|r| overrides.contains(&fold(r)))
            .cloned()
            .collect();
        out.push(ProductRow {
            title,
            publisher,
            raw_names,
            overridden,
            computers,
        });
    }
    Ok(out)
}

/// What a mapping change moved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Moved {
    /// Raw names (one a publisher) whose title changed.
    pub raw_names: usize,
    /// Inventory rows that moved with them.
    pub rows: usize,
}

/// Maps `raw` (any publisher, ignoring case) to `title`, whatever the
/// normaliser says; names not detected yet take it when they are.
pub fn map(conn: &Connection, actor: &Actor, raw: &str, title: &str) -> Result<Moved, AgreementError> {
    let raw = checked(raw, "raw name")?;
    let title = checked(title, "title")?;
    audited(conn, actor, "product_map", &raw, |tx| {
        tx.execute(
            "INSERT INTO product_name_overrides (raw, title, set_by, set_at) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (raw) DO UPDATE SET title = excluded.title, set_by = excluded.set_by, set_at = excluded.set_at",
            params![raw, title, actor.name, stamp(chrono::Utc::now())],
        )?;
        let moved = remap(tx, &raw)?;
        let detail = json!({ "raw": raw, "title": title, "moved": moved });
        audit(tx, actor, "product_map", &[&raw], "ok", Some(detail))?;
        Ok(moved)
    })
}

/// Drops the override of `raw`: it counts as the normaliser's title again.
pub fn unmap(conn: &Connection, actor: &Actor, raw: &str) -> Result<Moved, AgreementError> {
    let raw = checked(raw, "raw name")?;
    audited(conn, actor, "product_unmap", &raw, |tx| {
        let gone = tx.execute("DELETE FROM product_name_overrides WHERE raw = ?1", [&raw])?;
        if gone == 0 {
            return Err(AgreementError::Invalid(format!(
                "no mapping of {raw:?} to undo; `seats products` lists the overridden raw names"
            )));
        }
        let moved = remap(tx, &raw)?;
        let detail = json!({ "raw": raw, "moved": moved });
        audit(tx, actor, "product_unmap", &[&raw], "ok", Some(detail))?;
        Ok(moved)
    })
}

/// What `map` (a title) or `unmap` (None) of `raw` would move, without
/// changing anything (the console's preview): the same count `remap` makes.
pub fn would_move(conn: &Connection, raw: &str, title: Option<&str>) -> rusqlite::Result<Moved> {
    let mut stmt = conn.prepare(
        "SELECT r.raw, p.title, (SELECT count(*) FROM inventory i WHERE i.raw_name_id = r.id) \
         FROM product_raw_names r JOIN products p ON p.id = r.product_id WHERE r.raw = ?1 COLLATE NOCASE",
    )?;
    let found: Vec<(String, String, i64)> = stmt
        .query_map([raw.trim()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut moved = Moved::default();
    for (raw, held, rows) in found {
        let target = title.map_or_else(|| normalise(&raw), str::to_owned);
        if title_key(&target) != title_key(&held) {
            moved.raw_names += 1;
            moved.rows += rows.max(0) as usize;
        }
    }
    Ok(moved)
}

/// Points every raw name `raw` (any publisher) and its inventory rows at
/// the title the catalog now gives it.
fn remap(tx: &Connection, raw: &str) -> rusqlite::Result<Moved> {
    let mut catalog = Catalog::load(tx)?;
    let mut stmt = tx.prepare(
        "SELECT id, publisher_id, raw, product_id FROM product_raw_names WHERE raw = ?1 COLLATE NOCASE",
    )?;
    let found: Vec<(i64, i64, String, i64)> = stmt
        .query_map([raw], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut moved = Moved::default();
    for (id, publisher, raw, held) in found {
        let title = catalog.title_for(&raw);
        let product = catalog.product(tx, publisher, &title)?;
        if product == held {
            continue;
        }
        tx.execute(
            "UPDATE product_raw_names SET product_id = ?2 WHERE id = ?1",
            params![id, product],
        )?;
        moved.rows += tx.execute(
            "UPDATE inventory SET product_id = ?2 WHERE raw_name_id = ?1",
            params![id, product],
        )?;
        moved.raw_names += 1;
    }
    Ok(moved)
}

/// `text` trimmed with single spaces, or why it can't be used.
fn checked(text: &str, what: &str) -> Result<String, AgreementError> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return Err(AgreementError::Invalid(format!("the {what} is empty")));
    }
    if text.chars().count() > MAX_NAME {
        return Err(AgreementError::Invalid(format!(
            "the {what} is longer than {MAX_NAME} characters"
        )));
    }
    Ok(text)
}
