//! One app and one pool per inventory entry, matched by the app's product
//! id and licence type (and the pool's SKU once it has one); apps whose
//! packages are encrypted are marked skipped and get no pool (R-APP-3);
//! those the store no longer lists go (with their seats), unless a local
//! change to them is still pending.

use rusqlite::{Connection, OptionalExtension as _, params};

use super::{ReportLine, StoreApp, StorePull, StoreSummary};
use crate::domain::store_business::{InventoryStatus, StoreLicenseType};

/// An entry's app (and pool) as the cache holds them.
struct Held {
    app: i64,
    pool: Option<i64>,
    figures: Figures,
}

#[derive(PartialEq, Eq)]
struct Figures {
    name: String,
    total: Option<i64>,
    source_consumed: Option<i64>,
    skipped: bool,
}

pub(super) fn write(
    conn: &Connection,
    connector_id: i64,
    pull: &StorePull<'_>,
    at: &str,
    summary: &mut StoreSummary,
) -> rusqlite::Result<()> {
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS store_seen (app_id INTEGER PRIMARY KEY)",
        [],
    )?;
    conn.execute("DELETE FROM temp.store_seen", [])?;
    for app in pull.apps {
        if app.entry.status == InventoryStatus::Removed {
            continue;
        }
        let id = match held(conn, connector_id, app)? {
            Some(held) => update(conn, connector_id, app, &held, at, summary)?,
            None => insert(conn, connector_id, app, at, summary)?,
        };
        conn.execute("INSERT OR IGNORE INTO temp.store_seen (app_id) VALUES (?1)", [id])?;
    }
    remove_gone(conn, connector_id, summary)
}

fn license_type(app: &StoreApp) -> &'static str {
    match app.entry.license_type {
        StoreLicenseType::Online => "online",
        StoreLicenseType::Offline => "offline",
    }
}

fn pool_kind(app: &StoreApp) -> &'static str {
    match app.entry.license_type {
        StoreLicenseType::Online => "store_online",
        StoreLicenseType::Offline => "store_offline",
    }
}

/// Offline apps can target users or devices (R-APP-4); online ones users.
fn assignable_to(app: &StoreApp) -> &'static str {
    match app.entry.license_type {
        StoreLicenseType::Online => "user",
        StoreLicenseType::Offline => "user_or_device",
    }
}

/// The name in the connector's language with the licence type (R-APP-2).
fn name_of(app: &StoreApp) -> String {
    let base = app.product.name.trim();
    let base = if base.is_empty() {
        app.entry.key.product_id.as_str()
    } else {
        base
    };
    format!("{base}{}", app.entry.license_type.name_suffix())
}

/// Seats the store counts as held: offline apps' seats are not tracked by
/// the store (their `availableSeats` says nothing), so only the cache's
/// own count stands for them.
fn source_consumed(app: &StoreApp) -> Option<i64> {
    (app.entry.license_type == StoreLicenseType::Online).then(|| app.entry.used_seats())
}

fn figures(app: &StoreApp) -> Figures {
    let skipped = app.product.skip_reason.is_some();
    Figures {
        name: name_of(app),
        total: (!skipped).then_some(app.entry.seat_capacity),
        source_consumed: if skipped { None } else { source_consumed(app) },
        skipped,
    }
}

fn held(conn: &Connection, connector_id: i64, app: &StoreApp) -> rusqlite::Result<Option<Held>> {
    conn.query_row(
        "SELECT a.id, p.id, a.name, p.total, p.source_consumed, a.sync_status = 'skipped' FROM apps a \
         LEFT JOIN pools p ON p.app_id = a.id AND p.kind = ?4 AND (p.sku_id IS NULL OR p.sku_id = ?5) \
         WHERE a.connector_id = ?1 AND a.external_id = ?2 AND a.license_type = ?3 ORDER BY p.id LIMIT 1",
        params![
            connector_id,
            app.entry.key.product_id,
            license_type(app),
            pool_kind(app),
            app.entry.key.sku_id
        ],
        |row| {
            Ok(Held {
                app: row.get(0)?,
                pool: row.get(1)?,
                figures: Figures {
                    name: row.get(2)?,
                    total: row.get(3)?,
                    source_consumed: row.get(4)?,
                    skipped: row.get(5)?,
                },
            })
        },
    )
    .optional()
}

fn line(outcome: &'static str, app: &StoreApp) -> ReportLine {
    ReportLine {
        outcome,
        app: name_of(app),
        external_id: Some(app.entry.key.to_string()),
        reason: app.product.skip_reason.clone(),
    }
}

