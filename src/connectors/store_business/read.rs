//! Reads: the inventory and seats page by page (`continuationToken` until
//! absent; empty pages and odd page sizes are normal; a store that sends
//! the read back where it was is stopped by the page guard), and an app's
//! details, localized name and packages.

use std::collections::HashMap;

use reqwest::{Method, Url};
use serde_json::Value;

use super::StoreClient;
use super::failure::failure;
use super::wire::{self, items, strings, text};
use crate::connectors::error::{ConnectorError, ErrorKind, Target};
use crate::domain::store_business::{
    InventoryEntry, LocalizedDetails, PackageInfo, ProductKey, SeatRefusal, StoreProduct, StoreSeat,
};

/// A collection to read to its end.
pub(crate) struct Collection<'a> {
    pub segments: &'a [&'a str],
    pub query: Vec<(&'static str, String)>,
    /// The list's field (`inventoryEntries`, `seats`).
    pub list: &'static str,
    /// For errors: the app and the user the read is about.
    pub app: Option<&'a ProductKey>,
    pub user: Option<&'a str>,
}

impl StoreClient {
    /// Every entry of the inventory, online and offline (free apps too).
    pub async fn inventory(&self) -> Result<Vec<InventoryEntry>, ConnectorError> {
        self.inventory_since(None).await
    }

    /// The entries changed since `modified_since` (RFC 3339), or all.
    pub async fn inventory_since(
        &self,
        modified_since: Option<&str>,
    ) -> Result<Vec<InventoryEntry>, ConnectorError> {
        let mut query = vec![
            ("licenseTypes", "online".to_owned()),
            ("licenseTypes", "offline".to_owned()),
            ("maxResults", self.inner.inventory_page.to_string()),
        ];
        if let Some(since) = modified_since {
            query.push(("modifiedSince", since.to_owned()));
        }
        let read = Collection {
            segments: &["Inventory"],
            query,
            list: "inventoryEntries",
            app: None,
            user: None,
        };
        self.collect(read, wire::inventory_entry).await
    }

    /// The active seats of an online app.
    pub async fn seats(&self, product_id: &str, sku_id: &str) -> Result<Vec<StoreSeat>, ConnectorError> {
        let key = ProductKey::new(product_id, sku_id);
        let read = Collection {
            segments: &["Inventory", product_id, sku_id, "Seats"],
            query: vec![("maxResults", self.inner.seats_page.to_string())],
            list: "seats",
            app: Some(&key),
            user: None,
        };
        self.collect(read, |v| wire::seat(v, Some(&key))).await
    }

    /// The seats a user holds, of every app.
    pub async fn user_seats(&self, upn: &str) -> Result<Vec<StoreSeat>, ConnectorError> {
        let read = Collection {
            segments: &["Users", upn, "Seats"],
            query: vec![("maxResults", self.inner.seats_page.to_string())],
            list: "seats",
            app: None,
            user: Some(upn),
        };
        self.collect(read, |v| wire::seat(v, None)).await
    }

    /// An app with its name in the configured language, its publisher and
    /// platforms, and the reason to skip it when its packages are encrypted.
    pub async fn product(&self, product_id: &str, sku_id: &str) -> Result<StoreProduct, ConnectorError> {
        let key = ProductKey::new(product_id, sku_id);
        let details = self.details(&key).await?;
        let supported = strings(&details, "supportedLanguages", None);
        let language = self.inner.language.clone();
        let localized = self.localized_in(&key, &language, Some(&supported)).await?;
        let packages = self.packages(product_id, sku_id).await?;
        Ok(StoreProduct {
            key,
            name: localized.name,
            language: localized.language,
            publisher: localized.publisher,
            platforms: strings(&details, "supportedPlatforms", Some("platformName")),
            supported_languages: supported,
            package_family_name: text(&details, "packageFamilyName"),
            category: text(&details, "category"),
            skip_reason: packages.skip_reason().map(str::to_owned),
        })
    }

    /// The app's details in `language`; when the store has none in it (a
    /// 404, or no name), in the app's first supported language.
    pub async fn localized(
        &self,
        product_id: &str,
        sku_id: &str,
        language: &str,
    ) -> Result<LocalizedDetails, ConnectorError> {
        let key = ProductKey::new(product_id, sku_id);
        self.localized_in(&key, language, None).await
    }

    /// The app's packages: whether any is encrypted.
    pub async fn packages(&self, product_id: &str, sku_id: &str) -> Result<PackageInfo, ConnectorError> {
        let key = ProductKey::new(product_id, sku_id);
        let url = self.url(&["Products", product_id, sku_id, "Packages"], &[])?;
        let value = self.get_json(&url, Some(&key), None).await?;
        wire::packages(&value).ok_or_else(|| malformed(&url, "productPackages that is not a list"))
    }

    async fn details(&self, key: &ProductKey) -> Result<Value, ConnectorError> {
        let url = self.url(&["Products", &key.product_id, &key.sku_id], &[])?;
        self.get_json(&url, Some(key), None).await
    }

