//! Every pool with its seats and installs, one pool at a time: the seats
//! are drawn (`assign.rs`), finished (intent, invitation, faults) and
//! written as they come, and the pool row follows with its consumed count.

use rusqlite::Connection;

use super::assign::{self, Ctx};
use super::batch;
use super::catalog::Audience;
use super::clock::Clock;
use super::licenses::{Licenses, Pool};
use super::names::OFFICES;
use super::progress::Tracker;
use super::rng::Rng;
use super::seats::{Fault, Install, Intent, Invite, Seat, Writer};

/// Regions where third-party apps are offered (R-SUB-8).
const SAAS_REGIONS: &[&str] = &[
    "AR", "AU", "CA", "CL", "FR", "DE", "GR", "PR", "ZA", "GB", "US", "NL",
];
const NOT_DETECTED: &str = "0x87D1041C: the app was not detected after installation completed";
/// Why a deployment short of seats failed (R-APP-6).
const NO_SEAT: &str = "no seat left: every seat of the app is used; release one or buy more";
const INTENTS: [Intent; 3] = [Intent::Required, Intent::Available, Intent::Uninstall];
const INVITES: [Invite; 3] = [Invite::Invited, Invite::Accepted, Invite::Declined];

/// How a pool is drawn.
struct Shape {
    is_app: bool,
    vpp: bool,
    saas: bool,
    /// Group seats left without a free seat (CountViolation).
    errors: u64,
    /// The app whose installs follow the seats.
    installs: Option<usize>,
}

impl Shape {
    fn of(pool: &Pool, users: u32) -> Self {
        let errors = match pool.audience {
            Audience::Groups { errors: true, .. } => (users as usize / 10_000).max(3),
            _ => pool.waiting,
        };
        Shape {
            is_app: matches!(pool.kind, "store_online" | "store_offline" | "vpp"),
            vpp: pool.kind == "vpp",
            saas: pool.kind == "saas",
            errors: errors as u64,
            installs: pool.app.filter(|_| matches!(pool.kind, "store_offline" | "vpp")),
        }
    }

    /// Draws each seat takes after all the pool's seats are drawn.
    fn draws_per_seat(&self) -> u64 {
        u64::from(self.is_app) + u64::from(self.vpp)
    }

    /// Whether the pool needs a probe: its later runs draw, or its last
    /// group seats must be known.
    fn probed(&self) -> bool {
        self.draws_per_seat() > 0 || self.errors > 0
    }

    /// A third-party app seat outside the app's regions.
    fn misplaced(&self, seat: &Seat) -> bool {
        self.saas && seat.user != 0 && !SAAS_REGIONS.contains(&OFFICES[seat.office].0)
    }
}

/// Passes over the users that writing `pool` takes (for progress).
pub(crate) fn passes(pool: &Pool, users: u32) -> u64 {
    u64::from(assign::visits(pool)) * (1 + u64::from(Shape::of(pool, users).probed()))
}

/// Writes every pool, its grants, seats and installs; returns the seats.
pub(crate) fn write(
    conn: &Connection,
    (ctx, clock): (&Ctx, &Clock),
    licenses: &Licenses,
    by: &[&str],
    t: &mut Tracker,
) -> rusqlite::Result<i64> {
    t.stage("assignments");
    // The stream starts with every user's base plan (drawn by the census).
    let mut rng = Rng::stream(ctx.shape.seed, "seats");
    rng.skip(u64::from(ctx.shape.users));
    let mut consumed = Vec::with_capacity(licenses.pools.len());
    let seats = batch::without_checks(conn, || {
        let mut writer = Writer::new(conn, *clock);
        for ((id, pool), by) in (1u32..).zip(&licenses.pools).zip(by) {
            consumed.push(one_pool(ctx, &mut rng, (id, pool), by, &mut writer, t)?);
        }
        let seats = writer.seat_count;
        writer.finish()?;
        Ok(seats)
    })?;
    licenses.write_pools(conn, clock, &consumed, ctx.shape.users as usize)?;
    Ok(seats)
}