fn update(
    conn: &Connection,
    connector_id: i64,
    app: &StoreApp,
    held: &Held,
    at: &str,
    summary: &mut StoreSummary,
) -> rusqlite::Result<i64> {
    let now = figures(app);
    let skipped = now.skipped;
    // A skipped app keeps what its pool held; only its name and state move.
    let changed = if skipped {
        now.name != held.figures.name || !held.figures.skipped
    } else {
        now != held.figures || held.pool.is_none()
    };
    conn.execute(
        "UPDATE apps SET name = ?2, publisher = coalesce(?3, publisher), sync_status = ?4, skip_reason = ?5, \
         encrypted = ?6 WHERE id = ?1",
        params![
            held.app,
            now.name,
            app.product.publisher,
            if skipped { "skipped" } else { "synced" },
            app.product.skip_reason,
            skipped
        ],
    )?;
    match (held.pool, skipped) {
        (Some(pool), false) => {
            conn.execute(
                "UPDATE pools SET name = ?2, total = ?3, source_consumed = ?4, sku_id = ?5 WHERE id = ?1",
                params![
                    pool,
                    now.name,
                    now.total,
                    now.source_consumed,
                    app.entry.key.sku_id
                ],
            )?;
        }
        (None, false) => insert_pool(conn, connector_id, app, held.app, at)?,
        _ => {}
    }
    if skipped {
        summary.apps_skipped += 1;
        summary.report.push(line("skipped", app));
    } else if changed {
        summary.apps_updated += 1;
        summary.report.push(line("updated", app));
    }
    Ok(held.app)
}

fn insert(
    conn: &Connection,
    connector_id: i64,
    app: &StoreApp,
    at: &str,
    summary: &mut StoreSummary,
) -> rusqlite::Result<i64> {
    let skipped = app.product.skip_reason.is_some();
    conn.execute(
        "INSERT INTO apps (name, publisher, platform, source, license_type, encrypted, sync_status, skip_reason, \
         connector_id, external_id) VALUES (?1, ?2, 'windows', 'store_business', ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            name_of(app),
            app.product.publisher,
            license_type(app),
            skipped,
            if skipped { "skipped" } else { "synced" },
            app.product.skip_reason,
            connector_id,
            app.entry.key.product_id
        ],
    )?;
    let id = conn.last_insert_rowid();
    if skipped {
        summary.apps_skipped += 1;
        summary.report.push(line("skipped", app));
    } else {
        insert_pool(conn, connector_id, app, id, at)?;
        summary.apps_added += 1;
        summary.report.push(line("added", app));
    }
    Ok(id)
}

fn insert_pool(
    conn: &Connection,
    connector_id: i64,
    app: &StoreApp,
    app_id: i64,
    at: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO pools (name, kind, source, connector_id, sku_id, total, source_consumed, assignable_to, \
         app_id, starts_on, publisher) VALUES (?1, ?2, 'store_business', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            name_of(app),
            pool_kind(app),
            connector_id,
            app.entry.key.sku_id,
            app.entry.seat_capacity,
            source_consumed(app),
            assignable_to(app),
            app_id,
            &at[..at.len().min(10)],
            app.product.publisher
        ],
    )?;
    Ok(())
}

/// Apps of the connector the store no longer lists go with their pools
/// and seats (cascade), except those a pending local change names.
fn remove_gone(conn: &Connection, connector_id: i64, summary: &mut StoreSummary) -> rusqlite::Result<()> {
    let pending = "SELECT p.app_id FROM outbox o JOIN pools p ON p.id = o.pool_id \
                   WHERE o.state = 'pending' AND p.app_id IS NOT NULL";
    let gone = "SELECT id FROM apps WHERE connector_id = ?1 AND source = 'store_business' \
                AND id NOT IN (SELECT app_id FROM temp.store_seen)";
    let kept: i64 = conn.query_row(
        &format!("SELECT count(*) FROM ({gone}) WHERE id IN ({pending})"),
        [connector_id],
        |row| row.get(0),
    )?;
    summary.kept_pending = kept as usize;
    let removed = {
        let mut stmt = conn.prepare(&format!(
            "SELECT name, external_id FROM apps WHERE id IN ({gone}) AND id NOT IN ({pending}) ORDER BY name"
        ))?;
        let rows = stmt.query_map([connector_id], |row| {
            Ok(ReportLine {
                outcome: "removed",
                app: row.get(0)?,
                external_id: row.get(1)?,
                reason: None,
            })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    summary.apps_removed = conn.execute(
        &format!("DELETE FROM apps WHERE id IN ({gone}) AND id NOT IN ({pending})"),
        [connector_id],
    )?;
    summary.report.extend(removed);
    Ok(())
}
