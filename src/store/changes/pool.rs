//! A pool as a change sees it: its figures re-read inside the transaction,
//! and the rules that refuse an assignment before anything changes.

use rusqlite::{Connection, OptionalExtension, params};

use super::{ChangeError, Refusal};
use crate::domain::{Seats, assignable};
use crate::store::db::state_code;

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

    /// The state and invitation of a new seat: an Apple VPP seat is
    /// 'pending' (it counts as consumed) until Apple has associated it,
    /// when the push sees its event COMPLETE or a pull finds it at Apple
    /// (then 'active'); its user is 'invited' until they accept (R-APP-8).
    /// (Devices get no invitation: Apple assigns them by serial number.)
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

    /// Seats a release that frees `freed` seats can hand to waiting
    /// members: only seats this release frees, never seats that were free
    /// before it (those are the admin's to give), and none while the pool
    /// takes no new seats. `consumed` is the figure before the release.
    fn freed_for_waiting(&self, consumed: i64, freed: i64) -> i64 {
        if freed <= 0 || self.status_refusal().is_some() {
            return 0;
        }
        let free_after = self.total.map_or(i64::MAX, |total| total - consumed + freed);
        freed.min(free_after)
    }

    /// Gives the seats a release freed (`freed`; `consumed` already
    /// follows the release) to members waiting in state 'error'
    /// (CountViolation), oldest first, as the source does when it
    /// reprocesses group licenses. Returns who moved up, by name. The
    /// promoted rows are recorded in `batch` as they were (undo demotes
    /// them again), with a 'seat_promoted' item each for the audit.
    pub fn promote_waiting(
        &mut self,
        conn: &Connection,
        batch: &str,
        freed: i64,
    ) -> rusqlite::Result<Vec<String>> {
        let seats = self.freed_for_waiting(self.consumed + freed, freed);
        if seats <= 0 {
            return Ok(Vec::new());
        }
        let (state, _) = self.new_seat_state();
        let names = waiting_names(conn, self.id, seats, "")?;
        let waiting =
            format!("SELECT w.id FROM assignments w WHERE {WAITING} ORDER BY w.assigned_at, w.id LIMIT ?3");
        super::apply::snapshot_rows(conn, batch, &waiting, &[&self.id, &seats])?;
        conn.prepare_cached(&format!(
            "INSERT INTO change_items (batch_id, op, pool_id, user_id, device_id) \
             SELECT ?1, 'seat_promoted', a.pool_id, a.user_id, a.device_id FROM assignments a \
             WHERE a.id IN ({waiting})"
        ))?
        .execute(params![batch, self.id, seats])?;
        conn.prepare_cached(&format!(
            "UPDATE assignments SET state_code = {code}, error = NULL, \
             invitation = CASE WHEN ?1 = 'pending' AND user_id IS NOT NULL THEN 'invited' ELSE invitation END \
             WHERE id IN ({waiting})",
            code = state_code!("?1")
        ))?
        .execute(params![state, self.id, seats])?;
        self.reload_consumed(conn)?;
        Ok(names)
    }

    /// Who [`promote_waiting`](Self::promote_waiting) would move up after
    /// the release staged in the scratch set frees `freed` seats: the
    /// preview's names. The staged rows are still there here, so rows the
    /// release deletes are left out.
    pub fn promotable(&self, conn: &Connection, freed: i64) -> rusqlite::Result<Vec<String>> {
        let seats = self.freed_for_waiting(self.consumed, freed);
        if seats <= 0 {
            return Ok(Vec::new());
        }
        waiting_names(
            conn,
            self.id,
            seats,
            "AND coalesce(w.user_id, -w.device_id) NOT IN (SELECT who FROM temp.seat_target WHERE release = 1)",
        )
    }
}

/// The names (UPN or device name) of the first `limit` members waiting
/// in the pool, oldest first, as [`PoolState::promote_waiting`] takes them;
/// `extra` narrows the rows further.
fn waiting_names(conn: &Connection, pool_id: i64, limit: i64, extra: &str) -> rusqlite::Result<Vec<String>> {
    let sql = format!(
        "SELECT coalesce(wu.upn, wd.name, '#' || w.id) FROM assignments w \
         LEFT JOIN users wu ON wu.id = w.user_id LEFT JOIN devices wd ON wd.id = w.device_id \
         WHERE {WAITING} {extra} ORDER BY w.assigned_at, w.id LIMIT ?1"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let names = stmt.query_map(params![limit, pool_id], |row| row.get(0))?;
    names.collect()
}

/// Rows of pool ?2 waiting for a seat (CountViolation) whose user has not
/// left; devices always qualify.
const WAITING: &str = concat!(
    "w.pool_id = ?2 AND w.state_code = ",
    state_code!("error"),
    " AND w.error = 'CountViolation' \
     AND (w.user_id IS NULL OR EXISTS (SELECT 1 FROM users u \
          WHERE u.id = w.user_id AND u.enabled = 1 AND u.deleted = 0))"
);
