//! Pushing an Apple connector's outbox (issue 8, R-APP-8): each pending
//! row's users are created at Apple in seats' namespace (`seats:<upn>`;
//! one already there is fine, 9716), then the asset is associated or
//! disassociated. Apple answers asynchronously: the events are polled
//! briefly, and the row stays pending until they are COMPLETE, with the
//! events kept (`outbox_events`): the next push polls those instead of
//! sending the change again (B7), and the worker never waits long on one
//! row. FAILED (9709: not enough licenses) rolls the local change back,
//! visibly, like a Graph refusal. Devices go by serial number (R-APP-8); a device the cache
//! knows no serial of is refused, saying so, and rolled back.

use std::time::{Duration, Instant};

use chrono::Utc;
use rusqlite::Connection;
use tokio::runtime::Handle;

use super::app_push::{self, Sent};
use super::push::{PushError, PushReport};
use crate::connectors::ConnectorError;
use crate::connectors::apple::{AppleClient, NewAppleUser};
use crate::domain::apple::{AppleEventStatus, AppleHolder, SEATS_CLIENT_USER_PREFIX};
use crate::store::outbox_push::{self, AppleAwaited, ApplePush, AppleStage};

/// Rows sent in one push.
const ROWS: usize = 500;
/// How long one row's events are polled before the row waits, its
/// events kept, for the next push: short, so the worker moves on.
const EVENT_WAIT: Duration = Duration::from_secs(2);
/// Apple: "clientUserId already registered" — the user exists; fine.
const ALREADY_REGISTERED: i64 = 9716;

/// Sends every due pending row of the connector.
pub fn push_apple(
    conn: &Connection,
    client: &AppleClient,
    runtime: &Handle,
    connector_id: i64,
) -> Result<PushReport, PushError> {
    let rows = outbox_push::pending_apple(conn, connector_id, ROWS, Utc::now()).map_err(app_push::store)?;
    app_push::push_rows(conn, rows, |row| send(client, runtime, row))
}

fn send(client: &AppleClient, runtime: &Handle, row: &ApplePush) -> Result<Sent, ConnectorError> {
    let Some(adam_id) = row.adam_id.as_deref() else {
        return Ok(Sent::Refused(
            "the app is no longer in the Apple location; nothing was sent".to_owned(),
        ));
    };
    let unknown: Vec<&str> = row
        .devices
        .iter()
        .filter(|(_, serial)| serial.is_none())
        .map(|(name, _)| name.as_str())
        .collect();
    if !unknown.is_empty() {
        return Ok(Sent::Refused(format!(
            "{} {} no serial number in seats: Apple assigns apps to devices by serial number, \
             so nothing was sent; assign the app to the device's user instead",
            unknown.join(", "),
            if unknown.len() == 1 { "has" } else { "have" }
        )));
    }
    let mut holders: Vec<AppleHolder> = row
        .users
        .iter()
        .map(|upn| AppleHolder::User(format!("{SEATS_CLIENT_USER_PREFIX}{}", upn.to_lowercase())))
        .collect();
    holders.extend(
        row.devices
            .iter()
            .filter_map(|(_, serial)| serial.clone().map(AppleHolder::Device)),
    );
    if holders.is_empty() {
        return Ok(Sent::Done);
    }
    if let Some(decided) = before_association(client, runtime, row)? {
        return Ok(decided);
    }
    let assets = [(adam_id, row.pricing.as_str())];
    let events = if row.adding {
        runtime.block_on(client.associate(&assets, &holders))?
    } else {
        runtime.block_on(client.disassociate(&assets, &holders))?
    };
    let awaited = AppleAwaited {
        stage: AppleStage::Assets,
        events,
    };
    Ok(settle_events(client, runtime, &awaited.events, &[])?.into_sent(awaited))
}

/// What comes before the association: the events an earlier push left
/// PENDING, polled (not sent again), or else, for an assignment, the
/// users' creation. Some when that decides the row's outcome now.
fn before_association(
    client: &AppleClient,
    runtime: &Handle,
    row: &ApplePush,
) -> Result<Option<Sent>, ConnectorError> {
    if let Some(awaited) = &row.awaited {
        match settle_events(client, runtime, &awaited.events, harmless(awaited.stage))? {
            Settled::Complete if awaited.stage == AppleStage::Assets => return Ok(Some(Sent::Done)),
            Settled::Complete => {}
            other => return Ok(Some(other.into_sent(awaited.clone()))),
        }
    } else if row.adding {
        let users: Vec<NewAppleUser> = row
            .users
            .iter()
            .map(|upn| NewAppleUser {
                client_user_id: format!("{SEATS_CLIENT_USER_PREFIX}{}", upn.to_lowercase()),
                email: Some(upn.clone()),
            })
            .collect();
        let events = runtime.block_on(client.create_users(&users))?;
        let awaited = AppleAwaited {
            stage: AppleStage::Users,
            events,
        };
        match settle_events(client, runtime, &awaited.events, harmless(awaited.stage))? {
            Settled::Complete => {}
            other => return Ok(Some(other.into_sent(awaited))),
        }
    }
    Ok(None)
}

/// Failures that are no failure at a stage: creating a user Apple has
/// already is fine.
fn harmless(stage: AppleStage) -> &'static [i64] {
    match stage {
        AppleStage::Users => &[ALREADY_REGISTERED],
        AppleStage::Assets => &[],
    }
}

/// What polling a step's events came to.
enum Settled {
    Complete,
    /// One FAILED; the message says why.
    Failed(String),
    /// This event is still PENDING after the short wait.
    Pending(String),
}

impl Settled {
    /// The row's outcome; a pending one keeps `awaited` for the next push.
    fn into_sent(self, awaited: AppleAwaited) -> Sent {
        match self {
            Settled::Complete => Sent::Done,
            Settled::Failed(message) => Sent::Refused(message),
            Settled::Pending(event) => Sent::Awaiting(
                format!(
                    "Apple is still processing event {event}; the next push asks Apple for its \
                     status (the change is not sent again)"
                ),
                awaited,
            ),
        }
    }
}

/// Polls the events until each is COMPLETE, one FAILED with an error not
/// in `harmless`, or the short wait is over with one still PENDING.
fn settle_events(
    client: &AppleClient,
    runtime: &Handle,
    events: &[String],
    harmless: &[i64],
) -> Result<Settled, ConnectorError> {
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
                    return Ok(Settled::Failed(real.join("; ")));
                }
                AppleEventStatus::Pending if started.elapsed() >= EVENT_WAIT => {
                    return Ok(Settled::Pending(event.clone()));
                }
                AppleEventStatus::Pending => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(500));
                }
            }
        }
    }
    Ok(Settled::Complete)
}
