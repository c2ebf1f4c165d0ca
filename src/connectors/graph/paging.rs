//! Reading a Graph collection page by page (apis.md 1.2, 1.8): each page is
//! handed to the caller before the next is asked for, so a tenant of any
//! size is never in memory at once. The whole `@odata.nextLink` is followed
//! verbatim until absent; empty pages and any page size are normal; a
//! source that loops is stopped by a page guard.

use std::collections::HashMap;

use reqwest::{Method, StatusCode, Url};
use serde_json::Value;

use super::GraphClient;
use super::whole::{ParsePage, ParsedPage};
use super::wire::ParseItem;
use crate::connectors::error::{ConnectorError, ErrorDetail, ErrorKind, Target, host_of};
use crate::connectors::http::Reply;

/// Limits that stop a collection that does not end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageGuard {
    /// Pages of one collection at most (users at 999 a page: 50,000 pages
    /// are ~50 million users).
    pub max_pages: u32,
    /// How often a page may be asked for again when the source answered it
    /// with an empty page pointing to itself; a non-empty page pointing
    /// back to a page already read is a loop at once.
    pub max_repeats: u32,
}

impl Default for PageGuard {
    fn default() -> PageGuard {
        PageGuard {
            max_pages: 50_000,
            max_repeats: 3,
        }
    }
}

/// One page of records.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// 1 for the first page.
    pub number: u32,
    /// Whether this was the last page.
    pub last: bool,
}

/// How far a read has come, for a progress display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageProgress {
    /// What is read: "users", "users/delta", "groups", "members".
    pub resource: &'static str,
    /// Pages read so far (the page in flight is `pages + 1`).
    pub pages: u32,
    /// Records read so far.
    pub items: u64,
    pub done: bool,
}

/// A collection read page by page: call [`Pages::next_page`] until it
/// answers `None`. After an error the same page is asked for again by the
/// next call, so a caller may retry or give up.
pub struct Pages<T> {
    client: GraphClient,
    resource: &'static str,
    parse: ParseItem<T>,
    /// Reads a page whole when it can (see [`ParsePage`]).
    whole: Option<ParsePage<T>>,
    next: Option<String>,
    /// A first URL to fall back to when the first one is refused for
    /// `signInActivity`, and the warning to record then.
    fallback: Option<String>,
    delta: bool,
    pages: u32,
    items: u64,
    visits: HashMap<String, u32>,
    delta_link: Option<String>,
    warnings: Vec<String>,
}

impl<T> Pages<T> {
    pub(crate) fn new(
        client: GraphClient,
        resource: &'static str,
        first: String,
        parse: ParseItem<T>,
    ) -> Pages<T> {
        Pages {
            client,
            resource,
            parse,
            whole: None,
            next: Some(first),
            fallback: None,
            delta: false,
            pages: 0,
            items: 0,
            visits: HashMap::new(),
            delta_link: None,
            warnings: Vec::new(),
        }
    }

    /// Reads each page with `whole` first, item by item only when it
    /// cannot (the same records, faster).
    pub(crate) fn read_whole(mut self, whole: ParsePage<T>) -> Pages<T> {
        self.whole = Some(whole);
        self
    }

    /// Reads a delta round: `syncStateNotFound` and 410 become
    /// `DeltaExpired`, and the last page must carry a deltaLink.
    pub(crate) fn delta(mut self) -> Pages<T> {
        self.delta = true;
        self
    }

    /// Without the permission for sign-in activity, read from `fallback`.
    pub(crate) fn or_without_sign_in(mut self, fallback: String) -> Pages<T> {
        self.fallback = Some(fallback);
        self
    }

    pub fn progress(&self) -> PageProgress {
        PageProgress {
            resource: self.resource,
            pages: self.pages,
            items: self.items,
            done: self.next.is_none(),
        }
    }

    /// The deltaLink to store for the next incremental read, once the last
    /// page of a delta round is read.
    pub fn delta_link(&self) -> Option<&str> {
        self.delta_link.as_deref()
    }

