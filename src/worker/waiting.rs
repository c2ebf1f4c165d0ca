//! Stopping a window query that a newer one has made stale. At a million
//! users a filter word of one or two letters scans every user (the trigram
//! index needs three), and a burst of keys used to queue one such scan per
//! key. The console counts the fetches it has sent that the reader has not
//! taken yet; while that count is above zero, SQLite's progress handler
//! stops the running window query, and the reader serves the newer fetches
//! first, then the stopped one again unless a newer fetch for its pane
//! replaced it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode};

use super::Request;
use super::reader::fetch_rows;
use crate::app::pane::Row;
use crate::app::table::Fetch;
use crate::store::Page;

/// SQLite virtual-machine steps between two looks at the count: about a
/// millisecond of work, so a stale scan stops within a few milliseconds.
const STEPS: i32 = 20_000;

/// Fetches sent to the reader and not yet taken from its inbox.
#[derive(Debug, Clone, Default)]
pub struct Waiting(Arc<AtomicUsize>);

impl Waiting {
    /// Called by the sender just before a fetch goes into the channel.
    pub fn arrived(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }

    /// Called by the reader for each fetch it takes from the channel.
    fn taken(&self) {
        // Never below zero, whatever the order of the two sides.
        let _ = self
            .0
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| Some(n.saturating_sub(1)));
    }

    fn any(&self) -> bool {
        self.0.load(Ordering::SeqCst) > 0
    }
}

/// The reader's side of the channel, with the count of fetches in it.
pub struct Inbox {
    pub requests: Receiver<Request>,
    pub fetches_waiting: Waiting,
}

impl Inbox {
    /// The next request, as `Receiver::recv_timeout`.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Request, RecvTimeoutError> {
        let request = self.requests.recv_timeout(timeout)?;
        self.took(&request);
        Ok(request)
    }

    /// Every request already queued.
    pub fn drain(&self) -> Vec<Request> {
        let requests: Vec<Request> = self.requests.try_iter().collect();
        requests.iter().for_each(|r| self.took(r));
        requests
    }

    fn took(&self, request: &Request) {
        if matches!(request, Request::Fetch(_)) {
            self.fetches_waiting.taken();
        }
    }
}

/// Reads `fetch`'s window, or None when a newer fetch arrived meanwhile and
/// the query was stopped for it.
pub fn fetch_unless_stale(
    conn: &mut Connection,
    fetch: &Fetch,
    waiting: &Waiting,
) -> rusqlite::Result<Option<Page<Row>>> {
    let watched = waiting.clone();
    conn.progress_handler(STEPS, Some(move || watched.any()))?;
    let result = fetch_rows(conn, fetch);
    // Searches and previews on this connection must run to the end.
    conn.progress_handler(0, None::<fn() -> bool>)?;
    match result {
        Ok(page) => Ok(Some(page)),
        Err(rusqlite::Error::SqliteFailure(err, _)) if err.code == ErrorCode::OperationInterrupted => {
            Ok(None)
        }
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_follows_fetches_sent_and_taken() {
        let (tx, rx) = std::sync::mpsc::channel();
        let waiting = Waiting::default();
        let inbox = Inbox {
            requests: rx,
            fetches_waiting: waiting.clone(),
        };
        waiting.taken();
        assert!(!waiting.any(), "never below zero");
        let fetch = Fetch {
            pane: crate::app::PaneId::Users,
            generation: 1,
            request: crate::store::PageRequest::default(),
        };
        waiting.arrived();
        tx.send(Request::Fetch(fetch)).unwrap();
        tx.send(Request::Status).unwrap();
        assert!(waiting.any(), "a fetch is waiting");
        assert_eq!(inbox.drain().len(), 2);
        assert!(!waiting.any(), "taken");
    }

    /// A stale scan stops: with a fetch waiting, the window query over a
    /// cache big enough to take many progress steps comes back as None, and
    /// the same query without one returns its page.
    #[test]
    fn a_window_query_stops_when_a_newer_fetch_waits() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = crate::store::open(&dir.path().join("c.db"), crate::store::OpenMode::Create).unwrap();
        conn.execute_batch(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) \
             INSERT INTO users (upn, display_name) SELECT 'u' || i || '@x.test', 'User ' || i FROM n;",
        )
        .unwrap();
        let fetch = Fetch {
            pane: crate::app::PaneId::Users,
            generation: 1,
            request: crate::store::PageRequest {
                filter: crate::app::PaneId::Users.parse_filter("zq").unwrap(),
                limit: 50,
                ..crate::store::PageRequest::default()
            },
        };
        let waiting = Waiting::default();
        let page = fetch_unless_stale(&mut conn, &fetch, &waiting).unwrap();
        assert_eq!(page.map(|p| p.count), Some(0));
        waiting.arrived();
        assert!(fetch_unless_stale(&mut conn, &fetch, &waiting).unwrap().is_none());
        waiting.taken();
        assert!(
            fetch_unless_stale(&mut conn, &fetch, &waiting).unwrap().is_some(),
            "the handler was cleared"
        );
    }
}
