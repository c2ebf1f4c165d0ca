//! Who holds which pool, directly or through groups, and which installs
//! follow: the planning half of the seats (`seats.rs` writes them).

use super::catalog::{Audience, FRONTLINE, FRONTLINE_WEIGHTS, GroupRole, OFFICE_WEIGHTS};
use super::clock::DAY;
use super::licenses::{Licenses, Pool};
use super::names::{self, DEPARTMENTS, OFFICES};
use super::people::People;
use super::rng::Rng;
use super::seats::{Fault, Grant, Install, Intent, Invite, Seat, Seats};
use super::software::Inventory;

/// Regions where third-party apps are offered (R-SUB-8).
const SAAS_REGIONS: &[&str] = &[
    "AR", "AU", "CA", "CL", "FR", "DE", "GR", "PR", "ZA", "GB", "US", "NL",
];
const NOT_DETECTED: &str = "0x87D1041C: the app was not detected after installation completed";
/// Why a deployment short of seats failed (R-APP-6).
const NO_SEAT: &str = "no seat left: every seat of the app is used; release one or buy more";

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
        // Seats stay in (pool, user) order, the unique index's order: sorting
        // them by user instead measured slower.
        planner.out
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
        let mut via = vec![(0u32, 0i64); self.people.users.len() + 1];
        for role in roles {
            let group = self.group_id(*role);
            let granted = self.grant(pool, group);
            for user in self.people.users_in(group) {
                if via[user as usize].0 == 0 {
                    via[user as usize] = (group, granted);
                }
            }
        }
        for (user, (group, granted)) in (0u32..).zip(via).skip(1) {
            if group != 0 {
                let also_direct = self.rng.chance(0.03);
                self.push(pool, user, 0, group, also_direct);
                self.not_before(granted);
            } else if self.rng.chance(direct) {
                self.push(pool, user, 0, 0, true);
            }
        }
    }

    fn devices(&mut self, pool: u32, role: GroupRole) {
        let group = self.group_id(role);
        let granted = self.grant(pool, group);
        for device in self.people.devices_in(group) {
            self.push(pool, 0, device, group, false);
            self.not_before(granted);
        }
    }

    /// Gives `pool` to `group`; returns how long ago, in seconds.
    fn grant(&mut self, pool: u32, group: u32) -> i64 {
        let ago = self.rng.range(400 * DAY, 800 * DAY);
        self.out.grants.push(Grant { pool, group, ago });
        ago
    }

    /// A seat that came through a group is no older than the group's grant.
    fn not_before(&mut self, granted: i64) {
        if let Some(seat) = self.out.seats.last_mut() {
            seat.ago = seat.ago.min(granted);
        }
    }

    /// Kind-specific details of the pool's new seats, its consumed count and
    /// its installs.
    fn finish(&mut self, pool_id: u32, pool: &Pool, start: usize) {
        let is_app = matches!(pool.kind, "store_online" | "store_offline" | "vpp");
        let errors = match pool.audience {
            Audience::Groups { errors: true, .. } => (self.people.users.len() / 10_000).max(3),
            _ => pool.waiting,
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
            // A deployment waiting for a seat failed, saying why (R-APP-6).
            // It draws as any other seat does, so the rest of the demo stays
            // the same whichever seats wait.
            let waiting = seat.fault == Some(Fault::Count);
            if seat.fault.is_some() && !waiting {
                continue;
            }
            if !self.rng.chance(0.5) {
                if waiting {
                    self.out.installs.push(no_seat(app, seat));
                }
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
            if waiting {
                self.out.installs.push(Install {
                    ago,
                    ..no_seat(app, seat)
                });
                continue;
            }
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

/// The failed install of a deployment that found no free seat.
fn no_seat(app: usize, seat: &Seat) -> Install {
    Install {
        app,
        user: seat.user,
        device: seat.device,
        state: "failed",
        error: Some(NO_SEAT),
        ago: seat.ago,
    }
}
