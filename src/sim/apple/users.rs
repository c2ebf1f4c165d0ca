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
use super::page::{check_range, page_index, paged, since_version, version_id};
use super::service::MAX_USERS;
use super::starts::{Key, PageStarts};
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
    let state = Arc::clone(&shared);
    let body = shared
        .db
        .run(move |conn| {
            let since = match since_version(conn, &query) {
                Ok(since) => since,
                Err(err) => return Ok(Err(err)),
            };
            let key = Key {
                listing: listing.key,
                since,
                filter: query.get("clientUserId").map(str::to_owned),
                size,
            };
            Ok(page_of(conn, &state.apple_pages, listing, key, index))
        })
        .await??;
    Ok(json_response(StatusCode::OK, &body))
}

/// Page `index`, read by keyset from where it starts at the current
/// version (see `starts`), in one read transaction so the version and the
/// rows agree.
fn page_of(
    conn: &Connection,
    pages: &PageStarts,
    listing: &Listing,
    key: Key,
    index: i64,
) -> Result<Value, AppleError> {
    let tx = conn.unchecked_transaction()?;
    let version = current_version(&tx)?;
    let (since, filter, size) = (key.since, key.filter.clone(), key.size);
    let starts = pages.get(&tx, listing.from, key, version)?;
    let total = starts.len() as i64;
    check_range(index, total)?;
    let items: Vec<Value> = match usize::try_from(index).ok().and_then(|i| starts.get(i)) {
        Some(start) => {
            let sql = format!(
                "SELECT {} {} AND id >= ?3 ORDER BY id LIMIT ?4",
                listing.columns, listing.from
            );
            let mut stmt = tx.prepare_cached(&sql)?;
            stmt.query_map(params![since, filter, start, size], listing.to_json)?
                .collect::<rusqlite::Result<_>>()?
        }
        // Page 0 of an empty listing.
        None => Vec::new(),
    };
    let mut body = Map::new();
    body.insert(listing.key.to_owned(), Value::Array(items));
    let paged = paged(body, index, total, size, &version_id(version));
    Ok(Location::read(&tx)?.stamp(paged))
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
