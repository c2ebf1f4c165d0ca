//! `GET /service/config` (no token), `GET` and `POST /client/config`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use rusqlite::{Connection, params};
use serde_json::{Value, json};

use super::error::{AppleError, AppleResult, json_response};
use super::{API_PREFIX, Location, meta};
use crate::sim::http::base_url;
use crate::sim::server::Shared;

/// The limits the simulator enforces, as `/service/config` lists them.
pub(crate) const MAX_ASSETS: usize = 25;
pub(crate) const MAX_CLIENT_USER_IDS: usize = 1000;
pub(crate) const MAX_SERIAL_NUMBERS: usize = 1000;
pub(crate) const MAX_USERS: usize = 100;

/// Who holds the token under the `apple-claimed` fault.
pub(crate) const OTHER_MDM: (&str, &str) = ("com.example.othermdm", "Other MDM Pro");

pub(crate) async fn service_config(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> AppleResult {
    shared.note_request(format!("GET {API_PREFIX}/service/config"));
    let base = base_url(&headers);
    let body = json!({
        "errorCodes": [
            {"errorNumber": 9621, "errorMessage": "Token expired"},
            {"errorNumber": 9625, "errorMessage": "Token revoked"},
            {"errorNumber": 9646, "errorMessage": "Too many requests"},
            {"errorNumber": 9709, "errorMessage": "Not enough licenses"},
            {"errorNumber": 9721, "errorMessage": "Invalid versionId"},
            {"errorNumber": 9722, "errorMessage": "Invalid Authorization header"}
        ],
        "limits": {
            "maxAssets": MAX_ASSETS,
            "maxClientUserIds": MAX_CLIENT_USER_IDS,
            "maxSerialNumbers": MAX_SERIAL_NUMBERS,
            "maxRevokeClientUserIds": 100,
            "maxRevokeSerialNumbers": 100,
            "maxUsers": MAX_USERS,
            "maxNotificationLength": 512,
            "maxMdmNameLength": 100,
            "maxMdmIdLength": 100,
            "maxMdmMetadataLength": 255
        },
        "notificationTypes": ["ASSET_MANAGEMENT", "ASSET_COUNT", "USER_MANAGEMENT", "USER_ASSOCIATED", "TEST_NOTIFICATION"],
        "urls": {
            "invitationEmail": format!("{base}{API_PREFIX}/invite?inviteCode=%25inviteCode%25&mt=8"),
            "clientConfig": format!("{base}{API_PREFIX}/client/config"),
            "getAssets": format!("{base}{API_PREFIX}/assets"),
            "getUsers": format!("{base}{API_PREFIX}/users"),
            "status": format!("{base}{API_PREFIX}/status")
        }
    });
    Ok(json_response(StatusCode::OK, &body))
}

pub(crate) async fn client_config(State(shared): State<Arc<Shared>>) -> AppleResult {
    let claimed = shared.draw_flags().apple_claimed;
    let body = shared.db.run(move |conn| Ok(config_body(conn, claimed)?)).await?;
    Ok(json_response(StatusCode::OK, &body))
}

fn config_body(conn: &Connection, claimed: bool) -> rusqlite::Result<Value> {
    let location = Location::read(conn)?;
    let mdm = if claimed {
        Some((OTHER_MDM.0.to_owned(), OTHER_MDM.1.to_owned(), String::new()))
    } else {
        match (meta(conn, "apple_mdm_id")?, meta(conn, "apple_mdm_name")?) {
            (Some(id), Some(name)) if !id.is_empty() => {
                Some((id, name, meta(conn, "apple_mdm_metadata")?.unwrap_or_default()))
            }
            _ => None,
        }
    };
    let mut body = json!({
        "countryISO2ACode": "US",
        "defaultPlatform": "volumestore",
        "locationName": meta(conn, "apple_location")?.unwrap_or_default(),
        "notificationUrl": meta(conn, "apple_notification_url")?.unwrap_or_default(),
        "subscribedNotificationTypes": [],
        "websiteURL": "https://business.apple.com"
    });
    if let Some((id, name, metadata)) = mdm {
        body["mdmInfo"] = json!({"id": id, "name": name, "metadata": metadata});
    }
    Ok(location.stamp(body))
}

/// Registers the caller as the location's manager (`mdmInfo`).
pub(crate) async fn register(State(shared): State<Arc<Shared>>, body: Bytes) -> AppleResult {
    let request: Value = serde_json::from_slice(&body)
        .map_err(|err| AppleError::invalid(format!("The request body is not JSON: {err}")))?;
    let text = |v: &Value| v.as_str().map(str::to_owned);
    let mdm = &request["mdmInfo"];
    let id = text(&mdm["id"]).filter(|s| !s.is_empty());
    let name = text(&mdm["name"]).filter(|s| !s.is_empty());
    let metadata = text(&mdm["metadata"]).unwrap_or_default();
    let (Some(id), Some(name)) = (id, name) else {
        return Err(AppleError::new(9724, "mdmInfo needs an id and a name."));
    };
    if id.len() > 100 || name.len() > 100 || metadata.len() > 255 {
        return Err(AppleError::new(9725, "mdmInfo is too long."));
    }
    let url = text(&request["notificationUrl"]).unwrap_or_default();
    let body = shared
        .db
        .run(move |conn| {
            for (key, value) in [
                ("apple_mdm_id", id),
                ("apple_mdm_name", name),
                ("apple_mdm_metadata", metadata),
                ("apple_notification_url", url),
            ] {
                conn.execute(
                    "INSERT OR REPLACE INTO sim_meta (key, value) VALUES (?1, ?2)",
                    params![key, value],
                )?;
            }
            Ok(config_body(conn, false)?)
        })
        .await?;
    Ok(json_response(StatusCode::OK, &body))
}