/// Draws and writes one pool's seats; returns its consumed count.
fn one_pool<'c>(
    ctx: &Ctx,
    rng: &mut Rng,
    (id, pool): (u32, &Pool),
    by: &'c str,
    w: &mut Writer<'c>,
    t: &mut Tracker,
) -> rusqlite::Result<i64> {
    let shape = Shape::of(pool, ctx.shape.users);
    let mut no_grants = |_, _| Ok(());
    // Where the intents and the installs start, and how many group seats
    // keep theirs (the rest found none free).
    let (mut later, mut installs, keep) = if shape.probed() {
        let mut probe = rng.clone();
        let (mut seats, mut group_only) = (0u64, 0u64);
        assign::draw(ctx, &mut probe, (id, pool), t, &mut no_grants, &mut |s| {
            seats += 1;
            group_only += u64::from(!s.direct && !shape.misplaced(&s));
            Ok(())
        })?;
        let mut installs = probe.clone();
        installs.skip(seats * shape.draws_per_seat());
        (probe, installs, group_only.saturating_sub(shape.errors))
    } else {
        (rng.clone(), rng.clone(), u64::MAX)
    };
    let mut grants = Vec::new();
    let (mut kept, mut consumed) = (0u64, 0i64);
    assign::draw(
        ctx,
        rng,
        (id, pool),
        t,
        &mut |group, ago| {
            grants.push((group, ago));
            Ok(())
        },
        &mut |mut seat| {
            if shape.is_app {
                seat.intent = INTENTS[later.weighted(&[80, 17, 3])];
            }
            // The seat's own draw stays (it paces the installs' draws, so
            // the rest of the demo stays the same); the invitation is the
            // user's.
            let drawn = shape.vpp.then(|| INVITES[later.weighted(&[15, 80, 5])]);
            if shape.vpp {
                seat.invite = Some(invite_of(ctx.shape.seed, seat.user));
            }
            if shape.misplaced(&seat) {
                seat.fault = Some(Fault::Location);
            }
            if !seat.direct && seat.fault.is_none() {
                kept += 1;
                if kept > keep {
                    seat.fault = Some(Fault::Count);
                }
            }
            consumed += i64::from(seat.fault.is_none());
            if let Some(install) = shape
                .installs
                .and_then(|app| install(&mut installs, app, &seat, drawn))
            {
                w.install(install)?;
            }
            w.seat(seat, by)
        },
    )?;
    for (group, ago) in grants {
        w.grant(id, group, ago, by)?;
    }
    if shape.probed() {
        *rng = installs;
    }
    Ok(consumed)
}

/// A user's Apple invitation: one state for every VPP seat they hold, as
/// Apple keeps one account a user (Registered until accepted, whatever the
/// app), so the sync, which reads the user's state onto each seat, finds
/// the demo as it was written: no invited user with an installed app.
fn invite_of(seed: u64, user: u32) -> Invite {
    let mut rng = Rng::stream(
        seed ^ u64::from(user).wrapping_mul(0x9e37_79b9_7f4a_7c15),
        "vpp-invite",
    );
    INVITES[rng.weighted(&[15, 80, 5])]
}

/// The install that follows a seat, if any (R-APP-6: a deployment waiting
/// for a seat failed, saying why; it draws as any other seat does, so the
/// rest of the demo stays the same whichever seats wait).
///
/// `drawn` is the invitation the seat drew before invitations were the
/// user's: the draws follow it, so every later draw stays where it was.
fn install(rng: &mut Rng, app: usize, seat: &Seat, drawn: Option<Invite>) -> Option<Install> {
    let waiting = seat.fault == Some(Fault::Count);
    if seat.fault.is_some() && !waiting {
        return None;
    }
    let no_seat = Install {
        app,
        user: seat.user,
        device: seat.device,
        state: "failed",
        error: Some(NO_SEAT),
        ago: seat.ago,
    };
    if !rng.chance(0.5) {
        return waiting.then_some(no_seat);
    }
    let rolled =
        !matches!(drawn, Some(Invite::Invited | Invite::Declined)) && seat.intent != Intent::Uninstall;
    let roll = if rolled { rng.weighted(&[88, 8, 4]) } else { 0 };
    let (state, error) = match (seat.intent, seat.invite) {
        (Intent::Uninstall, _) => ("not_installed", None),
        (_, Some(Invite::Invited)) => (
            "pending",
            Some("waiting for the user to accept the VPP invitation"),
        ),
        (_, Some(Invite::Declined)) => ("failed", Some("the user declined the VPP invitation")),
        _ => match roll {
            0 => ("installed", None),
            1 => ("pending", None),
            _ => ("failed", Some(NOT_DETECTED)),
        },
    };
    let ago = rng.range(600, seat.ago.max(601));
    if waiting {
        return Some(Install { ago, ..no_seat });
    }
    Some(Install {
        app,
        user: seat.user,
        device: seat.device,
        state,
        error,
        ago,
    })
}
