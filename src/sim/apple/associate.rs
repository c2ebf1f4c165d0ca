//! `POST /assets/associate` and `/assets/disassociate`: checked at once
//! (apis.md §3.5), carried out later as an event, per asset all or
//! nothing (9709 when too few licenses are left).

use std::collections::HashSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use rusqlite::{Connection, params};
use serde_json::{Value, json};

use super::error::{AppleError, AppleResult, json_response};
use super::events::{self, Outcome, is_live};
use super::service::{MAX_ASSETS, MAX_CLIENT_USER_IDS, MAX_SERIAL_NUMBERS};
use super::{Location, UNLIMITED};
use crate::sim::server::Shared;
use crate::sim::tenant::now_ms;

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
