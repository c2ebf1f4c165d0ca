//! The push loop the app-store connectors (Apple, Store for Business;
//! issue 8) share: each due pending row is sent by the kind's `send`;
//! done rows are marked applied, refused ones rolled back visibly through
//! `outbox_push::refuse` (as a Graph refusal), and those that must wait
//! are retried later, holding back the later rows of their pool so a
//! pool's changes reach the source in order.

use std::collections::HashSet;
use std::time::Duration;

use chrono::Utc;
use rusqlite::Connection;

use super::push::{PushError, PushReport};
use crate::connectors::{ConnectorError, ErrorClass, ErrorKind};
use crate::store::outbox_push::{self, AppleAwaited, ApplePush, StorePush};

/// What sending one row came to.
pub(super) enum Sent {
    Done,
    /// The source refused it; the message says why.
    Refused(String),
    /// It can't be finished yet; the message says why.
    Waiting(String),
    /// The source is still carrying it out: the row waits with the events
    /// kept, for the next push to poll rather than send again (B7).
    Awaiting(String, AppleAwaited),
}

/// A pending outbox row: its id and pool.
pub(super) trait Pending {
    fn id(&self) -> i64;
    fn pool_id(&self) -> Option<i64>;
}

impl Pending for ApplePush {
    fn id(&self) -> i64 {
        self.id
    }
    fn pool_id(&self) -> Option<i64> {
        self.pool_id
    }
}

impl Pending for StorePush {
    fn id(&self) -> i64 {
        self.id
    }
    fn pool_id(&self) -> Option<i64> {
        self.pool_id
    }
}

/// Sends `rows` in order with `send` and records each outcome.
pub(super) fn push_rows<R: Pending>(
    conn: &Connection,
    rows: Vec<R>,
    mut send: impl FnMut(&R) -> Result<Sent, ConnectorError>,
) -> Result<PushReport, PushError> {
    let mut report = PushReport::default();
    let mut waiting = HashSet::new();
    for row in rows {
        if waiting.contains(&row.pool_id()) {
            continue;
        }
        match send(&row) {
            Ok(Sent::Done) => {
                outbox_push::mark_applied_settled(conn, row.id(), Utc::now()).map_err(store)?;
                report.applied += 1;
            }
            Ok(Sent::Refused(message)) => refuse(conn, row.id(), &message, None, &mut report)?,
            Ok(Sent::Waiting(why)) => {
                retry(conn, row.id(), &why, None, &mut report)?;
                waiting.insert(row.pool_id());
            }
            Ok(Sent::Awaiting(why, awaited)) => {
                outbox_push::keep_awaited(conn, row.id(), &awaited).map_err(store)?;
                retry(conn, row.id(), &why, None, &mut report)?;
                waiting.insert(row.pool_id());
            }
            Err(err) if err.class() == ErrorClass::Fatal => return Err(PushError::Source(err)),
            Err(err) if err.class() == ErrorClass::Refused => {
                refuse(conn, row.id(), &err.to_string(), err.request_id(), &mut report)?;
            }
            Err(err) => {
                let after = match err.kind() {
                    ErrorKind::Throttled { asked, .. } => *asked,
                    _ => None,
                };
                retry(conn, row.id(), &err.to_string(), after, &mut report)?;
                waiting.insert(row.pool_id());
            }
        }
    }
    Ok(report)
}

/// A store failure as a push error.
pub(super) fn store(err: rusqlite::Error) -> PushError {
    PushError::Store(err.to_string())
}

fn refuse(
    conn: &Connection,
    id: i64,
    message: &str,
    request_id: Option<&str>,
    report: &mut PushReport,
) -> Result<(), PushError> {
    let refused = outbox_push::refuse(conn, id, message, request_id)
        .map_err(|err| PushError::Store(err.to_string()))?;
    if refused.is_some() {
        report.refused.push(message.to_owned());
    }
    Ok(())
}

fn retry(
    conn: &Connection,
    id: i64,
    why: &str,
    after: Option<Duration>,
    report: &mut PushReport,
) -> Result<(), PushError> {
    outbox_push::mark_retry(conn, id, why, after, Utc::now()).map_err(store)?;
    report.retrying += 1;
    Ok(())
}
