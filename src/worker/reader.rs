//! The reader thread: one connection that serves window requests, coalesced
//! so a burst of keys costs one query per pane, and polls `data_version` so
//! changes by other processes reach the screen within a second.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

use rusqlite::Connection;
use tokio::sync::mpsc::UnboundedSender;

use super::Request;
use super::plans;
use super::search::{SearchIndex, SearchScope};
use super::waiting::{Inbox, Waiting, fetch_unless_stale};
use crate::app::WorkerEvent;
use crate::app::pane::{PaneId, Row};
use crate::app::table::Fetch;
use crate::store::changes::Actor;
use crate::store::{
    self, Page, agreements, apps, assignees, audit, connectors, groups, installs, inventory, pools, reclaim,
    reports, status, users,
};

/// How often the reader looks for changes made by other connections.
const POLL: Duration = Duration::from_millis(250);

/// Reads the window a fetch asks for, as rows of its pane.
pub fn fetch_rows(conn: &Connection, fetch: &Fetch) -> rusqlite::Result<Page<Row>> {
    fn wrap<T>(page: Page<T>, f: fn(T) -> Row) -> Page<Row> {
        page.map(f)
    }
    let request = &fetch.request;
    Ok(match fetch.pane {
        PaneId::Licenses => wrap(pools::page(conn, request)?, Row::Pool),
        PaneId::Apps => wrap(apps::page(conn, request)?, Row::App),
        PaneId::Connectors => wrap(connectors::page(conn, request)?, Row::Connector),
        PaneId::Agreements => wrap(agreements::page(conn, request)?, Row::Agreement),
        PaneId::Users => wrap(users::page(conn, request)?, Row::User),
        PaneId::Assignees => wrap(assignees::page(conn, request)?, Row::Assignee),
        PaneId::Reclaim => wrap(reclaim::page(conn, request)?, Row::Reclaim),
        PaneId::Audit => wrap(audit::page(conn, request)?, Row::Audit),
        PaneId::Groups => wrap(groups::page(conn, request)?, Row::Group),
        PaneId::Installs => wrap(installs::page(conn, request)?, Row::Install),
        PaneId::Inventory => wrap(inventory::titles(conn, request)?, Row::Title),
        PaneId::Detections => wrap(inventory::detections(conn, request)?, Row::Detection),
        PaneId::Subscriptions => wrap(store::subscriptions::page(conn, request)?, Row::Subscription),
        PaneId::ReportPurchase => wrap(reports::purchase::page(conn, request)?, Row::Purchase),
        PaneId::ReportInstallation => wrap(reports::installation::page(conn, request)?, Row::Installation),
        PaneId::ReportInventory => wrap(reports::inventory::page(conn, request)?, Row::License),
        PaneId::ReportUtilization => wrap(reports::utilization::page(conn, request)?, Row::Utilization),
    })
}

