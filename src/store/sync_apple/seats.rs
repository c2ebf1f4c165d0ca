//! The seat rows of the connector's `vpp` pools mirror the assignments of
//! seats' own users (`clientUserId` "seats:<upn>"), with the invitation
//! state of each: Registered → invited, Associated → accepted (R-APP-8).
//! Retired users hold nothing. The shared seat mirror writes them (pending
//! local changes win); this gathers what it should hold.

use std::collections::HashMap;

use rusqlite::{Connection, params};

use super::{ApplePull, AppleSummary};
use crate::domain::apple::{AppleHolder, AppleUser, AppleUserStatus, SEATS_CLIENT_USER_PREFIX};
use crate::store::app_pull::seats::first;

/// The invitation state of the seats of a user who may hold some: those
/// Registered (invited) or Associated (accepted); None for the others.
pub(super) fn invitation(status: AppleUserStatus) -> Option<&'static str> {
    match status {
        AppleUserStatus::Registered => Some("invited"),
        AppleUserStatus::Associated => Some("accepted"),
        AppleUserStatus::Retired | AppleUserStatus::Deleted => None,
    }
}

/// The users of a pull who may hold seats, by `clientUserId`, with the
/// invitation state of their seats.
pub(super) fn holding(users: &[AppleUser]) -> HashMap<String, &'static str> {
    users
        .iter()
        .filter_map(|u| Some((u.client_user_id.clone(), invitation(u.status)?)))
        .collect()
}

/// Adds to `temp.mirror_want` (pool, user, invitation) the assignments of
/// the pull to seats' own users who hold (`holding`) and the cache knows;
/// counts those to unknown users. Devices' and other products'
/// assignments are counted apart (`foreign`).
pub(super) fn want(
    conn: &Connection,
    connector_id: i64,
    pull: &ApplePull<'_>,
    holding: &HashMap<String, &'static str>,
    summary: &mut AppleSummary,
) -> rusqlite::Result<()> {
    let mut pool_of = conn.prepare(
        "SELECT p.id FROM pools p JOIN apps a ON a.id = p.app_id \
         WHERE p.connector_id = ?1 AND a.external_id = ?2 AND coalesce(p.sku_id, 'STDQ') = ?3",
    )?;
    let mut user_of = conn.prepare("SELECT id FROM users WHERE upn = ?1")?;
    let mut insert = conn.prepare(
        "INSERT OR IGNORE INTO temp.mirror_want (pool_id, user_id, invitation) VALUES (?1, ?2, ?3)",
    )?;
    let mut pools: HashMap<(&str, &str), Option<i64>> = HashMap::new();
    let mut user_ids: HashMap<&str, Option<i64>> = HashMap::new();
    for assignment in pull.assignments {
        let AppleHolder::User(client) = &assignment.holder else {
            continue;
        };
        let Some(upn) = client.strip_prefix(SEATS_CLIENT_USER_PREFIX) else {
            continue;
        };
        let Some(invitation) = holding.get(client.as_str()) else {
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
        insert.execute(params![pool, user_id, invitation])?;
    }
    Ok(())
}

/// Records seats' own users the pull found and the cache knows, with their
/// invitation links: a full pull replaces the connector's `apple_users`,
/// an incremental one updates those it names.
pub(super) fn record_users(
    conn: &Connection,
    connector_id: i64,
    pull: &ApplePull<'_>,
    full: bool,
) -> rusqlite::Result<()> {
    if full {
        conn.execute("DELETE FROM apple_users WHERE connector_id = ?1", [connector_id])?;
    }
    let mut insert = conn.prepare(
        "INSERT OR REPLACE INTO apple_users (connector_id, user_id, client_user_id, status, invite_url) \
         SELECT ?1, id, ?2, ?3, ?4 FROM users WHERE upn = ?5",
    )?;
    // One clientUserId may have Retired rows beside its one live row: the
    // live one is written last, so it is the one kept.
    let (live, gone): (Vec<&AppleUser>, Vec<&AppleUser>) =
        pull.users.iter().partition(|u| invitation(u.status).is_some());
    for user in gone.into_iter().chain(live) {
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
