//! The lease that keeps two processes from syncing one connector at once
//! (issue 7): a row in `sync_leases` naming its holder ("user@host pid N")
//! until it expires. A sync acquires it before it starts, renews it while it
//! pages, and releases it at the end; a killed process's lease is taken over
//! once expired.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::connectors_admin::stamp;

/// A lease held by this process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub connector_id: i64,
    pub holder: String,
    pub expires_at: String,
}

/// Why the lease was not acquired.
#[derive(Debug, thiserror::Error)]
pub enum LeaseError {
    /// Another process syncs this connector now.
    #[error(
        "{connector} is being synced by {holder} (since {acquired_at}, lease until {expires_at}); \
         wait for it to finish, or for the lease to expire if that process is gone"
    )]
    Held {
        connector: String,
        holder: String,
        acquired_at: String,
        expires_at: String,
    },
    #[error("no connector with id {0}; `seats connectors` lists them")]
    NotFound(i64),
    #[error("cache error: {0}")]
    Store(#[from] rusqlite::Error),
}

/// This process as a lease holder: "user@host pid N".
pub fn holder_name() -> String {
    format!(
        "{}@{} pid {}",
        crate::paths::os_user(),
        host_name(),
        std::process::id()
    )
}

#[cfg(unix)]
fn host_name() -> String {
    let mut buffer = [0u8; 256];
    // SAFETY: the buffer is writable for its whole length, which is passed.
    let done = unsafe { libc::gethostname(buffer.as_mut_ptr().cast(), buffer.len()) } == 0;
    let end = buffer.iter().position(|&b| b == 0).unwrap_or(buffer.len());
    match String::from_utf8_lossy(&buffer[..end]).into_owned() {
        name if done && !name.is_empty() => name,
        _ => "localhost".to_owned(),
    }
}

#[cfg(not(unix))]
fn host_name() -> String {
    "localhost".to_owned()
}

/// Takes the connector's lease for `ttl` from `now`, in one IMMEDIATE
/// transaction: refused, with who holds it, while another holder's lease
/// runs; an expired lease (its process died) is taken over; the same holder
/// simply extends its own.
pub fn acquire(
    conn: &Connection,
    connector_id: i64,
    holder: &str,
    now: DateTime<Utc>,
    ttl: Duration,
) -> Result<Lease, LeaseError> {
    let at = stamp(now);
    let expires_at = stamp(now + ttl);
    super::db::begin_write_on(conn, |tx| {
        let connector: Option<String> = tx
            .query_row(
                "SELECT name FROM connectors WHERE id = ?1",
                [connector_id],
                |row| row.get(0),
            )
            .optional()?;
        let Some(connector) = connector else {
            return Ok(Err(LeaseError::NotFound(connector_id)));
        };
        let current: Option<(String, String, String)> = tx
            .query_row(
                "SELECT holder, acquired_at, expires_at FROM sync_leases WHERE connector_id = ?1",
                [connector_id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()?;
        if let Some((other, acquired_at, until)) = current
            && other != holder
            && until > at
        {
            return Ok(Err(LeaseError::Held {
                connector,
                holder: other,
                acquired_at,
                expires_at: until,
            }));
        }
        tx.execute(
            "INSERT INTO sync_leases (connector_id, holder, acquired_at, expires_at) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (connector_id) DO UPDATE SET holder = excluded.holder, \
               acquired_at = CASE WHEN sync_leases.holder = excluded.holder THEN sync_leases.acquired_at \
                             ELSE excluded.acquired_at END, \
               expires_at = excluded.expires_at",
            params![connector_id, holder, at, expires_at],
        )?;
        Ok(Ok(Lease {
            connector_id,
            holder: holder.to_owned(),
            expires_at: expires_at.clone(),
        }))
    })?
}

/// Extends a lease this holder still has to `now + ttl`. False when it is
/// no longer ours (it expired and another process took it over): the sync
/// must stop without committing.
pub fn renew(
    conn: &Connection,
    connector_id: i64,
    holder: &str,
    now: DateTime<Utc>,
    ttl: Duration,
) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE sync_leases SET expires_at = ?3 WHERE connector_id = ?1 AND holder = ?2",
        params![connector_id, holder, stamp(now + ttl)],
    )?;
    Ok(changed == 1)
}

/// Gives the lease up; false when this holder did not hold it.
pub fn release(conn: &Connection, connector_id: i64, holder: &str) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "DELETE FROM sync_leases WHERE connector_id = ?1 AND holder = ?2",
        params![connector_id, holder],
    )?;
    Ok(changed == 1)
}

/// Who holds the connector's lease now, and until when (None when free or expired).
pub fn holder(
    conn: &Connection,
    connector_id: i64,
    now: DateTime<Utc>,
) -> rusqlite::Result<Option<(String, String)>> {
    conn.query_row(
        "SELECT holder, expires_at FROM sync_leases WHERE connector_id = ?1 AND expires_at > ?2",
        params![connector_id, stamp(now)],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
    .optional()
}
