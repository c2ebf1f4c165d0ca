//! Intune's detected apps: `GET /deviceManagement/detectedApps` and `GET
//! /deviceManagement/detectedApps/{id}/managedDevices` (Graph v1.0
//! `detectedApp` and `managedDevice` resources), in pages the simulator
//! sizes (`$top` is honoured when smaller) with `@odata.nextLink`. Both
//! need DeviceManagementManagedDevices.Read.All: without it, 403 with
//! Graph's error body.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use rusqlite::{Connection, OptionalExtension as _, params};
use serde::Serialize;
use serde_json::{Value, json};

use crate::sim::http::{GraphError, GraphResult, base_url, page_response};
use crate::sim::paging::{Query, bad_skiptoken, context, decode_token, encode_token};
use crate::sim::server::Shared;
use crate::sim::tenant::{DetectedAppsAccess, meta};

/// The largest `$top` Graph accepts.
const MAX_TOP: usize = 999;

pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> GraphResult {
    let query = Query::parse(raw.as_deref());
    let size = page_size(&shared, &query)?;
    let after = after(&query)?;
    let allowed = shared.config.detected_apps_allowed;
    let (access, value, last) = shared
        .db
        .run(move |conn| {
            let access = access(conn, allowed)?;
            let (value, last) = apps_after(conn, after, size)?;
            Ok((access, value, last))
        })
        .await?;
    check(access, false)?;
    let base = base_url(&headers);
    let path = "/v1.0/deviceManagement/detectedApps";
    Ok(page(
        &base,
        path,
        "deviceManagement/detectedApps",
        &query,
        value,
        last,
    ))
}

pub(crate) async fn managed_devices(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> GraphResult {
    let query = Query::parse(raw.as_deref());
    let size = page_size(&shared, &query)?;
    let after = after(&query)?;
    let allowed = shared.config.detected_apps_allowed;
    let key = id.clone();
    let (access, found) = shared
        .db
        .run(move |conn| {
            let access = access(conn, allowed)?;
            let found = match app_row(conn, &key)? {
                Some(app) => Some(devices_after(conn, &app, after, size)?),
                None => None,
            };
            Ok((access, found))
        })
        .await?;
    check(access, true)?;
    let (value, last) = found.ok_or_else(|| {
        GraphError::new(
            404,
            "ResourceNotFound",
            format!("Resource not found: detectedApp '{id}'."),
        )
    })?;
    let base = base_url(&headers);
    let path = format!("/v1.0/deviceManagement/detectedApps/{id}/managedDevices");
    let what = format!("deviceManagement/detectedApps('{id}')/managedDevices");
    Ok(page(&base, &path, &what, &query, value, last))
}

/// The page size: the simulator's, or a smaller `$top`.
fn page_size(shared: &Shared, query: &Query) -> Result<usize, GraphError> {
    let size = shared.config.intune_page_size.max(1);
    Ok(query.top(size, MAX_TOP)?.min(size))
}

/// The row after which this page starts (0: the first page).
fn after(query: &Query) -> Result<i64, GraphError> {
    match query.get("$skiptoken") {
        Some(token) => decode_token(token)
            .and_then(|v| v["a"].as_i64())
            .ok_or_else(bad_skiptoken),
        None => Ok(0),
    }
}

/// The access in force: the tenant's setting, else the simulator's.
fn access(conn: &Connection, allowed: bool) -> Result<DetectedAppsAccess, GraphError> {
    let set = meta(conn, "detected_apps_access")?;
    Ok(match set.as_deref().and_then(DetectedAppsAccess::parse) {
        Some(access) => access,
        None if allowed => DetectedAppsAccess::Granted,
        None => DetectedAppsAccess::Forbidden,
    })
}

/// Refuses the read as Intune would for `access`.
fn check(access: DetectedAppsAccess, devices: bool) -> Result<(), GraphError> {
    match access {
        DetectedAppsAccess::Granted => Ok(()),
        // The message is Intune's as commonly reported (not in apis.md);
        // clients should go by the status.
        DetectedAppsAccess::Forbidden => Err(GraphError::new(
            403,
            "Forbidden",
            "Application is not authorized to perform this operation. Application must have one of the \
             following scopes: DeviceManagementManagedDevices.Read.All, DeviceManagementManagedDevices.ReadWrite.All",
        )),
        DetectedAppsAccess::Unavailable if devices => Err(GraphError::new(
            503,
            "serviceNotAvailable",
            "The service is temporarily unavailable. Please retry later.",
        )
        .with_header("retry-after", "0")),
        DetectedAppsAccess::Unavailable => Ok(()),
    }
}

/// A collection page with its nextLink (when `last` says more follow).
fn page<T: Serialize>(
    base: &str,
    path: &str,
    what: &str,
    query: &Query,
    value: Vec<T>,
    last: Option<i64>,
) -> axum::response::Response {
    let next = last.map(|last| query.next_link(base, path, &encode_token(&json!({"a": last}))));
    let links: Vec<(&str, &str)> = next.iter().map(|l| ("@odata.nextLink", l.as_str())).collect();
    let value = serde_json::to_string(&value).unwrap_or_else(|_| "[]".to_owned());
    page_response(&context(base, what), &value, &links)
}

/// Up to `size` apps after row `after`, and the last row when more follow.
fn apps_after(conn: &Connection, after: i64, size: usize) -> Result<(Vec<Value>, Option<i64>), GraphError> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.row, a.id, a.display_name, a.version, a.size_in_byte, pub.name, a.platform, \
           (SELECT count(DISTINCT i.device_id) FROM inventory i JOIN sim_managed_devices m ON m.device_id = i.device_id \
            JOIN devices d ON d.id = i.device_id \
            WHERE i.product_id = a.product_id AND i.version IS a.version AND d.os = a.os) \
         FROM sim_detected_apps a JOIN products p ON p.id = a.product_id JOIN publishers pub ON pub.id = p.publisher_id \
         WHERE a.row > ?1 ORDER BY a.row LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![after, size as i64 + 1], |r| {
        let row: i64 = r.get(0)?;
        let app = json!({
            "id": r.get::<_, String>(1)?,
            "displayName": r.get::<_, String>(2)?,
            "version": r.get::<_, Option<String>>(3)?.unwrap_or_default(),
            "sizeInByte": r.get::<_, i64>(4)?,
            "deviceCount": r.get::<_, i64>(7)?,
            "publisher": r.get::<_, String>(5)?,
            "platform": r.get::<_, String>(6)?,
        });
        Ok((row, app))
    })?;
    let found = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(split(found, size))
}

