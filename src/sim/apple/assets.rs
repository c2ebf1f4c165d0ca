//! `GET /assets` (paged, with live counts) and `POST /assets/associate` /
//! `disassociate`: checked at once, carried out later as an event.

use std::collections::HashSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use rusqlite::{Connection, params};
use serde_json::{Map, Value, json};

use super::error::{AppleError, AppleResult, json_response};
use super::events::{self, Outcome, is_live};
use super::page::{check_range, page_index, paged, total_pages, version_id};
use super::service::{MAX_ASSETS, MAX_CLIENT_USER_IDS, MAX_SERIAL_NUMBERS};
use super::{Location, UNLIMITED, current_version, meta};
use crate::sim::paging::Query;
use crate::sim::server::Shared;
use crate::sim::tenant::now_ms;

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

/// The assets, users and devices of an associate / disassociate body.
struct Target {
    assets: Vec<(String, String)>,
    users: Vec<String>,
    serials: Vec<String>,
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

fn has_duplicates(items: &[String]) -> bool {
    items.iter().collect::<HashSet<_>>().len() != items.len()
}

/// The synchronous checks of apis.md §3.5 (9700–9707, 9718, 9719).
fn target(request: &Value) -> Result<Target, AppleError> {
    let assets: Vec<(String, String)> = request["assets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| {
            let adam = a["adamId"].as_str()?.to_owned();
            Some((adam, a["pricingParam"].as_str().unwrap_or("STDQ").to_owned()))
        })
        .collect();
    let users = strings(&request["clientUserIds"]);
    let serials = strings(&request["serialNumbers"]);
    let keys: Vec<String> = assets.iter().map(|(a, p)| format!("{a}/{p}")).collect();
    let checks = [
        (assets.is_empty(), 9718, "assets are required."),
        (assets.len() > MAX_ASSETS, 9700, "Too many assets."),
        (users.len() > MAX_CLIENT_USER_IDS, 9701, "Too many clientUserIds."),
        (
            serials.len() > MAX_SERIAL_NUMBERS,
            9702,
            "Too many serialNumbers.",
        ),
        (has_duplicates(&keys), 9703, "Duplicate assets."),
        (has_duplicates(&users), 9704, "Duplicate clientUserIds."),
        (has_duplicates(&serials), 9705, "Duplicate serialNumbers."),
        (
            users.is_empty() && serials.is_empty(),
            9719,
            "clientUserIds or serialNumbers are required.",
        ),
    ];
    if let Some((_, number, message)) = checks.iter().find(|(bad, _, _)| *bad) {
        return Err(AppleError::new(*number, *message));
    }
    Ok(Target {
        assets,
        users,
        serials,
    })
}

pub(crate) async fn associate(State(shared): State<Arc<Shared>>, body: Bytes) -> AppleResult {
    submit(shared, body, "ASSOCIATE").await
}

pub(crate) async fn disassociate(State(shared): State<Arc<Shared>>, body: Bytes) -> AppleResult {
    submit(shared, body, "DISASSOCIATE").await
}

async fn submit(shared: Arc<Shared>, body: Bytes, kind: &'static str) -> AppleResult {
    let request: Value = serde_json::from_slice(&body)
        .map_err(|err| AppleError::invalid(format!("The request body is not JSON: {err}")))?;
    let target = target(&request)?;
    let due = now_ms() + shared.config.apple_event_delay.as_millis() as i64;
    let body = shared
        .db
        .run(move |conn| {
            for (adam, pricing) in &target.assets {
                let found: Option<bool> = conn
                    .query_row(
                        "SELECT device_assignable FROM sim_apple_assets WHERE adam_id = ?1 AND pricing = ?2",
                        params![adam, pricing],
                        |r| r.get(0),
                    )
                    .ok();
                match found {
                    None => {
                        return Ok(Err(AppleError::new(
                            9718,
                            format!("No asset {adam} ({pricing})."),
                        )
                        .with_info(json!({"assets": [{"adamId": adam, "pricingParam": pricing}]}))));
                    }
                    Some(false) if !target.serials.is_empty() => {
                        return Ok(Err(AppleError::new(
                            9707,
                            format!("Asset {adam} is not device-assignable."),
                        )));
                    }
                    Some(_) => {}
                }
            }
            let requested = (target.assets.len() * (target.users.len() + target.serials.len())) as i64;
            let id = events::create(conn, kind, &request, requested, due)?;
            Ok(Ok(Location::read(conn)?.stamp(json!({"eventId": id}))))
        })
        .await??;
    Ok(json_response(StatusCode::OK, &body))
}

