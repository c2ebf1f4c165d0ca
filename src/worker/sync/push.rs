//! Pushing the outbox to Graph: pending rows are sent (many at once through
//! `$batch`), then marked applied, kept for a retry with backoff, or
//! refused — which rolls their local change back in the same transaction.
//! Changes to the same principal in the same pool go out in the order they
//! were made: a row waits for the next round while an earlier row of its
//! pool names the same principal.

use std::collections::HashSet;

use chrono::Utc;
use rusqlite::{Connection, Transaction, TransactionBehavior};
use tokio::runtime::Handle;

use crate::connectors::graph::{GraphClient, PushOutcome};
use crate::connectors::{ConnectorError, ErrorClass, ErrorKind};
use crate::domain::source::{ChangeTarget, LicenseChange};
use crate::store::outbox_push::{self, PendingPush};

/// Rows taken per round.
const ROUND: usize = 200;
/// Rounds at most per push (the rest waits for the next push).
const MAX_ROUNDS: usize = 50;

/// What a push did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushReport {
    pub applied: usize,
    /// The source's refusals, one line each (the local change was rolled back).
    pub refused: Vec<String>,
    /// Rows kept pending for a later attempt.
    pub retrying: usize,
}

/// Why a push stopped: the source refuses every request (credentials,
/// permissions), or the cache failed.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("{0}")]
    Source(ConnectorError),
    #[error("cache error while pushing: {0}")]
    Store(String),
}

/// Sends every due pending row of the connector.
pub fn push_pending(
    conn: &Connection,
    client: &GraphClient,
    runtime: &Handle,
    connector_id: i64,
) -> Result<PushReport, PushError> {
    let store = |err: rusqlite::Error| PushError::Store(err.to_string());
    let mut report = PushReport::default();
    let mut waiting: HashSet<i64> = HashSet::new();
    for _ in 0..MAX_ROUNDS {
        let rows = outbox_push::pending_for(conn, connector_id, ROUND, Utc::now()).map_err(store)?;
        let round = this_round(rows, &waiting);
        if round.is_empty() {
            break;
        }
        let changes: Vec<LicenseChange> = round.iter().flat_map(|row| row.changes.clone()).collect();
        let outcomes = runtime.block_on(client.push_batch(changes));
        settle_round(conn, round, outcomes, &mut report, &mut waiting)?;
    }
    Ok(report)
}

/// Settles the rows of a round, in row order, in ONE transaction: a
/// round's answers are written together (one commit instead of one per
/// row), and a process killed meanwhile leaves the round pending as it
/// was, to be sent again (assignLicense is idempotent). A row the source
/// refuses rolls its local change back in the same transaction. On a fatal
/// answer the rows settled before it are kept and the push stops; on a
/// cache error nothing of the round is written.
fn settle_round(
    conn: &Connection,
    round: Vec<PendingPush>,
    outcomes: Vec<Result<PushOutcome, ConnectorError>>,
    report: &mut PushReport,
    waiting: &mut HashSet<i64>,
) -> Result<(), PushError> {
    let store = |err: rusqlite::Error| PushError::Store(err.to_string());
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate).map_err(store)?;
    let mut outcomes = outcomes.into_iter();
    let mut fatal = None;
    for row in round {
        let results: Vec<_> = outcomes.by_ref().take(row.changes.len()).collect();
        match settle(&tx, &row, results, report, waiting) {
            Ok(()) => {}
            Err(PushError::Source(err)) => {
                fatal = Some(err);
                break;
            }
            // The transaction is dropped: nothing of the round is written.
            Err(err) => return Err(err),
        }
    }
    tx.commit().map_err(store)?;
    fatal.map_or(Ok(()), |err| Err(PushError::Source(err)))
}

/// The rows that may go now: in id order, skipping a row (and the later
/// rows of its pool) when an earlier row of the round names one of its
/// principals in that pool, or its pool waits for a retry.
fn this_round(rows: Vec<PendingPush>, waiting: &HashSet<i64>) -> Vec<PendingPush> {
    let mut taken: HashSet<(i64, String)> = HashSet::new();
    let mut held_pools: HashSet<i64> = waiting.clone();
    let mut round = Vec::new();
    for row in rows {
        let pool = row.pool_id.unwrap_or(-1);
        if held_pools.contains(&pool) {
            continue;
        }
        let keys: Vec<(i64, String)> = row
            .changes
            .iter()
            .map(|c| (pool, target_key(&c.target)))
            .collect();
        if keys.iter().any(|key| taken.contains(key)) {
            held_pools.insert(pool);
            continue;
        }
        taken.extend(keys);
        round.push(row);
    }
    round
}

fn target_key(target: &ChangeTarget) -> String {
    match target {
        ChangeTarget::User(who) => format!("user:{}", who.to_lowercase()),
        ChangeTarget::Group(id) => format!("group:{id}"),
    }
}

/// Marks one row after its changes were sent.
fn settle(
    conn: &Connection,
    row: &PendingPush,
    results: Vec<Result<PushOutcome, ConnectorError>>,
    report: &mut PushReport,
    waiting: &mut HashSet<i64>,
) -> Result<(), PushError> {
    let store = |err: String| PushError::Store(err);
    if let Some(why) = &row.unsendable {
        refuse(conn, row, why, None, report)?;
        return Ok(());
    }
    let errors: Vec<ConnectorError> = results.into_iter().filter_map(Result::err).collect();
    if errors.is_empty() {
        outbox_push::mark_applied(conn, row.id, Utc::now()).map_err(|e| store(e.to_string()))?;
        report.applied += 1;
        return Ok(());
    }
    if let Some(refusal) = errors.iter().find(|e| e.class() == ErrorClass::Refused) {
        let message = refusal.source_message().unwrap_or("refused").to_owned();
        return refuse(conn, row, &message, refusal.request_id(), report);
    }
    if let Some(fatal) = errors.iter().find(|e| e.class() == ErrorClass::Fatal) {
        // Credentials or permissions: no other row will fare better now.
        return Err(PushError::Source(fatal.clone()));
    }
    let first = &errors[0];
    let retry_after = match first.kind() {
        ErrorKind::Throttled { asked, .. } => *asked,
        _ => None,
    };
    outbox_push::mark_retry(conn, row.id, &first.to_string(), retry_after, Utc::now())
        .map_err(|e| store(e.to_string()))?;
    report.retrying += 1;
    waiting.insert(row.pool_id.unwrap_or(-1));
    Ok(())
}

fn refuse(
    conn: &Connection,
    row: &PendingPush,
    message: &str,
    request_id: Option<&str>,
    report: &mut PushReport,
) -> Result<(), PushError> {
    let refused = outbox_push::refuse_in(conn, row.id, message, request_id)
        .map_err(|err| PushError::Store(err.to_string()))?;
    if refused.is_some() {
        report.refused.push(message.to_owned());
    }
    Ok(())
}
