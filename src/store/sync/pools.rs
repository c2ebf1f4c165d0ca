//! Subscriptions into pools. Each SKU that users can hold (`appliesTo:
//! User`) is a pool of kind m365, source graph, owned by the connector:
//! matched by sku_id, else by part number (the demo's pools carry both); a
//! new one is named by `name_for(part number)`, an existing one keeps its
//! name. total = enabled units; source_consumed = the source's consumed
//! units (drift against the cache's own count); status from the
//! capability: Enabled → active, Warning → warning (the lifecycle module
//! shows it as expired in its grace period), Suspended → suspended,
//! LockedOut and Deleted → disabled (cancelled).
//!
//! A pool of the connector whose SKU the source no longer reports (when the
//! pull listed SKUs) is never deleted: it is disabled (cancelled) with
//! source_consumed 0, its history and audit kept, and its seat rows go as
//! the source holds none. A SKU whose pool belongs to another connector, or
//! is not a Microsoft 365 pool, is skipped with a note.

use rusqlite::{OptionalExtension, params};

use super::{Apply, PullError, SyncSummary};

/// One staged SKU that users can hold.
struct Sku {
    sku_id: String,
    part: String,
    capability: String,
    enabled: i64,
    consumed: i64,
}

/// The pool a SKU matched.
struct Found {
    id: i64,
    name: String,
    kind: String,
    connector: Option<i64>,
}

pub(super) fn apply(
    a: &Apply<'_>,
    name_for: &dyn Fn(&str) -> String,
    summary: &mut SyncSummary,
) -> Result<(), PullError> {
    a.conn.execute(
        "INSERT INTO temp.pull_pool_before (pool_id, name, consumed, total, status) \
         SELECT id, name, consumed, total, status FROM pools WHERE connector_id = ?1 AND kind = 'm365'",
        [a.connector_id],
    )?;
    for sku in staged(a)? {
        match find(a, &sku)? {
            None if part_taken(a, &sku.part)? => {
                summary.notes.push(format!(
                    "subscription {} was not synced: another subscription of this pull has its pool",
                    sku.part
                ));
            }
            None => {
                insert(a, &sku, &name_for(&sku.part))?;
                summary.pools.added += 1;
            }
            Some(pool) if pool.kind != "m365" || pool.connector.is_some_and(|c| c != a.connector_id) => {
                summary.notes.push(format!(
                    "subscription {} was not synced: its pool {:?} is not a Microsoft 365 pool of this connector",
                    sku.part, pool.name
                ));
            }
            Some(pool) => {
                if update(a, &sku, pool.id)? {
                    summary.pools.updated += 1;
                }
            }
        }
    }
    if a.skus_listed {
        disable_unreported(a, summary)?;
    }
    // SKUs not staged (no SKU listing in this pull) still map their users'
    // licenses to the connector's pools.
    a.conn.execute(
        "INSERT OR IGNORE INTO temp.pull_pool_map (sku_id, pool_id) \
         SELECT lower(sku_id), id FROM pools WHERE connector_id = ?1 AND kind = 'm365' AND sku_id IS NOT NULL \
           AND id NOT IN (SELECT pool_id FROM temp.pull_gone_pools)",
        [a.connector_id],
    )?;
    Ok(())
}

fn staged(a: &Apply<'_>) -> rusqlite::Result<Vec<Sku>> {
    let mut stmt = a.conn.prepare(
        "SELECT sku_id, part_number, capability, enabled_units, consumed_units FROM temp.pull_skus \
         WHERE assignable = 1 ORDER BY part_number, sku_id",
    )?;
    let rows = stmt.query_map([], |row| {
        Ok(Sku {
            sku_id: row.get(0)?,
            part: row.get(1)?,
            capability: row.get(2)?,
            enabled: row.get(3)?,
            consumed: row.get(4)?,
        })
    })?;
    rows.collect()
}

/// The pool of this SKU: by sku_id first, else by part number; a pool
/// mapped to another SKU of this pull already is not taken twice.
fn find(a: &Apply<'_>, sku: &Sku) -> rusqlite::Result<Option<Found>> {
    a.conn
        .query_row(
            "SELECT id, name, kind, connector_id FROM pools \
             WHERE (lower(sku_id) = ?1 OR sku_part_number = ?2) \
               AND id NOT IN (SELECT pool_id FROM temp.pull_pool_map) \
             ORDER BY lower(sku_id) = ?1 DESC, connector_id IS ?3 DESC, id LIMIT 1",
            params![sku.sku_id, sku.part, a.connector_id],
            |row| {
                Ok(Found {
                    id: row.get(0)?,
                    name: row.get(1)?,
                    kind: row.get(2)?,
                    connector: row.get(3)?,
                })
            },
        )
        .optional()
}

