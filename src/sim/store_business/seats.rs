//! Seats of online apps: listed (`/Inventory/{p}/{s}/Seats`, active ones,
//! paged, at most 100 a page), read, assigned (POST) and reclaimed
//! (DELETE) per user, changed in bulk, and listed per user
//! (`/Users/{username}/Seats`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use rusqlite::{Connection, params};
use serde_json::{Value, json};

use super::ledger::{
    SEAT_COLUMNS, Seat, assign, check_online, product, reclaim, seat, seat_from_row, seat_json, user, write,
};
use super::wire::{
    Params, StoreFail, StoreResult, decode_position, encode_position, json_answer, product_key,
};
use crate::sim::server::Shared;

/// Seats a page at most (documented).
const MAX_SEATS: usize = 100;
/// Users one bulk call may name (not documented; the simulator's choice,
/// the same as a page of seats).
pub(crate) const MAX_BULK: usize = 100;

type Ids = Path<(String, String)>;
type SeatIds = Path<(String, String, String)>;

pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    Path((p, s)): Ids,
    RawQuery(raw): RawQuery,
) -> StoreResult {
    let params = Params::parse(raw.as_deref());
    let (after, size) = (decode_position(&params)?, params.max_results(25, MAX_SEATS)?);
    let body = shared
        .db
        .run(move |conn| {
            Ok(product(conn, &p, &s).and_then(|found| {
                check_online(&found)?;
                let sql = format!(
                    "SELECT {SEAT_COLUMNS} FROM sim_store_seats WHERE product_id = ?1 AND sku_id = ?2 \
                     AND state = 'Active' AND id > ?3 ORDER BY id LIMIT ?4"
                );
                seat_page(
                    conn,
                    &sql,
                    params![found.product_id, found.sku_id, after, size as i64 + 1],
                    size,
                )
            }))
        })
        .await
        .map_err(StoreFail::from)??;
    Ok(json_answer(StatusCode::OK, &body))
}

pub(crate) async fn of_user(
    State(shared): State<Arc<Shared>>,
    Path(username): Path<String>,
    RawQuery(raw): RawQuery,
) -> StoreResult {
    let params = Params::parse(raw.as_deref());
    let (after, size) = (decode_position(&params)?, params.max_results(25, MAX_SEATS)?);
    let body = shared
        .db
        .run(move |conn| {
            Ok(user(conn, &username).and_then(|upn| {
                let sql = format!(
                    "SELECT {SEAT_COLUMNS} FROM sim_store_seats WHERE upn = ?1 AND state = 'Active' \
                     AND id > ?2 ORDER BY id LIMIT ?3"
                );
                seat_page(conn, &sql, params![upn, after, size as i64 + 1], size)
            }))
        })
        .await
        .map_err(StoreFail::from)??;
    Ok(json_answer(StatusCode::OK, &body))
}

/// SeatDetailsResultSet from a query of `size + 1` rows (the last column
/// is the seat's row id, the position).
fn seat_page(
    conn: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
    size: usize,
) -> Result<Value, StoreFail> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(args, |row| Ok((seat_from_row(row)?, row.get::<_, i64>(5)?)))?;
    let mut seats = rows.collect::<rusqlite::Result<Vec<(Seat, i64)>>>()?;
    let more = seats.len() > size;
    seats.truncate(size);
    let listed: Vec<Value> = seats.iter().map(|(seat, _)| seat_json(seat)).collect();
    let mut body = json!({"seats": listed});
    if let (true, Some((_, last))) = (more, seats.last()) {
        body["continuationToken"] = json!(encode_position(*last));
    }
    Ok(body)
}

pub(crate) async fn one(State(shared): State<Arc<Shared>>, Path((p, s, username)): SeatIds) -> StoreResult {
    let body = shared
        .db
        .run(move |conn| {
            Ok(product(conn, &p, &s).and_then(|found| {
                check_online(&found)?;
                let upn = user(conn, &username)?;
                seat(conn, &found, &upn)?
                    .map(|held| seat_json(&held))
                    .ok_or_else(|| StoreFail::not_found("Seat", format!("{p}/{s}/{upn}")))
            }))
        })
        .await
        .map_err(StoreFail::from)??;
    Ok(json_answer(StatusCode::OK, &body))
}

pub(crate) async fn assign_one(
    State(shared): State<Arc<Shared>>,
    Path((p, s, username)): SeatIds,
) -> StoreResult {
    change_one(shared, p, s, username, true).await
}

