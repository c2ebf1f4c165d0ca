//! Users, devices and groups of the fictional organization.

use std::collections::HashMap;

use rusqlite::Connection;

use super::batch;
use super::clock::{Clock, DAY};
use super::names::{self, DEPARTMENTS, FIRST, LAST, OFFICES};
use super::progress::Tracker;
use super::rng::Rng;

/// One planned user; its id is its index + 1.
pub(crate) struct User {
    pub upn: String,
    pub display: String,
    pub dept: usize,
    pub office: usize,
    pub enabled: bool,
    pub deleted: bool,
    /// Seconds since the last sign-in; `None` for never.
    pub sign_in_ago: Option<i64>,
    pub source_id: String,
}

/// A device's operating system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Os {
    Windows,
    Mac,
    Ios,
    Android,
}

impl Os {
    fn as_str(self) -> &'static str {
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
}

/// One planned device; its id is its index + 1.
pub(crate) struct Device {
    pub name: String,
    pub os: Os,
    /// Owner user id; 0 for a shared device.
    pub owner: u32,
    pub managed: bool,
    pub source_id: String,
}

impl Device {
    /// An Apple device's serial number (12 characters, as Apple prints
    /// them), derived from its id at the source so that the generator's
    /// random sequence, and so every other figure of the demo, stays as
    /// it was; None for other devices.
    pub(crate) fn serial_number(&self) -> Option<String> {
        if !matches!(self.os, Os::Mac | Os::Ios) {
            return None;
        }
        // 60 bits of the id in Apple's alphabet (no I or O): no two devices of
        // a million share one.
        let hex: String = self
            .source_id
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
}

/// A member of a group.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Member {
    User(u32),
    Device(u32),
    Group(u32),
}

/// One planned group; its id is its index + 1.
pub(crate) struct Group {
    pub name: String,
    pub kind: &'static str,
    pub members: Vec<Member>,
    pub source_id: String,
}

/// Ids of the groups other parts of the demo refer to by role.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Landmarks {
    pub all_staff: u32,
    pub windows: u32,
    pub apple_mobile: u32,
    pub studio: u32,
    pub eng_product: u32,
    pub phoenix: u32,
}

/// Everyone and everything in the tenant.
pub(crate) struct People {
    pub users: Vec<User>,
    pub devices: Vec<Device>,
    pub groups: Vec<Group>,
    pub landmarks: Landmarks,
}

impl People {
    pub(crate) fn plan(seed: u64, users: u32, domain: &str) -> Self {
        let users = plan_users(&mut Rng::stream(seed, "users"), users, domain);
        let devices = plan_devices(&mut Rng::stream(seed, "devices"), &users);
        let (groups, landmarks) = plan_groups(&mut Rng::stream(seed, "groups"), &users, &devices);
        People {
            users,
            devices,
            groups,
            landmarks,
        }
    }

    /// The id of a department's group.
    pub(crate) fn dept_group(dept: usize) -> u32 {
        dept as u32 + 1
    }

    /// Rows `write` inserts.
    pub(crate) fn rows(&self) -> u64 {
        let members: usize = self.groups.iter().map(|g| g.members.len()).sum();
        (self.users.len() + self.devices.len() + self.groups.len() + members) as u64
    }

    /// Every user reached through `group`, nested groups flattened, sorted
    /// and without duplicates.
    pub(crate) fn users_in(&self, group: u32) -> Vec<u32> {
        let mut out = Vec::new();
        self.collect(group, &mut out, 0);
        out.sort_unstable();
        out.dedup();
        out
    }

    fn collect(&self, group: u32, out: &mut Vec<u32>, depth: u32) {
        // The planned nesting is two levels deep; the bound only guards a cycle.
        let Some(found) = self.groups.get(group as usize - 1).filter(|_| depth < 8) else {
            return;
        };
        for member in &found.members {
            match *member {
                Member::User(id) => out.push(id),
                Member::Group(child) => self.collect(child, out, depth + 1),
                Member::Device(_) => {}
            }
        }
    }

    /// The devices that are direct members of `group`.
    pub(crate) fn devices_in(&self, group: u32) -> Vec<u32> {
        let members = self.groups.get(group as usize - 1).map(|g| g.members.as_slice());
        let members = members.unwrap_or_default().iter();
        members
            .filter_map(|m| match m {
                Member::Device(id) => Some(*id),
                _ => None,
            })
            .collect()
    }

