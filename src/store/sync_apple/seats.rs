//! The seat rows of the connector's `vpp` pools mirror the assignments of
//! seats' own users (`clientUserId` "seats:<upn>"), with the invitation
//! state of each: Registered → invited, Associated → accepted (R-APP-8).
//! Retired users hold nothing. Device rows are never touched.
//!
//! Pending local changes win, as for Graph: a (pool, user) named by a
//! change whose outbox row is pending, was queued after the pull began, or
//! was applied while it read, stays as it is until the next pull.

use std::collections::HashMap;

use rusqlite::{Connection, params};

use super::{ApplePull, AppleSummary};
use crate::domain::apple::{AppleHolder, AppleUser, AppleUserStatus, SEATS_CLIENT_USER_PREFIX};
use crate::store::sync::SYNC_ACTOR;

/// Fills `temp.apple_protected` with the seats local changes protect.
pub(super) fn protect(conn: &Connection, connector_id: i64, pull: &ApplePull<'_>) -> rusqlite::Result<()> {
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS apple_protected (pool_id INTEGER, user_id INTEGER, \
         PRIMARY KEY (pool_id, user_id)) WITHOUT ROWID",
        [],
    )?;
    conn.execute("DELETE FROM temp.apple_protected", [])?;
    let started = crate::store::sync_state::stamp(pull.started_at);
    conn.execute(
        "INSERT OR IGNORE INTO temp.apple_protected (pool_id, user_id) \
         SELECT c.pool_id, c.user_id FROM outbox o JOIN change_items c \
           ON c.batch_id = o.batch_id AND c.pool_id = o.pool_id \
         WHERE o.connector_id = ?1 AND c.user_id IS NOT NULL \
           AND (o.state = 'pending' OR o.id > ?2 OR o.finished_at >= ?3)",
        params![connector_id, pull.outbox_mark, started],
    )?;
    Ok(())
}

pub(super) fn write(
    conn: &Connection,
    connector_id: i64,
    pull: &ApplePull<'_>,
    at: &str,
    summary: &mut AppleSummary,
) -> rusqlite::Result<()> {
    want(conn, connector_id, pull, summary)?;
    let ours = "SELECT id FROM pools WHERE connector_id = ?1 AND kind = 'vpp'";
    let protected = "(pool_id, user_id) IN (SELECT pool_id, user_id FROM temp.apple_protected)";
    let skipped: i64 = conn.query_row(
        &format!(
            "SELECT (SELECT count(*) FROM temp.apple_want w WHERE (w.pool_id, w.user_id) IN \
                       (SELECT pool_id, user_id FROM temp.apple_protected) \
                     AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.pool_id = w.pool_id AND a.user_id = w.user_id)) \
                  + (SELECT count(*) FROM assignments WHERE user_id IS NOT NULL AND pool_id IN ({ours}) AND {protected} \
                     AND (pool_id, user_id) NOT IN (SELECT pool_id, user_id FROM temp.apple_want))"
        ),
        [connector_id],
        |row| row.get(0),
    )?;
    summary.skipped_pending = skipped as usize;
    summary.seats_removed = conn.execute(
        &format!(
            "DELETE FROM assignments WHERE user_id IS NOT NULL AND pool_id IN ({ours}) AND NOT {protected} \
             AND (pool_id, user_id) NOT IN (SELECT pool_id, user_id FROM temp.apple_want)"
        ),
        [connector_id],
    )?;
    summary.seats_added = conn.execute(
        &format!(
            "INSERT INTO assignments (pool_id, user_id, direct, intent, state, invitation, assigned_at, assigned_by) \
             SELECT w.pool_id, w.user_id, 1, 'required', 'active', w.invitation, ?2, ?3 FROM temp.apple_want w \
             WHERE NOT EXISTS (SELECT 1 FROM assignments a WHERE a.pool_id = w.pool_id AND a.user_id = w.user_id) \
               AND NOT {protected}"
        ),
        params![connector_id, at, SYNC_ACTOR],
    )?;
    summary.invitations_changed = conn.execute(
        &format!(
            "UPDATE assignments SET invitation = (SELECT w.invitation FROM temp.apple_want w \
               WHERE w.pool_id = assignments.pool_id AND w.user_id = assignments.user_id) \
             WHERE user_id IS NOT NULL AND pool_id IN ({ours}) AND NOT {protected} \
               AND invitation IS NOT (SELECT w.invitation FROM temp.apple_want w \
               WHERE w.pool_id = assignments.pool_id AND w.user_id = assignments.user_id) \
               AND (pool_id, user_id) IN (SELECT pool_id, user_id FROM temp.apple_want)"
        ),
        [connector_id],
    )?;
    Ok(())
}

