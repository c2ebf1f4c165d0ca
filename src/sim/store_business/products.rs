//! `GET /V1/Products/{productId}/{skuId}` (ProductDetails), its
//! `LocalizedDetails/{language}` (the store falls back to the product's
//! first language when it lacks the one asked for, and says which in
//! `language`) and its `Packages` (a ProductPackageSet; 409 "Not owned"
//! once the app left the inventory), and an offline app's
//! `OfflineLicense/{contentId}` (POST).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};

use super::ledger::{Product, product};
use super::wire::{NOT_OFFLINE, NOT_OWNED, StoreFail, StoreResult, json_answer, product_key};
use crate::sim::server::Shared;

type Ids = Path<(String, String)>;

pub(crate) async fn details(State(shared): State<Arc<Shared>>, Path((p, s)): Ids) -> StoreResult {
    let body = shared
        .db
        .run(move |conn| Ok(product(conn, &p, &s).map(|found| details_json(&found))))
        .await
        .map_err(StoreFail::from)??;
    Ok(json_answer(StatusCode::OK, &body))
}

pub(crate) async fn localized(
    State(shared): State<Arc<Shared>>,
    Path((p, s, language)): Path<(String, String, String)>,
) -> StoreResult {
    let tag_ok = !language.is_empty()
        && language.len() <= 35
        && language.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !tag_ok {
        return Err(StoreFail::invalid(
            "language",
            format!("'{language}' is not a language tag such as en-US."),
        ));
    }
    let body = shared
        .db
        .run(move |conn| Ok(localized_json(conn, &p, &s, &language)))
        .await
        .map_err(StoreFail::from)??;
    Ok(json_answer(StatusCode::OK, &body))
}

pub(crate) async fn packages(State(shared): State<Arc<Shared>>, Path((p, s)): Ids) -> StoreResult {
    let body = shared
        .db
        .run(move |conn| {
            Ok(product(conn, &p, &s).and_then(|found| {
                if found.removed {
                    return Err(StoreFail::conflict(
                        NOT_OWNED,
                        format!("{p}/{s} is no longer in the organization's inventory."),
                    ));
                }
                Ok(packages_json(&found))
            }))
        })
        .await
        .map_err(StoreFail::from)??;
    Ok(json_answer(StatusCode::OK, &body))
}

/// `POST .../OfflineLicense/{contentId}`: 409 "Not owned" once removed,
/// "Not offline" for an online app; 404 for another content id.
pub(crate) async fn offline_license(
    State(shared): State<Arc<Shared>>,
    Path((p, s, content)): Path<(String, String, String)>,
) -> StoreResult {
    let requestor = shared.credentials.tenant_id.clone();
    let body = shared
        .db
        .run(move |conn| {
            Ok(product(conn, &p, &s).and_then(|found| {
                if found.removed {
                    return Err(StoreFail::conflict(
                        NOT_OWNED,
                        format!("{p}/{s} is no longer owned."),
                    ));
                }
                if found.online {
                    return Err(StoreFail::conflict(
                        NOT_OFFLINE,
                        format!("{p}/{s} is licensed online."),
                    ));
                }
                if !found.content_id.eq_ignore_ascii_case(&content) {
                    return Err(StoreFail::not_found("Inventory", format!("{p}/{s}/{content}")));
                }
                Ok(license_json(&found, &requestor))
            }))
        })
        .await
        .map_err(StoreFail::from)??;
    Ok(json_answer(StatusCode::OK, &body))
}

fn license_json(product: &Product, requestor: &str) -> Value {
    use base64::Engine as _;
    let license = format!(
        "<License Version=\"1\"><Binding ProductId=\"{}\" SkuId=\"{}\" ContentId=\"{}\" Requestor=\"{requestor}\"/></License>",
        product.product_id, product.sku_id, product.content_id
    );
    json!({
        "productKey": product_key(&product.product_id, &product.sku_id),
        "licenseBlob": base64::engine::general_purpose::STANDARD.encode(license),
        "licenseInstanceId": format!("{}-1", product.content_id),
        "requestorId": requestor,
        "contentId": product.content_id,
    })
}

fn platforms() -> Value {
    let version = |build: i64| json!({"major": 10, "minor": 0, "build": build, "revision": 0});
    json!([{
        "platformName": "Windows.Desktop",
        "minVersion": version(17763),
        "maxTestedVersion": version(22621),
    }])
}

fn details_json(product: &Product) -> Value {
    json!({
        "productKey": product_key(&product.product_id, &product.sku_id),
        "productType": "Application",
        "supportedLanguages": product.languages,
        "publisherId": product.family_name.rsplit('_').next().unwrap_or_default(),
        "category": product.category,
        "alternateIds": [{"type": "LegacyWindowStoreProductId", "value": product.content_id}],
        "packageFamilyName": product.family_name,
        "supportedPlatforms": platforms(),
    })
}

fn localized_json(conn: &Connection, p: &str, s: &str, language: &str) -> Result<Value, StoreFail> {
    let found = product(conn, p, s)?;
    let name_in = |lang: &str| -> rusqlite::Result<Option<(String, String)>> {
        conn.prepare_cached(
            "SELECT language, name FROM sim_store_names WHERE product_id = ?1 AND sku_id = ?2 AND language = ?3",
        )?
        .query_row(params![found.product_id, found.sku_id, lang], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()
    };
    let fallback = found.languages.first().map(String::as_str).unwrap_or("en-US");
    let (lang, name) = match name_in(language)? {
        Some(hit) => hit,
        None => name_in(fallback)?.ok_or_else(|| StoreFail::not_found("Inventory", format!("{p}/{s}")))?,
    };
    let website = match found.publisher.split_whitespace().next() {
        Some(first) => format!(
            "https://www.{}.com",
            first
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_lowercase()
        ),
        None => String::new(),
    };
    Ok(json!({
        "language": lang,
        "displayName": name,
        "description": format!("{name} for your organization."),
        "images": [{
            "location": format!("https://store-images.s-microsoft.com/image/apps.{}.png", found.content_id),
            "purpose": "logo",
            "height": "300",
            "width": "300",
            "backgroundColor": "#0078D7",
            "foregroundColor": "#FFFFFF",
            "fileSize": 10240,
        }],
        "publisher": {"publisherName": found.publisher, "publisherWebsite": website},
    }))
}

fn packages_json(product: &Product) -> Value {
    let package = |suffix: &str, arch: &str, rank: i64| {
        let full = format!(
            "{}_1.0.{}.0_{arch}__{}",
            product.identity_name,
            product.seq,
            product.family_name.rsplit('_').next().unwrap_or_default()
        );
        json!({
            "packageId": format!("{}-{suffix}", product.content_id),
            "contentId": product.content_id,
            "location": {"url": format!("https://dl.delivery.mp.microsoft.com/filestreamingservice/files/{}-{suffix}", product.content_id)},
            "packageFullName": full,
            "packageIdentityName": product.identity_name,
            "architectures": [arch],
            "packageFormat": product.package_format,
            "platforms": platforms(),
            "fileSize": 1_048_576 * (product.seq + 3),
            "packageRank": rank,
        })
    };
    json!({
        "packageSetId": format!("{}-set", product.content_id),
        "productPackages": [package("x64", "x64", 30_000), package("arm64", "arm", 20_000)],
    })
}
