//! Builds the simulated Apple location once, from the demo tenant: its VPP
//! pools become assets, their holders users in seats' namespace, plus a
//! book, another MDM's users and assignments (R-CON-7), two devices and a
//! retired user. Deterministic from the seed, except the token itself.

use rusqlite::{Connection, params};

use super::UNLIMITED;
use crate::domain::apple::SEATS_CLIENT_USER_PREFIX;
use crate::sim::SimConfig;
use crate::sim::error::SimError;
use crate::sim::rng::{SplitMix, derived_guid};
use crate::sim::tenant::meta;
use crate::store::db::state_code;
use crate::store::{self, OpenMode, begin_write};

const SCHEMA: &str = include_str!("schema.sql");

/// The book every location has (books are never device-assignable).
const BOOK: (&str, &str, &str) = ("881256329", "The Swift Programming Language", "Apple Inc.");

/// Creates the tables and, on a new state file, the location.
pub(crate) fn prepare(config: &SimConfig) -> Result<(), SimError> {
    let mut conn = store::open(&config.state, OpenMode::MustExist)?;
    conn.execute_batch(SCHEMA)?;
    let tx = begin_write(&mut conn)?;
    if meta(&tx, "apple_uid")?.is_some() {
        return Ok(());
    }
    let seed = config.seed;
    assets(&tx)?;
    let devices = seats_holders(&tx)?;
    retired_user(&tx)?;
    foreign(&tx, seed)?;
    device_assignments(&tx, seed, devices)?;
    super::extra::add(&tx, config.apple_extra_assignments)?;
    fit_totals(&tx)?;
    super::token::settings(&tx, config)?;
    tx.commit()?;
    Ok(())
}

/// adamId, name, publisher, platform, price, pool total.
type VppApp = (String, String, Option<String>, String, i64, Option<i64>);

fn assets(conn: &Connection) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare(
        "SELECT a.external_id, a.name, a.publisher, a.platform, a.price_cents, p.total FROM pools p \
         JOIN apps a ON a.id = p.app_id WHERE p.source = 'apple_vpp' AND a.external_id IS NOT NULL \
         ORDER BY p.id",
    )?;
    let rows: Vec<VppApp> = stmt
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut insert = conn.prepare(
        "INSERT OR IGNORE INTO sim_apple_assets (adam_id, pricing, product_type, total, device_assignable, \
         revocable, platforms, name, artist, bundle_id) VALUES (?1, 'STDQ', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for (adam, name, publisher, platform, price, total) in rows {
        // Free apps are unlimited: Apple reports int32's maximum.
        let total = if price == 0 { UNLIMITED } else { total.unwrap_or(0) };
        let platforms = if platform == "macos" {
            r#"["macOS"]"#
        } else {
            r#"["iOS"]"#
        };
        let artist = publisher.unwrap_or_else(|| "Unknown".to_owned());
        insert.execute(params![
            adam,
            "App",
            total,
            1,
            1,
            platforms,
            name,
            artist,
            Some(bundle_id(&artist, &name))
        ])?;
    }
    let (adam, name, artist) = BOOK;
    insert.execute(params![
        adam,
        "Book",
        40,
        0,
        0,
        r#"["iOS","macOS"]"#,
        name,
        artist,
        None::<String>
    ])?;
    Ok(())
}

/// `com.publisher.name`, lower case letters and digits only.
fn bundle_id(publisher: &str, name: &str) -> String {
    let slug = |s: &str| -> String {
        s.split_whitespace()
            .next()
            .unwrap_or("app")
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_lowercase()
    };
    let name: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_lowercase();
    format!("com.{}.{name}", slug(publisher))
}

