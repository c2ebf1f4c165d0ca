//! Syncing an Apple Apps and Books connector (issue 8): the client from
//! the connector's row (the token read from its 0600 file or variable, or
//! the demo's in-process simulator), the claim check (R-CON-6), and the
//! pull: location, assets and app names read whole, users and assignments
//! whole or only what changed since the last pull's versions, then written
//! in one transaction (R-CON-8).

use std::path::Path;

use chrono::Utc;
use rusqlite::Connection;
use tokio::runtime::Handle;

use super::secret::{self, SecretError};
use super::source::{self, SIM_SCHEME, SourceError};
use super::{Progress, SyncError};
use crate::connectors::apple::Versioned;
use crate::connectors::apple::{APPLE_API_URL, APPLE_LOOKUP_URL, AppleClient, AppleConfig, AppleToken};
use crate::connectors::error::ConnectorError;
use crate::domain::apple::{AppleAssignment, AppleLocation, AppleUser};
use crate::store::connectors_apple::{self, AppleConnection};
use crate::store::sync::PullKind;
use crate::store::sync_apple::{self, ApplePull, AppleRead, AppleSummary};

/// The client of an Apple connector of the cache at `db_path`.
pub fn apple_client(db_path: &Path, connection: &AppleConnection) -> Result<AppleClient, SourceError> {
    let api = connection.api_url.as_deref().unwrap_or(APPLE_API_URL);
    let mut config = AppleConfig::default();
    let token = if let Some(spec) = api.strip_prefix(SIM_SCHEME) {
        let handle = source::simulator(db_path, api, spec)?;
        config.api_url = handle.apple_api_url();
        config.lookup_url = handle.apple_lookup_url();
        let text = handle.apple_token_file().map_err(|err| SourceError::Simulator {
            url: api.to_owned(),
            reason: err.to_string(),
        })?;
        AppleToken::from_file_text(&text)?
    } else {
        config.api_url = api.to_owned();
        config.lookup_url = connection
            .lookup_url
            .clone()
            .unwrap_or_else(|| APPLE_LOOKUP_URL.to_owned());
        let reference = connection
            .secret_ref
            .as_deref()
            .ok_or(SecretError::NotConfigured)?;
        AppleToken::from_file_text(secret::read_whole(reference)?.expose())?
    };
    Ok(AppleClient::new(config, token)?)
}

/// Reads the location and writes it: users and assignments only as they
/// changed since the stored versions, unless `full`, none are stored, or
/// seats has just registered itself as the token's manager; read whole
/// again at once when a delta leaves a removal unsaid. Returns what
/// changed, how it was read and things the admin should know.
pub(super) fn pull(
    conn: &Connection,
    client: &AppleClient,
    runtime: &Handle,
    connection: &AppleConnection,
    full: bool,
    progress: &mut Progress<'_>,
) -> Result<(AppleSummary, PullKind, Vec<String>), SyncError> {
    let with = With {
        conn,
        client,
        runtime,
        connection,
    };
    let (summary, kind, mut warnings) = pull_once(with, full, progress)?;
    if summary.missed_removals == 0 {
        return Ok((summary, kind, warnings));
    }
    progress.report_of("Apple counts disagree: full read", 0, 0);
    let (summary, kind, more) = pull_once(with, true, progress)?;
    warnings.extend(more);
    Ok((summary, kind, warnings))
}

/// What a pull works with.
#[derive(Clone, Copy)]
struct With<'a> {
    conn: &'a Connection,
    client: &'a AppleClient,
    runtime: &'a Handle,
    connection: &'a AppleConnection,
}

