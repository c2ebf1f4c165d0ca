//! Pushing an Apple connector's outbox (issue 8, R-APP-8): each pending
//! row's users are created at Apple in seats' namespace (`seats:<upn>`;
//! one already there is fine, 9716), then the asset is associated or
//! disassociated. Apple answers asynchronously: the events are polled,
//! and the row stays pending until they are COMPLETE. FAILED (9709: not
//! enough licenses) rolls the local change back, visibly, like a Graph
//! refusal. Devices go by serial number (R-APP-8); a device the cache
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
