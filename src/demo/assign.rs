//! Seats: who holds which pool, directly or through groups, plus app
//! installs. This is the bulk of the demo (about ten seats a user), so rows
//! are planned in (pool, user) order, which is the unique index's order.

use rusqlite::{Connection, params};

use super::batch;
use super::catalog::{Audience, FRONTLINE, FRONTLINE_WEIGHTS, GroupRole, OFFICE_WEIGHTS};
use super::clock::{Clock, DAY};
use super::licenses::{Licenses, Pool};
use super::names::{self, DEPARTMENTS, OFFICES};
use super::people::People;
use super::progress::Tracker;
use super::rng::Rng;
use super::software::Inventory;

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

/// Regions where third-party apps are offered (R-SUB-8).
const SAAS_REGIONS: &[&str] = &[
    "AR", "AU", "CA", "CL", "FR", "DE", "GR", "PR", "ZA", "GB", "US", "NL",
];
const NOT_DETECTED: &str = "0x87D1041C: the app was not detected after installation completed";

struct Planner<'a> {
    rng: Rng,
    people: &'a People,
    inventory: &'a Inventory,
    /// Per user id (index 0 unused): base plan, and a bit per owned device OS.
    base: Vec<u8>,
    owned: Vec<u8>,
    out: Seats,
}

impl Seats {
    pub(crate) fn plan(seed: u64, people: &People, inventory: &Inventory, licenses: &Licenses) -> Self {
        let mut rng = Rng::stream(seed, "seats");
        let base = base_plans(&mut rng, people);
        let mut owned = vec![0u8; people.users.len() + 1];
        for d in &people.devices {
            owned[d.owner as usize] |= 1 << d.os as u8;
        }
        let mut planner = Planner {
            rng,
            people,
            inventory,
            base,
            owned,
            out: Seats {
                seats: Vec::with_capacity(people.users.len() * 10),
                grants: Vec::new(),
                installs: Vec::new(),
                consumed: Vec::new(),
            },
        };
        for (id, pool) in (1..).zip(&licenses.pools) {
            planner.pool(id, pool, people.users.len());
        }
        planner.out
    }

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

/// Each user's one base Microsoft 365 plan (index into the SKU list's base
/// plans; the last index is "none").
fn base_plans(rng: &mut Rng, people: &People) -> Vec<u8> {
    let frontline: Vec<bool> = DEPARTMENTS
        .iter()
        .map(|(name, _)| FRONTLINE.contains(name))
        .collect();
    let mut base = vec![u8::MAX];
    base.extend(people.users.iter().map(|u| {
        let weights = if frontline[u.dept] {
            &FRONTLINE_WEIGHTS
        } else {
            &OFFICE_WEIGHTS
        };
        rng.weighted(weights) as u8
    }));
    base
}

impl Planner<'_> {
    fn pool(&mut self, id: u32, pool: &Pool, users: usize) {
        let start = self.out.seats.len();
        let users = users as u32;
        match pool.audience {
            Audience::Nobody => {}
            Audience::Base(plan) => self.direct(id, users, |p, user| p.base[user as usize] as usize == plan),
            Audience::Random(chance) => self.direct(id, users, |p, _| p.rng.chance(chance)),
            Audience::Depts(depts, chance) => {
                let wanted: Vec<usize> = depts.iter().map(|d| names::department(d)).collect();
                let people = self.people;
                self.direct(id, users, |p, user| {
                    wanted.contains(&people.users[user as usize - 1].dept) && p.rng.chance(chance)
                });
            }
            Audience::Groups { groups, direct, .. } => self.groups(id, groups, direct),
            Audience::Devices(role) => self.devices(id, role),
            Audience::OsOwners(oses, chance) => {
                let mask = oses.iter().fold(0u8, |m, os| m | 1 << *os as u8);
                self.direct(id, users, |p, user| {
                    p.owned[user as usize] & mask != 0 && p.rng.chance(chance)
                });
            }
            Audience::Detected(product) => {
                let total = pool.total(id, 0, users as usize).unwrap_or(0).max(0) as usize;
                let owners = self.inventory.owners(product, self.people);
                for user in owners.into_iter().take(total) {
                    self.push(id, user, 0, 0, true);
                }
            }
        }
        self.finish(id, pool, start);
    }

    fn direct(&mut self, pool: u32, users: u32, mut wanted: impl FnMut(&mut Self, u32) -> bool) {
        for user in 1..=users {
            if wanted(self, user) {
                self.push(pool, user, 0, 0, true);
            }
        }
    }

