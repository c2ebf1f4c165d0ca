//! After `assign`, `unassign` or `users remove` queued a change for a
//! connector: push it before exiting (issue 7) and say what became of it.
//! Microsoft Graph connectors push now (unless `--no-push`): "applied at
//! Microsoft Graph", "queued: WHY" (the source failed, or another process
//! is syncing and sends it), or a refusal, whose local change the pusher
//! rolled back (exit 3). Other kinds are not pushed by this version: their
//! change stays queued, and the line says so.

use std::collections::BTreeMap;

use chrono::Utc;
use rusqlite::{Connection, OptionalExtension, params};

use super::Session;
use crate::domain::ConnectorKind;
use crate::store::changes::ChangeOutcome;
use crate::store::sync_lease;
use crate::worker::sync::{self, SyncError};

/// What became of one outcome's queued change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Delivery {
    /// Nothing was queued: a local pool, or nothing changed.
    Local,
    /// Still in the outbox; the text says for whom and why.
    Queued(String),
    /// The source made the change.
    Applied(String),
    /// The source refused it; the text says whether the local change was
    /// rolled back (it is, unless the seats it gave back are taken since).
    Refused(String),
}

impl Delivery {
    /// The words after the outcome's figures ("; applied at …").
    pub(super) fn suffix(&self) -> String {
        match self {
            Delivery::Local => String::new(),
            Delivery::Queued(text) | Delivery::Applied(text) | Delivery::Refused(text) => format!("; {text}"),
        }
    }
}

/// The connector a pool's queued change goes to.
struct Target {
    id: i64,
    name: String,
    kind: ConnectorKind,
    enabled: bool,
}

/// How one connector's push went.
enum Pushed {
    /// Sent: each row's state says what became of it.
    Done,
    /// Another process holds the connector's lease (it sends the rows).
    Busy(String),
    Failed(String),
}

/// Pushes the connectors `outcomes` queued for (each once) and tells each
/// outcome what became of its change. `push` false: only queued.
pub(super) fn deliver(
    session: &Session,
    conn: &Connection,
    outcomes: &[ChangeOutcome],
    push: bool,
) -> rusqlite::Result<Vec<Delivery>> {
    let mut targets = Vec::with_capacity(outcomes.len());
    for outcome in outcomes {
        targets.push(if outcome.queued {
            target(conn, outcome.pool_id)?
        } else {
            None
        });
    }
    let mut pushed: BTreeMap<i64, Pushed> = BTreeMap::new();
    if push {
        let graph: Vec<i64> = targets
            .iter()
            .flatten()
            .filter(|t| t.kind.syncs() && t.enabled)
            .map(|t| t.id)
            .collect();
        if !graph.is_empty() {
            pushed = push_connectors(session, conn, &graph)?;
        }
    }
    outcomes
        .iter()
        .zip(&targets)
        .map(|(outcome, target)| match target {
            None => Ok(Delivery::Local),
            Some(target) => describe(conn, outcome, target, pushed.get(&target.id), push),
        })
        .collect()
}

fn target(conn: &Connection, pool: i64) -> rusqlite::Result<Option<Target>> {
    conn.query_row(
        "SELECT c.id, c.name, c.kind, c.enabled FROM pools p JOIN connectors c ON c.id = p.connector_id \
         WHERE p.id = ?1",
        [pool],
        |row| {
            let kind: String = row.get(2)?;
            let (id, name, enabled) = (row.get(0)?, row.get(1)?, row.get(3)?);
            // The schema's CHECK allows only known kinds; anything else is not pushed.
            let kind = kind.parse().unwrap_or(ConnectorKind::VolumeLicensing);
            Ok(Some(Target {
                id,
                name,
                kind,
                enabled,
            }))
        },
    )
    .optional()
    .map(Option::flatten)
}

