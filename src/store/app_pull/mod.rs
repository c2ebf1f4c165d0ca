//! What the pulls of the app-store connectors (Apple Apps and Books, Store
//! for Business; issue 8) share: the check that a connector is of the
//! pull's kind, the outbox mark taken before reading, the one audit row of
//! a pull that changed the cache, the run's figures as a sync summary, and
//! the seat mirror (`seats`).

pub(crate) mod seats;

use rusqlite::{Connection, OptionalExtension as _, params};

use super::sync::{Counts, PullError, PullKind, SYNC_ACTOR, SyncSummary};

/// The newest outbox id: take it before reading the source.
pub fn outbox_mark(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT coalesce(max(id), 0) FROM outbox", [], |row| row.get(0))
}

/// Refuses a pull for a connector that does not exist or is of another
/// kind than `kind` (`what` names the kind in the refusal: "an Apple one").
pub(crate) fn check_kind(
    conn: &Connection,
    connector_id: i64,
    kind: &str,
    what: &str,
) -> Result<(), PullError> {
    let found: Option<String> = conn
        .query_row(
            "SELECT kind FROM connectors WHERE id = ?1",
            [connector_id],
            |row| row.get(0),
        )
        .optional()?;
    match found.as_deref() {
        Some(found) if found == kind => Ok(()),
        Some(other) => Err(PullError::Invalid(format!(
            "connector {connector_id} is a {other} connector, not {what}"
        ))),
        None => Err(PullError::NoConnector(connector_id)),
    }
}

/// What a pull changed: apps and seat rows, each [added, updated,
/// removed].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Figures {
    pub apps: [usize; 3],
    pub seats: [usize; 3],
}

/// One audit row for a pull that changed the cache, with the pull's
/// summary as detail; none for one that found everything as it was.
pub(crate) fn audit(
    conn: &Connection,
    at: &str,
    figures: Figures,
    summary: &impl serde::Serialize,
) -> rusqlite::Result<()> {
    let changed: usize = figures.apps.iter().chain(&figures.seats).sum();
    if changed == 0 {
        return Ok(());
    }
    let detail = serde_json::to_string(summary).unwrap_or_default();
    conn.execute(
        "INSERT INTO audit (at, actor, action, principals, result, detail) VALUES (?1, ?2, 'sync', '[]', 'ok', ?3)",
        params![at, SYNC_ACTOR, detail],
    )?;
    Ok(())
}

/// Drops the pull's temporary tables, so a connection used for another
/// pull starts clean.
pub(crate) fn drop_temp(conn: &Connection, tables: &[&str]) -> rusqlite::Result<()> {
    for table in tables {
        conn.execute(&format!("DROP TABLE IF EXISTS temp.{table}"), [])?;
    }
    Ok(())
}

/// A pull's figures as a sync summary: apps as pools, seat rows as seats.
pub(crate) fn sync_summary(figures: Figures, skipped: usize) -> SyncSummary {
    let counts = |[added, updated, removed]: [usize; 3]| Counts {
        added: added as i64,
        updated: updated as i64,
        removed: removed as i64,
    };
    let mut summary = SyncSummary::new(PullKind::Full, "");
    summary.pools = counts(figures.apps);
    summary.seats = counts(figures.seats);
    summary.skipped_pending = skipped as i64;
    summary
}
