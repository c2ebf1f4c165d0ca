//! Groups of the fictional organization and their members. Every group is
//! a rule over the users and devices (a department, an office, a system,
//! a random project team), so members are written from two passes of the
//! census: one counts each group's size, the next writes every member with
//! the row id it would have had if the groups had been written one after
//! the other (each group's members together, in the same order).

use rusqlite::Connection;

use super::batch::{Batch, Row};
use super::census::{Census, Need, Person, Shape};
use super::names::{self, DEPARTMENTS, OFFICES};
use super::people::Os;
use super::progress::Tracker;
use super::rng::Rng;

/// Group ids by role: the departments' groups come first (id = index + 1),
/// then the offices', then these.
pub(crate) const ALL_STAFF: u32 = (DEPARTMENTS.len() + OFFICES.len()) as u32 + 1;
pub(crate) const WINDOWS: u32 = ALL_STAFF + 1;
const MACOS: u32 = ALL_STAFF + 2;
const IOS: u32 = ALL_STAFF + 3;
const STUDIO: u32 = ALL_STAFF + 4;
pub(crate) const ENG_PRODUCT: u32 = ALL_STAFF + 5;
pub(crate) const PHOENIX: u32 = ALL_STAFF + 6;
pub(crate) const APPLE_MOBILE: u32 = ALL_STAFF + 7;
const GROUPS: usize = APPLE_MOBILE as usize;

/// The id of a department's group.
pub(crate) fn dept_group(dept: usize) -> u32 {
    dept as u32 + 1
}

fn office_group(office: usize) -> u32 {
    (DEPARTMENTS.len() + office) as u32 + 1
}

/// A member of a group.
#[derive(Debug, Clone, Copy)]
enum Member {
    User(u32),
    Device(u32),
    Group(u32),
}

/// The groups' names and kinds, in id order.
fn groups() -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = DEPARTMENTS
        .iter()
        .map(|(name, _)| (format!("Dept - {name}"), "user"))
        .collect();
    // Every user is also in an office group: a user in two groups.
    out.extend(
        OFFICES
            .iter()
            .map(|(_, city, _)| (format!("Office - {city}"), "user")),
    );
    for (name, kind) in [
        ("All Staff", "user"),
        ("Windows Devices", "device"),
        ("macOS Devices", "device"),
        ("iOS Devices", "device"),
        ("Design Studio", "mixed"),
        ("Engineering & Product", "user"),
        ("Project Phoenix", "user"),
        ("iPhone and iPad Users", "user"),
    ] {
        out.push((name.to_owned(), kind));
    }
    out
}

/// Where the Design Studio's devices go: after its users, before the next
/// group (a slot of its own, counted apart).
const STUDIO_DEVICES: u32 = GROUPS as u32 + 1;

/// The slots in row order.
fn slots() -> impl Iterator<Item = u32> {
    (1..=STUDIO)
        .chain([STUDIO_DEVICES])
        .chain(STUDIO + 1..=GROUPS as u32)
}

/// Writes the groups and their members: two passes over the users.
pub(crate) fn write(conn: &Connection, shape: Shape, t: &mut Tracker) -> rusqlite::Result<()> {
    t.stage("groups");
    // The groups' ids come after every membership draw of the stream.
    let mut rng = Rng::stream(shape.seed, "groups");
    rng.skip(shape.non_eng + u64::from(shape.users));
    let mut stmt =
        conn.prepare_cached("INSERT INTO groups (id, name, kind, source_id) VALUES (?1, ?2, ?3, ?4)")?;
    for (id, (name, kind)) in (1u32..).zip(groups()) {
        stmt.execute(rusqlite::params![id, name, kind, rng.guid()])?;
    }
    let mut sizes = [0i64; GROUPS + 2];
    pass(shape, t, |slot, _| {
        sizes[slot as usize] += 1;
        Ok(())
    })?;
    // Each slot's first row id, as if written one group after the other.
    let mut next = [0i64; GROUPS + 2];
    let mut base = 0;
    for slot in slots() {
        next[slot as usize] = base + 1;
        base += sizes[slot as usize];
    }
    let mut rows = Batch::new(conn, MEMBERS_INTO, bind_member);
    pass(shape, t, |slot, member| {
        let rowid = next[slot as usize];
        next[slot as usize] += 1;
        let group = if slot == STUDIO_DEVICES { STUDIO } else { slot };
        rows.push((rowid, group, member))
    })?;
    rows.finish()
}

const MEMBERS_INTO: (&str, usize) = (
    "group_members (rowid, group_id, user_id, device_id, child_group_id)",
    5,
);

fn bind_member(row: &mut Row, (rowid, group, member): &(i64, u32, Member)) -> rusqlite::Result<()> {
    let (user, device, child) = match *member {
        Member::User(id) => (Some(id), None, None),
        Member::Device(id) => (None, Some(id), None),
        Member::Group(id) => (None, None, Some(id)),
    };
    row.put(rowid)?.put(group)?.put(user)?.put(device)?.put(child)?;
    Ok(())
}

/// Hands every membership to `each` with its slot; within a slot in row
/// order (nested groups first, then users or devices by id).
fn pass(
    shape: Shape,
    t: &mut Tracker,
    mut each: impl FnMut(u32, Member) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    for dept in 0..DEPARTMENTS.len() {
        each(ALL_STAFF, Member::Group(dept_group(dept)))?;
    }
    let (eng, product) = (names::department("Engineering"), names::department("Product"));
    each(ENG_PRODUCT, Member::Group(dept_group(eng)))?;
    each(ENG_PRODUCT, Member::Group(dept_group(product)))?;
    let design = names::department("Design");
    let need = Need {
        devices: true,
        groups: true,
        ..Need::default()
    };
    let mut census = Census::new(shape, need);
    let mut result = Ok(());
    let mut put = |slot: u32, member: Member| {
        if result.is_ok() {
            result = each(slot, member);
        }
    };
    while let Some(person) = census.next_with(|d, dept, _| {
        if let Some(group) = os_group(d.os) {
            put(group, Member::Device(d.id));
        }
        if dept == Some(design) {
            put(STUDIO_DEVICES, Member::Device(d.id));
        }
    }) {
        for group in user_groups(&person, design) {
            put(group, Member::User(person.id));
        }
        t.step();
    }
    census.kiosks(|d, _, _| {
        if let Some(group) = os_group(d.os) {
            put(group, Member::Device(d.id));
        }
    });
    result
}

/// The device group of a system (Android has none).
fn os_group(os: Os) -> Option<u32> {
    match os {
        Os::Windows => Some(WINDOWS),
        Os::Mac => Some(MACOS),
        Os::Ios => Some(IOS),
        Os::Android => None,
    }
}

/// The user groups `p` is a direct member of.
fn user_groups(p: &Person, design: usize) -> impl Iterator<Item = u32> {
    [
        Some(dept_group(p.dept)),
        Some(office_group(p.office)),
        (p.dept == design).then_some(STUDIO),
        p.outsider.then_some(ENG_PRODUCT),
        p.phoenix.then_some(PHOENIX),
        (p.owned & Os::Ios.bit() != 0).then_some(APPLE_MOBILE),
    ]
    .into_iter()
    .flatten()
}
