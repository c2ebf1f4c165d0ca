//! The planned seats, group grants and installs, and how they are written.
//! This is the bulk of the demo (about ten seats a user): rows go in through
//! multi-row statements, in (pool, user) order, the unique index's order.

use rusqlite::{Connection, params};

use super::batch;
use super::clock::Clock;
use super::progress::Tracker;

/// What an assignment asks for (R-APP-7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Intent {
    Required,
    Available,
    Uninstall,
}

impl Intent {
    fn as_str(self) -> &'static str {
        match self {
            Intent::Required => "required",
            Intent::Available => "available",
            Intent::Uninstall => "uninstall",
        }
    }
}

/// Why an assignment is in state 'error' (such rows hold no seat).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    Count,
    Location,
}

/// A VPP invitation's state (R-APP-8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Invite {
    Invited,
    Accepted,
    Declined,
}

/// One planned assignment row. `user` or `device` is 0 when not set, `via`
/// is 0 without a group.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Seat {
    pub pool: u32,
    pub user: u32,
    pub device: u32,
    pub via: u32,
    pub direct: bool,
    pub intent: Intent,
    pub fault: Option<Fault>,
    pub invite: Option<Invite>,
    pub ago: i64,
}

/// A group given a pool.
pub(crate) struct Grant {
    pub pool: u32,
    pub group: u32,
    pub ago: i64,
}

/// One planned install of an app.
pub(crate) struct Install {
    pub app: usize,
    pub user: u32,
    pub device: u32,
    pub state: &'static str,
    pub error: Option<&'static str>,
    pub ago: i64,
}

/// Every seat, group grant and install, with the consumed count per pool.
pub(crate) struct Seats {
    pub seats: Vec<Seat>,
    pub grants: Vec<Grant>,
    pub installs: Vec<Install>,
    pub consumed: Vec<i64>,
}

impl Seats {
    /// Rows `write` inserts.
    pub(crate) fn rows(&self) -> u64 {
        (self.seats.len() + self.grants.len() + self.installs.len()) as u64
    }

    /// Writes grants, seats and installs; `assigned_by` is given per pool.
    pub(crate) fn write(
        &self,
        conn: &Connection,
        clock: &Clock,
        by: &[&str],
        t: &mut Tracker,
    ) -> rusqlite::Result<()> {
        t.stage("assignments");
        let mut stmt = conn.prepare_cached(
            "INSERT INTO group_assignments (pool_id, group_id, intent, assigned_at, assigned_by) \
             VALUES (?1, ?2, 'required', ?3, ?4)",
        )?;
        for g in &self.grants {
            stmt.execute(params![g.pool, g.group, clock.ago(g.ago), actor(by, g.pool)])?;
            t.row();
        }
        batch::without_checks(conn, || {
            self.write_seats(conn, clock, by, t)?;
            self.write_installs(conn, clock, t)
        })
    }

    fn write_seats(
        &self,
        conn: &Connection,
        clock: &Clock,
        by: &[&str],
        t: &mut Tracker,
    ) -> rusqlite::Result<()> {
        let into = "assignments (id, pool_id, user_id, device_id, direct, via_group_id, intent, state, \
                    error, invitation, assigned_at, assigned_by)";
        batch::insert(conn, into, 12, &self.seats, t, |row, index, s| {
            let (state, error) = match (s.fault, s.invite) {
                (Some(Fault::Count), _) => ("error", Some("CountViolation")),
                (Some(Fault::Location), _) => ("error", Some("ProhibitedInUsageLocationViolation")),
                (None, Some(Invite::Invited | Invite::Declined)) => ("pending", None),
                (None, _) => ("active", None),
            };
            row.put(index as i64 + 1)?.put(s.pool)?;
            row.put((s.user != 0).then_some(s.user))?
                .put((s.device != 0).then_some(s.device))?;
            row.put(s.direct)?.put((s.via != 0).then_some(s.via))?;
            row.put(s.intent.as_str())?.put(state)?.put(error)?;
            row.put(s.invite.map(invite_text))?
                .put(clock.ago(s.ago))?
                .put(actor(by, s.pool))?;
            Ok(())
        })
    }

    fn write_installs(&self, conn: &Connection, clock: &Clock, t: &mut Tracker) -> rusqlite::Result<()> {
        t.stage("installs");
        let into = "installs (id, app_id, user_id, device_id, state, error, updated_at)";
        batch::insert(conn, into, 7, &self.installs, t, |row, index, i| {
            row.put(index as i64 + 1)?.put(i.app as i64 + 1)?;
            row.put((i.user != 0).then_some(i.user))?
                .put((i.device != 0).then_some(i.device))?;
            row.put(i.state)?.put(i.error)?.put(clock.ago(i.ago))?;
            Ok(())
        })
    }
}

/// Who is recorded as having assigned a seat of `pool`.
fn actor<'a>(by: &[&'a str], pool: u32) -> &'a str {
    by.get(pool as usize - 1).copied().unwrap_or("demo")
}

fn invite_text(invite: Invite) -> &'static str {
    match invite {
        Invite::Invited => "invited",
        Invite::Accepted => "accepted",
        Invite::Declined => "declined",
    }
}