    fn push(&mut self, pool: u32, user: u32, device: u32, via: u32, direct: bool) {
        let ago = self.rng.range(DAY, 720 * DAY);
        self.out.seats.push(Seat {
            pool,
            user,
            device,
            via,
            direct,
            intent: Intent::Required,
            fault: None,
            invite: None,
            ago,
        });
    }

    fn group_id(&self, role: GroupRole) -> u32 {
        let marks = &self.people.landmarks;
        match role {
            GroupRole::AllStaff => marks.all_staff,
            GroupRole::Dept(name) => People::dept_group(names::department(name)),
            GroupRole::EngProduct => marks.eng_product,
            GroupRole::Phoenix => marks.phoenix,
            GroupRole::AppleMobile => marks.apple_mobile,
            GroupRole::WindowsDevices => marks.windows,
        }
    }

    /// Members of any of the groups hold one seat each, recorded against the
    /// first group that reaches them (R-LIC-7); a few also hold it directly.
    fn groups(&mut self, pool: u32, roles: &[GroupRole], direct: f64) {
        let mut via = vec![0u32; self.people.users.len() + 1];
        for role in roles {
            let group = self.group_id(*role);
            self.grant(pool, group);
            for user in self.people.users_in(group) {
                if via[user as usize] == 0 {
                    via[user as usize] = group;
                }
            }
        }
        for (user, group) in (0u32..).zip(via).skip(1) {
            if group != 0 {
                let also_direct = self.rng.chance(0.03);
                self.push(pool, user, 0, group, also_direct);
            } else if self.rng.chance(direct) {
                self.push(pool, user, 0, 0, true);
            }
        }
    }

    fn devices(&mut self, pool: u32, role: GroupRole) {
        let group = self.group_id(role);
        self.grant(pool, group);
        for device in self.people.devices_in(group) {
            self.push(pool, 0, device, group, false);
        }
    }

    fn grant(&mut self, pool: u32, group: u32) {
        let ago = self.rng.range(400 * DAY, 800 * DAY);
        self.out.grants.push(Grant { pool, group, ago });
    }

    /// Kind-specific details of the pool's new seats, its consumed count and
    /// its installs.
    fn finish(&mut self, pool_id: u32, pool: &Pool, start: usize) {
        let is_app = matches!(pool.kind, "store_online" | "store_offline" | "vpp");
        let errors = match pool.audience {
            Audience::Groups { errors: true, .. } => (self.people.users.len() / 10_000).max(3),
            _ => 0,
        };
        let people = self.people;
        let rng = &mut self.rng;
        let seats = &mut self.out.seats[start..];
        for seat in seats.iter_mut() {
            if is_app {
                seat.intent =
                    [Intent::Required, Intent::Available, Intent::Uninstall][rng.weighted(&[80, 17, 3])];
            }
            if pool.kind == "vpp" {
                seat.invite =
                    Some([Invite::Invited, Invite::Accepted, Invite::Declined][rng.weighted(&[15, 80, 5])]);
            }
            if pool.kind == "saas" && seat.user != 0 {
                let office = people.users[seat.user as usize - 1].office;
                if !SAAS_REGIONS.contains(&OFFICES[office].0) {
                    seat.fault = Some(Fault::Location);
                }
            }
        }
        // The last group members found no free seat.
        let group_only = seats.iter_mut().rev().filter(|s| !s.direct && s.fault.is_none());
        group_only.take(errors).for_each(|s| s.fault = Some(Fault::Count));
        let consumed = seats.iter().filter(|s| s.fault.is_none()).count() as i64;
        self.out.consumed.push(consumed);
        debug_assert_eq!(self.out.consumed.len(), pool_id as usize);
        if let Some(app) = pool.app.filter(|_| matches!(pool.kind, "store_offline" | "vpp")) {
            self.installs(app, start);
        }
    }

    fn installs(&mut self, app: usize, start: usize) {
        for seat in &self.out.seats[start..] {
            if seat.fault.is_some() || !self.rng.chance(0.5) {
                continue;
            }
            let (state, error) = match (seat.intent, seat.invite) {
                (Intent::Uninstall, _) => ("not_installed", None),
                (_, Some(Invite::Invited)) => (
                    "pending",
                    Some("waiting for the user to accept the VPP invitation"),
                ),
                (_, Some(Invite::Declined)) => ("failed", Some("the user declined the VPP invitation")),
                _ => match self.rng.weighted(&[88, 8, 4]) {
                    0 => ("installed", None),
                    1 => ("pending", None),
                    _ => ("failed", Some(NOT_DETECTED)),
                },
            };
            let ago = self.rng.range(600, seat.ago.max(601));
            let (user, device) = (seat.user, seat.device);
            self.out.installs.push(Install {
                app,
                user,
                device,
                state,
                error,
                ago,
            });
        }
    }
}
