//! The preview of an undo (issue 6 item 6): the undo itself, run in a
//! transaction that is rolled back, so the preview shows exactly what it
//! reverses, with the figures it leaves, or the refusal it meets. Pools
//! where it changes nothing are left out.

use rusqlite::Connection;

use super::batch::Attempt;
use super::undo::undo_in;
use super::{ChangeError, ChangeOutcome, Refusal, dry_run};
use crate::domain::Seats;

/// What undoing one or more batches does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UndoPlan {
    /// Per pool that changes, in the order the undo works.
    pub pools: Vec<UndoPool>,
    /// People put back as they were: users back, memberships back or gone.
    pub people: Vec<String>,
    /// What refuses the undo (nothing would change).
    pub refusal: Option<Refusal>,
    /// The pool the refusal is about, if any (for its audit row).
    pub refused_pool: Option<i64>,
}

/// What an undo does to one pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndoPool {
    pub pool_id: i64,
    pub pool_name: String,
    pub before: Seats,
    pub after: Seats,
    /// Seats taken back, by holder.
    pub taken: Vec<String>,
    /// Seats given back, by holder.
    pub given: Vec<String>,
    /// Direct assignments, group grants and waiting rows put back, in words.
    pub other: Vec<String>,
    /// (who, why the seat stays).
    pub kept: Vec<(String, String)>,
    /// Changes never sent to the source, cancelled.
    pub cancelled: usize,
}

/// Previews undoing `batches`, newest first, as the console applies them.
pub fn plan_undo(conn: &Connection, batches: &[String]) -> Result<UndoPlan, ChangeError> {
    dry_run(conn, |tx| {
        let mut plan = UndoPlan::default();
        for batch in batches {
            let mut attempt = Attempt::default();
            match undo_in(tx, "preview", batch, &mut attempt) {
                Ok((undo_batch, outcomes)) => describe(tx, &undo_batch, &outcomes, &mut plan)?,
                Err(ChangeError::Refused(refusal)) => {
                    plan.refusal = Some(refusal);
                    plan.refused_pool = attempt.pool.map(|p| p.id);
                    plan.pools.clear();
                    plan.people.clear();
                    break;
                }
                Err(other) => return Err(other),
            }
        }
        Ok(plan)
    })
}

/// Adds what one undo batch did to the plan, from its outcomes and the
/// items it recorded.
fn describe(
    conn: &Connection,
    undo_batch: &str,
    outcomes: &[ChangeOutcome],
    plan: &mut UndoPlan,
) -> rusqlite::Result<()> {
    let items = items(conn, undo_batch)?;
    for outcome in outcomes {
        let index = match plan.pools.iter().position(|p| p.pool_id == outcome.pool_id) {
            Some(index) => index,
            None => {
                plan.pools.push(UndoPool::new(outcome));
                plan.pools.len() - 1
            }
        };
        let pool = &mut plan.pools[index];
        pool.after = Seats::new(outcome.total, outcome.consumed_after);
        pool.kept.extend(outcome.kept.iter().cloned());
        pool.cancelled += outcome.cancelled;
    }
    for item in items {
        match item
            .pool_id
            .and_then(|id| plan.pools.iter_mut().find(|p| p.pool_id == id))
        {
            Some(pool) => pool.add(item),
            None => plan.people.extend(item.about_people()),
        }
    }
    plan.people.extend(people_back(conn, undo_batch)?);
    plan.pools.retain(|p| !p.is_empty());
    Ok(())
}

impl UndoPool {
    fn new(outcome: &ChangeOutcome) -> UndoPool {
        UndoPool {
            pool_id: outcome.pool_id,
            pool_name: outcome.pool_name.clone(),
            before: Seats::new(outcome.total, outcome.consumed_before),
            after: Seats::new(outcome.total, outcome.consumed_after),
            taken: Vec::new(),
            given: Vec::new(),
            other: Vec::new(),
            kept: Vec::new(),
            cancelled: 0,
        }
    }

