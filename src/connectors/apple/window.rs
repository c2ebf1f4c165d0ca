//! Pages read ahead a few at a time (issue 8): Apple allows parallel
//! paging, at most five requests at once (apis.md §3.3). Asking for every
//! announced page at once kept all of them in memory until the last
//! arrived (431 MB for 200k assignments) and had the server scan them all
//! at the same time; a bounded window keeps both small, and pages are
//! handed over in order as they arrive.

use std::collections::BTreeMap;

use reqwest::{Method, Url};
use serde_json::Value;
use tokio::task::JoinSet;

use super::AppleClient;
use super::call::malformed;
use crate::connectors::error::{ConnectorError, Target};

/// Pages asked for and not yet handed over, at most.
pub(super) const PAGES_IN_FLIGHT: usize = 4;

type Answer = Result<Value, ConnectorError>;

/// The pages of one read, asked for in order ahead of the one handed over.
pub(super) struct Window {
    client: AppleClient,
    base: Url,
    since: Option<String>,
    /// Requests under way; dropping the window aborts them.
    tasks: JoinSet<(i64, Answer)>,
    /// Answers that came before the pages ahead of them.
    arrived: BTreeMap<i64, Answer>,
    /// The next page to ask for.
    next: i64,
}

impl Window {
    /// A window whose first page asked for is `from`.
    pub(super) fn new(client: &AppleClient, base: &Url, since: Option<&str>, from: i64) -> Window {
        Window {
            client: client.clone(),
            base: base.clone(),
            since: since.map(str::to_owned),
            tasks: JoinSet::new(),
            arrived: BTreeMap::new(),
            next: from,
        }
    }

    /// Asks for the following pages below `end` while fewer than
    /// `PAGES_IN_FLIGHT` are waiting to be handed over.
    pub(super) fn fill(&mut self, end: i64) {
        while self.next < end && self.tasks.len() + self.arrived.len() < PAGES_IN_FLIGHT {
            let index = self.next;
            let (client, url) = (
                self.client.clone(),
                page_url(&self.base, self.since.as_deref(), index),
            );
            self.tasks
                .spawn(async move { (index, client.call(Method::GET, &url, None).await) });
            self.next += 1;
        }
    }

    /// Page `index`'s answer, once it has come; `index` must have been
    /// asked for (by `fill`).
    pub(super) async fn page(&mut self, index: i64) -> Answer {
        loop {
            if let Some(answer) = self.arrived.remove(&index) {
                return answer;
            }
            match self.tasks.join_next().await {
                Some(Ok((page, answer))) => {
                    self.arrived.insert(page, answer);
                }
                Some(Err(err)) => return Err(self.failed(&format!("a page read that failed ({err})"))),
                None => return Err(self.failed(&format!("page {index}, which was never asked for"))),
            }
        }
    }

    fn failed(&self, problem: &str) -> ConnectorError {
        malformed(&Target::new(&Method::GET, &self.base), problem)
    }
}

/// Page `index` of `base`, since a version or not (page 0 without
/// `pageIndex`, as Apple's examples).
pub(super) fn page_url(base: &Url, since: Option<&str>, index: i64) -> Url {
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
