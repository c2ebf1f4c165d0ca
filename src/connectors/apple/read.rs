//! Paged reads (apis.md §3.3): `pageIndex` from 0 along `nextPageIndex`
//! until it is absent, tolerant of `totalPages` changing on the way (a
//! page past a shrunk end, 9650, ends the read), stopped by a page-count
//! guard; `/users` and `/assignments` incremental with `sinceVersionId`,
//! read in full again when Apple no longer knows the version (9721).

use std::collections::HashSet;

use reqwest::{Method, Url};
use serde_json::Value;

use super::call::malformed;
use super::{AppleClient, wire};
use crate::connectors::error::{ConnectorError, ErrorClass, ErrorKind, Target};
use crate::domain::apple::{AppleAsset, AppleAssignment, AppleUser};

/// What a versioned read returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versioned<T> {
    pub items: Vec<T>,
    /// The `versionId` of the first page: give it as `since_version` next
    /// time.
    pub version_id: Option<String>,
    /// Whether everything was read (no version given, or Apple no longer
    /// knew it): then the items replace what was stored, else they are
    /// the changes since.
    pub full: bool,
}

impl AppleClient {
    /// Every asset of the location with its counts.
    pub async fn assets(&self) -> Result<Vec<AppleAsset>, ConnectorError> {
        let (items, _) = self.read_all("/assets", None, "assets").await?;
        let mut seen = HashSet::new();
        Ok(items
            .iter()
            .filter_map(wire::asset)
            // A page that shifted while reading may repeat an asset.
            .filter(|a| seen.insert((a.adam_id.clone(), a.pricing.clone())))
            .collect())
    }

    /// The location's users, all of them or those changed since a version.
    pub async fn users(&self, since_version: Option<&str>) -> Result<Versioned<AppleUser>, ConnectorError> {
        let (items, version_id, full) = self.versioned("/users", since_version, "users").await?;
        Ok(Versioned {
            items: items.iter().filter_map(wire::user).collect(),
            version_id,
            full,
        })
    }

    /// The location's assignments, all or those made since a version.
    pub async fn assignments(
        &self,
        since_version: Option<&str>,
    ) -> Result<Versioned<AppleAssignment>, ConnectorError> {
        let (items, version_id, full) = self
            .versioned("/assignments", since_version, "assignments")
            .await?;
        let mut seen = HashSet::new();
        Ok(Versioned {
            items: items
                .iter()
                .filter_map(wire::assignment)
                .filter(|a| seen.insert(a.clone()))
                .collect(),
            version_id,
            full,
        })
    }

    async fn versioned(
        &self,
        path: &str,
        since: Option<&str>,
        key: &str,
    ) -> Result<(Vec<Value>, Option<String>, bool), ConnectorError> {
        if let Some(since) = since.filter(|s| !s.is_empty()) {
            match self.read_all(path, Some(since), key).await {
                Ok((items, version)) => return Ok((items, version.or(Some(since.to_owned())), false)),
                Err(err) if err.class() == ErrorClass::DeltaExpired => {
                    tracing::info!(
                        path,
                        "Apple no longer knows the stored version (9721): reading everything"
                    );
                }
                Err(err) => return Err(err),
            }
        }
        let (items, version) = self.read_all(path, None, key).await?;
        Ok((items, version, true))
    }

    /// Every page of `path`; the items of `key` and page 0's `versionId`.
    async fn read_all(
        &self,
        path: &str,
        since: Option<&str>,
        key: &str,
    ) -> Result<(Vec<Value>, Option<String>), ConnectorError> {
        let base = self.url(path)?;
        let target = Target::new(&Method::GET, &base);
        let mut items = Vec::new();
        let mut version = None;
        let mut index: i64 = 0;
        for pages in 1..=self.inner.max_pages {
            let url = page_url(&base, since, index);
            let body = match self.call(Method::GET, &url, None).await {
                Ok(body) => body,
                // totalPages shrank under us: the page asked for is gone.
                Err(err) if index > 0 && is_bad_page(&err) => return Ok((items, version)),
                Err(err) => return Err(err),
            };
            if index == 0 {
                version = body["versionId"].as_str().map(str::to_owned);
            }
            match &body[key] {
                Value::Array(page) => items.extend(page.iter().cloned()),
                Value::Null => {}
                _ => return Err(malformed(&target, &format!("\"{key}\" that is not a list"))),
            }
            match body["nextPageIndex"].as_i64() {
                None => return Ok((items, version)),
                Some(next) if next > index => index = next,
                Some(next) => {
                    return Err(ErrorKind::PagingLoop {
                        target,
                        pages,
                        reason: format!("page {index} points back to page {next}"),
                    }
                    .into());
                }
            }
        }
        Err(ErrorKind::PagingLoop {
            target,
            pages: self.inner.max_pages,
            reason: "more pages than the guard allows".to_owned(),
        }
        .into())
    }
}

fn page_url(base: &Url, since: Option<&str>, index: i64) -> Url {
    let mut url = base.clone();
    {
        let mut query = url.query_pairs_mut();
        if let Some(since) = since {
            query.append_pair("sinceVersionId", since);
        }
        if index > 0 {
            query.append_pair("pageIndex", &index.to_string());
        }
    }
    if url.query() == Some("") {
        url.set_query(None);
    }
    url
}

/// 9650: a page index out of range.
fn is_bad_page(err: &ConnectorError) -> bool {
    err.detail().and_then(|d| d.apple_number()) == Some(9650)
}
