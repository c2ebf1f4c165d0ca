//! `GET /V1/Inventory`: the apps the organization acquired, page by page
//! (`continuationToken` only while more follow, `maxResults` default 25),
//! filtered by `licenseTypes` (repeated; default both) and `modifiedSince`.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::Connection;
use serde_json::{Value, json};

use super::ledger::{PRODUCT_COLUMNS, entry_json, product_from_row};
use super::wire::{Params, StoreFail, StoreResult, decode_position, encode_position, json_answer};
use crate::sim::server::Shared;

/// `maxResults` above this is refused (Microsoft documents only the
/// default of 25).
const MAX_RESULTS: usize = 1000;

/// What one inventory page asks for.
struct Ask {
    after: i64,
    size: usize,
    online: bool,
    offline: bool,
    since: Option<String>,
}

pub(crate) async fn inventory(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> StoreResult {
    let params = Params::parse(raw.as_deref());
    let (online, offline) = license_types(&params)?;
    let ask = Ask {
        after: decode_position(&params)?,
        size: params.max_results(25, MAX_RESULTS)?,
        online,
        offline,
        since: modified_since(&params)?,
    };
    let body = shared
        .db
        .run(move |conn| Ok(page(conn, &ask)))
        .await
        .map_err(StoreFail::from)??;
    Ok(json_answer(StatusCode::OK, &body))
}

/// `licenseTypes`: online and/or offline (also comma-separated), any case.
fn license_types(params: &Params) -> Result<(bool, bool), StoreFail> {
    let values: Vec<&str> = params
        .all("licenseTypes")
        .into_iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect();
    if values.is_empty() {
        return Ok((true, true));
    }
    let (mut online, mut offline) = (false, false);
    for value in values {
        match value.to_ascii_lowercase().as_str() {
            "online" => online = true,
            "offline" => offline = true,
            _ => {
                return Err(StoreFail::invalid(
                    "licenseTypes",
                    format!("'{value}' is not a license type (online, offline)."),
                ));
            }
        }
    }
    Ok((online, offline))
}

/// `modifiedSince` as the stored stamps spell it (UTC, whole seconds).
fn modified_since(params: &Params) -> Result<Option<String>, StoreFail> {
    let Some(text) = params.get("modifiedSince") else {
        return Ok(None);
    };
    let at = DateTime::parse_from_rfc3339(text.trim()).map_err(|_| {
        StoreFail::invalid("modifiedSince", format!("'{text}' is not a valid date and time."))
    })?;
    Ok(Some(
        at.with_timezone(&Utc).to_rfc3339_opts(SecondsFormat::Secs, true),
    ))
}

fn page(conn: &Connection, ask: &Ask) -> Result<Value, StoreFail> {
    let sql = format!(
        "SELECT {PRODUCT_COLUMNS} FROM sim_store_products WHERE seq > ?1 \
         AND ((license_type = 'Online' AND ?2) OR (license_type = 'Offline' AND ?3)) \
         AND (?4 IS NULL OR last_modified >= ?4) ORDER BY seq LIMIT ?5"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        rusqlite::params![ask.after, ask.online, ask.offline, ask.since, ask.size as i64 + 1],
        product_from_row,
    )?;
    let mut products = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    let more = products.len() > ask.size;
    products.truncate(ask.size);
    let entries = products
        .iter()
        .map(|p| entry_json(conn, p))
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut body = json!({"inventoryEntries": entries});
    if let (true, Some(last)) = (more, products.last()) {
        body["continuationToken"] = json!(encode_position(last.seq));
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn license_types_default_to_both_and_refuse_others() {
        assert_eq!(license_types(&Params::parse(None)).unwrap(), (true, true));
        let one = Params::parse(Some("licenseTypes=Online"));
        assert_eq!(license_types(&one).unwrap(), (true, false));
        let both = Params::parse(Some("licenseTypes=online&licenseTypes=offline"));
        assert_eq!(license_types(&both).unwrap(), (true, true));
        let err = license_types(&Params::parse(Some("licenseTypes=vpp"))).unwrap_err();
        assert_eq!(err.data["Parameter name"], "licenseTypes");
    }

    #[test]
    fn modified_since_is_normalized_to_utc() {
        let p = Params::parse(Some("modifiedSince=2015-07-13T14%3a02%3a25.6863382-07%3a00"));
        assert_eq!(
            modified_since(&p).unwrap().as_deref(),
            Some("2015-07-13T21:02:25Z")
        );
        assert!(modified_since(&Params::parse(Some("modifiedSince=yesterday"))).is_err());
    }
}
