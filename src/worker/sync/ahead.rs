//! Reading a collection ahead (issue 11): a task of the runtime reads the
//! pages one after the other while this thread writes the ones already
//! read into the stage. Read one after the other, the source and the stage
//! took turns on a 2-core machine (a million users: 4,951 pages of users,
//! each served, then parsed and staged); overlapped, a pull takes about
//! the longer of the two instead of their sum. At most [`AHEAD`] pages
//! wait, so memory stays bounded whatever the tenant's size; the pages,
//! their order, retries and errors are those of [`Pages`] itself.

use tokio::runtime::Handle;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::connectors::graph::{Page, PageProgress, Pages};
use crate::connectors::{ConnectorError, ErrorKind};

/// Pages read ahead at most (16 pages of 200 users, of 999 members or of
/// 1,000 devices: a few MB). The stage writes a batch of several pages at
/// once, so one page ahead was not enough: the reader waited while a batch
/// was written.
pub(super) const AHEAD: usize = 16;

/// A page read, with the read's progress after it.
type Read<T> = Result<(Page<T>, PageProgress), ConnectorError>;

/// A [`Pages`] read ahead on `runtime` (a multi-thread runtime, as every
/// sync's).
pub(super) struct Ahead<T: Send + 'static> {
    runtime: Handle,
    pages: mpsc::Receiver<Read<T>>,
    reader: Option<JoinHandle<Pages<T>>>,
    /// The collection once its reader has stopped.
    idle: Option<Pages<T>>,
}

impl<T: Send + 'static> Ahead<T> {
    /// Starts reading `pages` at once.
    pub(super) fn new(runtime: &Handle, pages: Pages<T>) -> Ahead<T> {
        let (sender, receiver) = mpsc::channel(AHEAD);
        Ahead {
            runtime: runtime.clone(),
            pages: receiver,
            reader: Some(runtime.spawn(read(pages, sender))),
            idle: None,
        }
    }

    /// The next page with the read's progress after it, `None` after the
    /// last one (or after an error, which comes first).
    pub(super) fn next(&mut self) -> Result<Option<(Page<T>, PageProgress)>, ConnectorError> {
        match self.runtime.block_on(self.pages.recv()) {
            Some(read) => read.map(Some),
            None => {
                self.stopped()?;
                Ok(None)
            }
        }
    }

    /// Takes the collection back from its reader, which has stopped.
    fn stopped(&mut self) -> Result<(), ConnectorError> {
        let Some(reader) = self.reader.take() else {
            return Ok(());
        };
        match self.runtime.block_on(reader) {
            Ok(pages) => {
                self.idle = Some(pages);
                Ok(())
            }
            Err(err) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
            Err(err) => Err(ErrorKind::ClientSetup {
                detail: format!("the network runtime stopped while a page was read ({err})"),
            }
            .into()),
        }
    }

    /// The collection after its last page (for its delta link and
    /// warnings); `None` until [`Ahead::next`] has said there is no more.
    pub(super) fn finished(&self) -> Option<&Pages<T>> {
        self.idle.as_ref()
    }
}

impl<T: Send + 'static> Drop for Ahead<T> {
    /// A read abandoned midway (the stage failed) stops its requests.
    fn drop(&mut self) {
        if let Some(reader) = self.reader.take() {
            reader.abort();
        }
    }
}

/// Reads every page into `out` until the last one, an error, or a reader
/// that is gone; gives the collection back.
async fn read<T: Send + 'static>(mut pages: Pages<T>, out: mpsc::Sender<Read<T>>) -> Pages<T> {
    loop {
        let read = match pages.next_page().await {
            Ok(Some(page)) => Ok((page, pages.progress())),
            Ok(None) => return pages,
            Err(err) => Err(err),
        };
        let stop = read.as_ref().map_or(true, |(page, _)| page.last);
        if out.send(read).await.is_err() || stop {
            return pages;
        }
    }
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
