//! Paged reads (apis.md §3.3): `pageIndex` from 0 along `nextPageIndex`
//! until it is absent, tolerant of `totalPages` changing on the way (a
//! page past a shrunk end, 9650, ends the read), stopped by a page-count
//! guard; `/users` and `/assignments` incremental with `sinceVersionId`,
//! read in full again when Apple no longer knows the version (9721).

use std::collections::HashSet;

use reqwest::{Method, Url};
use serde_json::Value;
use tokio::task::JoinSet;

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
    /// After page 0 the pages it announces are read in parallel (Apple
    /// allows it; the shared client bounds how many at once), then any
    /// pages added meanwhile one by one along `nextPageIndex`.
    async fn read_all(
        &self,
        path: &str,
        since: Option<&str>,
        key: &str,
    ) -> Result<(Vec<Value>, Option<String>), ConnectorError> {
        let base = self.url(path)?;
        let mut read = Read {
            target: Target::new(&Method::GET, &base),
            key: key.to_owned(),
            items: Vec::new(),
            pages: 1,
        };
        let first = self.call(Method::GET, &page_url(&base, since, 0), None).await?;
        let version = first["versionId"].as_str().map(str::to_owned);
        let Some(mut next) = read.take(&first, 0)? else {
            return Ok((read.items, version));
        };
        let announced = first["totalPages"].as_i64().unwrap_or(0).max(next + 1);
        read.guard(announced, self.inner.max_pages)?;
        let mut index = next;
        for (page, body) in (next..).zip(self.pages_at_once(&base, since, next, announced).await) {
            read.pages += 1;
            let body = match body {
                Ok(body) => body,
                // totalPages shrank under us: the pages asked for are gone.
                Err(err) if is_bad_page(&err) => return Ok((read.items, version)),
                Err(err) => return Err(err),
            };
            index = page;
            match read.take(&body, page)? {
                Some(n) => next = n,
                None if page + 1 == announced => return Ok((read.items, version)),
                None => {}
            }
        }
        // Pages added while reading: follow nextPageIndex.
        while next > index {
            read.guard(i64::from(read.pages) + 1, self.inner.max_pages)?;
            read.pages += 1;
            index = next;
            let body = match self.call(Method::GET, &page_url(&base, since, index), None).await {
                Ok(body) => body,
                Err(err) if is_bad_page(&err) => return Ok((read.items, version)),
                Err(err) => return Err(err),
            };
            match read.take(&body, index)? {
                Some(n) => next = n,
                None => return Ok((read.items, version)),
            }
        }
        Ok((read.items, version))
    }

    /// Pages `from..to`, in order, read concurrently.
    async fn pages_at_once(
        &self,
        base: &Url,
        since: Option<&str>,
        from: i64,
        to: i64,
    ) -> Vec<Result<Value, ConnectorError>> {
        let mut tasks = JoinSet::new();
        for index in from..to {
            let (client, url) = (self.clone(), page_url(base, since, index));
            tasks.spawn(async move { (index, client.call(Method::GET, &url, None).await) });
        }
        let mut out: Vec<(i64, Result<Value, ConnectorError>)> = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok(result) => out.push(result),
                Err(err) => out.push((i64::MAX, Err(task_failed(base, &err)))),
            }
        }
        out.sort_by_key(|(index, _)| *index);
        out.into_iter().map(|(_, result)| result).collect()
    }
}

/// A read in progress.
struct Read {
    target: Target,
    key: String,
    items: Vec<Value>,
    pages: u32,
}

impl Read {
    /// Keeps the page's items; its `nextPageIndex`, which must lie ahead.
    fn take(&mut self, body: &Value, index: i64) -> Result<Option<i64>, ConnectorError> {
        match &body[self.key.as_str()] {
            Value::Array(page) => self.items.extend(page.iter().cloned()),
            Value::Null => {}
            _ => {
                return Err(malformed(
                    &self.target,
                    &format!("\"{}\" that is not a list", self.key),
                ));
            }
        }
        match body["nextPageIndex"].as_i64() {
            None => Ok(None),
            Some(next) if next > index => Ok(Some(next)),
            Some(next) => Err(ErrorKind::PagingLoop {
                target: self.target.clone(),
                pages: self.pages,
                reason: format!("page {index} points back to page {next}"),
            }
            .into()),
        }
    }

    /// Stops a read that would take more pages than allowed.
    fn guard(&self, pages: i64, max: u32) -> Result<(), ConnectorError> {
        if pages > i64::from(max) {
            return Err(ErrorKind::PagingLoop {
                target: self.target.clone(),
                pages: self.pages,
                reason: format!("{pages} pages, more than the guard allows ({max})"),
            }
            .into());
        }
        Ok(())
    }
}

fn task_failed(base: &Url, err: &tokio::task::JoinError) -> ConnectorError {
    malformed(
        &Target::new(&Method::GET, base),
        &format!("a page read that failed ({err})"),
    )
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
