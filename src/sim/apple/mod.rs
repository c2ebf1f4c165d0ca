//! Apple Apps and Books (the VPP API v2, apis.md §3) under `{base}/mdm/v2`,
//! and Apple's public lookup service under `{base}/lookup`, on the same
//! server as Graph. The location is built from the demo tenant into the
//! simulator's state file (`sim_apple_*`); every request is answered from it.
//!
//! Wire facts reproduced (apis.md §6): `Authorization: Bearer <whole
//! base64 token file>`, errors as `{errorNumber, errorMessage}` that may
//! come with HTTP 200 (`apple-http200` fault), `uId` and
//! `tokenExpirationDate` on every body, zero-based pages with
//! `versionId`, asynchronous events polled through `/status`, 9646 (429)
//! and 5xx with `Retry-After` from the shared fault draw.

mod assets;
mod associate;
mod build;
mod error;
mod events;
mod extra;
mod guard;
mod handle;
mod lookup;
mod page;
mod service;
mod starts;
mod token;
mod users;

use std::sync::Arc;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use rusqlite::Connection;
use serde_json::{Value, json};

pub(crate) use build::prepare;
pub(crate) use starts::PageStarts;

use super::server::Shared;
use super::tenant::meta;

/// `totalCount` of a free (unlimited) asset: int32's maximum.
pub(crate) const UNLIMITED: i64 = 2_147_483_647;

/// Where the API lives under the simulator's base.
pub(crate) const API_PREFIX: &str = "/mdm/v2";

/// The Apple routes: `/mdm/v2/...` behind the token check and the faults,
/// `/lookup` open.
pub(crate) fn router(shared: &Arc<Shared>) -> Router {
    let open = Router::new()
        .route("/mdm/v2/service/config", get(service::service_config))
        .route("/lookup", get(lookup::lookup))
        .with_state(Arc::clone(shared));
    let api = Router::new()
        .route(
            "/mdm/v2/client/config",
            get(service::client_config).post(service::register),
        )
        .route("/mdm/v2/assets", get(assets::list))
        .route("/mdm/v2/assets/associate", post(associate::associate))
        .route("/mdm/v2/assets/disassociate", post(associate::disassociate))
        .route("/mdm/v2/assignments", get(users::assignments))
        .route("/mdm/v2/users", get(users::list))
        .route("/mdm/v2/users/create", post(users::create))
        .route("/mdm/v2/users/retire", post(users::retire))
        .route("/mdm/v2/status", get(events::status))
        .method_not_allowed_fallback(guard::method_not_allowed)
        .with_state(Arc::clone(shared))
        .layer(from_fn_with_state(Arc::clone(shared), guard::guard));
    open.merge(api)
}

/// The settings of the location every body repeats.
#[derive(Debug, Clone)]
pub(crate) struct Location {
    pub uid: String,
    pub token_expires: String,
}

impl Location {
    pub(crate) fn read(conn: &Connection) -> rusqlite::Result<Location> {
        Ok(Location {
            uid: meta(conn, "apple_uid")?.unwrap_or_default(),
            token_expires: meta(conn, "apple_token_expires")?.unwrap_or_default(),
        })
    }

    /// `body` with `uId` and `tokenExpirationDate` added.
    pub(crate) fn stamp(&self, mut body: Value) -> Value {
        if let Value::Object(map) = &mut body {
            map.insert("uId".to_owned(), json!(self.uid));
            map.insert("tokenExpirationDate".to_owned(), json!(self.token_expires));
        }
        body
    }
}

/// The location's version counter, bumped by every change.
pub(crate) fn next_version(conn: &Connection) -> rusqlite::Result<i64> {
    let next = current_version(conn)? + 1;
    conn.execute(
        "UPDATE sim_meta SET value = ?1 WHERE key = 'apple_version'",
        [next.to_string()],
    )?;
    Ok(next)
}

pub(crate) fn current_version(conn: &Connection) -> rusqlite::Result<i64> {
    Ok(meta(conn, "apple_version")?
        .and_then(|v| v.parse().ok())
        .unwrap_or(1))
}
