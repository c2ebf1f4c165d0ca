//! `GET /organization` and `GET /subscribedSkus` (apis.md 1.3): the SKUs
//! are the tenant's Graph pools, `consumedUnits` as the seats schema keeps it.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use rusqlite::Connection;
use serde_json::{Map, Value, json};

use crate::sim::http::{GraphError, GraphResult, base_url, json_response};
use crate::sim::paging::{Query, context, parse_select};
use crate::sim::rng::derived_guid;
use crate::sim::server::Shared;

const ORG_PROPS: &[&str] = &[
    "id",
    "displayName",
    "verifiedDomains",
    "countryLetterCode",
    "tenantType",
    "createdDateTime",
    "businessPhones",
];

const SKU_PROPS: &[&str] = &[
    "accountId",
    "accountName",
    "appliesTo",
    "capabilityStatus",
    "consumedUnits",
    "id",
    "prepaidUnits",
    "servicePlans",
    "skuId",
    "skuPartNumber",
    "subscriptionIds",
];

/// A Company SKU, as real tenants have beside the User ones (never assignable).
const COMPANY_SKU: (&str, &str) = ("MCOPSTNC", "47794cd0-f0e5-45c5-9033-2b6b4e6a9d6c");

pub(crate) async fn organization(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> GraphResult {
    let query = Query::parse(raw.as_deref());
    let select = query.select(ORG_PROPS, ORG_PROPS, "organization")?;
    let creds = shared.credentials.clone();
    let created: String = shared
        .db
        .run(|conn| Ok(conn.query_row("SELECT created_at FROM tenant WHERE id = 1", [], |row| row.get(0))?))
        .await?;
    let full = json!({
        "id": creds.tenant_id,
        "displayName": creds.tenant_name,
        "countryLetterCode": "US",
        "tenantType": "AAD",
        "createdDateTime": created,
        "businessPhones": [],
        "verifiedDomains": [
            {"capabilities": "Email, OfficeCommunicationsOnline", "isDefault": true, "isInitial": false,
             "name": creds.domain, "type": "Managed"},
            {"capabilities": "Email, OfficeCommunicationsOnline", "isDefault": false, "isInitial": true,
             "name": creds.initial_domain, "type": "Managed"},
        ],
    });
    let base = base_url(&headers);
    let body = json!({"@odata.context": context(&base, "organization"), "value": [pick(&full, &select)]});
    Ok(json_response(StatusCode::OK, &body))
}

/// The properties of `full` named in `select`, in that order.
fn pick(full: &Value, select: &[&str]) -> Value {
    let mut out = Map::new();
    for prop in select {
        out.insert(
            (*prop).to_owned(),
            full.get(*prop).cloned().unwrap_or(Value::Null),
        );
    }
    Value::Object(out)
}

/// Only `$select` is supported on subscribedSkus (apis.md 1.3).
fn sku_select(raw: Option<&str>) -> Result<Vec<&'static str>, GraphError> {
    let query = Query::parse(raw);
    for option in [
        "$filter", "$top", "$orderby", "$expand", "$count", "$search", "$skip",
    ] {
        if query.get(option).is_some() {
            return Err(GraphError::bad_request(format!(
                "Unsupported query option {option} on subscribedSkus: it supports only $select."
            )));
        }
    }
    match query.get("$select") {
        Some(text) => parse_select(text, SKU_PROPS, "subscribedSku"),
        None => Ok(SKU_PROPS.to_vec()),
    }
}

