//! `GET /users`, `GET /users/{id}`, `POST /users/{id}/assignLicense` and
//! `GET /users/{id}/licenseDetails` (apis.md 1.2, 1.4–1.6).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

use crate::sim::http::{GraphError, GraphResult, base_url, json_response};
use crate::sim::json::{
    USER_DEFAULT, USER_PROPS, licenses_of, needs_licenses, user_by_key, user_json, users_after,
};
use crate::sim::licenses::{assign_user, parse_change, refusable};
use crate::sim::paging::{Query, bad_skiptoken, context, decode_token, encode_token};
use crate::sim::server::Shared;
use crate::store::db::state_code;

/// `$top` of `/users`: default and maximum.
const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: usize = 999;
/// Graph's page limit when `signInActivity` is selected.
const SIGN_IN_PAGE: usize = 120;

/// 404 for a user that is not there.
pub(crate) fn no_such(id: &str) -> GraphError {
    GraphError::new(
        404,
        "Request_ResourceNotFound",
        format!(
            "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
        ),
    )
}

/// The `$select` of a users request, refused as Graph refuses it.
pub(crate) fn user_select(shared: &Shared, query: &Query) -> Result<Vec<&'static str>, GraphError> {
    let select = query.select(USER_PROPS, USER_DEFAULT, "user")?;
    if select.contains(&"signInActivity") && !shared.config.sign_in_activity_allowed {
        return Err(GraphError::new(
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        ));
    }
    Ok(select)
}

pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> GraphResult {
    let query = Query::parse(raw.as_deref());
    if query.get("$filter").is_some() || query.get("$search").is_some() {
        return Err(GraphError::new(
            400,
            "Request_UnsupportedQuery",
            "The simulator does not support $filter or $search on users; list them and filter locally.",
        ));
    }
    let select = user_select(&shared, &query)?;
    let mut top = query.top(DEFAULT_PAGE, MAX_PAGE)?;
    if select.contains(&"signInActivity") {
        top = top.min(SIGN_IN_PAGE);
    }
    let after = match query.get("$skiptoken") {
        Some(token) => decode_token(token)
            .and_then(|v| v["a"].as_i64())
            .ok_or_else(bad_skiptoken)?,
        None => 0,
    };
    let wanted = select.clone();
    let (value, last) = shared
        .db
        .run(move |conn| {
            let mut users = users_after(conn, after, top + 1)?;
            let more = users.len() > top;
            users.truncate(top);
            let rows: Vec<i64> = users.iter().map(|u| u.row).collect();
            let licenses = if needs_licenses(&wanted) {
                licenses_of(conn, &rows)?
            } else {
                Default::default()
            };
            let value: Vec<Value> = users
                .iter()
                .map(|u| {
                    user_json(
                        u,
                        licenses.get(&u.row).map_or(&[][..], Vec::as_slice),
                        &wanted,
                        false,
                    )
                })
                .collect();
            Ok((value, more.then(|| rows.last().copied()).flatten()))
        })
        .await?;
    let base = base_url(&headers);
    let mut body =
        json!({"@odata.context": context(&base, &users_context(&select, raw.as_deref())), "value": value});
    if let Some(last) = last {
        body["@odata.nextLink"] =
            json!(query.next_link(&base, "/v1.0/users", &encode_token(&json!({"a": last}))));
    }
    Ok(json_response(StatusCode::OK, &body))
}

/// `users` or `users(id,displayName)` when `$select` was given.
pub(crate) fn users_context(select: &[&str], raw: Option<&str>) -> String {
    if Query::parse(raw).get("$select").is_some() {
        format!("users({})", select.join(","))
    } else {
        "users".to_owned()
    }
}

pub(crate) async fn one(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> GraphResult {
    let query = Query::parse(raw.as_deref());
    let select = user_select(&shared, &query)?;
    let key = id.clone();
    let found = shared
        .db
        .run(move |conn| {
            let Some(user) = user_by_key(conn, &key)? else {
                return Ok(None);
            };
            let licenses = licenses_of(conn, &[user.row])?
                .remove(&user.row)
                .unwrap_or_default();
            Ok(Some(user_json(&user, &licenses, &select, false)))
        })
        .await?;
    let mut body = found.ok_or_else(|| no_such(&id))?;
    body["@odata.context"] = json!(context(&base_url(&headers), "users/$entity"));
    Ok(json_response(StatusCode::OK, &body))
}

/// Parses a JSON request body as Graph does.
pub(crate) fn json_body(body: &Bytes) -> Result<Value, GraphError> {
    serde_json::from_slice(body).map_err(|_| {
        GraphError::new(
            400,
            "BadRequest",
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
        )
    })
}

pub(crate) async fn assign_license(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> GraphResult {
    let change = parse_change(&json_body(&body)?)?;
    let key = id.clone();
    let outcome = shared
        .db
        .run(move |conn| {
            let Some(user) = user_by_key(conn, &key)? else {
                return Ok(None);
            };
            if let Err(refusal) = refusable(conn, |tx| assign_user(tx, user.row, &change))? {
                return Ok(Some(Err(refusal)));
            }
            let licenses = licenses_of(conn, &[user.row])?
                .remove(&user.row)
                .unwrap_or_default();
            let mut select = USER_DEFAULT.to_vec();
            select.push("assignedLicenses");
            Ok(Some(Ok(user_json(&user, &licenses, &select, false))))
        })
        .await?;
    let mut user = outcome.ok_or_else(|| no_such(&id))??;
    user["@odata.context"] = json!(context(&base_url(&headers), "users/$entity"));
    Ok(json_response(StatusCode::OK, &user))
}

pub(crate) async fn license_details(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> GraphResult {
    let key = id.clone();
    let found = shared
        .db
        .run(move |conn| {
            let Some(user) = user_by_key(conn, &key)? else {
                return Ok(None);
            };
            let mut stmt = conn.prepare_cached(concat!(
                "SELECT p.sku_id, p.sku_part_number FROM assignments a JOIN pools p ON p.id = a.pool_id \
                 WHERE a.user_id = ?1 AND a.state_code <> ",
                state_code!("error"),
                " AND p.source = 'graph' AND p.sku_id IS NOT NULL ORDER BY p.id"
            ))?;
            let rows = stmt.query_map([user.row], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (sku_id, part) = row?;
                out.push(json!({
                    "id": sku_id,
                    "skuId": sku_id,
                    "skuPartNumber": part,
                    "servicePlans": super::organization::service_plans(&part, "User"),
                }));
            }
            Ok(Some(out))
        })
        .await?;
    let value = found.ok_or_else(|| no_such(&id))?;
    let base = base_url(&headers);
    let body =
        json!({"@odata.context": context(&base, &format!("users('{id}')/licenseDetails")), "value": value});
    Ok(json_response(StatusCode::OK, &body))
}
