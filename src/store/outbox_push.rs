//! The outbox as the pusher sees it (issue 7): the pending rows of a
//! connector with the license changes to send, and what became of each
//! (applied, retried later, or refused: see [`refuse`]).
//!
//! Only rows still pending are ever marked (`… AND state = 'pending'`): a
//! row an undo cancelled (0005) is never sent or revived, and marking a row
//! applied twice changes nothing the second time.
//!
//! What a row sends (Microsoft Graph): one `assignLicense` per user (by UPN)
//! and per group (by object id), adding the SKU for an assign and removing
//! it for a release. A user whose seat came or went only through a Graph
//! group is not sent on their own: the group's license (sent in the same
//! row) or the source's own reprocessing of group licenses does that, and a
//! direct license would be wrong. Devices are never sent: Graph licenses
//! users, not devices, so a device seat of a Graph pool stays local; it is
//! listed in `skipped`, as is a group the source does not know (a local
//! group: its members' seats are sent one by one instead).

mod apple;
mod apps;
mod refuse;
mod store;

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, params};
use serde::Deserialize;

use crate::domain::source::{ChangeTarget, LicenseChange};
use crate::store::connectors_admin::stamp;

pub use apple::{AppleAwaited, ApplePush, AppleStage, keep_awaited, pending_apple};
pub use apps::mark_applied_settled;
pub use refuse::{Refused, refuse, refuse_in};
pub use store::{StorePush, pending_store};

/// The actor of the audit rows the pusher writes.
pub const PUSH_ACTOR: &str = "seats sync";

/// The first wait after a failed attempt; each further attempt doubles it.
const FIRST_RETRY: Duration = Duration::seconds(30);
/// The longest wait between attempts.
const LONGEST_RETRY: Duration = Duration::hours(1);

/// One pending outbox row, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingPush {
    pub id: i64,
    pub batch_id: Option<String>,
    pub pool_id: Option<i64>,
    /// 'assign_license' or 'remove_license'.
    pub operation: String,
    /// Attempts so far (a row tried before may have reached the source).
    pub attempts: i64,
    pub created_at: String,
    pub sku_id: Option<String>,
    /// What to send, in order: users, then groups.
    pub changes: Vec<LicenseChange>,
    /// What is not sent, and why (devices, local groups).
    pub skipped: Vec<String>,
    /// Set when the row cannot be sent at all (no SKU id, an unreadable
    /// payload): the pusher refuses it with this message.
    pub unsendable: Option<String>,
}

/// The payload `changes::batch::Ctx::queue` writes.
#[derive(Debug, Deserialize)]
struct Payload {
    sku_id: Option<String>,
    #[serde(default)]
    users: Vec<String>,
    #[serde(default)]
    devices: Vec<String>,
    #[serde(default)]
    direct: Vec<String>,
    #[serde(default)]
    groups: Vec<PayloadGroup>,
}

#[derive(Debug, Deserialize)]
struct PayloadGroup {
    name: String,
    source_id: Option<String>,
}