    /// What the read could not do but did without (such as sign-in
    /// activity without its permission).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Whether sign-in activity was read (false after the fallback).
    pub fn sign_in_read(&self) -> bool {
        !self.warnings.iter().any(|w| w.starts_with(SIGN_IN_WARNING))
    }

    /// The next page, or `None` after the last one.
    pub async fn next_page(&mut self) -> Result<Option<Page<T>>, ConnectorError> {
        loop {
            let Some(link) = self.next.clone() else {
                return Ok(None);
            };
            let url = self.checked_url(&link)?;
            let target = Target::new(&Method::GET, &url);
            if self.pages >= self.client.guard().max_pages {
                return Err(ErrorKind::PagingLoop {
                    target,
                    pages: self.pages,
                    reason: format!("more than {} pages", self.client.guard().max_pages),
                }
                .into());
            }
            let reply = self.client.call(Method::GET, &url, None).await?;
            if !reply.status.is_success() {
                if self.pages == 0 && self.try_without_sign_in(&reply) {
                    continue;
                }
                return Err(self.failure(target, &reply));
            }
            return self.accept(link, target, &reply).map(Some);
        }
    }

    /// Every remaining record (for collections known to be small).
    pub async fn all(mut self) -> Result<Vec<T>, ConnectorError> {
        let mut out = Vec::new();
        while let Some(page) = self.next_page().await? {
            out.extend(page.items);
        }
        Ok(out)
    }

    /// A link as a URL on the Graph host: the token goes nowhere else.
    fn checked_url(&self, link: &str) -> Result<Url, ConnectorError> {
        let graph = self.client.graph_base();
        let target = || Target {
            method: "GET".to_owned(),
            host: host_of(graph),
            path: format!("/v1.0/{}", self.resource),
        };
        let url = Url::parse(link).map_err(|err| ErrorKind::Malformed {
            target: target(),
            problem: format!("a link that is not a URL ({err})"),
        })?;
        if url.origin() == graph.origin() {
            return Ok(url);
        }
        let problem = format!(
            "a link to another host ({}); seats sends its token only to --graph-url",
            host_of(&url)
        );
        if self.delta && self.pages == 0 {
            // A stored deltaLink from another --graph-url: read everything.
            return Err(ErrorKind::DeltaExpired {
                target: target(),
                detail: ErrorDetail {
                    message: Some(problem),
                    ..ErrorDetail::default()
                },
            }
            .into());
        }
        Err(ErrorKind::Malformed {
            target: target(),
            problem,
        }
        .into())
    }

    /// On a first page refused for `signInActivity`, switches to the
    /// fallback URL and records why.
    fn try_without_sign_in(&mut self, reply: &Reply) -> bool {
        let detail = reply.detail();
        let about_sign_in = reply.status == StatusCode::FORBIDDEN
            || (reply.status == StatusCode::BAD_REQUEST
                && detail
                    .message
                    .as_deref()
                    .is_some_and(|m| m.to_ascii_lowercase().contains("signinactivity")));
        let Some(fallback) = self.fallback.take().filter(|_| about_sign_in) else {
            return false;
        };
        let warning = if reply.status == StatusCode::FORBIDDEN {
            format!("{SIGN_IN_WARNING} (permission AuditLog.Read.All missing)")
        } else {
            format!("{SIGN_IN_WARNING} ({detail})")
        };
        tracing::warn!(resource = self.resource, "{warning}");
        self.warnings.push(warning);
        self.next = Some(fallback);
        true
    }

    fn failure(&self, target: Target, reply: &Reply) -> ConnectorError {
        let detail = reply.detail();
        let expired = reply.status == StatusCode::GONE
            || matches!(
                detail.code.as_deref(),
                Some("syncStateNotFound" | "resyncRequired")
            );
        if self.delta && expired {
            return ErrorKind::DeltaExpired { target, detail }.into();
        }
        self.client.failure(target, reply)
    }