/// Whether a pool carries this part number already (its SKU id differs
/// and another SKU of this pull took it): the part number is unique.
fn part_taken(a: &Apply<'_>, part: &str) -> rusqlite::Result<bool> {
    a.conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM pools WHERE sku_part_number = ?1)",
        [part],
        |row| row.get(0),
    )
}

/// (status, disabled_reason) of a capability.
fn status(capability: &str) -> (&'static str, Option<&'static str>) {
    match capability {
        "Enabled" => ("active", None),
        "Warning" => ("warning", None),
        "Suspended" => ("suspended", None),
        _ => ("disabled", Some("cancelled")),
    }
}

fn insert(a: &Apply<'_>, sku: &Sku, name: &str) -> rusqlite::Result<()> {
    let (status, reason) = status(&sku.capability);
    a.conn.execute(
        "INSERT INTO pools (name, kind, source, connector_id, sku_part_number, sku_id, total, source_consumed, \
                            status, disabled_reason, assignable_to, publisher) \
         VALUES (?1, 'm365', 'graph', ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'user', 'Microsoft')",
        params![name, a.connector_id, sku.part, sku.sku_id, sku.enabled, sku.consumed, status, reason],
    )?;
    let id = a.conn.last_insert_rowid();
    a.conn.execute(
        "INSERT INTO temp.pull_pool_before (pool_id, name, consumed, total, status, is_new) \
         VALUES (?1, ?2, 0, NULL, ?3, 1)",
        params![id, name, status],
    )?;
    map(a, sku, id)
}

/// Brings the pool's figures and status in line; true when one changed.
fn update(a: &Apply<'_>, sku: &Sku, pool_id: i64) -> rusqlite::Result<bool> {
    let (status, reason) = status(&sku.capability);
    let changed = a.conn.execute(
        "UPDATE pools SET connector_id = ?2, sku_id = ?3, sku_part_number = ?4, total = ?5, source_consumed = ?6, \
           status = ?7, disabled_reason = ?8 \
         WHERE id = ?1 AND (connector_id IS NOT ?2 OR sku_id IS NOT ?3 OR sku_part_number IS NOT ?4 \
           OR total IS NOT ?5 OR source_consumed IS NOT ?6 OR status IS NOT ?7 OR disabled_reason IS NOT ?8)",
        params![pool_id, a.connector_id, sku.sku_id, sku.part, sku.enabled, sku.consumed, status, reason],
    )?;
    if changed > 0 {
        a.conn.execute(
            "INSERT OR IGNORE INTO temp.pull_pool_before (pool_id, name, consumed, total, status) \
             SELECT id, name, consumed, total, status FROM pools WHERE id = ?1",
            [pool_id],
        )?;
    }
    map(a, sku, pool_id)?;
    Ok(changed > 0)
}

fn map(a: &Apply<'_>, sku: &Sku, pool_id: i64) -> rusqlite::Result<()> {
    a.conn.execute(
        "INSERT INTO temp.pull_pool_map (sku_id, pool_id) VALUES (?1, ?2)",
        params![sku.sku_id, pool_id],
    )?;
    Ok(())
}

/// Disables the connector's pools whose SKU the source did not report.
fn disable_unreported(a: &Apply<'_>, summary: &mut SyncSummary) -> rusqlite::Result<()> {
    a.conn.execute(
        "INSERT INTO temp.pull_gone_pools (pool_id) SELECT id FROM pools \
         WHERE connector_id = ?1 AND kind = 'm365' AND id NOT IN (SELECT pool_id FROM temp.pull_pool_map)",
        [a.connector_id],
    )?;
    let mut stmt = a.conn.prepare(
        "UPDATE pools SET status = 'disabled', disabled_reason = 'cancelled', source_consumed = 0 \
         WHERE id IN (SELECT pool_id FROM temp.pull_gone_pools) \
           AND (status <> 'disabled' OR disabled_reason IS NOT 'cancelled' OR source_consumed IS NOT 0) \
         RETURNING name",
    )?;
    let names = stmt
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for name in names {
        summary.pools.removed += 1;
        summary.notes.push(format!(
            "{name}: Microsoft Graph no longer reports this subscription; the pool is disabled (cancelled) \
             and kept with its history"
        ));
    }
    Ok(())
}