/// The connector's pending rows due at `now`, oldest first, at most
/// `limit`. Rows of one pool keep their order: a row waits while an earlier
/// pending row of its pool waits for its retry. A pusher that retries a
/// row must leave the later rows of that pool for the next round too.
pub fn pending_for(
    conn: &Connection,
    connector_id: i64,
    limit: usize,
    now: DateTime<Utc>,
) -> rusqlite::Result<Vec<PendingPush>> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.id, o.batch_id, o.pool_id, o.operation, o.attempts, o.created_at, o.payload FROM outbox o \
         WHERE o.connector_id = ?1 AND o.state = 'pending' \
           AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.connector_id = ?1 AND e.state = 'pending' \
                 AND e.pool_id IS o.pool_id AND e.id <= o.id AND e.next_attempt_at > ?2) \
         ORDER BY o.id LIMIT ?3",
    )?;
    let rows = stmt
        .query_map(params![connector_id, stamp(now), limit as i64], |row| {
            Ok((
                PendingPush {
                    id: row.get(0)?,
                    batch_id: row.get(1)?,
                    pool_id: row.get(2)?,
                    operation: row.get(3)?,
                    attempts: row.get(4)?,
                    created_at: row.get(5)?,
                    sku_id: None,
                    changes: Vec::new(),
                    skipped: Vec::new(),
                    unsendable: None,
                },
                row.get::<_, String>(6)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::with_capacity(rows.len());
    for (mut push, payload) in rows {
        decode(conn, &mut push, &payload)?;
        out.push(push);
    }
    Ok(out)
}

/// Fills the changes of a row from its payload.
fn decode(conn: &Connection, push: &mut PendingPush, payload: &str) -> rusqlite::Result<()> {
    let payload: Payload = match serde_json::from_str(payload) {
        Ok(payload) => payload,
        Err(err) => {
            push.unsendable = Some(format!(
                "outbox row {} cannot be read ({err}); nothing was sent",
                push.id
            ));
            return Ok(());
        }
    };
    let Some(sku) = payload.sku_id.filter(|s| !s.is_empty()) else {
        push.unsendable = Some(format!(
            "outbox row {}: its pool has no SKU id, so Microsoft Graph cannot be told",
            push.id
        ));
        return Ok(());
    };
    let adding = push.operation != "remove_license";
    let change = |target: ChangeTarget| LicenseChange {
        target,
        add: if adding { vec![sku.clone()] } else { Vec::new() },
        remove: if adding { Vec::new() } else { vec![sku.clone()] },
    };
    let through_groups = group_only_users(conn, push)?;
    let mut seen: Vec<String> = Vec::new();
    for upn in payload.users.iter().chain(&payload.direct) {
        let key = upn.to_lowercase();
        if seen.contains(&key) || through_groups.contains(&key) {
            continue;
        }
        seen.push(key);
        push.changes.push(change(ChangeTarget::User(upn.clone())));
    }
    for group in payload.groups {
        match group.source_id.filter(|id| !id.is_empty()) {
            Some(id) => push.changes.push(change(ChangeTarget::Group(id))),
            None => push.skipped.push(format!(
                "group {} is not a Microsoft Graph group; its members' seats are sent one by one",
                group.name
            )),
        }
    }
    for device in payload.devices {
        push.skipped.push(format!(
            "device {device}: Microsoft Graph licenses users, not devices; the seat stays local"
        ));
    }
    push.sku_id = Some(sku);
    Ok(())
}

/// UPNs (lower case) whose seat the row's batch changed in its pool only
/// through a group the source knows, never directly.
fn group_only_users(conn: &Connection, push: &PendingPush) -> rusqlite::Result<Vec<String>> {
    let (Some(batch), Some(pool)) = (&push.batch_id, push.pool_id) else {
        return Ok(Vec::new());
    };
    let mut stmt = conn.prepare_cached(
        "SELECT lower(u.upn) FROM change_items c JOIN users u ON u.id = c.user_id \
         WHERE c.batch_id = ?1 AND c.pool_id = ?2 AND c.op IN ('seat_added', 'seat_released', 'seat_changed') \
         GROUP BY c.user_id \
         HAVING max(coalesce(c.direct, 0)) = 0 \
            AND min(EXISTS (SELECT 1 FROM groups g WHERE g.id = c.via_group_id AND g.source_id IS NOT NULL)) = 1 \
            AND NOT EXISTS (SELECT 1 FROM change_items d WHERE d.batch_id = ?1 AND d.pool_id = ?2 \
                  AND d.user_id = c.user_id AND d.op IN ('direct_set', 'direct_cleared'))",
    )?;
    let rows = stmt.query_map(params![batch, pool], |row| row.get(0))?;
    rows.collect()
}

/// The source applied the row (or it had nothing to send). False when the
/// row was no longer pending (applied already, cancelled, failed).
pub fn mark_applied(conn: &Connection, id: i64, now: DateTime<Utc>) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE outbox SET state = 'applied', finished_at = ?2, next_attempt_at = NULL \
         WHERE id = ?1 AND state = 'pending'",
        params![id, stamp(now)],
    )?;
    Ok(changed == 1)
}

/// The attempt failed for a passing reason (throttled, unreachable, 5xx):
/// one more attempt counted, the error kept, the row stays pending until
/// `retry_after` (the source's Retry-After) or else an exponential backoff
/// from 30 s, doubling per attempt, at most an hour. Returns when the next
/// attempt is due; None when the row was no longer pending.
pub fn mark_retry(
    conn: &Connection,
    id: i64,
    error: &str,
    retry_after: Option<std::time::Duration>,
    now: DateTime<Utc>,
) -> rusqlite::Result<Option<String>> {
    let attempts: Option<i64> = rusqlite::OptionalExtension::optional(conn.query_row(
        "SELECT attempts FROM outbox WHERE id = ?1 AND state = 'pending'",
        [id],
        |row| row.get(0),
    ))?;
    let Some(attempts) = attempts else {
        return Ok(None);
    };
    let wait = match retry_after {
        Some(wait) => Duration::from_std(wait)
            .unwrap_or(LONGEST_RETRY)
            .min(LONGEST_RETRY),
        None => backoff(attempts + 1),
    };
    let next = stamp(now + wait);
    let changed = conn.execute(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3 \
         WHERE id = ?1 AND state = 'pending'",
        params![id, error, next],
    )?;
    Ok((changed == 1).then_some(next))
}

/// The wait before attempt `attempts + 1`: 30 s, 1 min, 2 min, … at most an hour.
pub fn backoff(attempts: i64) -> Duration {
    let doublings = attempts.clamp(1, 20) - 1;
    let wait = FIRST_RETRY * 2i32.pow(doublings as u32);
    wait.min(LONGEST_RETRY)
}
