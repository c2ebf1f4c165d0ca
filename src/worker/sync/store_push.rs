//! Pushing a Store for Business connector's outbox (issue 8): each pending
//! row assigns or reclaims the seats of its users, one call for one user
//! and the bulk call for several. The store's refusals — 409 "Not online"
//! (an offline app's seats are not the store's to give), no seat left of
//! a Restricted app, an unknown user or app — roll the local change back,
//! visibly, through `outbox_push::refuse`, as a Graph refusal does; seats
//! a bulk call did give before another user's refusal are taken back
//! first, so the store and the cache agree. Passing failures wait for the
//! next push (`mark_retry`).

use chrono::Utc;
use rusqlite::Connection;
use tokio::runtime::Handle;

use super::app_push::{self, Sent};
use super::push::{PushError, PushReport};
use crate::connectors::store_business::StoreClient;
use crate::connectors::{ConnectorError, ErrorKind};
use crate::domain::store_business::{SeatAction, SeatOutcome, SeatRefusal};
use crate::store::outbox_push::{self, StorePush};

/// Rows sent in one push.
const ROWS: usize = 500;

/// Sends every due pending row of the connector.
pub fn push_store(
    conn: &Connection,
    client: &StoreClient,
    runtime: &Handle,
    connector_id: i64,
) -> Result<PushReport, PushError> {
    let rows = outbox_push::pending_store(conn, connector_id, ROWS, Utc::now()).map_err(app_push::store)?;
    app_push::push_rows(conn, rows, |row| send(client, runtime, row))
}

fn send(client: &StoreClient, runtime: &Handle, row: &StorePush) -> Result<Sent, ConnectorError> {
    let Some(product) = row.product_id.as_deref() else {
        return Ok(Sent::Refused(
            "the app is no longer in the Store for Business inventory; nothing was sent".to_owned(),
        ));
    };
    let Some(sku) = row.sku_id.as_deref() else {
        return Ok(Sent::Waiting(
            "the app's SKU is not known yet: the next sync reads it from the store, then sends this"
                .to_owned(),
        ));
    };
    if row.users.is_empty() {
        return Ok(Sent::Done);
    }
    let action = if row.adding {
        SeatAction::Assign
    } else {
        SeatAction::Reclaim
    };
    if let [user] = row.users.as_slice() {
        let sent = match action {
            SeatAction::Assign => runtime.block_on(client.assign(product, sku, user)).map(|_| ()),
            SeatAction::Reclaim => runtime.block_on(client.reclaim(product, sku, user)).map(|_| ()),
        };
        return match sent {
            Err(err) if action == SeatAction::Reclaim && already_gone(&err) => Ok(Sent::Done),
            other => other.map(|()| Sent::Done),
        };
    }
    let outcomes = runtime.block_on(client.bulk(product, sku, &row.users, action))?;
    let refused: Vec<&SeatOutcome> = outcomes.iter().filter(|o| !done(o, action)).collect();
    if refused.is_empty() {
        return Ok(Sent::Done);
    }
    if action == SeatAction::Assign {
        // Take back what the call gave, so the rollback leaves both sides alike.
        let given: Vec<String> = outcomes
            .iter()
            .filter(|o| o.succeeded())
            .map(|o| o.user().to_owned())
            .collect();
        if !given.is_empty() {
            runtime.block_on(client.bulk(product, sku, &given, SeatAction::Reclaim))?;
        }
    }
    let words: Vec<String> = refused.iter().map(|o| describe(o)).collect();
    Ok(Sent::Refused(format!(
        "the store refused {} of {} users: {}",
        refused.len(),
        outcomes.len(),
        words.join("; ")
    )))
}

/// A reclaim of a seat the user no longer holds (or of a user the
/// directory no longer has) is done already.
fn already_gone(err: &ConnectorError) -> bool {
    matches!(
        err.kind(),
        ErrorKind::StoreRefused {
            reason: SeatRefusal::NoSeat | SeatRefusal::UnknownUser,
            ..
        }
    )
}

/// Whether the user's change is made (a reclaim of a seat already gone
/// counts as made).
fn done(outcome: &SeatOutcome, action: SeatAction) -> bool {
    let gone = matches!(
        outcome,
        SeatOutcome::Failed {
            reason: SeatRefusal::NoSeat | SeatRefusal::UnknownUser,
            ..
        }
    );
    outcome.succeeded() || (action == SeatAction::Reclaim && gone)
}

fn describe(outcome: &SeatOutcome) -> String {
    match outcome {
        SeatOutcome::NotOnline { user } => format!(
            "{user}: Not online (the app is licensed offline; its seats are not assigned through the store)"
        ),
        SeatOutcome::Failed { user, message, .. } => format!("{user}: {message}"),
        SeatOutcome::Assigned(seat) | SeatOutcome::Reclaimed(seat) => format!("{}: done", seat.assigned_to),
    }
}
