//! The first pass: every user, their devices and the software detected on
//! them, written as they are drawn. What later passes need of the whole
//! (how many users outside Engineering, computers per product) is counted
//! on the way, in a few counters.

use rusqlite::Connection;

use super::batch::{Batch, Row};
use super::census::{Shape, managed_windows};
use super::clock::{Clock, DAY, Stamp};
use super::names::{self, DEPARTMENTS, FIRST, LAST, OFFICES};
use super::people::{DeviceDraw, Devices, Upns, Users, serial_number};
use super::progress::Tracker;
use super::rng::{Rng, guid_text};
use super::software::{self, Detection, INVENTORY_INTO, PRODUCTS, bind_detection};

/// What the first pass counted.
pub(crate) struct Written {
    pub shape: Shape,
    /// Computers each product was detected on (the fallback ones included).
    pub installed: Vec<i64>,
    /// Per product, the owner of its one fallback detection when no draw
    /// found it (0 for a kiosk).
    pub fallback: Vec<Option<u32>>,
}

struct UserRow {
    id: u32,
    upn: String,
    display: String,
    dept: usize,
    office: usize,
    enabled: bool,
    deleted: bool,
    sign_in: Option<Stamp>,
    source_id: String,
}

fn bind_user(row: &mut Row, u: &UserRow) -> rusqlite::Result<()> {
    row.put(u.id)?.put(&u.upn)?.put(&u.display)?;
    row.put(DEPARTMENTS[u.dept].0)?.put(OFFICES[u.office].0)?;
    row.put(u.enabled)?
        .put(u.deleted)?
        .put(u.sign_in)?
        .put(&u.source_id)?;
    Ok(())
}

fn bind_device(row: &mut Row, d: &(DeviceDraw, String)) -> rusqlite::Result<()> {
    let (d, source_id) = d;
    row.put(d.id)?
        .put(format!("{}-{:05}", d.prefix, d.id))?
        .put(d.os.as_str())?;
    row.put((d.owner != 0).then_some(d.owner))?
        .put(d.managed)?
        .put(source_id)?;
    row.put(serial_number(d.os, source_id))?;
    Ok(())
}

const USERS_INTO: (&str, usize) = (
    "users (id, upn, display_name, department, usage_location, enabled, deleted, last_sign_in, source_id)",
    9,
);
const DEVICES_INTO: (&str, usize) = (
    "devices (id, name, os, owner_id, managed, source_id, serial_number)",
    7,
);

/// Writes users, devices and inventory in one pass over the users.
pub(crate) fn write(
    conn: &Connection,
    (seed, users, domain): (u64, u32, &str),
    clock: &Clock,
    t: &mut Tracker,
) -> rusqlite::Result<Written> {
    t.stage("users and devices");
    let mut user_rows = Batch::new(conn, USERS_INTO, bind_user);
    let mut device_rows = Batch::new(conn, DEVICES_INTO, bind_device);
    let mut detections = Batch::new(conn, INVENTORY_INTO, |row, r: &Detection| {
        bind_detection(row, r, clock)
    });
    let (mut draws, mut devices, mut upns) = (Users::new(seed), Devices::new(seed), Upns::default());
    let mut inventory = Inventory::new(seed);
    let eng = names::department("Engineering");
    let mut non_eng = 0u64;
    for id in 1..=users {
        let u = draws.next_user();
        non_eng += u64::from(u.dept != eng);
        let row = UserRow {
            id,
            upn: upns.next(&u, domain),
            display: format!("{} {}", FIRST[u.first], LAST[u.last]),
            dept: u.dept,
            office: u.office,
            enabled: u.enabled,
            deleted: u.deleted,
            sign_in: u.sign_in_ago.map(|ago| clock.ago(ago)),
            source_id: guid_text(u.guid),
        };
        user_rows.push(row)?;
        let mut result = Ok(());
        devices.owned(id, |d| {
            if result.is_ok() {
                result = inventory
                    .detect(d, Some(DEPARTMENTS[u.dept].0), &mut detections)
                    .and_then(|()| device_rows.push((*d, guid_text(d.guid))));
            }
        });
        result?;
        t.step();
    }
    let mut result = Ok(());
    devices.kiosks(users, |d| {
        if result.is_ok() {
            result = inventory
                .detect(d, None, &mut detections)
                .and_then(|()| device_rows.push((*d, guid_text(d.guid))));
        }
    });
    result?;
    let fallback = inventory.fallbacks(&mut detections)?;
    user_rows.finish()?;
    device_rows.finish()?;
    detections.finish()?;
    Ok(Written {
        shape: Shape { seed, users, non_eng },
        installed: inventory.installed,
        fallback,
    })
}

/// The inventory stream and its counters.
struct Inventory {
    rng: Rng,
    next_id: i64,
    installed: Vec<i64>,
    /// The first managed Windows computer and its owner.
    first: Option<(u32, u32)>,
}

impl Inventory {
    fn new(seed: u64) -> Self {
        Inventory {
            rng: Rng::stream(seed, "inventory"),
            next_id: 0,
            installed: vec![0; PRODUCTS.len()],
            first: None,
        }
    }

    fn detect<F>(
        &mut self,
        d: &DeviceDraw,
        dept: Option<&str>,
        out: &mut Batch<Detection, F>,
    ) -> rusqlite::Result<()>
    where
        F: FnMut(&mut Row, &Detection) -> rusqlite::Result<()>,
    {
        if self.first.is_none() && managed_windows(d) {
            self.first = Some((d.id, d.owner));
        }
        if !d.os.is_computer() || !d.managed {
            return Ok(());
        }
        let mut result = Ok(());
        let (next_id, installed) = (&mut self.next_id, &mut self.installed);
        software::detect(&mut self.rng, d.os, dept, |product, version, ago| {
            *next_id += 1;
            installed[product] += 1;
            if result.is_ok() {
                result = out.push(Detection {
                    id: *next_id,
                    device: d.id,
                    product,
                    version,
                    ago,
                });
            }
        });
        result
    }

    /// Small tenants may roll no detection of a rare product; every product
    /// that can be detected gets one on the first managed Windows computer,
    /// so each agreement has a computer. Returns that computer's owner per
    /// product given one.
    fn fallbacks<F>(&mut self, out: &mut Batch<Detection, F>) -> rusqlite::Result<Vec<Option<u32>>>
    where
        F: FnMut(&mut Row, &Detection) -> rusqlite::Result<()>,
    {
        let mut owners = vec![None; PRODUCTS.len()];
        let Some((device, owner)) = self.first else {
            return Ok(owners);
        };
        for (product, p) in PRODUCTS.iter().enumerate() {
            if software::detectable(product) && self.installed[product] == 0 {
                self.next_id += 1;
                self.installed[product] += 1;
                owners[product] = Some(owner);
                out.push(Detection {
                    id: self.next_id,
                    device,
                    product,
                    version: p.versions[0],
                    ago: DAY,
                })?;
            }
        }
        Ok(owners)
    }
}
