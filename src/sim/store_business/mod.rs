//! A protocol-faithful Microsoft Store for Business REST API (apis.md §4,
//! retired by Microsoft in 2023 and since testable only here), served by
//! the simulator's process under `{base}/V1/...` beside Graph.
//!
//! Its tenant is the simulator's: the demo's store apps (online, offline,
//! free, one with encrypted packages) become inventory entries with the
//! capacity of their pools, and the users holding their online seats hold
//! store seats (`sim_store_*` tables, built once from the seed). Seat
//! changes keep `availableSeats` in step; offline apps answer 409 "Not
//! online" to seat calls; a Restricted app with no seat left answers 409
//! "No seats available" (Microsoft documents no code for it).
//!
//! Calls need a bearer token the simulator's token endpoint issued for
//! `https://onestore.microsoft.com/.default`; a Graph token is refused,
//! as its audience differs. The Graph fault layer (`--faults`) applies to
//! these routes too: its statuses (429 and 503 with `Retry-After`, 5xx,
//! 401), broken connections, hangs, unreadable bodies, and empty pages
//! (with a `continuationToken` back to the same page). Its error bodies
//! stay Graph's: Microsoft never documented the store's own for those.

mod build;
mod control;
mod inventory;
mod ledger;
mod products;
mod seats;
mod wire;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};

use super::server::Shared;
use super::tenant::now_ms;
pub(crate) use build::prepare;
use wire::StoreFail;

/// The scope a client asks the token endpoint for.
pub const STORE_SCOPE: &str = "https://onestore.microsoft.com/.default";

/// The store's routes (state not yet given, no layers).
pub(crate) fn routes() -> Router<Arc<Shared>> {
    let seats_of = "/V1/Inventory/{product}/{sku}/Seats";
    Router::new()
        .route("/V1/Inventory", get(inventory::inventory))
        .route("/V1/Products/{product}/{sku}", get(products::details))
        .route(
            "/V1/Products/{product}/{sku}/LocalizedDetails/{language}",
            get(products::localized),
        )
        .route("/V1/Products/{product}/{sku}/Packages", get(products::packages))
        .route(
            "/V1/Products/{product}/{sku}/OfflineLicense/{content}",
            post(products::offline_license),
        )
        .route(seats_of, get(seats::list).post(seats::bulk))
        .route(
            "/V1/Inventory/{product}/{sku}/Seats/{username}",
            get(seats::one).post(seats::assign_one).delete(seats::reclaim_one),
        )
        .route("/V1/Users/{username}/Seats", get(seats::of_user))
        .route("/V1/{*rest}", any(unknown))
}

/// Whether the `empty` fault applies: a GET of the inventory or of seats.
pub(crate) fn is_collection(request: &Request) -> bool {
    let path = request.uri().path();
    request.method() == axum::http::Method::GET
        && path.starts_with("/V1/")
        && (path == "/V1/Inventory" || path.ends_with("/Seats"))
}

/// The `empty` fault: an empty page whose continuationToken asks for the
/// same page again (the first page's position when none was given).
pub(crate) fn empty_page(request: &Request) -> Response {
    let params = wire::Params::parse(request.uri().query());
    let token = params
        .get("continuationToken")
        .map_or_else(|| wire::encode_position(0), str::to_owned);
    let list = if request.uri().path() == "/V1/Inventory" {
        "inventoryEntries"
    } else {
        "seats"
    };
    let body = serde_json::json!({list: [], "continuationToken": token});
    wire::json_answer(axum::http::StatusCode::OK, &body)
}

async fn unknown(request: Request) -> Response {
    StoreFail::not_found("Resource", request.uri().path().to_owned()).into_response()
}

/// Every store call needs a live token issued for the store's resource.
pub(crate) async fn require_token(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let line = match request.uri().path_and_query() {
        Some(pq) => format!("{} {pq}", request.method()),
        None => request.method().to_string(),
    };
    shared.note_request(line);
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty());
    let Some(token) = token else {
        return StoreFail::unauthorized("Authentication failed: no bearer token.").into_response();
    };
    let verdict = shared
        .db
        .run(move |conn| {
            use rusqlite::OptionalExtension as _;
            let ours: Option<i64> = conn
                .prepare_cached("SELECT expires_ms FROM sim_store_tokens WHERE token = ?1")?
                .query_row([&token], |row| row.get(0))
                .optional()?;
            let graph: bool = conn
                .prepare_cached("SELECT count(*) > 0 FROM sim_tokens WHERE token = ?1")?
                .query_row([&token], |row| row.get(0))?;
            Ok((ours, graph))
        })
        .await;
    let message = match verdict {
        Ok((Some(at), _)) if at > now_ms() => return next.run(request).await,
        Ok((Some(_), _)) => "Authentication failed: the token is expired.",
        Ok((None, true)) => {
            "Authentication failed: the token's audience is not https://onestore.microsoft.com."
        }
        Ok((None, false)) => "Authentication failed: the token is not valid.",
        Err(err) => return StoreFail::from(err).into_response(),
    };
    StoreFail::unauthorized(message).into_response()
}