fn pull_once(
    with: With<'_>,
    full: bool,
    progress: &mut Progress<'_>,
) -> Result<(AppleSummary, PullKind, Vec<String>), SyncError> {
    let With {
        conn,
        client,
        runtime,
        connection,
    } = with;
    let outbox_mark = sync_apple::outbox_mark(conn)?;
    let started_at = Utc::now();
    let mut warnings = Vec::new();
    progress.report_of("Apple location", 0, 0);
    let location = runtime.block_on(client.client_config())?;
    let registered = !location.manager.as_ref().is_some_and(|m| m.is_seats());
    let mut location = claim(conn, client, runtime, connection, location)?;
    if location.token_expires.is_none() {
        location.token_expires = Some(client.token().expires().to_rfc3339());
    }
    progress.report_of("Apple assets", 0, 0);
    let assets = runtime.block_on(client.assets())?;
    progress.report_of("app names", 0, assets.len() as u64);
    let ids: Vec<&str> = assets.iter().map(|a| a.adam_id.as_str()).collect();
    let metadata = match runtime.block_on(client.lookup(&ids)) {
        Ok(found) => found,
        Err(err) => {
            // Names are a convenience: the cache keeps those it had.
            warnings.push(format!("app names not read from Apple's lookup service: {err}"));
            Vec::new()
        }
    };
    // A token seats just took may hold what another product did: read all.
    let since = if full || registered {
        None
    } else {
        sync_apple::since_versions(conn, connection.id)?
    };
    let (users, assignments) = read_people(client, runtime, since, progress)?;
    let read = AppleRead {
        full: users.full,
        users_version: users.version_id,
        assignments_version: assignments.version_id,
    };
    let invite_urls = invitation_links(client, runtime, &users.items);
    progress.report_of("writing into the cache", assignments.items.len() as u64, 0);
    let pull = ApplePull {
        location: &location,
        assets: &assets,
        metadata: &metadata,
        users: &users.items,
        assignments: &assignments.items,
        invite_urls: &invite_urls,
        outbox_mark,
        started_at,
    };
    let summary = sync_apple::apply_read(conn, connection.id, &pull, &read, Utc::now())?;
    warnings.extend(notes(&summary));
    let kind = if read.full {
        PullKind::Full
    } else {
        PullKind::Delta
    };
    Ok((summary, kind, warnings))
}

type People = (Versioned<AppleUser>, Versioned<AppleAssignment>);

/// Users and assignments, since the given (users, assignments) versions
/// or whole. Both come back whole, or both as changes: when Apple forgot
/// one version (9721) and the client read that one whole, the other is
/// read whole too.
fn read_people(
    client: &AppleClient,
    runtime: &Handle,
    since: Option<(String, String)>,
    progress: &mut Progress<'_>,
) -> Result<People, ConnectorError> {
    let (users_since, assignments_since) = match &since {
        Some((users, assignments)) => (Some(users.as_str()), Some(assignments.as_str())),
        None => (None, None),
    };
    progress.report_of("Apple users", 0, 0);
    let mut users = runtime.block_on(client.users(users_since))?;
    progress.report_of("Apple assignments", users.items.len() as u64, 0);
    let assignments_since = assignments_since.filter(|_| !users.full);
    let assignments = runtime.block_on(client.assignments(assignments_since))?;
    if assignments.full && !users.full {
        users = runtime.block_on(client.users(None))?;
    }
    Ok((users, assignments))
}

/// The invitation links of seats' own invited users (Apple's invitation
/// URL with each one's invite code); none when the service does not say.
fn invitation_links(
    client: &AppleClient,
    runtime: &Handle,
    users: &[crate::domain::apple::AppleUser],
) -> std::collections::HashMap<String, String> {
    let mut links = std::collections::HashMap::new();
    for user in users.iter().filter(|u| u.is_own()) {
        let Some(code) = &user.invite_code else {
            continue;
        };
        if let Ok(Some(url)) = runtime.block_on(client.invitation_url(code)) {
            links.insert(user.client_user_id.clone(), url);
        }
    }
    links
}

/// The token must be seats' own: unclaimed (seats registers itself), or
/// claimed by seats, or taken over by the admin's explicit choice.
fn claim(
    conn: &Connection,
    client: &AppleClient,
    runtime: &Handle,
    connection: &AppleConnection,
    location: AppleLocation,
) -> Result<AppleLocation, SyncError> {
    match &location.manager {
        Some(manager) if manager.is_seats() => Ok(location),
        Some(manager) if !connection.take_over => {
            connectors_apple::record_claim(conn, connection.id, &manager.name)?;
            Err(SyncError::Claimed {
                connector: connection.name.clone(),
                manager: manager.name.clone(),
            })
        }
        _ => Ok(runtime.block_on(client.register())?),
    }
}

fn notes(summary: &AppleSummary) -> Vec<String> {
    let mut notes = Vec::new();
    if summary.foreign_assignments > 0 {
        notes.push(format!(
            "{} assignments of another device-management product counted, never changed",
            summary.foreign_assignments
        ));
    }
    if summary.unknown_users > 0 {
        notes.push(format!(
            "{} assignments to Apple users the cache does not know",
            summary.unknown_users
        ));
    }
    if summary.kept_pending > 0 {
        notes.push(format!(
            "{} apps the location dropped kept until their pending changes are settled",
            summary.kept_pending
        ));
    }
    notes
}
