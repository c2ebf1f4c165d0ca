//! The tenant drawn again, one user at a time: what groups and seats need
//! to know of each user (department, office, base plan, devices, the
//! project groups) without holding the tenant. Each pass draws the same
//! seeded streams the writer drew, so it finds exactly the users written;
//! a pass costs a few dozen random draws a user, far less than holding a
//! million users would cost in memory.

use super::catalog::{FRONTLINE, FRONTLINE_WEIGHTS, OFFICE_WEIGHTS};
use super::names::{self, DEPARTMENTS};
use super::people::{DeviceDraw, Devices, Os, Users};
use super::rng::Rng;
use super::software;

/// What a pass needs beyond the user's own draws.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Need {
    /// The devices (and the mask of systems owned).
    pub devices: bool,
    /// The base Microsoft 365 plan.
    pub base: bool,
    /// Membership of the outsiders of Engineering & Product and of Phoenix.
    pub groups: bool,
    /// The products detected on each device (implies devices).
    pub inventory: bool,
}

/// One user as the groups and seats see them.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Person {
    pub id: u32,
    pub dept: usize,
    pub office: usize,
    /// Index of the base plan (`BASE_PLANS` is "none").
    pub base: u8,
    /// A bit per system of the devices owned ([`Os::bit`]).
    pub owned: u8,
    pub outsider: bool,
    pub phoenix: bool,
}

/// Facts fixed by the first pass that later passes need to draw alike.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape {
    pub seed: u64,
    pub users: u32,
    /// Users outside Engineering: the outsider draws, before Phoenix's.
    pub non_eng: u64,
}

/// A pass over every user, in id order.
pub(crate) struct Census {
    need: Need,
    users: Users,
    devices: Devices,
    base: Rng,
    outsiders: Rng,
    phoenix: Rng,
    inventory: Rng,
    next: u32,
    count: u32,
    eng: usize,
    frontline: Vec<bool>,
}

impl Census {
    pub(crate) fn new(shape: Shape, need: Need) -> Self {
        let outsiders = Rng::stream(shape.seed, "groups");
        let mut phoenix = outsiders.clone();
        phoenix.skip(shape.non_eng);
        Census {
            need: Need {
                devices: need.devices || need.inventory,
                ..need
            },
            users: Users::new(shape.seed),
            devices: Devices::new(shape.seed),
            base: Rng::stream(shape.seed, "seats"),
            outsiders,
            phoenix,
            inventory: Rng::stream(shape.seed, "inventory"),
            next: 0,
            count: shape.users,
            eng: names::department("Engineering"),
            frontline: DEPARTMENTS
                .iter()
                .map(|(name, _)| FRONTLINE.contains(name))
                .collect(),
        }
    }

    /// The next user (None after the last), handing each of their devices
    /// to `device` with the owner's department and the mask of products
    /// detected on it (0 unless inventory is needed).
    pub(crate) fn next_with(
        &mut self,
        mut device: impl FnMut(&DeviceDraw, Option<usize>, u32),
    ) -> Option<Person> {
        if self.next >= self.count {
            return None;
        }
        self.next += 1;
        let drawn = self.users.next_user();
        let mut person = Person {
            id: self.next,
            dept: drawn.dept,
            office: drawn.office,
            ..Person::default()
        };
        if self.need.base {
            let weights = if self.frontline[drawn.dept] {
                &FRONTLINE_WEIGHTS
            } else {
                &OFFICE_WEIGHTS
            };
            person.base = self.base.weighted(weights) as u8;
        }
        if self.need.groups {
            person.outsider = drawn.dept != self.eng && self.outsiders.chance(0.005);
            let chance = if drawn.dept == self.eng { 0.08 } else { 0.005 };
            person.phoenix = self.phoenix.chance(chance);
        }
        if self.need.devices {
            let (inventory, need) = (&mut self.inventory, self.need.inventory);
            let dept = Some(DEPARTMENTS[drawn.dept].0);
            let mut owned = 0;
            self.devices.owned(person.id, |d| {
                owned |= d.os.bit();
                let found = if need { detected(inventory, d, dept) } else { 0 };
                device(d, Some(drawn.dept), found);
            });
            person.owned = owned;
        }
        Some(person)
    }

    /// The next user, without their devices.
    pub(crate) fn next_person(&mut self) -> Option<Person> {
        self.next_with(|_, _, _| {})
    }

    /// The kiosks, after the last user (devices must be needed).
    pub(crate) fn kiosks(&mut self, mut device: impl FnMut(&DeviceDraw, Option<usize>, u32)) {
        let (inventory, need) = (&mut self.inventory, self.need.inventory);
        self.devices.kiosks(self.count, |d| {
            let found = if need { detected(inventory, d, None) } else { 0 };
            device(d, None, found);
        });
    }
}

/// The mask of products detected on a device, as the writer drew them.
fn detected(rng: &mut Rng, d: &DeviceDraw, dept: Option<&str>) -> u32 {
    let mut found = 0;
    if d.os.is_computer() && d.managed {
        software::detect(rng, d.os, dept, |product, _, _| found |= 1 << product);
    }
    found
}

/// Whether the device is a managed Windows computer (the fallback home of
/// a product nothing else has).
pub(crate) fn managed_windows(d: &DeviceDraw) -> bool {
    d.os == Os::Windows && d.managed
}