/// The page and, when a row beyond it was found, the last row of the page.
fn split<T>(mut found: Vec<(i64, T)>, size: usize) -> (Vec<T>, Option<i64>) {
    let more = found.len() > size;
    found.truncate(size);
    let last = more.then(|| found.last().map(|(row, _)| *row)).flatten();
    (found.into_iter().map(|(_, v)| v).collect(), last)
}

/// A detected app by id: (product, version, os).
struct AppRow {
    product: i64,
    version: Option<String>,
    os: String,
}

fn app_row(conn: &Connection, id: &str) -> rusqlite::Result<Option<AppRow>> {
    conn.prepare_cached("SELECT product_id, version, os FROM sim_detected_apps WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(AppRow {
                product: r.get(0)?,
                version: r.get(1)?,
                os: r.get(2)?,
            })
        })
        .optional()
}

/// A managedDevice as Intune writes it (serialized straight: 2.2 million
/// of them at a million users).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DeviceOut {
    id: String,
    device_name: String,
    user_principal_name: String,
    last_sync_date_time: String,
    serial_number: String,
    operating_system: &'static str,
    managed_device_owner_type: &'static str,
}

/// Up to `size` managed devices of `app` after device row `after`.
///
/// Keyed on the inventory's own device id, so a page is a range of
/// `inventory_product` read in order (a page of the 400,000 computers of the
/// commonest product at a million users: 1.7 s sorted whole → 1 ms).
fn devices_after(
    conn: &Connection,
    app: &AppRow,
    after: i64,
    size: usize,
) -> Result<(Vec<DeviceOut>, Option<i64>), GraphError> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT d.id, m.id, d.name, u.upn, m.last_sync, d.serial_number, d.os \
         FROM inventory i JOIN sim_managed_devices m ON m.device_id = i.device_id \
         JOIN devices d ON d.id = i.device_id LEFT JOIN users u ON u.id = d.owner_id \
         WHERE i.product_id = ?1 AND i.version IS ?2 AND d.os = ?3 AND i.device_id > ?4 \
         ORDER BY i.device_id LIMIT ?5",
    )?;
    let rows = stmt.query_map(
        params![app.product, app.version, app.os, after, size as i64 + 1],
        |r| {
            let os: String = r.get(6)?;
            let device = DeviceOut {
                id: r.get(1)?,
                device_name: r.get(2)?,
                user_principal_name: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                last_sync_date_time: r.get(4)?,
                serial_number: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
                operating_system: if os == "mac" { "macOS" } else { "Windows" },
                managed_device_owner_type: "company",
            };
            Ok((r.get::<_, i64>(0)?, device))
        },
    )?;
    let found = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(split(found, size))
}