/// Fills `temp.apple_want` (pool, user, invitation) from the assignments
/// of seats' own users the cache knows; counts the rest.
fn want(
    conn: &Connection,
    connector_id: i64,
    pull: &ApplePull<'_>,
    summary: &mut AppleSummary,
) -> rusqlite::Result<()> {
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS apple_want (pool_id INTEGER, user_id INTEGER, invitation TEXT, \
         PRIMARY KEY (pool_id, user_id)) WITHOUT ROWID",
        [],
    )?;
    conn.execute("DELETE FROM temp.apple_want", [])?;
    let users: HashMap<&str, &AppleUser> = pull
        .users
        .iter()
        .filter(|u| {
            matches!(
                u.status,
                AppleUserStatus::Registered | AppleUserStatus::Associated
            )
        })
        .map(|u| (u.client_user_id.as_str(), u))
        .collect();
    let mut pool_of = conn.prepare(
        "SELECT p.id FROM pools p JOIN apps a ON a.id = p.app_id \
         WHERE p.connector_id = ?1 AND a.external_id = ?2 AND coalesce(p.sku_id, 'STDQ') = ?3",
    )?;
    let mut user_of = conn.prepare("SELECT id FROM users WHERE upn = ?1")?;
    let mut insert = conn.prepare(
        "INSERT OR IGNORE INTO temp.apple_want (pool_id, user_id, invitation) VALUES (?1, ?2, ?3)",
    )?;
    let mut pools: HashMap<(&str, &str), Option<i64>> = HashMap::new();
    let mut user_ids: HashMap<&str, Option<i64>> = HashMap::new();
    for assignment in pull.assignments {
        let client = match &assignment.holder {
            AppleHolder::Device(_) => {
                summary.device_assignments += 1;
                continue;
            }
            AppleHolder::User(client) => client,
        };
        let Some(upn) = client.strip_prefix(SEATS_CLIENT_USER_PREFIX) else {
            summary.foreign_assignments += 1;
            continue;
        };
        let Some(user) = users.get(client.as_str()) else {
            // Retired, or not listed: holds nothing.
            continue;
        };
        // Each asset and user recurs across assignments: look each up once.
        let key = (assignment.adam_id.as_str(), assignment.pricing.as_str());
        let pool = match pools.get(&key) {
            Some(pool) => *pool,
            None => {
                let pool = first(pool_of.query(params![connector_id, key.0, key.1])?)?;
                *pools.entry(key).or_insert(pool)
            }
        };
        let user_id = match user_ids.get(upn) {
            Some(id) => *id,
            None => *user_ids.entry(upn).or_insert(first(user_of.query([upn])?)?),
        };
        let (Some(pool), Some(user_id)) = (pool, user_id) else {
            summary.unknown_users += usize::from(user_id.is_none());
            continue;
        };
        let invitation = match user.status {
            AppleUserStatus::Associated => "accepted",
            _ => "invited",
        };
        insert.execute(params![pool, user_id, invitation])?;
    }
    Ok(())
}

/// Replaces the connector's `apple_users` with seats' own users the pull
/// found and the cache knows, with their invitation links.
pub(super) fn record_users(
    conn: &Connection,
    connector_id: i64,
    pull: &ApplePull<'_>,
) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM apple_users WHERE connector_id = ?1", [connector_id])?;
    let mut insert = conn.prepare(
        "INSERT OR REPLACE INTO apple_users (connector_id, user_id, client_user_id, status, invite_url) \
         SELECT ?1, id, ?2, ?3, ?4 FROM users WHERE upn = ?5",
    )?;
    for user in pull.users {
        let Some(upn) = user.client_user_id.strip_prefix(SEATS_CLIENT_USER_PREFIX) else {
            continue;
        };
        let status = match user.status {
            AppleUserStatus::Registered => "Registered",
            AppleUserStatus::Associated => "Associated",
            AppleUserStatus::Retired => "Retired",
            AppleUserStatus::Deleted => "Deleted",
        };
        let url = pull.invite_urls.get(&user.client_user_id);
        insert.execute(params![connector_id, user.client_user_id, status, url, upn])?;
    }
    Ok(())
}

fn first(mut rows: rusqlite::Rows<'_>) -> rusqlite::Result<Option<i64>> {
    rows.next()?.map(|row| row.get(0)).transpose()
}