pub(crate) async fn reclaim_one(
    State(shared): State<Arc<Shared>>,
    Path((p, s, username)): SeatIds,
) -> StoreResult {
    change_one(shared, p, s, username, false).await
}

async fn change_one(shared: Arc<Shared>, p: String, s: String, username: String, give: bool) -> StoreResult {
    let body = shared
        .db
        .run(move |conn| {
            Ok(write(conn, |tx| {
                let found = product(tx, &p, &s)?;
                let changed = if give {
                    assign(tx, &found, &username)?
                } else {
                    reclaim(tx, &found, &username)?
                };
                Ok(seat_json(&changed))
            }))
        })
        .await
        .map_err(StoreFail::from)??;
    Ok(json_answer(StatusCode::OK, &body))
}

/// `POST /Inventory/{p}/{s}/Seats` with the users and the `seatAction`:
/// every user is tried; refusals go to `failedSeatOperations`.
pub(crate) async fn bulk(State(shared): State<Arc<Shared>>, Path((p, s)): Ids, body: Bytes) -> StoreResult {
    let (users, give) = bulk_request(&body)?;
    let body = shared
        .db
        .run(move |conn| {
            Ok(write(conn, |tx| {
                let found = product(tx, &p, &s)?;
                let (mut done, mut failed) = (Vec::new(), Vec::new());
                for name in &users {
                    let outcome = if give {
                        assign(tx, &found, name)
                    } else {
                        reclaim(tx, &found, name)
                    };
                    match outcome {
                        Ok(changed) => done.push(seat_json(&changed)),
                        Err(fail) if fail.status.is_client_error() => failed.push(json!({
                            "failureReason": fail.reason,
                            "productKey": product_key(&found.product_id, &found.sku_id),
                            "userName": name,
                        })),
                        Err(fail) => return Err(fail),
                    }
                }
                Ok(json!({"seatDetails": done, "failedSeatOperations": failed}))
            }))
        })
        .await
        .map_err(StoreFail::from)??;
    Ok(json_answer(StatusCode::OK, &body))
}

/// The users (`userNames`, `usernames`, `userName`: an array or one
/// string, names compared without case) and whether to assign.
fn bulk_request(body: &[u8]) -> Result<(Vec<String>, bool), StoreFail> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|err| StoreFail::invalid("body", format!("The request body is not JSON: {err}")))?;
    let object = value
        .as_object()
        .ok_or_else(|| StoreFail::invalid("body", "The request body must be an object."))?;
    let field = |name: &str| {
        object
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    };
    let action = field("seatAction").and_then(Value::as_str).unwrap_or_default();
    let give = match action.to_ascii_lowercase().as_str() {
        "assign" => true,
        "reclaim" => false,
        _ => {
            return Err(StoreFail::invalid(
                "seatAction",
                format!("'{action}' is not a seat action (Assign, Reclaim)."),
            ));
        }
    };
    let names = field("userNames").or_else(|| field("userName"));
    let users: Vec<String> = match names {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        Some(Value::String(one)) => vec![one.clone()],
        _ => Vec::new(),
    };
    if users.is_empty() || users.len() > MAX_BULK {
        return Err(StoreFail::invalid(
            "userNames",
            format!(
                "Give from 1 to {MAX_BULK} user names; {} were given.",
                users.len()
            ),
        ));
    }
    Ok((users, give))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_bodies_are_read_liberally_and_checked() {
        let (users, give) = bulk_request(br#"{"userNames":["a@x","b@x"],"seatAction":"Assign"}"#).unwrap();
        assert_eq!((users.len(), give), (2, true));
        let (users, give) = bulk_request(br#"{"UserName":"a@x","SeatAction":"reclaim"}"#).unwrap();
        assert_eq!((users, give), (vec!["a@x".to_owned()], false));
        let err = bulk_request(br#"{"userNames":["a@x"],"seatAction":"Sell"}"#).unwrap_err();
        assert_eq!(err.data["Parameter name"], "seatAction");
        let many: Vec<String> = (0..=MAX_BULK).map(|i| format!("u{i}@x")).collect();
        let body = json!({"userNames": many, "seatAction": "Assign"}).to_string();
        assert!(bulk_request(body.as_bytes()).is_err());
        assert!(bulk_request(b"not json").is_err());
    }
}