    pub(crate) fn write(&self, conn: &Connection, clock: &Clock, t: &mut Tracker) -> rusqlite::Result<()> {
        t.stage("users");
        let into = "users (id, upn, display_name, department, usage_location, enabled, deleted, \
                    last_sign_in, source_id)";
        batch::insert(conn, into, 9, &self.users, t, |row, index, u| {
            row.put(index as i64 + 1)?.put(&u.upn)?.put(&u.display)?;
            row.put(DEPARTMENTS[u.dept].0)?.put(OFFICES[u.office].0)?;
            row.put(u.enabled)?.put(u.deleted)?;
            row.put(u.sign_in_ago.map(|ago| clock.ago(ago)))?
                .put(&u.source_id)?;
            Ok(())
        })?;
        t.stage("devices");
        let into = "devices (id, name, os, owner_id, managed, source_id, serial_number)";
        batch::insert(conn, into, 7, &self.devices, t, |row, index, d| {
            row.put(index as i64 + 1)?.put(&d.name)?.put(d.os.as_str())?;
            row.put((d.owner != 0).then_some(d.owner))?
                .put(d.managed)?
                .put(&d.source_id)?
                .put(d.serial_number())?;
            Ok(())
        })?;
        self.write_groups(conn, t)
    }

    fn write_groups(&self, conn: &Connection, t: &mut Tracker) -> rusqlite::Result<()> {
        t.stage("groups");
        batch::insert(
            conn,
            "groups (id, name, kind, source_id)",
            4,
            &self.groups,
            t,
            |row, index, g| {
                row.put(index as i64 + 1)?
                    .put(&g.name)?
                    .put(g.kind)?
                    .put(&g.source_id)?;
                Ok(())
            },
        )?;
        let members: Vec<(u32, Member)> = (1..)
            .zip(&self.groups)
            .flat_map(|(id, g)| g.members.iter().map(move |m| (id, *m)))
            .collect();
        let into = "group_members (group_id, user_id, device_id, child_group_id)";
        batch::insert(conn, into, 4, &members, t, |row, _, (group, member)| {
            let (user, device, child) = match *member {
                Member::User(id) => (Some(id), None, None),
                Member::Device(id) => (None, Some(id), None),
                Member::Group(id) => (None, None, Some(id)),
            };
            row.put(group)?.put(user)?.put(device)?.put(child)?;
            Ok(())
        })
    }
}