/// Pushes each connector's pending rows on a runtime of its own.
fn push_connectors(
    session: &Session,
    conn: &Connection,
    ids: &[i64],
) -> rusqlite::Result<BTreeMap<i64, Pushed>> {
    let mut out = BTreeMap::new();
    let runtime = match crate::cli_sync::runtime() {
        Ok(runtime) => runtime,
        Err(failure) => {
            for id in ids {
                out.insert(*id, Pushed::Failed(failure.message.clone()));
            }
            return Ok(out);
        }
    };
    // The demo's connector starts its simulator on the current runtime.
    let _entered = runtime.enter();
    for &id in ids {
        if out.contains_key(&id) {
            continue;
        }
        let result = match sync::push_now(&session.db, id, runtime.handle()) {
            Ok(Some(_)) => Pushed::Done,
            Ok(None) => Pushed::Busy(holder(conn, id)?),
            Err(err) => Pushed::Failed(failure_text(&err)),
        };
        out.insert(id, result);
    }
    Ok(out)
}

fn holder(conn: &Connection, id: i64) -> rusqlite::Result<String> {
    Ok(sync_lease::holder(conn, id, Utc::now())?
        .map_or_else(|| "another process".to_owned(), |(holder, _)| holder))
}

fn failure_text(err: &SyncError) -> String {
    match err.request_id() {
        Some(id) => format!("{err} (request id {id})"),
        None => err.to_string(),
    }
}

/// One outcome's delivery, from its outbox rows after the push.
fn describe(
    conn: &Connection,
    outcome: &ChangeOutcome,
    target: &Target,
    pushed: Option<&Pushed>,
    push: bool,
) -> rusqlite::Result<Delivery> {
    let name = &target.name;
    let queued = |why: &str| Delivery::Queued(format!("queued for {name} ({why})"));
    if !target.kind.syncs() {
        return Ok(queued(&format!(
            "pending in the outbox; this version of seats does not push to {} connectors",
            target.kind.label()
        )));
    }
    if !push {
        return Ok(queued("pending in the outbox, not sent yet"));
    }
    if !target.enabled {
        return Ok(queued("pending in the outbox; the connector is disabled"));
    }
    match pushed {
        Some(Pushed::Busy(holder)) => Ok(Delivery::Queued(format!(
            "queued: {name} is being synced by {holder}, which sends it"
        ))),
        Some(Pushed::Failed(why)) => Ok(Delivery::Queued(format!(
            "queued: {why}; it stays pending in the outbox for the next sync"
        ))),
        Some(Pushed::Done) | None => rows_state(conn, outcome, name),
    }
}

/// What the outcome's outbox rows say now.
fn rows_state(conn: &Connection, outcome: &ChangeOutcome, name: &str) -> rusqlite::Result<Delivery> {
    let mut stmt = conn
        .prepare("SELECT state, last_error FROM outbox WHERE batch_id = ?1 AND pool_id = ?2 ORDER BY id")?;
    let rows: Vec<(String, Option<String>)> = stmt
        .query_map(params![outcome.batch_id, outcome.pool_id], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    if let Some((_, why)) = rows.iter().find(|(state, _)| state == "failed") {
        // The pusher's audit row says whether the local change went back
        // ("…; the local change was rolled back") or stays, and why.
        let audited: Option<String> = conn
            .query_row(
                "SELECT result FROM audit WHERE action = 'refused' AND pool_id = ?1 \
                 AND json_extract(detail, '$.batch') = ?2 ORDER BY id DESC LIMIT 1",
                params![outcome.pool_id, outcome.batch_id],
                |row| row.get(0),
            )
            .optional()?;
        let why = why.clone().unwrap_or_else(|| format!("refused by {name}"));
        return Ok(Delivery::Refused(audited.unwrap_or(why)));
    }
    if let Some((_, why)) = rows.iter().find(|(state, _)| state == "pending") {
        let why = why.as_deref().unwrap_or("not sent yet");
        return Ok(Delivery::Queued(format!(
            "queued: {why}; it stays pending in the outbox for the next sync"
        )));
    }
    if !rows.is_empty() && rows.iter().all(|(state, _)| state == "applied") {
        return Ok(Delivery::Applied(format!("applied at {name}")));
    }
    // Cancelled before it was sent (an undo from another session).
    let states: Vec<&str> = rows.iter().map(|(state, _)| state.as_str()).collect();
    Ok(Delivery::Queued(format!(
        "not sent to Microsoft Graph: its outbox rows are {}",
        if states.is_empty() {
            "gone".to_owned()
        } else {
            states.join(", ")
        }
    )))
}
