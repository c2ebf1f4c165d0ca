//! Seats, group grants and installs as rows: the bulk of the demo (about
//! ten seats a user), written through multi-row statements as they are
//! drawn, in (pool, user) order, the unique index's order.

use rusqlite::Connection;

use super::batch::{Batch, Row};
use super::clock::{Clock, Stamp};
use crate::store::db::assigned_by_value;

/// What an assignment asks for (R-APP-7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Intent {
    Required,
    Available,
    Uninstall,
}

impl Intent {
    /// The seat table's `intent_code` (migration 0020).
    fn code(self) -> i64 {
        match self {
            Intent::Required => 0,
            Intent::Available => 1,
            Intent::Uninstall => 2,
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

/// One assignment as drawn. `user` or `device` is 0 when not set, `via`
/// is 0 without a group; `office` is the user's (for the regions of
/// third-party apps).
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
    pub office: usize,
}

/// One install of an app.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Install {
    pub app: usize,
    pub user: u32,
    pub device: u32,
    pub state: &'static str,
    pub error: Option<&'static str>,
    pub ago: i64,
}

type Bind<T> = fn(&mut Row, &T) -> rusqlite::Result<()>;
/// A seat row: id, seat, assigned at (unix seconds, migration 0020), assigned
/// by (stored as a code, migration 0025).
type SeatRow<'c> = (i64, Seat, i64, &'c str);
/// An install row: id, install, updated at.
type InstallRow = (i64, Install, Stamp);

/// The writers of seats, installs and grants, with the next ids.
pub(crate) struct Writer<'c> {
    conn: &'c Connection,
    seats: Batch<'c, SeatRow<'c>, Bind<SeatRow<'c>>>,
    installs: Batch<'c, InstallRow, Bind<InstallRow>>,
    clock: Clock,
    pub(crate) seat_count: i64,
    install_count: i64,
}

impl<'c> Writer<'c> {
    pub(crate) fn new(conn: &'c Connection, clock: Clock) -> Self {
        Writer {
            conn,
            seats: Batch::new(conn, SEATS_INTO, bind_seat as Bind<_>),
            installs: Batch::new(conn, INSTALLS_INTO, bind_install as Bind<_>),
            clock,
            seat_count: 0,
            install_count: 0,
        }
    }

    /// Writes a seat, assigned by `by`.
    pub(crate) fn seat(&mut self, seat: Seat, by: &'c str) -> rusqlite::Result<()> {
        self.seat_count += 1;
        self.seats
            .push((self.seat_count, seat, self.clock.unix_ago(seat.ago), by))
    }

    pub(crate) fn install(&mut self, install: Install) -> rusqlite::Result<()> {
        self.install_count += 1;
        self.installs
            .push((self.install_count, install, self.clock.ago(install.ago)))
    }

    /// Gives `pool` to `group`, `ago` seconds ago.
    pub(crate) fn grant(&mut self, pool: u32, group: u32, ago: i64, by: &str) -> rusqlite::Result<()> {
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO group_assignments (pool_id, group_id, intent, assigned_at, assigned_by) \
             VALUES (?1, ?2, 'required', ?3, ?4)",
        )?;
        stmt.execute(rusqlite::params![pool, group, self.clock.ago(ago), by])?;
        Ok(())
    }

    /// Writes what is still held.
    pub(crate) fn finish(self) -> rusqlite::Result<()> {
        self.seats.finish()?;
        self.installs.finish()
    }
}

const SEATS_INTO: (&str, usize) = (
    "assignments (id, pool_id, user_id, device_id, direct, via_group_id, intent_code, state_code, error, \
     invitation, assigned_unix, assigned_by_code)",
    12,
);
const INSTALLS_INTO: (&str, usize) = (
    "installs (id, app_id, user_id, device_id, state, error, updated_at)",
    7,
);

fn bind_seat(row: &mut Row, (id, s, at, by): &SeatRow) -> rusqlite::Result<()> {
    // state_code (migration 0023): 0 active, 1 pending, 2 error.
    let (state, error) = match (s.fault, s.invite) {
        (Some(Fault::Count), _) => (2, Some("CountViolation")),
        (Some(Fault::Location), _) => (2, Some("ProhibitedInUsageLocationViolation")),
        (None, Some(Invite::Invited | Invite::Declined)) => (1, None),
        (None, _) => (0, None),
    };
    row.put(id)?.put(s.pool)?;
    row.put((s.user != 0).then_some(s.user))?
        .put((s.device != 0).then_some(s.device))?;
    row.put(s.direct)?.put((s.via != 0).then_some(s.via))?;
    row.put(s.intent.code())?.put(state)?.put(error)?;
    row.put(s.invite.map(invite_text))?
        .put(at)?
        .put(assigned_by_value(by))?;
    Ok(())
}

fn bind_install(row: &mut Row, (id, i, at): &InstallRow) -> rusqlite::Result<()> {
    row.put(id)?.put(i.app as i64 + 1)?;
    row.put((i.user != 0).then_some(i.user))?
        .put((i.device != 0).then_some(i.device))?;
    row.put(i.state)?.put(i.error)?.put(at)?;
    Ok(())
}

fn invite_text(invite: Invite) -> &'static str {
    match invite {
        Invite::Invited => "invited",
        Invite::Accepted => "accepted",
        Invite::Declined => "declined",
    }
}
