//! Apple's public lookup service (`/lookup?id=ID1,ID2`): names, artists
//! and bundle ids of the location's assets. No token; unknown ids are
//! left out, as Apple does.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::error::{AppleError, AppleResult, json_response};
use crate::sim::paging::Query;
use crate::sim::server::Shared;

pub(crate) async fn lookup(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> AppleResult {
    shared.note_request(format!("GET /lookup?{}", raw.as_deref().unwrap_or("")));
    let query = Query::parse(raw.as_deref());
    let ids: Vec<String> = query
        .get("id")
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .collect();
    let results = shared
        .db
        .run(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT adam_id, name, artist, bundle_id, product_type FROM sim_apple_assets WHERE adam_id = ?1 LIMIT 1",
            )?;
            let mut out = Vec::new();
            for id in ids {
                let mut rows = stmt.query_map([&id], |r| {
                    let adam: String = r.get(0)?;
                    let book = r.get::<_, String>(4)? == "Book";
                    let mut item = json!({
                        "trackId": adam.parse::<i64>().unwrap_or(0),
                        "trackName": r.get::<_, String>(1)?,
                        "artistName": r.get::<_, String>(2)?,
                        "kind": if book { "ebook" } else { "software" },
                        "wrapperType": if book { "ebook" } else { "software" },
                    });
                    if let Some(bundle) = r.get::<_, Option<String>>(3)? {
                        item["bundleId"] = json!(bundle);
                    }
                    Ok(item)
                })?;
                if let Some(item) = rows.next() {
                    out.push(item?);
                }
            }
            Ok(out)
        })
        .await
        .map_err(AppleError::from)?;
    let body = json!({"resultCount": results.len(), "results": Value::Array(results)});
    Ok(json_response(StatusCode::OK, &body))
}
