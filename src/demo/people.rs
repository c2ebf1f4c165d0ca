//! Users and devices of the fictional organization, as draws from their
//! seeded streams. Nothing here holds the tenant: the writer (`tenant.rs`)
//! turns each draw into a row at once, and the census (`census.rs`) draws
//! the same streams again whenever a later part needs a user's department
//! or devices, so memory stays the same at fifty users and at two million.

use std::collections::HashMap;

use super::clock::DAY;
use super::names::{self, FIRST, LAST};
use super::rng::Rng;

/// A device's operating system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Os {
    Windows,
    Mac,
    Ios,
    Android,
}

impl Os {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Os::Windows => "windows",
            Os::Mac => "macos",
            Os::Ios => "ios",
            Os::Android => "android",
        }
    }

    /// Whether software inventory is collected from it (a managed computer).
    pub(crate) fn is_computer(self) -> bool {
        matches!(self, Os::Windows | Os::Mac)
    }

    /// Its bit in a mask of owned systems.
    pub(crate) fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// One user as drawn; the row's text is made from it by the writer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UserDraw {
    pub first: usize,
    pub last: usize,
    pub enabled: bool,
    pub deleted: bool,
    pub dept: usize,
    pub office: usize,
    /// Seconds since the last sign-in; `None` for never.
    pub sign_in_ago: Option<i64>,
    pub guid: (u64, u64),
}

/// The users stream: one user after the other, in id order.
pub(crate) struct Users {
    rng: Rng,
    dept_weights: Vec<u32>,
    office_weights: Vec<u32>,
}

impl Users {
    pub(crate) fn new(seed: u64) -> Self {
        Users {
            rng: Rng::stream(seed, "users"),
            dept_weights: names::department_weights(),
            office_weights: names::office_weights(),
        }
    }

    /// The next user, in the order of the original planner's draws.
    pub(crate) fn next_user(&mut self) -> UserDraw {
        let rng = &mut self.rng;
        let first = rng.index(FIRST.len());
        let last = rng.index(LAST.len());
        let enabled = !rng.chance(0.03);
        let deleted = rng.chance(0.01);
        let dept = rng.weighted(&self.dept_weights);
        let office = rng.weighted(&self.office_weights);
        let sign_in_ago = sign_in(rng, enabled && !deleted);
        UserDraw {
            first,
            last,
            enabled,
            deleted,
            dept,
            office,
            sign_in_ago,
            guid: rng.guid_bits(),
        }
    }
}

/// Seconds since the last sign-in: mostly recent, some stale, a few never.
fn sign_in(rng: &mut Rng, active: bool) -> Option<i64> {
    let days = if !active {
        rng.range(30, 400)
    } else {
        match rng.weighted(&[78, 14, 6, 2]) {
            0 => rng.range(0, 14),
            1 => rng.range(15, 90),
            2 => rng.range(91, 500),
            _ => return None,
        }
    };
    Some(days * DAY + rng.range(0, DAY - 1))
}

/// Principal names, numbered for namesakes as a directory would
/// (anna.jansen, anna.jansen2). Holds one counter per first and last name
/// local part: ten thousand at most, whatever the tenant's size.
#[derive(Default)]
pub(crate) struct Upns {
    taken: HashMap<String, u32>,
}

impl Upns {
    pub(crate) fn next(&mut self, user: &UserDraw, domain: &str) -> String {
        let (first, last) = (FIRST[user.first], LAST[user.last]);
        let local = format!("{}.{}", names::upn_part(first), names::upn_part(last));
        let seen = match self.taken.get_mut(&local) {
            Some(seen) => {
                *seen += 1;
                *seen
            }
            None => {
                self.taken.insert(local.clone(), 1);
                1
            }
        };
        match seen {
            1 => format!("{local}@{domain}"),
            n => format!("{local}{n}@{domain}"),
        }
    }
}

/// One device as drawn; its id is given by the order of the draws.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DeviceDraw {
    pub id: u32,
    pub prefix: &'static str,
    pub os: Os,
    /// Owner user id; 0 for a shared device.
    pub owner: u32,
    pub managed: bool,
    pub guid: (u64, u64),
}

/// The devices stream: each user's computer and maybe a phone or tablet,
/// then the shared kiosks. It draws nothing from the users, so any pass can
/// follow it alongside the users stream.
pub(crate) struct Devices {
    rng: Rng,
    next_id: u32,
}

impl Devices {
    pub(crate) fn new(seed: u64) -> Self {
        Devices {
            rng: Rng::stream(seed, "devices"),
            next_id: 0,
        }
    }

    /// The devices of user `owner` (one or two), handed to `each` in id order.
    pub(crate) fn owned(&mut self, owner: u32, mut each: impl FnMut(&DeviceDraw)) {
        let (prefix, os) = match self.rng.weighted(&[60, 15, 25]) {
            0 => ("LT", Os::Windows),
            1 => ("DT", Os::Windows),
            _ => ("MAC", Os::Mac),
        };
        each(&self.device(prefix, os, owner));
        // About one in five also has a phone or tablet: ~1.2 devices a user.
        if self.rng.chance(0.2) {
            let (prefix, os) = match self.rng.weighted(&[55, 25, 20]) {
                0 => ("IPH", Os::Ios),
                1 => ("IPD", Os::Ios),
                _ => ("AND", Os::Android),
            };
            each(&self.device(prefix, os, owner));
        }
    }

    /// The shared shop-floor computers, which belong to nobody; drawn after
    /// every user's devices.
    pub(crate) fn kiosks(&mut self, users: u32, mut each: impl FnMut(&DeviceDraw)) {
        for _ in 0..(users / 100).max(2) {
            each(&self.device("KIOSK", Os::Windows, 0));
        }
    }

    fn device(&mut self, prefix: &'static str, os: Os, owner: u32) -> DeviceDraw {
        self.next_id += 1;
        DeviceDraw {
            id: self.next_id,
            prefix,
            os,
            owner,
            managed: !self.rng.chance(0.03),
            guid: self.rng.guid_bits(),
        }
    }
}

/// An Apple device's serial number (12 characters, as Apple prints them),
/// derived from its id at the source (`source_id`) so that the generator's
/// random sequence, and so every other figure of the demo, stays as it was;
/// None for other devices.
pub(crate) fn serial_number(os: Os, source_id: &str) -> Option<String> {
    if !matches!(os, Os::Mac | Os::Ios) {
        return None;
    }
    // 60 bits of the id in Apple's alphabet (no I or O): no two devices of
    // a million share one.
    let hex: String = source_id
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(15)
        .collect();
    let mut bits = u64::from_str_radix(&hex, 16).ok()?;
    let mut serial = [b'0'; 12];
    for place in serial.iter_mut().rev() {
        *place = b"0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"[(bits % 34) as usize];
        bits /= 34;
    }
    Some(String::from_utf8_lossy(&serial).into_owned())
}