/// The demo's VPP seats: users as `seats:<upn>`, Registered while their
/// invitation waits. Returns the serial numbers of devices for device
/// assignments.
fn seats_holders(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(concat!(
        "SELECT ap.external_id, u.upn, s.invitation FROM assignments s JOIN pools p ON p.id = s.pool_id \
         JOIN apps ap ON ap.id = p.app_id JOIN users u ON u.id = s.user_id \
         WHERE p.source = 'apple_vpp' AND s.state_code <> ",
        state_code!("error"),
        " ORDER BY u.id, p.id"
    ))?;
    let rows: Vec<(String, String, Option<String>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut assign = conn.prepare(
        "INSERT INTO sim_apple_assignments (adam_id, pricing, client_user_id, version) VALUES (?1, 'STDQ', ?2, 1)",
    )?;
    let mut users: Vec<(String, String, bool)> = Vec::new();
    for (adam, upn, invitation) in rows {
        let client = format!("{SEATS_CLIENT_USER_PREFIX}{upn}");
        assign.execute(params![adam, client])?;
        let waiting = matches!(invitation.as_deref(), Some("invited" | "declined"));
        match users.last_mut() {
            Some(last) if last.0 == client => last.2 |= waiting,
            _ => users.push((client, upn, waiting)),
        }
    }
    let mut insert = conn.prepare(
        "INSERT INTO sim_apple_users (client_user_id, email, status, invite_code, id_hash, version) \
         VALUES (?1, ?2, ?3, ?4, ?5, 1)",
    )?;
    for (index, (client, email, waiting)) in (1i64..).zip(users) {
        let (status, code, hash) = if waiting {
            ("Registered", Some(invite_code(index)), None)
        } else {
            ("Associated", None, Some(id_hash(index)))
        };
        insert.execute(params![client, email, status, code, hash])?;
    }
    // One iOS device of the tenant, by the serial number the directory
    // knows it by, and one the tenant doesn't know (enrolled elsewhere).
    let mut devices = conn.prepare(
        "SELECT serial_number FROM devices WHERE os = 'ios' AND serial_number IS NOT NULL ORDER BY id LIMIT 1",
    )?;
    let known: Vec<String> = devices
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(known)
}

/// A deterministic invitation code (Apple's are 32 hex digits).
pub(crate) fn invite_code(n: i64) -> String {
    let mut rng = SplitMix::new(n as u64, "apple-invite");
    format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64())
}

pub(crate) fn id_hash(n: i64) -> String {
    let mut rng = SplitMix::new(n as u64, "apple-idhash");
    format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64())
}

/// A tenant user without VPP seats who was retired at Apple.
fn retired_user(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO sim_apple_users (client_user_id, email, status, version) \
         SELECT ?1 || upn, upn, 'Retired', 1 FROM users WHERE deleted = 0 AND ?1 || upn NOT IN \
         (SELECT client_user_id FROM sim_apple_users) ORDER BY id LIMIT 1",
        [SEATS_CLIENT_USER_PREFIX],
    )?;
    Ok(())
}

/// Users and assignments of another device-management product: GUIDs
/// outside seats' namespace (R-CON-7).
fn foreign(conn: &Connection, seed: u64) -> rusqlite::Result<()> {
    let holders: i64 = conn.query_row("SELECT count(*) FROM sim_apple_users", [], |r| r.get(0))?;
    let count = (holders / 10).max(3);
    let adams = asset_ids(conn, "1 = 1")?;
    for i in 0..count {
        let client = derived_guid(seed, "apple-foreign", i).to_uppercase();
        conn.execute(
            "INSERT INTO sim_apple_users (client_user_id, status, id_hash, version) VALUES (?1, 'Associated', ?2, 1)",
            params![client, id_hash(10_000_000 + i)],
        )?;
        if let Some(adam) = adams.get(i as usize % adams.len().max(1)) {
            conn.execute(
                "INSERT INTO sim_apple_assignments (adam_id, pricing, client_user_id, version) VALUES (?1, 'STDQ', ?2, 1)",
                params![adam, client],
            )?;
        }
    }
    Ok(())
}

fn asset_ids(conn: &Connection, filter: &str) -> rusqlite::Result<Vec<String>> {
    let sql = format!("SELECT adam_id FROM sim_apple_assets WHERE {filter} ORDER BY rowid");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    rows.collect()
}

/// Two iOS devices hold the first device-assignable app by serial number:
/// `known` (the tenant's) and one the tenant doesn't know.
fn device_assignments(conn: &Connection, seed: u64, known: Vec<String>) -> rusqlite::Result<()> {
    let Some(adam) = asset_ids(conn, "device_assignable = 1")?.into_iter().next() else {
        return Ok(());
    };
    for serial in known.into_iter().chain([serial_number(seed, 0)]) {
        conn.execute(
            "INSERT INTO sim_apple_assignments (adam_id, pricing, serial_number, version) VALUES (?1, 'STDQ', ?2, 1)",
            params![adam, serial],
        )?;
    }
    Ok(())
}

/// A device's serial number, as Apple prints them (12 characters).
pub(crate) fn serial_number(seed: u64, device: i64) -> String {
    let mut rng = SplitMix::new(seed ^ device as u64, "apple-serial");
    format!("F{:011X}", rng.next_u64() & 0xFFF_FFFF_FFFF)
}

/// Totals that hold every assignment made so far.
fn fit_totals(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE sim_apple_assets SET total = max(total, (SELECT count(*) FROM sim_apple_assignments s \
         WHERE s.adam_id = sim_apple_assets.adam_id AND s.pricing = sim_apple_assets.pricing AND s.active = 1))",
        [],
    )?;
    Ok(())
}
