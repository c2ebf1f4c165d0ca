//! `GET /assets`: paged, with live counts.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use rusqlite::{Connection, params};
use serde_json::{Map, Value, json};

use super::error::{AppleResult, json_response};
use super::page::{check_range, page_index, paged, total_pages, version_id};
use super::{Location, UNLIMITED, current_version, meta};
use crate::sim::paging::Query;
use crate::sim::server::Shared;

/// Assets per page: few, so that even the demo's handful pages.
pub(crate) const ASSET_PAGE: i64 = 4;

const ASSET_SQL: &str = "SELECT a.adam_id, a.pricing, a.product_type, a.total, a.retired, a.device_assignable, \
     a.revocable, a.platforms, (SELECT count(*) FROM sim_apple_assignments s WHERE s.adam_id = a.adam_id \
     AND s.pricing = a.pricing AND s.active = 1) FROM sim_apple_assets a";

pub(crate) async fn list(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> AppleResult {
    let query = Query::parse(raw.as_deref());
    let index = page_index(&query)?;
    let adam = query.get("adamId").map(str::to_owned);
    let kind = query.get("productType").map(str::to_owned);
    let body = shared
        .db
        .run(move |conn| {
            let filter = "WHERE (?1 IS NULL OR a.adam_id = ?1) AND (?2 IS NULL OR a.product_type = ?2)";
            let count: i64 = conn.query_row(
                &format!("SELECT count(*) FROM sim_apple_assets a {filter}"),
                params![adam, kind],
                |r| r.get(0),
            )?;
            let pages = total_pages(count, ASSET_PAGE);
            if let Err(err) = check_range(index, pages) {
                return Ok(Err(err));
            }
            let sql = format!("{ASSET_SQL} {filter} ORDER BY a.rowid LIMIT ?3 OFFSET ?4");
            let mut stmt = conn.prepare_cached(&sql)?;
            let assets: Vec<Value> = stmt
                .query_map(params![adam, kind, ASSET_PAGE, index * ASSET_PAGE], asset_json)?
                .collect::<rusqlite::Result<_>>()?;
            let mut body = Map::new();
            body.insert("assets".to_owned(), Value::Array(assets));
            let version = version_id(current_version(conn)?);
            let body = paged(body, index, pages, ASSET_PAGE, &version);
            if index == 0 {
                change_after_first_page(conn)?;
            }
            Ok(Ok(Location::read(conn)?.stamp(body)))
        })
        .await??;
    Ok(json_response(StatusCode::OK, &body))
}

fn asset_json(row: &rusqlite::Row<'_>) -> rusqlite::Result<Value> {
    let total: i64 = row.get(3)?;
    let assigned: i64 = row.get(8)?;
    let platforms: String = row.get(7)?;
    let available = if total >= UNLIMITED {
        UNLIMITED
    } else {
        (total - assigned).max(0)
    };
    Ok(json!({
        "adamId": row.get::<_, String>(0)?,
        "pricingParam": row.get::<_, String>(1)?,
        "productType": row.get::<_, String>(2)?,
        "totalCount": total,
        "assignedCount": assigned,
        "availableCount": available,
        "retiredCount": row.get::<_, i64>(4)?,
        "deviceAssignable": row.get::<_, bool>(5)?,
        "revocable": row.get::<_, bool>(6)?,
        "supportedPlatforms": serde_json::from_str::<Value>(&platforms).unwrap_or_else(|_| json!([])),
    }))
}

/// Assets bought or removed while a client pages (set by the test handle:
/// `apple_asset_change`), so `totalPages` changes mid-read.
fn change_after_first_page(conn: &Connection) -> rusqlite::Result<()> {
    let change: i64 = meta(conn, "apple_asset_change")?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if change == 0 {
        return Ok(());
    }
    conn.execute("DELETE FROM sim_meta WHERE key = 'apple_asset_change'", [])?;
    if change > 0 {
        let start: i64 = conn.query_row("SELECT count(*) FROM sim_apple_assets", [], |r| r.get(0))?;
        for n in start..start + change {
            conn.execute(
                "INSERT INTO sim_apple_assets (adam_id, pricing, product_type, total, device_assignable, revocable, \
                 platforms, name, artist, bundle_id) VALUES (?1, 'STDQ', 'App', 10, 1, 1, '[\"iOS\"]', ?2, \
                 'Simulated Apps Ltd.', ?3)",
                params![(1_600_000_000 + n).to_string(), format!("New App {n}"), format!("com.simulated.new{n}")],
            )?;
        }
    } else {
        conn.execute(
            "DELETE FROM sim_apple_assets WHERE rowid IN (SELECT rowid FROM sim_apple_assets a WHERE NOT EXISTS \
             (SELECT 1 FROM sim_apple_assignments s WHERE s.adam_id = a.adam_id AND s.active = 1) \
             ORDER BY rowid DESC LIMIT ?1)",
            [-change],
        )?;
    }
    Ok(())
}