    /// Reads a successful page and moves on to its nextLink.
    fn accept(&mut self, link: String, target: Target, reply: &Reply) -> Result<Page<T>, ConnectorError> {
        let malformed = |problem: String| -> ConnectorError {
            ErrorKind::Malformed {
                target: target.clone(),
                problem,
            }
            .into()
        };
        let unreadable = |index: usize, why: String| {
            malformed(format!(
                "item {} of page {} that cannot be read: {why}",
                index + 1,
                self.pages + 1
            ))
        };
        let body = match self.whole.and_then(|whole| whole(&reply.body)) {
            Some(Ok(page)) => page,
            Some(Err((index, why))) => return Err(unreadable(index, why)),
            None => {
                let raw = read_page(&reply.body).map_err(malformed)?;
                let mut items = Vec::with_capacity(raw.items.len());
                for (index, item) in raw.items.into_iter().enumerate() {
                    match (self.parse)(item) {
                        Ok(Some(record)) => items.push(record),
                        Ok(None) => {}
                        Err(why) => return Err(unreadable(index, why)),
                    }
                }
                ParsedPage {
                    items,
                    next_link: raw.next_link,
                    delta_link: raw.delta_link,
                }
            }
        };
        let items = body.items;
        *self.visits.entry(link).or_insert(0) += 1;
        if let Some(next) = &body.next_link {
            let seen = self.visits.get(next).copied().unwrap_or(0);
            let stutter = items.is_empty() && seen <= self.client.guard().max_repeats;
            if seen > 0 && !stutter {
                return Err(ErrorKind::PagingLoop {
                    target,
                    pages: self.pages + 1,
                    reason: format!("the nextLink points back to a page already read ({seen} times)"),
                }
                .into());
            }
        } else if self.delta && body.delta_link.is_none() {
            return Err(malformed(
                "a last page of a delta round without @odata.deltaLink".to_owned(),
            ));
        }
        self.pages += 1;
        self.items += items.len() as u64;
        self.next = body.next_link;
        if self.next.is_none() {
            self.delta_link = body.delta_link;
        }
        Ok(Page {
            items,
            number: self.pages,
            last: self.next.is_none(),
        })
    }
}

pub use crate::domain::source::SIGN_IN_WARNING;

/// A page's parts.
struct RawPage {
    items: Vec<Value>,
    next_link: Option<String>,
    delta_link: Option<String>,
}

/// Checks a page's shape: a JSON object with a `value` list.
fn read_page(body: &[u8]) -> Result<RawPage, String> {
    let json: Value = serde_json::from_slice(body).map_err(|err| {
        if err.is_eof() {
            format!("JSON that ends early ({err}; {} bytes)", body.len())
        } else {
            format!("JSON that is not valid ({err})")
        }
    })?;
    let Value::Object(mut object) = json else {
        return Err(format!("a page that is {}, not an object", kind_of(&json)));
    };
    let items = match object.remove("value") {
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(format!(
                "a page whose \"value\" is {}, not a list",
                kind_of(&other)
            ));
        }
        None => return Err("a page without a \"value\" list".to_owned()),
    };
    let link = |name: &str| object.get(name).and_then(Value::as_str).map(str::to_owned);
    Ok(RawPage {
        items,
        next_link: link("@odata.nextLink"),
        delta_link: link("@odata.deltaLink"),
    })
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_of_the_wrong_shape_say_what_is_wrong() {
        let err = |body: &str| read_page(body.as_bytes()).err().unwrap();
        assert_eq!(err(r#"[{"value":[]}]"#), "a page that is a list, not an object");
        assert_eq!(
            err(r#"{"value":{"0":{}}}"#),
            "a page whose \"value\" is an object, not a list"
        );
        assert_eq!(err(r#"{"values":[]}"#), "a page without a \"value\" list");
        assert!(err(r#"{"value":[{"id":"a"#).starts_with("JSON that ends early"));
        assert!(err("<html>").starts_with("JSON that is not valid"));
        let page = read_page(br#"{"value":[],"@odata.nextLink":"http://h/next","extra":1}"#).unwrap();
        assert!(page.items.is_empty());
        assert_eq!(page.next_link.as_deref(), Some("http://h/next"));
    }
}