pub(crate) async fn subscribed_skus(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> GraphResult {
    let select = sku_select(raw.as_deref())?;
    let (tenant, name) = (
        shared.credentials.tenant_id.clone(),
        shared.credentials.tenant_name.clone(),
    );
    let skus = shared
        .db
        .run(move |conn| Ok(all_skus(conn, &tenant, &name)?))
        .await?;
    let value: Vec<Value> = skus.iter().map(|sku| pick(sku, &select)).collect();
    let base = base_url(&headers);
    let body = json!({"@odata.context": context(&base, "subscribedSkus"), "value": value});
    Ok(json_response(StatusCode::OK, &body))
}

pub(crate) async fn subscribed_sku(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> GraphResult {
    let select = sku_select(raw.as_deref())?;
    let (tenant, name) = (
        shared.credentials.tenant_id.clone(),
        shared.credentials.tenant_name.clone(),
    );
    let skus = shared
        .db
        .run(move |conn| Ok(all_skus(conn, &tenant, &name)?))
        .await?;
    let found = skus
        .iter()
        .find(|sku| sku["id"].as_str().is_some_and(|s| s.eq_ignore_ascii_case(&id)));
    let Some(sku) = found else {
        return Err(GraphError::new(
            404,
            "Request_ResourceNotFound",
            format!(
                "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
            ),
        ));
    };
    let mut body = pick(sku, &select);
    body["@odata.context"] = json!(context(&base_url(&headers), "subscribedSkus/$entity"));
    Ok(json_response(StatusCode::OK, &body))
}

/// Every SKU of the tenant with all its properties.
fn all_skus(conn: &Connection, tenant: &str, account: &str) -> rusqlite::Result<Vec<Value>> {
    // consumedUnits is pools.consumed, which the seats schema's triggers
    // keep equal to the held seats (see licenses::consumed): counting them
    // took 0.9 s a read at a million users.
    let mut stmt = conn.prepare_cached(
        "SELECT p.sku_id, p.sku_part_number, coalesce(p.total, 0), s.capability_status, s.suspended, \
         s.warning, s.locked_out, s.subscription_id, p.consumed \
         FROM pools p JOIN sim_skus s ON s.pool_id = p.id ORDER BY p.id",
    )?;
    let rows = stmt.query_map([], |row| {
        let sku_id: String = row.get(0)?;
        let part: String = row.get(1)?;
        Ok(json!({
            "accountId": tenant,
            "accountName": account,
            "appliesTo": "User",
            "capabilityStatus": row.get::<_, String>(3)?,
            "consumedUnits": row.get::<_, i64>(8)?,
            "id": format!("{tenant}_{sku_id}"),
            "prepaidUnits": {
                "enabled": row.get::<_, i64>(2)?,
                "suspended": row.get::<_, i64>(4)?,
                "warning": row.get::<_, i64>(5)?,
                "lockedOut": row.get::<_, i64>(6)?,
            },
            "servicePlans": service_plans(&part, "User"),
            "skuId": sku_id,
            "skuPartNumber": part,
            "subscriptionIds": [row.get::<_, String>(7)?],
        }))
    })?;
    let mut skus: Vec<Value> = rows.collect::<rusqlite::Result<_>>()?;
    let (part, sku_id) = COMPANY_SKU;
    skus.push(json!({
        "accountId": tenant,
        "accountName": account,
        "appliesTo": "Company",
        "capabilityStatus": "Enabled",
        "consumedUnits": 0,
        "id": format!("{tenant}_{sku_id}"),
        "prepaidUnits": {"enabled": 10_000_000, "suspended": 0, "warning": 0, "lockedOut": 0},
        "servicePlans": service_plans(part, "Company"),
        "skuId": sku_id,
        "skuPartNumber": part,
        "subscriptionIds": [derived_guid(0, "subscription", 0)],
    }));
    Ok(skus)
}

/// A few plausible service plans per SKU (ids derived from the names; the
/// simulator does not model plans).
pub(crate) fn service_plans(part: &str, applies_to: &str) -> Value {
    let names: Vec<&str> = match part {
        "SPE_E5" | "SPE_E3" | "ENTERPRISEPACK" | "ENTERPRISEPREMIUM" => {
            vec![
                "EXCHANGE_S_ENTERPRISE",
                "TEAMS1",
                "SHAREPOINTENTERPRISE",
                "OFFICESUBSCRIPTION",
            ]
        }
        "STANDARDPACK" => vec!["EXCHANGE_S_STANDARD", "TEAMS1", "SHAREPOINTSTANDARD"],
        "SPE_F1" => vec!["EXCHANGE_S_DESKLESS", "TEAMS1", "SHAREPOINTDESKLESS"],
        other => vec![other],
    };
    let plans: Vec<Value> = names
        .iter()
        .map(|name| {
            json!({
                "servicePlanId": derived_guid(0, name, 1),
                "servicePlanName": name,
                "provisioningStatus": "Success",
                "appliesTo": applies_to,
            })
        })
        .collect();
    Value::Array(plans)
}
