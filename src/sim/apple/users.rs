//! `GET /users` and `GET /assignments` (paged and versioned, incremental
//! with `sinceVersionId`), `POST /users/create` and `/users/retire`
//! (events).

use std::collections::HashSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use rusqlite::{Connection, params};
use serde_json::{Map, Value, json};

use super::error::{AppleError, AppleResult, json_response};
use super::events::{self, user_ids};
use super::page::{check_range, page_index, paged, since_version, total_pages, version_id};
use super::service::MAX_USERS;
use super::{Location, current_version};
use crate::sim::paging::Query;
use crate::sim::server::Shared;
use crate::sim::tenant::now_ms;

/// One versioned collection.
struct Listing {
    /// The array's name in the body.
    key: &'static str,
    /// `FROM … WHERE …` with `?1` the since-version and `?2` a filter.
    from: &'static str,
    columns: &'static str,
    to_json: fn(&rusqlite::Row<'_>) -> rusqlite::Result<Value>,
}

const USERS: Listing = Listing {
    key: "users",
    from: "FROM sim_apple_users WHERE (?1 IS NULL OR version > ?1) AND (?2 IS NULL OR client_user_id = ?2)",
    columns: "client_user_id, email, status, invite_code, id_hash",
    to_json: user_json,
};

const ASSIGNMENTS: Listing = Listing {
    key: "assignments",
    from: "FROM sim_apple_assignments WHERE active = 1 AND (?1 IS NULL OR version > ?1) \
           AND (?2 IS NULL OR client_user_id = ?2)",
    columns: "adam_id, pricing, client_user_id, serial_number",
    to_json: assignment_json,
};

fn user_json(row: &rusqlite::Row<'_>) -> rusqlite::Result<Value> {
    let mut user = json!({"clientUserId": row.get::<_, String>(0)?, "status": row.get::<_, String>(2)?});
    for (index, key) in [(1, "email"), (3, "inviteCode"), (4, "idHash")] {
        if let Some(text) = row.get::<_, Option<String>>(index)? {
            user[key] = json!(text);
        }
    }
    Ok(user)
}

fn assignment_json(row: &rusqlite::Row<'_>) -> rusqlite::Result<Value> {
    let mut item = json!({"adamId": row.get::<_, String>(0)?, "pricingParam": row.get::<_, String>(1)?});
    if let Some(user) = row.get::<_, Option<String>>(2)? {
        item["clientUserId"] = json!(user);
    }
    if let Some(serial) = row.get::<_, Option<String>>(3)? {
        item["serialNumber"] = json!(serial);
    }
    Ok(item)
}

pub(crate) async fn list(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> AppleResult {
    read(shared, raw, &USERS).await
}

pub(crate) async fn assignments(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> AppleResult {
    read(shared, raw, &ASSIGNMENTS).await
}

async fn read(shared: Arc<Shared>, raw: Option<String>, listing: &'static Listing) -> AppleResult {
    let query = Query::parse(raw.as_deref());
    let index = page_index(&query)?;
    let size = shared.config.apple_page_size.max(1) as i64;
    let body = shared
        .db
        .run(move |conn| {
            let since = match since_version(conn, &query) {
                Ok(since) => since,
                Err(err) => return Ok(Err(err)),
            };
            let filter = query.get("clientUserId").map(str::to_owned);
            Ok(page_of(conn, listing, since, filter, index, size))
        })
        .await??;
    Ok(json_response(StatusCode::OK, &body))
}

fn page_of(
    conn: &Connection,
    listing: &Listing,
    since: Option<i64>,
    filter: Option<String>,
    index: i64,
    size: i64,
) -> Result<Value, AppleError> {
    let count: i64 = conn.query_row(
        &format!("SELECT count(*) {}", listing.from),
        params![since, filter],
        |r| r.get(0),
    )?;
    let pages = total_pages(count, size);
    check_range(index, pages)?;
    let sql = format!(
        "SELECT {} {} ORDER BY id LIMIT ?3 OFFSET ?4",
        listing.columns, listing.from
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let items: Vec<Value> = stmt
        .query_map(params![since, filter, size, index * size], listing.to_json)?
        .collect::<rusqlite::Result<_>>()?;
    let mut body = Map::new();
    body.insert(listing.key.to_owned(), Value::Array(items));
    let version = version_id(current_version(conn)?);
    Ok(Location::read(conn)?.stamp(paged(body, index, pages, size, &version)))
}

pub(crate) async fn create(State(shared): State<Arc<Shared>>, body: Bytes) -> AppleResult {
    let request = parse(&body)?;
    let ids = user_ids(&request);
    check_users(&ids, request["users"].as_array().map_or(0, Vec::len))?;
    for user in request["users"].as_array().into_iter().flatten() {
        if let Some(email) = user["email"].as_str().filter(|e| !e.contains('@')) {
            return Err(AppleError::new(9717, format!("Invalid email: {email}")));
        }
    }
    submit(shared, request, "CREATE", ids.len()).await
}

pub(crate) async fn retire(State(shared): State<Arc<Shared>>, body: Bytes) -> AppleResult {
    let request = parse(&body)?;
    let ids = user_ids(&request);
    check_users(&ids, request["users"].as_array().map_or(0, Vec::len))?;
    submit(shared, request, "RETIRE", ids.len()).await
}

fn parse(body: &[u8]) -> Result<Value, AppleError> {
    serde_json::from_slice(body)
        .map_err(|err| AppleError::invalid(format!("The request body is not JSON: {err}")))
}

/// 9720 without users, 9602 for a user without its id, 9714 over the
/// limit, 9715 for duplicates.
fn check_users(ids: &[String], listed: usize) -> Result<(), AppleError> {
    if ids.is_empty() {
        return Err(AppleError::new(9720, "users are required."));
    }
    if ids.len() != listed {
        return Err(AppleError::invalid("Every user needs a clientUserId."));
    }
    if ids.len() > MAX_USERS {
        return Err(AppleError::new(
            9714,
            format!("Too many users; at most {MAX_USERS}."),
        ));
    }
    if ids.iter().collect::<HashSet<_>>().len() != ids.len() {
        return Err(AppleError::new(9715, "Duplicate users."));
    }
    Ok(())
}

async fn submit(shared: Arc<Shared>, request: Value, kind: &'static str, requested: usize) -> AppleResult {
    let due = now_ms() + shared.config.apple_event_delay.as_millis() as i64;
    let body = shared
        .db
        .run(move |conn| {
            let id = events::create(conn, kind, &request, requested as i64, due)?;
            Ok(Location::read(conn)?.stamp(json!({"eventId": id})))
        })
        .await?;
    Ok(json_response(StatusCode::OK, &body))
}
