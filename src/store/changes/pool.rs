//! A pool as a change sees it: its figures re-read inside the transaction,
//! and the rules that refuse an assignment before anything changes.

use rusqlite::{Connection, OptionalExtension, params};

use super::{ChangeError, Refusal};
use crate::domain::{Seats, assignable};

/// The pool's state at the start of a change; `consumed` follows the change.
#[derive(Debug, Clone)]
pub(crate) struct PoolState {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub status: String,
    pub disabled_reason: Option<String>,
    pub total: Option<i64>,
    pub consumed: i64,
    pub connector_id: Option<i64>,
    pub connector: Option<String>,
    pub assignable_to: String,
    /// Queue nothing for the source: set by an undo whose batch's outbox
    /// rows were never sent, which it cancels instead.
    pub skip_outbox: bool,
}

impl PoolState {
    /// Reads the pool, or None when there is no such pool.
    pub fn load(conn: &Connection, id: i64) -> rusqlite::Result<Option<PoolState>> {
        let sql = "SELECT p.id, p.name, p.kind, p.status, p.disabled_reason, p.total, p.consumed, \
                   p.connector_id, c.name, p.assignable_to \
                   FROM pools p LEFT JOIN connectors c ON c.id = p.connector_id WHERE p.id = ?1";
        conn.prepare_cached(sql)?
            .query_row([id], |row| {
                Ok(PoolState {
                    id: row.get(0)?,
                    name: row.get(1)?,
                    kind: row.get(2)?,
                    status: row.get(3)?,
                    disabled_reason: row.get(4)?,
                    total: row.get(5)?,
                    consumed: row.get(6)?,
                    connector_id: row.get(7)?,
                    connector: row.get(8)?,
                    assignable_to: row.get(9)?,
                    skip_outbox: false,
                })
            })
            .optional()
    }

    /// Reads the pool, or says which id is unknown.
    pub fn require(conn: &Connection, id: i64) -> Result<PoolState, ChangeError> {
        PoolState::found(PoolState::load(conn, id)?, id)
    }

    /// The pool [`load`](Self::load) found, or which id is unknown.
    pub fn found(pool: Option<PoolState>, id: i64) -> Result<PoolState, ChangeError> {
        pool.ok_or_else(|| {
            ChangeError::NotFound(format!("no license pool with id {id}; `seats pools` lists them"))
        })
    }

    /// The pool's figures now.
    pub fn seats(&self) -> Seats {
        Seats::new(self.total, self.consumed)
    }

    /// Whether users count as principals of this pool.
    pub fn takes_users(&self) -> bool {
        self.assignable_to != "device"
    }

    /// Whether devices count as principals of this pool.
    pub fn takes_devices(&self) -> bool {
        self.assignable_to != "user"
    }

    /// Why the pool takes no new seats at all, whatever their number.
    pub fn status_refusal(&self) -> Option<Refusal> {
        let kind = self.kind.parse().ok()?;
        assignable::blocker(kind, &self.status, self.disabled_reason.as_deref()).map(|blocker| {
            Refusal::Blocked {
                pool: self.name.clone(),
                blocker,
            }
        })
    }

    /// Why `needed` more seats cannot be given, if they cannot (R-LIC-3).
    pub fn refusal_for(&self, needed: i64) -> Option<Refusal> {
        self.status_refusal().or_else(|| {
            self.seats()
                .check(needed)
                .err()
                .map(|shortfall| Refusal::Shortfall {
                    pool: self.name.clone(),
                    shortfall,
                })
        })
    }

    /// The state and invitation of a new seat: an Apple VPP seat waits for
    /// the user to accept the invitation (R-APP-8) but counts as consumed.
    pub fn new_seat_state(&self) -> (&'static str, Option<&'static str>) {
        if self.kind == "vpp" {
            ("pending", Some("invited"))
        } else {
            ("active", None)
        }
    }

    /// Reads `consumed` again after a write. The triggers on `assignments`
    /// (migrations/0004_consumed_triggers.sql) keep the cache's figure; this
    /// copy only follows it.
    pub fn reload_consumed(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        self.consumed = conn
            .prepare_cached("SELECT consumed FROM pools WHERE id = ?1")?
            .query_row([self.id], |row| row.get(0))?;
        Ok(())
    }

    /// Seats a freed pool can hand to waiting members, once `freed` more
    /// seats are free than now (none while the pool takes no new seats).
    fn free_for_waiting(&self, freed: i64) -> i64 {
        if self.status_refusal().is_some() {
            return 0;
        }
        self.total.map_or(i64::MAX, |total| total - self.consumed + freed)
    }

    /// Gives freed seats to members waiting in state 'error'
    /// (CountViolation), oldest first, as the source does when it
    /// reprocesses group licenses. Returns how many moved up.
    /// The promoted rows are recorded in `batch` as they were (undo demotes
    /// them again).
    pub fn promote_waiting(&mut self, conn: &Connection, batch: &str) -> rusqlite::Result<i64> {
        let free = self.free_for_waiting(0);
        if free <= 0 {
            return Ok(0);
        }
        let (state, _) = self.new_seat_state();
        let waiting =
            format!("SELECT w.id FROM assignments w WHERE {WAITING} ORDER BY w.assigned_at, w.id LIMIT ?3");
        super::apply::snapshot_rows(conn, batch, &waiting, &[&self.id, &free])?;
        let moved = conn
            .prepare_cached(&format!(
                "UPDATE assignments SET state = ?1, error = NULL, \
                 invitation = CASE WHEN ?1 = 'pending' THEN 'invited' ELSE invitation END \
                 WHERE id IN ({waiting})"
            ))?
            .execute(params![state, self.id, free])? as i64;
        self.reload_consumed(conn)?;
        Ok(moved)
    }

    /// How many waiting members [`promote_waiting`](Self::promote_waiting)
    /// would move up after the release staged in the scratch set frees
    /// `freed` seats: the preview's figure. The staged rows are still there
    /// here, so rows the release deletes are left out.
    pub fn promotable(&self, conn: &Connection, freed: i64) -> rusqlite::Result<i64> {
        let free = self.free_for_waiting(freed);
        if free <= 0 {
            return Ok(0);
        }
        conn.prepare_cached(&format!(
            "SELECT min(?1, count(*)) FROM assignments w WHERE {WAITING} \
               AND coalesce(w.user_id, -w.device_id) NOT IN (SELECT who FROM temp.seat_target WHERE release = 1)"
        ))?
        .query_row(params![free, self.id], |row| row.get(0))
    }
}

/// Rows of pool ?2 waiting for a seat (CountViolation) whose user has not
/// left; devices always qualify.
const WAITING: &str = "w.pool_id = ?2 AND w.state = 'error' AND w.error = 'CountViolation' \
    AND (w.user_id IS NULL OR EXISTS (SELECT 1 FROM users u \
         WHERE u.id = w.user_id AND u.enabled = 1 AND u.deleted = 0))";
