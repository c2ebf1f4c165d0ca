//! Pushing an Apple connector's outbox (issue 8, R-APP-8): each pending
//! row's users are created at Apple in seats' namespace (`seats:<upn>`;
//! one already there is fine, 9716), then the asset is associated or
//! disassociated. Apple answers asynchronously: the events are polled,
//! and the row stays pending until they are COMPLETE. FAILED (9709: not
//! enough licenses) rolls the local change back, visibly, like a Graph
//! refusal. Devices are not sent: the cache knows no serial numbers.

use std::time::{Duration, Instant};

use chrono::Utc;
use rusqlite::Connection;
use tokio::runtime::Handle;

use super::push::{PushError, PushReport};
use crate::connectors::apple::{AppleClient, NewAppleUser};
use crate::connectors::{ConnectorError, ErrorClass};
use crate::domain::apple::{AppleEventStatus, AppleHolder, SEATS_CLIENT_USER_PREFIX};
use crate::store::outbox_push::{self, ApplePush};

/// Rows sent in one push.
const ROWS: usize = 500;
/// How long one row's events are polled before the row waits for the
/// next push.
const EVENT_WAIT: Duration = Duration::from_secs(20);
/// Apple: "clientUserId already registered" — the user exists; fine.
const ALREADY_REGISTERED: i64 = 9716;

/// Sends every due pending row of the connector.
pub fn push_apple(
    conn: &Connection,
    client: &AppleClient,
    runtime: &Handle,
    connector_id: i64,
) -> Result<PushReport, PushError> {
    let store = |err: rusqlite::Error| PushError::Store(err.to_string());
    let mut report = PushReport::default();
    let rows = outbox_push::pending_apple(conn, connector_id, ROWS, Utc::now()).map_err(store)?;
    let mut waiting = std::collections::HashSet::new();
    for row in rows {
        if waiting.contains(&row.pool_id) {
            continue;
        }
        match send(client, runtime, &row) {
            Ok(Sent::Done) => {
                outbox_push::mark_applied(conn, row.id, Utc::now()).map_err(store)?;
                report.applied += 1;
            }
            Ok(Sent::Refused(message)) => refuse(conn, row.id, &message, &mut report)?,
            Ok(Sent::Waiting(why)) => {
                retry(conn, &row, &why, &mut report)?;
                waiting.insert(row.pool_id);
            }
            Err(err) if err.class() == ErrorClass::Fatal => return Err(PushError::Source(err)),
            Err(err) if err.class() == ErrorClass::Refused => {
                refuse(conn, row.id, &err.to_string(), &mut report)?;
            }
            Err(err) => {
                retry(conn, &row, &err.to_string(), &mut report)?;
                waiting.insert(row.pool_id);
            }
        }
    }
    Ok(report)
}

enum Sent {
    Done,
    /// Apple refused it; the message says why.
    Refused(String),
    /// Apple has not finished yet.
    Waiting(String),
}

fn send(client: &AppleClient, runtime: &Handle, row: &ApplePush) -> Result<Sent, ConnectorError> {
    let Some(adam_id) = row.adam_id.as_deref() else {
        return Ok(Sent::Refused(
            "the app is no longer in the Apple location; nothing was sent".to_owned(),
        ));
    };
    let holders: Vec<AppleHolder> = row
        .users
        .iter()
        .map(|upn| AppleHolder::User(format!("{SEATS_CLIENT_USER_PREFIX}{}", upn.to_lowercase())))
        .collect();
    if holders.is_empty() {
        return Ok(Sent::Done);
    }
    if row.adding {
        let users: Vec<NewAppleUser> = row
            .users
            .iter()
            .map(|upn| NewAppleUser {
                client_user_id: format!("{SEATS_CLIENT_USER_PREFIX}{}", upn.to_lowercase()),
                email: Some(upn.clone()),
            })
            .collect();
        let events = runtime.block_on(client.create_users(&users))?;
        if let Some(outcome) = settle_events(client, runtime, &events, &[ALREADY_REGISTERED])? {
            return Ok(outcome);
        }
    }
    let assets = [(adam_id, row.pricing.as_str())];
    let events = if row.adding {
        runtime.block_on(client.associate(&assets, &holders))?
    } else {
        runtime.block_on(client.disassociate(&assets, &holders))?
    };
    Ok(settle_events(client, runtime, &events, &[])?.unwrap_or(Sent::Done))
}

/// Polls the events until each is COMPLETE (None), one FAILED with an
/// error not in `harmless` (Refused), or the wait is over (Waiting).
fn settle_events(
    client: &AppleClient,
    runtime: &Handle,
    events: &[String],
    harmless: &[i64],
) -> Result<Option<Sent>, ConnectorError> {
    let started = Instant::now();
    for event in events {
        let mut pause = Duration::from_millis(50);
        loop {
            match runtime.block_on(client.event_status(event))? {
                AppleEventStatus::Complete => break,
                AppleEventStatus::Failed(failures) => {
                    let real: Vec<String> = failures
                        .iter()
                        .filter(|(number, _)| !harmless.contains(number))
                        .map(|(number, message)| format!("{message} (Apple error {number})"))
                        .collect();
                    if real.is_empty() {
                        break;
                    }
                    return Ok(Some(Sent::Refused(real.join("; "))));
                }
                AppleEventStatus::Pending if started.elapsed() >= EVENT_WAIT => {
                    return Ok(Some(Sent::Waiting(format!(
                        "Apple is still processing event {event}; the next push asks again"
                    ))));
                }
                AppleEventStatus::Pending => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_secs(2));
                }
            }
        }
    }
    Ok(None)
}

fn refuse(conn: &Connection, id: i64, message: &str, report: &mut PushReport) -> Result<(), PushError> {
    let refused =
        outbox_push::refuse(conn, id, message, None).map_err(|err| PushError::Store(err.to_string()))?;
    if refused.is_some() {
        report.refused.push(message.to_owned());
    }
    Ok(())
}

fn retry(conn: &Connection, row: &ApplePush, why: &str, report: &mut PushReport) -> Result<(), PushError> {
    outbox_push::mark_retry(conn, row.id, why, None, Utc::now())
        .map_err(|err| PushError::Store(err.to_string()))?;
    report.retrying += 1;
    Ok(())
}
