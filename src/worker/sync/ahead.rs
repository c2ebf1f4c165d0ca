//! Reading a collection one page ahead (issue 11): while this thread
//! writes a page into the stage, the runtime already asks the source for
//! the next one. Read one after the other, the source and the stage took
//! turns on a 2-core machine (a million users: 4,951 pages of users,
//! each served, then parsed and staged); overlapped, a pull takes about
//! the longer of the two instead of their sum. At most two pages are held
//! at once, so memory stays bounded whatever the tenant's size; the pages,
//! their order, retries and errors are those of [`Pages`] itself.

use tokio::runtime::Handle;
use tokio::task::JoinHandle;

use crate::connectors::graph::{Page, PageProgress, Pages};
use crate::connectors::{ConnectorError, ErrorKind};

/// A read in flight: the collection, and what its next page was.
type Fetched<T> = (Pages<T>, Result<Option<Page<T>>, ConnectorError>);

/// A [`Pages`] read one page ahead on `runtime` (a multi-thread runtime,
/// as every sync's).
pub(super) struct Ahead<T: Send + 'static> {
    runtime: Handle,
    pending: Option<JoinHandle<Fetched<T>>>,
    /// The collection once no read is in flight (after its last page or
    /// an error).
    idle: Option<Pages<T>>,
}

impl<T: Send + 'static> Ahead<T> {
    /// Starts reading the first page of `pages` at once.
    pub(super) fn new(runtime: &Handle, pages: Pages<T>) -> Ahead<T> {
        Ahead {
            runtime: runtime.clone(),
            pending: Some(fetch(runtime, pages)),
            idle: None,
        }
    }

    /// The next page with the read's progress after it, `None` after the
    /// last one; the page after it is asked for before this returns.
    pub(super) fn next(&mut self) -> Result<Option<(Page<T>, PageProgress)>, ConnectorError> {
        let Some(pending) = self.pending.take() else {
            return Ok(None);
        };
        let (pages, result) = match self.runtime.block_on(pending) {
            Ok(fetched) => fetched,
            Err(err) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
            Err(err) => {
                return Err(ErrorKind::ClientSetup {
                    detail: format!("the network runtime stopped while a page was read ({err})"),
                }
                .into());
            }
        };
        let progress = pages.progress();
        match result {
            Ok(Some(page)) if !page.last => {
                self.pending = Some(fetch(&self.runtime, pages));
                Ok(Some((page, progress)))
            }
            Ok(Some(page)) => {
                self.idle = Some(pages);
                Ok(Some((page, progress)))
            }
            Ok(None) => {
                self.idle = Some(pages);
                Ok(None)
            }
            Err(err) => {
                self.idle = Some(pages);
                Err(err)
            }
        }
    }

    /// The collection after its last page (for its delta link and
    /// warnings); `None` while a read is still in flight.
    pub(super) fn finished(&self) -> Option<&Pages<T>> {
        self.idle.as_ref()
    }
}

impl<T: Send + 'static> Drop for Ahead<T> {
    /// A read abandoned midway (the stage failed) stops its request.
    fn drop(&mut self) {
        if let Some(pending) = self.pending.take() {
            pending.abort();
        }
    }
}

fn fetch<T: Send + 'static>(runtime: &Handle, mut pages: Pages<T>) -> JoinHandle<Fetched<T>> {
    runtime.spawn(async move {
        let result = pages.next_page().await;
        (pages, result)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::Secret;
    use crate::connectors::graph::{GraphClient, GraphConfig};
    use crate::sim::{SimConfig, Simulator};

    #[test]
    fn read_ahead_gives_the_pages_of_a_read_one_by_one() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let sim = Simulator::start(SimConfig::new(dir.path().join("sim.db"), 650), runtime.handle()).unwrap();
        let credentials = sim.credentials();
        let mut config = GraphConfig::new(
            credentials.tenant_id.clone(),
            credentials.client_id.clone(),
            Secret::new(credentials.client_secret.clone()),
        );
        config.graph_url = sim.graph_url().to_owned();
        config.login_url = sim.login_url().to_owned();
        let client = GraphClient::new(config).unwrap();

        let mut one_by_one = client.users_delta(None);
        let mut expected = Vec::new();
        while let Some(page) = runtime.block_on(one_by_one.next_page()).unwrap() {
            expected.push(page.items);
        }
        let mut ahead = Ahead::new(runtime.handle(), client.users_delta(None));
        let mut read = Vec::new();
        while let Some((page, progress)) = ahead.next().unwrap() {
            assert_eq!(progress.pages as usize, read.len() + 1);
            assert_eq!(progress.done, page.last);
            read.push(page.items);
        }
        assert!(expected.len() >= 3, "several pages: {}", expected.len());
        assert_eq!(read, expected);
        assert!(ahead.next().unwrap().is_none());
        let finished = ahead.finished().unwrap();
        assert!(finished.delta_link().is_some());
        drop(sim);
    }
}
