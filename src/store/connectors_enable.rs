//! Enabling and disabling a connector (issue 8 review; R-CON-1, R-CON-2,
//! R-CON-3): `seats connector enable|disable` and `:enable` / `:disable`
//! in Connectors. A disabled connector is neither scheduled nor synced nor
//! pushed; what it brought stays in the cache as last synced.
//!
//! Enabling is refused while another connector of the same app store is
//! enabled: an organization syncs one Apple location and one store account
//! (R-CON-2, R-CON-3), so two enabled connectors would either sync one
//! account twice or switch accounts behind the rule's back. An Apple token
//! that expired or was revoked may be enabled, but the answer says the sync
//! fails until a renewed token is linked. Both are audited
//! (`connector_enable` / `connector_disable`) in the write's transaction.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension as _, params};

use super::connectors_admin::{AdminError, stamp};
use crate::domain::ConnectorKind;
use crate::domain::apple::TokenProblem;

/// What turning a connector on or off does (or would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toggle {
    pub name: String,
    pub enabled: bool,
    /// False when it was in that state already (nothing is written).
    pub changed: bool,
    /// Why it can't be done; nothing is written.
    pub refusal: Option<String>,
    /// What the admin should know: a token that fails the sync, queued
    /// changes that wait, a sync still running.
    pub warnings: Vec<String>,
    /// What follows, in plain words.
    pub notes: Vec<String>,
}

impl Toggle {
    /// One line for a flash or the command line.
    pub fn summary(&self) -> String {
        let verb = if self.enabled { "enabled" } else { "disabled" };
        let mut parts = vec![if self.changed {
            format!("{} {verb}", self.name)
        } else {
            format!("{} is {verb} already; nothing was changed", self.name)
        }];
        parts.extend(self.warnings.iter().cloned());
        if self.changed {
            parts.extend(self.notes.iter().cloned());
        }
        parts.join("; ")
    }
}

/// A connector as the rules read it.
struct Found {
    name: String,
    kind: ConnectorKind,
    enabled: bool,
    tenant_id: Option<String>,
    token_expires_at: Option<String>,
    last_error: Option<String>,
    claimed_by: Option<String>,
    take_over: bool,
    schedule_minutes: i64,
}

fn find(conn: &Connection, id: i64) -> Result<Found, AdminError> {
    let found = conn
        .query_row(
            "SELECT name, kind, enabled, tenant_id, token_expires_at, last_error, claimed_by, take_over, \
             schedule_minutes FROM connectors WHERE id = ?1",
            [id],
            |r| {
                Ok(Found {
                    name: r.get(0)?,
                    kind: super::columns::parse_text(r, "kind")?,
                    enabled: r.get(2)?,
                    tenant_id: r.get(3)?,
                    token_expires_at: r.get(4)?,
                    last_error: r.get(5)?,
                    claimed_by: r.get(6)?,
                    take_over: r.get::<_, i64>(7)? == 1,
                    schedule_minutes: r.get(8)?,
                })
            },
        )
        .optional()?;
    found.ok_or(AdminError::NotFound(id))
}

/// What `enabled` would do to connector `id` at `now`; changes nothing.
pub fn plan(conn: &Connection, id: i64, enabled: bool, now: DateTime<Utc>) -> Result<Toggle, AdminError> {
    let c = find(conn, id)?;
    let mut toggle = Toggle {
        name: c.name.clone(),
        enabled,
        changed: c.enabled != enabled,
        refusal: None,
        warnings: Vec::new(),
        notes: Vec::new(),
    };
    if !toggle.changed {
        return Ok(toggle);
    }
    if enabled {
        toggle.refusal = rival(conn, id, &c)?;
        enable_notes(&c, now, &mut toggle);
    } else {
        disable_notes(conn, id, &c, &mut toggle)?;
    }
    Ok(toggle)
}