/// Carries out an association: per asset, all or nothing (9709 when the
/// asset has fewer licenses left than new holders); users must be live.
pub(crate) fn associate_now(conn: &Connection, request: &Value, version: i64) -> rusqlite::Result<Outcome> {
    let Ok(target) = target(request) else {
        return Ok(Outcome::default());
    };
    let mut outcome = Outcome::default();
    let mut users = Vec::new();
    for client in &target.users {
        if is_live(conn, client)? {
            users.push(client.clone());
        } else {
            outcome.failures.push(
                json!({"errorNumber": 9609, "errorMessage": "Registered user not found.",
                "errorInfo": {"clientUserIds": [client]}}),
            );
        }
    }
    for (adam, pricing) in &target.assets {
        let holders: Vec<(Option<&String>, Option<&String>)> = users
            .iter()
            .map(|u| (Some(u), None))
            .chain(target.serials.iter().map(|s| (None, Some(s))))
            .collect();
        let mut new = Vec::new();
        for (user, serial) in holders {
            let held: bool = conn.query_row(
                "SELECT count(*) > 0 FROM sim_apple_assignments WHERE adam_id = ?1 AND pricing = ?2 AND active = 1 \
                 AND (client_user_id = ?3 OR serial_number = ?4)",
                params![adam, pricing, user, serial],
                |r| r.get(0),
            )?;
            if held {
                outcome.completed += 1;
            } else {
                new.push((user, serial));
            }
        }
        let (total, assigned): (i64, i64) = conn.query_row(
            "SELECT total, (SELECT count(*) FROM sim_apple_assignments s WHERE s.adam_id = ?1 AND s.pricing = ?2 \
             AND s.active = 1) FROM sim_apple_assets WHERE adam_id = ?1 AND pricing = ?2",
            params![adam, pricing],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if total < UNLIMITED && (new.len() as i64) > total - assigned {
            let users: Vec<&String> = new.iter().filter_map(|(u, _)| *u).collect();
            let serials: Vec<&String> = new.iter().filter_map(|(_, s)| *s).collect();
            outcome.failures.push(json!({
                "errorNumber": 9709,
                "errorMessage": "Not enough assets available to complete this association.",
                "errorInfo": {"assets": [{"adamId": adam, "pricingParam": pricing}],
                    "clientUserIds": users, "serialNumbers": serials}
            }));
            continue;
        }
        for (user, serial) in new {
            conn.execute(
                "INSERT INTO sim_apple_assignments (adam_id, pricing, client_user_id, serial_number, version) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![adam, pricing, user, serial, version],
            )?;
            outcome.completed += 1;
        }
    }
    Ok(outcome)
}

/// Carries out a disassociation (holders without the asset are fine).
pub(crate) fn disassociate_now(
    conn: &Connection,
    request: &Value,
    version: i64,
) -> rusqlite::Result<Outcome> {
    let Ok(target) = target(request) else {
        return Ok(Outcome::default());
    };
    let mut outcome = Outcome::default();
    for (adam, pricing) in &target.assets {
        for (user, serial) in target
            .users
            .iter()
            .map(|u| (Some(u), None))
            .chain(target.serials.iter().map(|s| (None, Some(s))))
        {
            conn.execute(
                "UPDATE sim_apple_assignments SET active = 0, version = ?5 WHERE adam_id = ?1 AND pricing = ?2 \
                 AND active = 1 AND (client_user_id = ?3 OR serial_number = ?4)",
                params![adam, pricing, user, serial, version],
            )?;
            outcome.completed += 1;
        }
    }
    Ok(outcome)
}
