//! The simulated location's settings: its id and name, who manages it,
//! and the content token it issues, with its expiry (issue 8: the demo's
//! token, so the demo's expiry warning survives a sync).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::sim::SimConfig;
use crate::sim::error::SimError;
use crate::sim::rng::random_text;

/// The location's id, name, token file and mdmInfo (seats holds it: the
/// demo's seats assignments were made by seats).
pub(super) fn settings(conn: &Connection, config: &SimConfig) -> Result<(), SimError> {
    let org: String = conn.query_row("SELECT name FROM tenant WHERE id = 1", [], |r| r.get(0))?;
    let built = config.built_at.unwrap_or_else(Utc::now);
    let expires = token_expiry(conn, built)?
        .format("%Y-%m-%dT%H:%M:%S%z")
        .to_string();
    let file = token_file(&random_text(64), &expires, &org);
    let uid = (config.seed.wrapping_mul(0x9E37_79B9) % 9_000_000_000 + 1_000_000_000).to_string();
    let values = [
        ("apple_uid", uid),
        ("apple_location", format!("{org} (Simulated)")),
        ("apple_token_file", file),
        ("apple_token_expires", expires),
        ("apple_mdm_id", crate::domain::apple::SEATS_MDM_ID.to_owned()),
        ("apple_mdm_name", "seats".to_owned()),
        ("apple_version", "1".to_owned()),
        ("apple_version_epoch", "0".to_owned()),
        ("apple_events", "0".to_owned()),
    ];
    for (key, value) in values {
        conn.execute(
            "INSERT OR REPLACE INTO sim_meta (key, value) VALUES (?1, ?2)",
            params![key, value],
        )?;
    }
    Ok(())
}

/// When the location's content token expires. The location is the demo
/// tenant's, so its token is the one the demo's enabled Apple connector
/// holds: due within the 30-day warning window (R-CON-4), which every
/// answer's `tokenExpirationDate` then repeats instead of replacing it
/// (issue 8). A demo built before its token's date passed gets a token
/// with as many days left, counted from now, so it still syncs; without
/// such a connector, a year from the build.
fn token_expiry(conn: &Connection, built: DateTime<Utc>) -> rusqlite::Result<DateTime<Utc>> {
    let demo: Option<String> = conn
        .query_row(
            "SELECT token_expires_at FROM connectors WHERE kind = 'apple_vpp' AND enabled = 1 \
             AND token_expires_at IS NOT NULL ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let Some(demo) = demo.and_then(|text| DateTime::parse_from_rfc3339(&text).ok()) else {
        return Ok(built + Duration::days(365));
    };
    let demo = demo.with_timezone(&Utc);
    let now = Utc::now();
    if demo > now {
        return Ok(demo);
    }
    Ok(now + (demo - built).max(Duration::days(1)))
}

/// The content of a downloaded content-token file: base64 of its JSON.
pub(crate) fn token_file(token: &str, expires: &str, org: &str) -> String {
    let json = serde_json::json!({"token": token, "expDate": expires, "orgName": org});
    STANDARD.encode(json.to_string())
}