/// Another enabled connector that rules this one out (one account per
/// app store and organization, one connector per Graph tenant).
fn rival(conn: &Connection, id: i64, c: &Found) -> rusqlite::Result<Option<String>> {
    let other: Option<(String, Option<String>, Option<String>)> = conn
        .query_row(
            "SELECT name, tenant_id, account FROM connectors WHERE kind = ?1 AND enabled = 1 AND id <> ?2 \
             AND (?1 <> 'graph' OR tenant_id = ?3 COLLATE NOCASE) ORDER BY id LIMIT 1",
            params![c.kind.as_str(), id, c.tenant_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((other, other_tenant, other_account)) = other else {
        return Ok(None);
    };
    let what = match c.kind {
        ConnectorKind::AppleVpp => "one Apple location, linked for good (R-CON-3)",
        ConnectorKind::StoreBusiness => "one Store for Business account, linked for good (R-CON-2)",
        _ => "each account through one connector",
    };
    let head = format!(
        "{other:?} is enabled already: an organization syncs {what}, so {:?} stays disabled",
        c.name
    );
    let different = matches!((&other_tenant, &c.tenant_id), (Some(a), Some(b)) if !a.eq_ignore_ascii_case(b));
    Ok(Some(if different {
        let bound = other_account.or(other_tenant).unwrap_or_default();
        format!("{head}; the organization is linked to {bound:?} and can't be switched to another account")
    } else {
        format!(
            "{head}; to sync through {:?} instead, disable {other:?} first (its seats stay in the cache)",
            c.name
        )
    }))
}

fn enable_notes(c: &Found, now: DateTime<Utc>, toggle: &mut Toggle) {
    if !c.kind.syncs() {
        toggle.notes.push(format!(
            "this version of seats doesn't sync {} connectors: its figures stay as recorded",
            c.kind.label()
        ));
        return;
    }
    if c.kind == ConnectorKind::AppleVpp {
        let expired_on = c
            .token_expires_at
            .as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .filter(|t| *t <= now)
            .map(|t| t.format("%Y-%m-%d").to_string());
        let problem = match (TokenProblem::of_error(c.last_error.as_deref()), expired_on) {
            (Some(TokenProblem::Revoked), _) => Some("its Apple token was revoked".to_owned()),
            (_, Some(day)) => Some(format!("its Apple token expired on {day}")),
            (Some(TokenProblem::Expired), None) => Some("Apple refused its token as expired".to_owned()),
            (None, None) => None,
        };
        if let Some(problem) = problem {
            toggle.warnings.push(format!(
                "{problem}: every sync fails until a renewed token of the same location is linked \
                 (n in Connectors, or `seats connect apple`; assignments are kept)"
            ));
        }
        if let Some(holder) = c.claimed_by.as_deref().filter(|_| !c.take_over) {
            toggle.warnings.push(format!(
                "the token is in use by {holder}: the sync won't take it over until you choose to \
                 (:take-over, or `seats sync --take-over`)"
            ));
        }
    }
    let hours = c.schedule_minutes as f64 / 60.0;
    toggle.notes.push(format!(
        "the schedule syncs it again (every {hours}h); r or `seats sync --connector {:?}` syncs it now",
        c.name
    ));
}

fn disable_notes(conn: &Connection, id: i64, c: &Found, toggle: &mut Toggle) -> rusqlite::Result<()> {
    let (pending, holder): (i64, Option<String>) = conn.query_row(
        "SELECT (SELECT count(*) FROM outbox WHERE connector_id = ?1 AND state = 'pending'), \
                (SELECT holder FROM sync_leases WHERE connector_id = ?1 \
                   AND expires_at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if pending > 0 {
        let s = if pending == 1 { "" } else { "s" };
        toggle.warnings.push(format!(
            "{pending} queued change{s} wait{} unsent until it is enabled again",
            if pending == 1 { "s" } else { "" }
        ));
    }
    if let Some(holder) = holder {
        toggle
            .warnings
            .push(format!("the sync {holder} runs now finishes; no other starts"));
    }
    // Only a kind this version syncs was ever synced: the others' figures
    // are what an admin or the demo recorded.
    toggle.notes.push(if c.kind.syncs() {
        "no sync or push runs for it, scheduled or asked; its seats stay in the cache as last synced and \
         nothing changes at the source"
            .to_owned()
    } else {
        format!(
            "this version of seats doesn't sync {} connectors: its figures stay as recorded and nothing \
             changes at the source",
            c.kind.label()
        )
    });
    Ok(())
}

/// Turns connector `id` on or off for `actor`, audited in the same
/// transaction; refused (`AdminError::Refused`) with the reason where the
/// rules don't allow it. Unchanged when it was so already (no audit).
pub fn set_enabled(conn: &Connection, id: i64, enabled: bool, actor: &str) -> Result<Toggle, AdminError> {
    let now = Utc::now();
    super::db::begin_write_on(conn, |tx| {
        let toggle = match plan(tx, id, enabled, now) {
            Ok(toggle) => toggle,
            Err(AdminError::Store(err)) => return Err(err),
            Err(other) => return Ok(Err(other)),
        };
        if let Some(why) = &toggle.refusal {
            return Ok(Err(AdminError::Refused(why.clone())));
        }
        if !toggle.changed {
            return Ok(Ok(toggle));
        }
        // A connector recorded as 'disabled' (older caches, the demo) comes
        // back in the state its last sync left.
        tx.execute(
            "UPDATE connectors SET enabled = ?2, state = CASE WHEN ?2 = 1 AND state = 'disabled' THEN \
               CASE WHEN last_error IS NOT NULL THEN 'error' WHEN last_success_at IS NOT NULL THEN 'ok' \
               ELSE 'never' END ELSE state END WHERE id = ?1",
            params![id, enabled],
        )?;
        let action = if enabled {
            "connector_enable"
        } else {
            "connector_disable"
        };
        let detail = serde_json::json!({
            "connector": toggle.name,
            "enabled": enabled,
            "warnings": toggle.warnings,
        });
        tx.execute(
            "INSERT INTO audit (at, actor, action, principals, result, detail) \
             VALUES (?1, ?2, ?3, json_array(?4), 'ok', ?5)",
            params![stamp(now), actor, action, toggle.name, detail.to_string()],
        )?;
        Ok(Ok(toggle))
    })?
}

/// The connector a command line names: its id, or its exact name.
pub fn lookup(conn: &Connection, key: &str) -> rusqlite::Result<Option<i64>> {
    if let Some(id) = super::connectors_admin::find_connector(conn, key)? {
        return Ok(Some(id));
    }
    match key.trim().parse::<i64>() {
        Ok(id) => conn
            .query_row("SELECT id FROM connectors WHERE id = ?1", [id], |r| r.get(0))
            .optional(),
        Err(_) => Ok(None),
    }
}
