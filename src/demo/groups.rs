//! Groups of the fictional organization and their members. Every group is
//! a rule over the users and devices (a department, an office, a system,
//! a random project team), so members come from one pass of the census,
//! person after person. The membership tables are keyed by (group, member)
//! without a rowid (migration 0025): rows arriving person by person would
//! land all over their B-trees and leave pages half full, so the pass
//! writes a scratch table first and each membership table is filled from it
//! in key order (one sort), its pages packed as an index build packs them.

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

/// Writes the groups and their members: one pass over the users.
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
    conn.execute_batch(
        "CREATE TEMP TABLE demo_members (kind INTEGER NOT NULL, group_id INTEGER NOT NULL, \
         member_id INTEGER NOT NULL)",
    )?;
    let mut rows = Batch::new(conn, MEMBERS_INTO, bind_member);
    pass(shape, t, |group, member| rows.push((group, member)))?;
    rows.finish()?;
    for (kind, table, column) in [
        (USER, "group_user_members", "user_id"),
        (DEVICE, "group_device_members", "device_id"),
        (GROUP, "group_child_groups", "child_group_id"),
    ] {
        conn.execute(
            &format!(
                "INSERT INTO {table} (group_id, {column}) SELECT group_id, member_id \
                 FROM temp.demo_members WHERE kind = ?1 ORDER BY group_id, member_id"
            ),
            [kind],
        )?;
    }
    // The counting triggers (migration 0026) are dropped for the load, as
    // the seats' are: each group's count is written once.
    conn.execute_batch(
        "UPDATE groups SET member_count = c.members FROM \
         (SELECT group_id, count(*) AS members FROM temp.demo_members GROUP BY group_id) AS c \
         WHERE c.group_id = groups.id; \
         DROP TABLE temp.demo_members",
    )
}

const MEMBERS_INTO: (&str, usize) = ("temp.demo_members (kind, group_id, member_id)", 3);
/// `demo_members.kind`: which membership table a row goes to.
const USER: i64 = 0;
const DEVICE: i64 = 1;
const GROUP: i64 = 2;

fn bind_member(row: &mut Row, (group, member): &(u32, Member)) -> rusqlite::Result<()> {
    let (kind, id) = match *member {
        Member::User(id) => (USER, id),
        Member::Device(id) => (DEVICE, id),
        Member::Group(id) => (GROUP, id),
    };
    row.put(kind)?.put(group)?.put(id)?;
    Ok(())
}

/// Hands every membership to `each` with its group.
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
    let mut put = |group: u32, member: Member| {
        if result.is_ok() {
            result = each(group, member);
        }
    };
    while let Some(person) = census.next_with(|d, dept, _| {
        if let Some(group) = os_group(d.os) {
            put(group, Member::Device(d.id));
        }
        if dept == Some(design) {
            put(STUDIO, Member::Device(d.id));
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
