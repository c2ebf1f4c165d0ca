//! Asynchronous events (apis.md §3.4): a change answers an `eventId` at
//! once and is carried out when due (checked before every call), so
//! `/status` shows PENDING, then COMPLETE, or FAILED with the failures
//! (9709 when an asset has too few licenses left).

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use rusqlite::{Connection, OptionalExtension as _, params};
use serde_json::{Value, json};

use super::build::invite_code;
use super::error::{AppleError, AppleResult, json_response};
use super::{Location, meta, next_version};
use crate::sim::paging::Query;
use crate::sim::server::Shared;
use crate::store::db::begin_write_on;

/// Records an event to carry out `delay_ms` from now; returns its id.
pub(crate) fn create(
    conn: &Connection,
    kind: &str,
    request: &Value,
    requested: i64,
    due_ms: i64,
) -> rusqlite::Result<String> {
    begin_write_on(conn, |tx| {
        let n: i64 = meta(tx, "apple_events")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
            + 1;
        tx.execute(
            "INSERT OR REPLACE INTO sim_meta (key, value) VALUES ('apple_events', ?1)",
            [n.to_string()],
        )?;
        let id = format!("{}", 4_100_000_000i64 + n * 7919);
        tx.execute(
            "INSERT INTO sim_apple_events (id, event_type, request, due_ms, num_requested) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, kind, request.to_string(), due_ms, requested],
        )?;
        Ok(id)
    })
}

/// Carries out every event that is due, oldest first, each in a write
/// transaction of its own (re-checked inside, so two connections never
/// carry out one event twice).
pub(crate) fn process_due(conn: &Connection, now: i64) -> rusqlite::Result<()> {
    let due: Vec<String> = {
        let mut stmt = conn.prepare_cached(
            "SELECT id FROM sim_apple_events WHERE status = 'PENDING' AND due_ms <= ?1 ORDER BY due_ms, rowid",
        )?;
        let rows = stmt.query_map([now], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for id in due {
        begin_write_on(conn, |tx| carry_out(tx, &id))?;
    }
    Ok(())
}

fn carry_out(conn: &Connection, id: &str) -> rusqlite::Result<()> {
    let event: Option<(String, String)> = conn
        .query_row(
            "SELECT event_type, request FROM sim_apple_events WHERE id = ?1 AND status = 'PENDING'",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((kind, request)) = event else {
        return Ok(());
    };
    let request: Value = serde_json::from_str(&request).unwrap_or(Value::Null);
    let version = next_version(conn)?;
    let outcome = match kind.as_str() {
        "ASSOCIATE" => super::associate::associate_now(conn, &request, version)?,
        "DISASSOCIATE" => super::associate::disassociate_now(conn, &request, version)?,
        "CREATE" => create_users(conn, &request, version)?,
        _ => retire_users(conn, &request, version)?,
    };
    let status = if outcome.failures.is_empty() {
        "COMPLETE"
    } else {
        "FAILED"
    };
    conn.execute(
        "UPDATE sim_apple_events SET status = ?2, num_completed = ?3, failures = ?4 WHERE id = ?1",
        params![
            id,
            status,
            outcome.completed,
            Value::Array(outcome.failures).to_string()
        ],
    )?;
    Ok(())
}

/// What an event achieved.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub completed: i64,
    pub failures: Vec<Value>,
}

/// The `clientUserId`s of a request's `users[]`.
pub(crate) fn user_ids(request: &Value) -> Vec<String> {
    request["users"]
        .as_array()
        .map(|users| {
            users
                .iter()
                .filter_map(|u| u["clientUserId"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether `client` has a live (Registered or Associated) row.
pub(crate) fn is_live(conn: &Connection, client: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT count(*) > 0 FROM sim_apple_users WHERE client_user_id = ?1 AND status != 'Retired'",
    )?
    .query_row([client], |r| r.get(0))
}

fn create_users(conn: &Connection, request: &Value, version: i64) -> rusqlite::Result<Outcome> {
    let mut outcome = Outcome::default();
    for user in request["users"].as_array().into_iter().flatten() {
        let Some(client) = user["clientUserId"].as_str() else {
            continue;
        };
        if is_live(conn, client)? {
            outcome.failures.push(json!({
                "errorNumber": 9716,
                "errorMessage": "The clientUserId is already registered.",
                "errorInfo": {"clientUserIds": [client]}
            }));
            continue;
        }
        conn.execute(
            "INSERT INTO sim_apple_users (client_user_id, email, status, version) VALUES (?1, ?2, 'Registered', ?3)",
            params![client, user["email"].as_str(), version],
        )?;
        let row = conn.last_insert_rowid();
        conn.execute(
            "UPDATE sim_apple_users SET invite_code = ?2 WHERE id = ?1",
            params![row, invite_code(row + 1_000_000)],
        )?;
        outcome.completed += 1;
    }
    Ok(outcome)
}

/// Retiring a user takes back its assets too.
fn retire_users(conn: &Connection, request: &Value, version: i64) -> rusqlite::Result<Outcome> {
    let mut outcome = Outcome::default();
    for client in user_ids(request) {
        let changed = conn.execute(
            "UPDATE sim_apple_users SET status = 'Retired', invite_code = NULL, version = ?2 \
             WHERE client_user_id = ?1 AND status != 'Retired'",
            params![client, version],
        )?;
        if changed == 0 {
            outcome.failures.push(json!({
                "errorNumber": 9609,
                "errorMessage": "Registered user not found.",
                "errorInfo": {"clientUserIds": [client]}
            }));
            continue;
        }
        conn.execute(
            "UPDATE sim_apple_assignments SET active = 0, version = ?2 WHERE client_user_id = ?1 AND active = 1",
            params![client, version],
        )?;
        outcome.completed += 1;
    }
    Ok(outcome)
}

/// `GET /status?eventId=`.
pub(crate) async fn status(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> AppleResult {
    let query = Query::parse(raw.as_deref());
    let Some(id) = query.get("eventId").map(str::to_owned) else {
        return Err(AppleError::invalid("eventId is required."));
    };
    let body = shared
        .db
        .run(move |conn| {
            let row: Option<(String, String, i64, i64, String)> = conn
                .query_row(
                    "SELECT event_type, status, num_requested, num_completed, failures FROM sim_apple_events WHERE id = ?1",
                    [&id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )
                .optional()?;
            let Some((kind, status, requested, completed, failures)) = row else {
                return Ok(Err(AppleError::new(9708, format!("Event {id} not found."))));
            };
            let failures: Value = serde_json::from_str(&failures).unwrap_or_else(|_| json!([]));
            let body = json!({
                "eventStatus": status,
                "eventType": kind,
                "numRequested": requested,
                "numCompleted": completed,
                "failures": failures,
            });
            Ok(Ok(Location::read(conn)?.stamp(body)))
        })
        .await??;
    Ok(json_response(StatusCode::OK, &body))
}
