//! What the status bar shows: tenant, data age, connector health, role.

use rusqlite::{Connection, OptionalExtension};

use crate::domain::Role;

/// A summary of the cache for the status bar.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StatusInfo {
    /// Tenant name, or None for a cache that holds no tenant yet.
    pub tenant: Option<String>,
    /// Enabled connectors whose last sync succeeded.
    pub connectors_ok: i64,
    /// Enabled connectors in error, or never synced.
    pub connectors_failing: i64,
    /// The oldest last-success among enabled connectors: how stale the data is.
    pub stalest_success: Option<String>,
    /// The role of the OS user running the console, if they are an admin.
    pub role: Option<Role>,
    /// Changes queued for the sources.
    pub pending_changes: i64,
    /// The soonest expiry (RFC 3339) of an enabled connector's token, and
    /// that connector's name: the bar warns from 30 days before (R-CON-4).
    pub soonest_token: Option<(String, String)>,
    /// The soonest term end (a date) of a subscription not disabled, and
    /// its name: the bar warns from 30 days before, as for tokens (issue 10).
    pub soonest_subscription: Option<(String, String)>,
    /// Subscriptions disabled because they expired or their payment lapsed.
    pub lapsed_subscriptions: i64,
}

/// Reads the status summary for `actor`.
pub fn read(conn: &Connection, actor: &str) -> rusqlite::Result<StatusInfo> {
    let tenant = conn
        .query_row("SELECT name FROM tenant WHERE id = 1", [], |row| row.get(0))
        .optional()?;
    let (connectors_ok, connectors_failing, stalest_success) = conn.query_row(
        "SELECT coalesce(sum(state = 'ok'), 0), coalesce(sum(state IN ('error', 'never')), 0), \
                min(last_success_at) FROM connectors WHERE enabled = 1",
        [],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    let role = role_of(conn, actor)?;
    let pending_changes =
        conn.query_row("SELECT count(*) FROM outbox WHERE state = 'pending'", [], |row| {
            row.get(0)
        })?;
    let soonest_token = conn
        .query_row(
            "SELECT token_expires_at, name FROM connectors WHERE enabled = 1 AND token_expires_at IS NOT NULL \
             ORDER BY token_expires_at LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let soonest_subscription = conn
        .query_row(
            "SELECT expires_on, name FROM pools WHERE kind IN ('saas', 'isv') AND status <> 'disabled' \
             AND expires_on IS NOT NULL ORDER BY expires_on LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let lapsed_subscriptions = conn.query_row(
        "SELECT count(*) FROM pools WHERE kind IN ('saas', 'isv') AND status = 'disabled' \
         AND disabled_reason IN ('expired', 'payment_lapsed')",
        [],
        |row| row.get(0),
    )?;
    Ok(StatusInfo {
        soonest_subscription,
        lapsed_subscriptions,
        soonest_token,
        tenant,
        connectors_ok,
        connectors_failing,
        stalest_success,
        role,
        pending_changes,
    })
}

/// The role recorded for an OS user, if any.
pub fn role_of(conn: &Connection, actor: &str) -> rusqlite::Result<Option<Role>> {
    let text: Option<String> = conn
        .query_row("SELECT role FROM admins WHERE os_user = ?1", [actor], |row| {
            row.get(0)
        })
        .optional()?;
    Ok(text.and_then(|t| t.parse().ok()))
}