    async fn localized_in(
        &self,
        key: &ProductKey,
        language: &str,
        supported: Option<&[String]>,
    ) -> Result<LocalizedDetails, ConnectorError> {
        let segments = [
            "Products",
            &key.product_id,
            &key.sku_id,
            "LocalizedDetails",
            language,
        ];
        let url = self.url(&segments, &[])?;
        match self.get_json(&url, Some(key), None).await {
            Ok(value) => {
                if let Some(found) = wire::localized(&value, language) {
                    return Ok(self.learnt(key, found));
                }
            }
            Err(err) if is_not_found(&err) || is_rejected(&err) => {}
            Err(err) => return Err(err),
        }
        let supported = match supported {
            Some(list) => list.to_vec(),
            None => strings(&self.details(key).await?, "supportedLanguages", None),
        };
        let Some(first) = supported.iter().find(|l| !l.eq_ignore_ascii_case(language)) else {
            return Err(malformed(
                &url,
                &format!("no name in {language} and no other language"),
            ));
        };
        let segments = [
            "Products",
            &key.product_id,
            &key.sku_id,
            "LocalizedDetails",
            first,
        ];
        let url = self.url(&segments, &[])?;
        let value = self.get_json(&url, Some(key), None).await?;
        let found =
            wire::localized(&value, first).ok_or_else(|| malformed(&url, "details without displayName"))?;
        Ok(self.learnt(key, found))
    }

    fn learnt(&self, key: &ProductKey, found: LocalizedDetails) -> LocalizedDetails {
        self.learn_name(key, &found.name);
        found
    }

    /// GET a JSON object; a refusal names `app` and `user`.
    pub(crate) async fn get_json(
        &self,
        url: &Url,
        app: Option<&ProductKey>,
        user: Option<&str>,
    ) -> Result<Value, ConnectorError> {
        let reply = self.call(Method::GET, url, None).await?;
        if !reply.status.is_success() {
            let label = app.map_or_else(|| "the store".to_owned(), |k| self.app_label(k));
            return Err(failure(Target::new(&Method::GET, url), &reply, label, user));
        }
        parse_object(url, &reply.body)
    }

    /// Every page of a collection.
    async fn collect<T>(
        &self,
        read: Collection<'_>,
        parse: impl Fn(&Value) -> Option<T>,
    ) -> Result<Vec<T>, ConnectorError> {
        let guard = self.inner.guard;
        let (mut out, mut skipped) = (Vec::new(), 0usize);
        let mut token: Option<String> = None;
        let mut visits: HashMap<String, u32> = HashMap::new();
        for page in 1..=guard.max_pages {
            let mut query: Vec<(&str, &str)> = read.query.iter().map(|(k, v)| (*k, v.as_str())).collect();
            if let Some(token) = &token {
                query.push(("continuationToken", token));
            }
            let url = self.url(read.segments, &query)?;
            let value = self.get_json(&url, read.app, read.user).await?;
            let listed = items(&value, read.list)
                .ok_or_else(|| malformed(&url, &format!("{} that is not a list", read.list)))?;
            for item in listed {
                match parse(item) {
                    Some(parsed) => out.push(parsed),
                    None => skipped += 1,
                }
            }
            let Some(next) = text(&value, "continuationToken") else {
                if skipped > 0 {
                    tracing::warn!(
                        path = url.path(),
                        skipped,
                        "store entries without the fields needed were skipped"
                    );
                }
                return Ok(out);
            };
            let seen = visits.entry(next.clone()).or_insert(0);
            *seen += 1;
            if *seen > 1 && (!listed.is_empty() || *seen > guard.max_repeats) {
                return Err(paging_loop(&url, page, "a continuationToken already followed"));
            }
            token = Some(next);
        }
        let url = self.url(read.segments, &[])?;
        Err(paging_loop(&url, guard.max_pages, "still more pages"))
    }
}

fn is_not_found(err: &ConnectorError) -> bool {
    matches!(
        err.kind(),
        ErrorKind::StoreRefused {
            reason: SeatRefusal::UnknownApp,
            ..
        }
    )
}

fn is_rejected(err: &ConnectorError) -> bool {
    matches!(err.kind(), ErrorKind::Rejected { detail, .. } if detail.status == 400 || detail.status == 404)
}

/// A 2xx body that must be a JSON object.
pub(crate) fn parse_object(url: &Url, body: &[u8]) -> Result<Value, ConnectorError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|err| malformed(url, &format!("an answer that is not valid JSON ({err})")))?;
    if !value.is_object() {
        return Err(malformed(url, "an answer that is not a JSON object"));
    }
    Ok(value)
}

pub(crate) fn malformed(url: &Url, problem: &str) -> ConnectorError {
    ErrorKind::Malformed {
        target: Target::new(&Method::GET, url),
        problem: problem.to_owned(),
    }
    .into()
}

fn paging_loop(url: &Url, pages: u32, reason: &str) -> ConnectorError {
    ErrorKind::PagingLoop {
        target: Target::new(&Method::GET, url),
        pages,
        reason: reason.to_owned(),
    }
    .into()
}