fn plan_users(rng: &mut Rng, count: u32, domain: &str) -> Vec<User> {
    let dept_weights = names::department_weights();
    let office_weights = names::office_weights();
    // Namesakes get a number, as a directory would: anna.jansen, anna.jansen2.
    let mut taken: HashMap<String, u32> = HashMap::new();
    (0..count)
        .map(|_| {
            let first = FIRST[rng.index(FIRST.len())];
            let last = LAST[rng.index(LAST.len())];
            let local = format!("{}.{}", names::upn_part(first), names::upn_part(last));
            let seen = taken.entry(local.clone()).or_insert(0);
            *seen += 1;
            let upn = match *seen {
                1 => format!("{local}@{domain}"),
                n => format!("{local}{n}@{domain}"),
            };
            let enabled = !rng.chance(0.03);
            let deleted = rng.chance(0.01);
            User {
                upn,
                display: format!("{first} {last}"),
                dept: rng.weighted(&dept_weights),
                office: rng.weighted(&office_weights),
                enabled,
                deleted,
                sign_in_ago: sign_in(rng, enabled && !deleted),
                source_id: rng.guid(),
            }
        })
        .collect()
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

fn plan_devices(rng: &mut Rng, users: &[User]) -> Vec<Device> {
    let mut devices = Vec::with_capacity(users.len() * 6 / 5 + 16);
    let mut add = |rng: &mut Rng, prefix: &str, os: Os, owner: u32| {
        let number = devices.len() + 1;
        devices.push(Device {
            name: format!("{prefix}-{number:05}"),
            os,
            owner,
            managed: !rng.chance(0.03),
            source_id: rng.guid(),
        });
    };
    for owner in 1..=users.len() as u32 {
        match rng.weighted(&[60, 15, 25]) {
            0 => add(rng, "LT", Os::Windows, owner),
            1 => add(rng, "DT", Os::Windows, owner),
            _ => add(rng, "MAC", Os::Mac, owner),
        }
        // About one in five also has a phone or tablet: ~1.2 devices a user.
        if rng.chance(0.2) {
            match rng.weighted(&[55, 25, 20]) {
                0 => add(rng, "IPH", Os::Ios, owner),
                1 => add(rng, "IPD", Os::Ios, owner),
                _ => add(rng, "AND", Os::Android, owner),
            }
        }
    }
    // Shared shop-floor computers belong to nobody.
    for _ in 0..(users.len() / 100).max(2) {
        add(rng, "KIOSK", Os::Windows, 0);
    }
    devices
}

fn plan_groups(rng: &mut Rng, users: &[User], devices: &[Device]) -> (Vec<Group>, Landmarks) {
    let mut groups = Vec::new();
    let mut add = |name: String, kind: &'static str, members: Vec<Member>| {
        groups.push(Group {
            name,
            kind,
            members,
            source_id: String::new(),
        });
        groups.len() as u32
    };
    let users_where = |keep: &dyn Fn(&User) -> bool| -> Vec<Member> {
        let ids = (1..).zip(users).filter(|(_, u)| keep(u));
        ids.map(|(id, _)| Member::User(id)).collect()
    };
    let devices_where = |keep: &dyn Fn(&Device) -> bool| -> Vec<Member> {
        let ids = (1..).zip(devices).filter(|(_, d)| keep(d));
        ids.map(|(id, _)| Member::Device(id)).collect()
    };
    for (dept, (name, _)) in DEPARTMENTS.iter().enumerate() {
        add(format!("Dept - {name}"), "user", users_where(&|u| u.dept == dept));
    }
    // Every user is also in an office group: a user in two groups.
    for (office, (_, city, _)) in OFFICES.iter().enumerate() {
        add(
            format!("Office - {city}"),
            "user",
            users_where(&|u| u.office == office),
        );
    }
    let depts = (1..=DEPARTMENTS.len() as u32).map(Member::Group).collect();
    let mut marks = Landmarks {
        all_staff: add("All Staff".into(), "user", depts),
        windows: add(
            "Windows Devices".into(),
            "device",
            devices_where(&|d| d.os == Os::Windows),
        ),
        ..Landmarks::default()
    };
    add(
        "macOS Devices".into(),
        "device",
        devices_where(&|d| d.os == Os::Mac),
    );
    add(
        "iOS Devices".into(),
        "device",
        devices_where(&|d| d.os == Os::Ios),
    );
    let design = names::department("Design");
    let is_designer = |owner: u32| owner != 0 && users[owner as usize - 1].dept == design;
    let mut studio = users_where(&|u| u.dept == design);
    studio.extend(devices_where(&|d| is_designer(d.owner)));
    marks.studio = add("Design Studio".into(), "mixed", studio);
    let (eng, product) = (names::department("Engineering"), names::department("Product"));
    let mut eng_product = vec![
        Member::Group(People::dept_group(eng)),
        Member::Group(People::dept_group(product)),
    ];
    // A few people from elsewhere work with engineering (contractors, PMs).
    let outsiders = (1..)
        .zip(users)
        .filter(|(_, u)| u.dept != eng && rng.chance(0.005));
    eng_product.extend(outsiders.map(|(id, _)| Member::User(id)));
    marks.eng_product = add("Engineering & Product".into(), "user", eng_product);
    let phoenix = (1..)
        .zip(users)
        .filter(|(_, u)| rng.chance(if u.dept == eng { 0.08 } else { 0.005 }));
    let phoenix = phoenix.map(|(id, _)| Member::User(id)).collect();
    marks.phoenix = add("Project Phoenix".into(), "user", phoenix);
    let mut mobile: Vec<u32> = devices
        .iter()
        .filter(|d| d.os == Os::Ios && d.owner != 0)
        .map(|d| d.owner)
        .collect();
    mobile.dedup();
    marks.apple_mobile = add(
        "iPhone and iPad Users".into(),
        "user",
        mobile.into_iter().map(Member::User).collect(),
    );
    for group in &mut groups {
        group.source_id = rng.guid();
    }
    (groups, marks)
}