/// The thread's body; returns when asked to stop or when the UI is gone.
pub fn run(path: &Path, actor: &str, inbox: &Inbox, events: &UnboundedSender<WorkerEvent>) {
    let (mut conn, mut view) = match store::db::open_reader(path) {
        Ok(opened) => opened,
        Err(err) => {
            let _ = events.send(WorkerEvent::Failed(err.to_string()));
            return;
        }
    };
    let read_only = store::db::is_read_only(&conn);
    let mut seen_version = store::data_version(&conn).unwrap_or(0);
    let mut index: Option<SearchIndex> = None;
    let mut checkpoint_due = false;
    // Fetches stopped for newer ones, served again unless replaced.
    let mut stopped: Vec<Request> = Vec::new();
    loop {
        let wait = if stopped.is_empty() { POLL } else { Duration::ZERO };
        let first = match inbox.recv_timeout(wait) {
            Ok(request) => Some(request),
            Err(RecvTimeoutError::Timeout) => {
                if view.is_stale(path) {
                    let event = match store::db::open_reader(path) {
                        Ok(fresh) => {
                            ((conn, view), index) = (fresh, None);
                            seen_version = store::data_version(&conn).unwrap_or(0);
                            WorkerEvent::DataChanged
                        }
                        Err(err) => {
                            // Said once; the old snapshot stays on screen.
                            view = store::db::View::Live;
                            WorkerEvent::Failed(format!("the cache changed but cannot be reread: {err}"))
                        }
                    };
                    if events.send(event).is_err() {
                        return;
                    }
                }
                // A read-only connection cannot checkpoint; the owner's does.
                if checkpoint_due && !read_only {
                    checkpoint_due = false;
                    checkpoint(&conn);
                }
                None
            }
            Err(RecvTimeoutError::Disconnected) => return,
        };
        // Stopped fetches first: a newer fetch for the same pane replaces them.
        let mut batch: Vec<Request> = std::mem::take(&mut stopped);
        batch.extend(first);
        batch.extend(inbox.drain());
        match serve(
            &mut conn,
            actor,
            batch,
            events,
            &mut index,
            &inbox.fetches_waiting,
        ) {
            Some(again) => stopped = again.into_iter().map(Request::Fetch).collect(),
            None => return,
        }
        match store::data_version(&conn) {
            Ok(version) if version != seen_version => {
                seen_version = version;
                // The picker's index is rebuilt on its next search.
                index = None;
                checkpoint_due = true;
                if events.send(WorkerEvent::DataChanged).is_err() {
                    return;
                }
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(%err, "cannot read data_version"),
        }
    }
}

/// Answers a batch, keeping only the newest fetch per pane; returns the
/// fetches stopped for newer ones (to serve again), or None to stop.
fn serve(
    conn: &mut Connection,
    actor: &str,
    batch: Vec<Request>,
    events: &UnboundedSender<WorkerEvent>,
    index: &mut Option<SearchIndex>,
    waiting: &Waiting,
) -> Option<Vec<Fetch>> {
    let mut fetches: BTreeMap<PaneId, Fetch> = BTreeMap::new();
    let mut want_status = false;
    let mut search = None;
    let mut others = Vec::new();
    for request in batch {
        match request {
            Request::Shutdown => return None,
            Request::Status => want_status = true,
            Request::Fetch(fetch) => {
                fetches.insert(fetch.pane, fetch);
            }
            // Only the newest search of a burst of keys matters.
            search_request @ Request::Search { .. } => search = Some(search_request),
            other => others.push(other),
        }
    }
    for request in search.into_iter().chain(others) {
        let event = answer(conn, &Actor::new(actor), request, index);
        if events.send(event).is_err() {
            return None;
        }
    }
    let mut stopped = Vec::new();
    for fetch in fetches.into_values() {
        match serve_fetch(conn, &fetch, events, waiting) {
            Served::Done => {}
            Served::Stopped => stopped.push(fetch),
            Served::Gone => return None,
        }
    }
    if want_status {
        let event = match status::read(conn, actor) {
            Ok(info) => WorkerEvent::Status(info),
            Err(err) => WorkerEvent::Failed(format!("reading the status failed: {err}")),
        };
        if events.send(event).is_err() {
            return None;
        }
    }
    Some(stopped)
}

/// How serving one fetch ended.
enum Served {
    Done,
    /// A newer fetch stopped it: serve it again unless one replaced it.
    Stopped,
    /// The UI is gone.
    Gone,
}

/// Serves one fetch in two replies when its count or its rows' figures
/// are a pass over every row: the rows first, then the same window again
/// with its count and figures (issue 11: at a million users Reclaim's
/// window takes milliseconds, its count seconds, and the first frame waits
/// for the window only).
fn serve_fetch(
    conn: &mut Connection,
    fetch: &Fetch,
    events: &UnboundedSender<WorkerEvent>,
    waiting: &Waiting,
) -> Served {
    let reply = |page| WorkerEvent::Page {
        pane: fetch.pane,
        generation: fetch.generation,
        page,
    };
    let send = |event| {
        if events.send(event).is_ok() {
            Served::Done
        } else {
            Served::Gone
        }
    };
    let rows_first = Fetch {
        request: store::PageRequest {
            count_later: true,
            ..fetch.request.clone()
        },
        ..fetch.clone()
    };
    let page = match fetch_unless_stale(conn, &rows_first, waiting) {
        Ok(Some(page)) => page,
        Ok(None) => return Served::Stopped,
        Err(err) => return send(failed(fetch, &err)),
    };
    let (pending, offset) = (page.count_pending(), page.offset);
    if events.send(reply(page)).is_err() {
        return Served::Gone;
    }
    if !pending {
        return Served::Done;
    }
    // The same window, not re-anchored: the selection stays where the
    // user moved it meanwhile.
    let complete = Fetch {
        request: store::PageRequest {
            offset,
            anchor: None,
            ..fetch.request.clone()
        },
        ..fetch.clone()
    };
    match fetch_unless_stale(conn, &complete, waiting) {
        Ok(Some(page)) => send(reply(page)),
        Ok(None) => Served::Stopped,
        Err(err) => send(failed(fetch, &err)),
    }
}

fn failed(fetch: &Fetch, err: &rusqlite::Error) -> WorkerEvent {
    tracing::error!(%err, pane = ?fetch.pane, "window query failed");
    WorkerEvent::Failed(format!("reading {} failed: {err}", fetch.pane.title()))
}

/// Picker results to show at once; the count says how many matched in all.
const SEARCH_LIMIT: usize = 200;

/// Answers a search or a preview request.
pub fn answer(
    conn: &Connection,
    actor: &Actor,
    request: Request,
    index: &mut Option<SearchIndex>,
) -> WorkerEvent {
    // The Agreements form's lookups are bounded queries of their own.
    if let Request::Search {
        generation,
        scope: SearchScope::Form(what),
        query,
    } = &request
    {
        return super::agreement_search::answer(conn, *generation, *what, query);
    }
    if index.is_none() {
        match SearchIndex::build(conn) {
            Ok(built) => *index = Some(built),
            Err(err) => return WorkerEvent::Failed(format!("building the search index failed: {err}")),
        }
    }
    let index = index.get_or_insert_with(SearchIndex::default);
    match request {
        Request::Search {
            generation,
            scope,
            query,
        } => {
            let held = match scope {
                SearchScope::PoolsOfUser(user) => held_pools(conn, user).unwrap_or_default(),
                _ => Vec::new(),
            };
            let (items, total) = index.search(scope, &query, SEARCH_LIMIT, &held);
            WorkerEvent::SearchResults {
                generation,
                items,
                total,
            }
        }
        Request::Plan { generation, change } => match plans::plan(conn, actor, &change, index) {
            Ok((preview, resolved)) => WorkerEvent::Planned {
                generation,
                preview,
                resolved,
            },
            // The preview shows why it cannot be worked out (a pool or user
            // that a sync removed meanwhile) instead of waiting forever.
            Err(err) => WorkerEvent::Planned {
                generation,
                preview: crate::app::dialogs::Preview {
                    title: "Cannot preview this change".to_owned(),
                    lines: Vec::new(),
                    refusal: Some(err.to_string()),
                },
                resolved: change,
            },
        },
        Request::Billing { generation, pool_id } => WorkerEvent::Billing {
            generation,
            billing: Box::new(
                plans::billing(conn, pool_id).map_err(|err| format!("reading the billing failed: {err}")),
            ),
        },
        _ => WorkerEvent::Failed("unexpected request".to_owned()),
    }
}

fn held_pools(conn: &Connection, user: i64) -> rusqlite::Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached("SELECT pool_id FROM assignments WHERE user_id = ?1")?;
    let rows = stmt.query_map([user], |row| row.get(0))?;
    rows.collect()
}

