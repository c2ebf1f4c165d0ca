//! One app and one `vpp` pool per asset of the location, matched by the
//! asset's `adamId` and pricing; those the location no longer holds go
//! (with their seats), unless a local change to them is still pending.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension as _, params};

use super::{ApplePull, AppleSummary};
use crate::domain::apple::{AppMetadata, AppleAsset, AssetKind};

/// An asset's app and pool as the cache holds them.
struct Held {
    app: i64,
    pool: i64,
    figures: (String, Option<i64>, Option<i64>, String),
}

pub(super) fn write(
    conn: &Connection,
    connector_id: i64,
    pull: &ApplePull<'_>,
    at: &str,
    summary: &mut AppleSummary,
) -> rusqlite::Result<()> {
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS apple_seen (pool_id INTEGER PRIMARY KEY)",
        [],
    )?;
    conn.execute("DELETE FROM temp.apple_seen", [])?;
    let names: HashMap<&str, &AppMetadata> = pull.metadata.iter().map(|m| (m.adam_id.as_str(), m)).collect();
    for asset in pull.assets {
        let meta = names.get(asset.adam_id.as_str()).copied();
        let pool = match held(conn, connector_id, asset)? {
            Some(held) => update(conn, asset, meta, &held, summary)?,
            None => insert(conn, connector_id, asset, meta, at, summary)?,
        };
        conn.execute(
            "INSERT OR IGNORE INTO temp.apple_seen (pool_id) VALUES (?1)",
            [pool],
        )?;
    }
    remove_gone(conn, connector_id, summary)
}

fn held(conn: &Connection, connector_id: i64, asset: &AppleAsset) -> rusqlite::Result<Option<Held>> {
    conn.query_row(
        "SELECT a.id, p.id, p.name, p.total, p.source_consumed, p.assignable_to FROM apps a \
         JOIN pools p ON p.app_id = a.id \
         WHERE a.connector_id = ?1 AND a.external_id = ?2 AND coalesce(p.sku_id, 'STDQ') = ?3",
        params![connector_id, asset.adam_id, asset.pricing],
        |row| {
            Ok(Held {
                app: row.get(0)?,
                pool: row.get(1)?,
                figures: (row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?),
            })
        },
    )
    .optional()
}

/// The name to show: Apple's lookup, else what the cache had, else the id.
fn name_of(asset: &AppleAsset, meta: Option<&AppMetadata>, had: Option<&str>) -> String {
    match (meta, had) {
        (Some(meta), _) if !meta.name.trim().is_empty() => meta.name.trim().to_owned(),
        (_, Some(had)) => had.to_owned(),
        _ => match asset.kind {
            AssetKind::App => format!("App {}", asset.adam_id),
            AssetKind::Book => format!("Book {}", asset.adam_id),
        },
    }
}

fn platform(asset: &AppleAsset) -> &'static str {
    let says = |what: &str| {
        asset
            .platforms
            .iter()
            .any(|p| p.to_ascii_lowercase().contains(what))
    };
    if says("mac") && !says("ios") {
        "macos"
    } else {
        "ios"
    }
}

fn assignable_to(asset: &AppleAsset) -> &'static str {
    if asset.device_assignable {
        "user_or_device"
    } else {
        "user"
    }
}

fn update(
    conn: &Connection,
    asset: &AppleAsset,
    meta: Option<&AppMetadata>,
    held: &Held,
    summary: &mut AppleSummary,
) -> rusqlite::Result<i64> {
    let name = name_of(asset, meta, Some(&held.figures.0));
    let figures = (
        name.clone(),
        asset.total,
        Some(asset.assigned),
        assignable_to(asset).to_owned(),
    );
    if figures != held.figures {
        summary.apps_updated += 1;
    }
    conn.execute(
        "UPDATE apps SET name = ?2, publisher = coalesce(?3, publisher), platform = ?4, sync_status = 'synced', \
         skip_reason = NULL WHERE id = ?1",
        params![held.app, name, meta.and_then(|m| m.publisher.clone()), platform(asset)],
    )?;
    conn.execute(
        "UPDATE pools SET name = ?2, total = ?3, source_consumed = ?4, assignable_to = ?5, sku_id = ?6 WHERE id = ?1",
        params![held.pool, name, asset.total, asset.assigned, assignable_to(asset), asset.pricing],
    )?;
    Ok(held.pool)
}

fn insert(
    conn: &Connection,
    connector_id: i64,
    asset: &AppleAsset,
    meta: Option<&AppMetadata>,
    at: &str,
    summary: &mut AppleSummary,
) -> rusqlite::Result<i64> {
    let name = name_of(asset, meta, None);
    conn.execute(
        "INSERT INTO apps (name, publisher, platform, source, license_type, connector_id, external_id) \
         VALUES (?1, ?2, ?3, 'apple_vpp', 'vpp', ?4, ?5)",
        params![
            name,
            meta.and_then(|m| m.publisher.clone()),
            platform(asset),
            connector_id,
            asset.adam_id
        ],
    )?;
    let app = conn.last_insert_rowid();
    conn.execute(
        "INSERT INTO pools (name, kind, source, connector_id, sku_id, total, source_consumed, assignable_to, \
         app_id, starts_on, publisher) VALUES (?1, 'vpp', 'apple_vpp', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            name,
            connector_id,
            asset.pricing,
            asset.total,
            asset.assigned,
            assignable_to(asset),
            app,
            &at[..at.len().min(10)],
            meta.and_then(|m| m.publisher.clone())
        ],
    )?;
    summary.apps_added += 1;
    Ok(conn.last_insert_rowid())
}

/// Apps of the connector the location no longer lists go with their pools
/// and seats (cascade), except those a pending local change names.
fn remove_gone(conn: &Connection, connector_id: i64, summary: &mut AppleSummary) -> rusqlite::Result<()> {
    let gone = "SELECT p.id FROM pools p WHERE p.connector_id = ?1 AND p.kind = 'vpp' \
                AND p.id NOT IN (SELECT pool_id FROM temp.apple_seen)";
    let pending = "SELECT pool_id FROM outbox WHERE state = 'pending' AND pool_id IS NOT NULL";
    let kept: i64 = conn.query_row(
        &format!("SELECT count(*) FROM ({gone}) WHERE id IN ({pending})"),
        [connector_id],
        |row| row.get(0),
    )?;
    summary.kept_pending = kept as usize;
    summary.apps_removed = conn.execute(
        &format!(
            "DELETE FROM apps WHERE id IN (SELECT app_id FROM pools WHERE id IN ({gone}) AND id NOT IN ({pending}))"
        ),
        [connector_id],
    )?;
    Ok(())
}