    fn add(&mut self, item: Item) {
        let name = item.name;
        match item.op.as_str() {
            "seat_released" if item.held_seat => self.taken.push(name),
            "seat_released" => self.other.push(format!("{name}'s waiting row goes")),
            "seat_added" if item.held_seat => self.given.push(name),
            "seat_added" => self.other.push(format!("{name} waits for a seat again")),
            "seat_changed" if item.now_waiting == Some(true) => {
                self.other
                    .push(format!("{name} goes back to waiting (holds no seat)"));
            }
            "seat_changed" if item.now_waiting == Some(false) => {
                self.other.push(format!("{name} gets their seat back"));
            }
            "direct_cleared" => self.other.push(format!("{name}: direct assignment withdrawn")),
            "direct_set" => self.other.push(format!("{name}: direct assignment given back")),
            "group_removed" => self.other.push(format!("group {name} withdrawn")),
            "group_added" => self.other.push(format!("group {name} granted again")),
            _ => {}
        }
    }

    /// Changes nothing an admin can see: no seat, flag, grant or outbox row.
    fn is_empty(&self) -> bool {
        self.before == self.after
            && self.taken.is_empty()
            && self.given.is_empty()
            && self.other.is_empty()
            && self.cancelled == 0
    }
}

/// One change item of the undo batch, named.
struct Item {
    pool_id: Option<i64>,
    op: String,
    name: String,
    group: Option<String>,
    /// For seat rows: the row holds (or held) a seat, not a waiting row.
    held_seat: bool,
    /// For rows changed in place: whether the row waits now.
    now_waiting: Option<bool>,
}

impl Item {
    fn about_people(&self) -> Option<String> {
        let group = self.group.as_deref().unwrap_or("a group");
        match self.op.as_str() {
            "member_added" => Some(format!("{} rejoins {group}", self.name)),
            "member_removed" => Some(format!("{} leaves {group} again", self.name)),
            _ => None,
        }
    }
}

fn items(conn: &Connection, batch: &str) -> rusqlite::Result<Vec<Item>> {
    let mut stmt = conn.prepare_cached(
        "SELECT pool_id, op, name, group_name, \
                CASE op WHEN 'seat_released' THEN coalesce(was, 'active') ELSE coalesce(now, 'active') END \
                  <> 'error', \
                CASE WHEN op = 'seat_changed' AND (was = 'error') <> (now = 'error') THEN now = 'error' END \
         FROM (SELECT c.id, c.pool_id, c.op, coalesce(u.upn, d.name, g.name, '?') AS name, g.name AS group_name, \
                      c.state AS was, coalesce(au.state, ad.state) AS now \
               FROM change_items c \
               LEFT JOIN users u ON u.id = c.user_id \
               LEFT JOIN devices d ON d.id = c.device_id \
               LEFT JOIN groups g ON g.id = c.group_id \
               LEFT JOIN assignments au ON c.user_id IS NOT NULL AND au.pool_id = c.pool_id \
                    AND au.user_id = c.user_id \
               LEFT JOIN assignments ad ON c.device_id IS NOT NULL AND ad.pool_id = c.pool_id \
                    AND ad.device_id = c.device_id \
               WHERE c.batch_id = ?1) ORDER BY id",
    )?;
    let rows = stmt.query_map([batch], |row| {
        Ok(Item {
            pool_id: row.get(0)?,
            op: row.get(1)?,
            name: row.get(2)?,
            group: row.get(3)?,
            held_seat: row.get(4)?,
            now_waiting: row.get(5)?,
        })
    })?;
    rows.collect()
}

/// Users the undone batch retired, who come back as they were.
fn people_back(conn: &Connection, undo_batch: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT u.upn, c.was_enabled, c.was_deleted FROM batches b \
         JOIN change_items c ON c.batch_id = b.undoes AND c.op = 'user_retired' \
         JOIN users u ON u.id = c.user_id WHERE b.id = ?1 ORDER BY u.upn",
    )?;
    let rows = stmt.query_map([undo_batch], |row| {
        let (upn, enabled, deleted): (String, bool, bool) = (row.get(0)?, row.get(1)?, row.get(2)?);
        let state = match (enabled, deleted) {
            (true, false) => "enabled",
            (false, false) => "disabled, as before",
            (_, true) => "deleted, as before",
        };
        Ok(format!("{upn} comes back ({state})"))
    })?;
    rows.collect()
}