/// Copies the WAL back into the database while the console is idle, so the
/// commit of an admin's next change rarely pays for SQLite's automatic
/// checkpoint. PASSIVE never waits for readers or writers.
fn checkpoint(conn: &Connection) {
    if let Err(err) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
        tracing::debug!(%err, "idle checkpoint skipped");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::PageRequest;

    /// A list longer than its window comes in two replies of the same
    /// generation: the rows with their count left for later, then the same
    /// rows counted.
    #[test]
    fn a_full_window_is_sent_first_and_again_with_its_count() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = crate::store::open(&dir.path().join("c.db"), crate::store::OpenMode::Create).unwrap();
        conn.execute_batch(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) \
             INSERT INTO users (upn, display_name) SELECT 'u' || i || '@x.test', 'User ' || i FROM n;",
        )
        .unwrap();
        let fetch = |limit| Fetch {
            pane: PaneId::Users,
            generation: 7,
            request: PageRequest {
                limit,
                ..PageRequest::default()
            },
        };
        let (events, mut replies) = tokio::sync::mpsc::unbounded_channel();
        assert!(matches!(
            serve_fetch(&mut conn, &fetch(50), &events, &Waiting::default()),
            Served::Done
        ));
        let mut pages = Vec::new();
        while let Ok(WorkerEvent::Page { generation, page, .. }) = replies.try_recv() {
            assert_eq!(generation, 7);
            pages.push(page);
        }
        assert_eq!(pages.len(), 2);
        assert!(pages[0].count_pending());
        assert_eq!(pages[1].count, 500);
        assert_eq!(pages[0].rows, pages[1].rows);
        // A window holding the whole list is its own count: one reply.
        serve_fetch(&mut conn, &fetch(1000), &events, &Waiting::default());
        let mut one = Vec::new();
        while let Ok(WorkerEvent::Page { page, .. }) = replies.try_recv() {
            one.push(page.count);
        }
        assert_eq!(one, vec![500]);
    }
}
