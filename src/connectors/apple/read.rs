//! Paged reads (apis.md §3.3): `pageIndex` from 0 along `nextPageIndex`
//! until it is absent, a few pages read ahead (`window`), tolerant of
//! `totalPages` changing on the way (a page past a shrunk end, 9650, ends
//! the read; a page announcing more pages extends it), stopped by a
//! page-count guard; `/users` and `/assignments` incremental with
//! `sinceVersionId`, read in full again when Apple no longer knows the
//! version (9721). Each page's items are turned into records as it
//! arrives, so only the records stay in memory.

use std::collections::HashSet;

use reqwest::Method;
use serde_json::Value;

use super::call::malformed;
use super::window::{Window, page_url};
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

/// An item of a page turned into a record (None: not one, skipped).
type Convert<T> = fn(&Value) -> Option<T>;

impl AppleClient {
    /// Every asset of the location with its counts.
    pub async fn assets(&self) -> Result<Vec<AppleAsset>, ConnectorError> {
        let (mut items, _) = self.read_all("/assets", None, "assets", wire::asset).await?;
        let mut seen = HashSet::new();
        // A page that shifted while reading may repeat an asset.
        items.retain(|a| seen.insert((a.adam_id.clone(), a.pricing.clone())));
        Ok(items)
    }

    /// The location's users, all of them or those changed since a version.
    pub async fn users(&self, since_version: Option<&str>) -> Result<Versioned<AppleUser>, ConnectorError> {
        self.versioned("/users", since_version, "users", wire::user).await
    }

    /// The location's assignments, all or those made since a version.
    pub async fn assignments(
        &self,
        since_version: Option<&str>,
    ) -> Result<Versioned<AppleAssignment>, ConnectorError> {
        let mut read = self
            .versioned("/assignments", since_version, "assignments", wire::assignment)
            .await?;
        let mut seen = HashSet::new();
        read.items.retain(|a| seen.insert(a.clone()));
        Ok(read)
    }

    async fn versioned<T: Send>(
        &self,
        path: &str,
        since: Option<&str>,
        key: &str,
        convert: Convert<T>,
    ) -> Result<Versioned<T>, ConnectorError> {
        if let Some(since) = since.filter(|s| !s.is_empty()) {
            match self.read_all(path, Some(since), key, convert).await {
                Ok((items, version)) => {
                    return Ok(Versioned {
                        items,
                        version_id: version.or(Some(since.to_owned())),
                        full: false,
                    });
                }
                Err(err) if err.class() == ErrorClass::DeltaExpired => {
                    tracing::info!(
                        path,
                        "Apple no longer knows the stored version (9721): reading everything"
                    );
                }
                Err(err) => return Err(err),
            }
        }
        let (items, version_id) = self.read_all(path, None, key, convert).await?;
        Ok(Versioned {
            items,
            version_id,
            full: true,
        })
    }

    /// Every page of `path`: the records of its `key` items and page 0's
    /// `versionId`. After page 0 the pages are read in order, a few ahead
    /// at a time, up to the last one announced (page 0's `totalPages`, or
    /// more when a later page announces more or points further).
    async fn read_all<T: Send>(
        &self,
        path: &str,
        since: Option<&str>,
        key: &str,
        convert: Convert<T>,
    ) -> Result<(Vec<T>, Option<String>), ConnectorError> {
        let base = self.url(path)?;
        let mut read = Read {
            target: Target::new(&Method::GET, &base),
            key: key.to_owned(),
            items: Vec::new(),
            convert,
            pages: 1,
        };
        let first = self.call(Method::GET, &page_url(&base, since, 0), None).await?;
        let version = first["versionId"].as_str().map(str::to_owned);
        let Some(mut page) = read.take(&first, 0)? else {
            return Ok((read.items, version));
        };
        let mut end = announced(&first, page);
        drop(first);
        read.guard(end, self.inner.max_pages)?;
        let mut window = Window::new(self, &base, since, page);
        loop {
            window.fill(end);
            read.pages += 1;
            let body = match window.page(page).await {
                Ok(body) => body,
                // totalPages shrank under us: the pages asked for are gone.
                Err(err) if is_bad_page(&err) => break,
                Err(err) => return Err(err),
            };
            let Some(next) = read.take(&body, page)? else {
                break;
            };
            // Pages added while reading: read them too.
            let wanted = announced(&body, next);
            if wanted > end {
                read.guard(wanted, self.inner.max_pages)?;
                end = wanted;
            }
            // Every page up to `next` is read (Apple never skips one).
            page += 1;
        }
        Ok((read.items, version))
    }
}

/// The pages a body says there are: its `totalPages`, and at least
/// enough to hold its `nextPageIndex`.
fn announced(body: &Value, next: i64) -> i64 {
    body["totalPages"].as_i64().unwrap_or(0).max(next + 1)
}

/// A read in progress.
struct Read<T> {
    target: Target,
    key: String,
    items: Vec<T>,
    convert: Convert<T>,
    pages: u32,
}

impl<T> Read<T> {
    /// Keeps the page's items as records; its `nextPageIndex`, which must
    /// lie ahead.
    fn take(&mut self, body: &Value, index: i64) -> Result<Option<i64>, ConnectorError> {
        match &body[self.key.as_str()] {
            Value::Array(page) => self.items.extend(page.iter().filter_map(self.convert)),
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

/// 9650: a page index out of range.
fn is_bad_page(err: &ConnectorError) -> bool {
    err.detail().and_then(|d| d.apple_number()) == Some(9650)
}
