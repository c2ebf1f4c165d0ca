//! The software catalog (publishers and products) and the inventory detected
//! on managed computers: the "installed" side of agreement coverage.

use rusqlite::{Connection, params};

use super::batch;
use super::clock::{Clock, DAY};
use super::people::Os;
use super::rng::Rng;

/// Publishers; "soft" finds both Microsoft entries (R-AGR-10).
pub(crate) const PUBLISHERS: &[&str] = &[
    "Microsoft",
    "Microsoft Research",
    "Adobe",
    "Autodesk",
    "JetBrains",
    "Corel",
    "Oracle",
    "TechSmith",
    "Google",
    "Mozilla",
    "Zoom Video Communications",
    "Igor Pavlov",
];

/// A catalog product and how likely a computer has it.
pub(crate) struct Product {
    pub publisher: usize,
    pub title: &'static str,
    pub versions: &'static [&'static str],
    pub windows: f64,
    pub mac: f64,
    /// Departments where it is far more common, and the chance there.
    pub depts: &'static [&'static str],
    pub dept_chance: f64,
}

const fn product(
    publisher: usize,
    title: &'static str,
    versions: &'static [&'static str],
    windows: f64,
    mac: f64,
) -> Product {
    Product {
        publisher,
        title,
        versions,
        windows,
        mac,
        depts: &[],
        dept_chance: 0.0,
    }
}

const fn for_depts(base: Product, depts: &'static [&'static str], dept_chance: f64) -> Product {
    Product {
        depts,
        dept_chance,
        ..base
    }
}

const ENG: &[&str] = &["Engineering", "Product"];

pub(crate) const PRODUCTS: &[Product] = &[
    product(
        0,
        "Microsoft 365 Apps for enterprise",
        &["16.0.17928", "16.0.18025"],
        0.92,
        0.55,
    ),
    for_depts(
        product(0, "Microsoft Visio Professional 2021", &["16.0.14332"], 0.03, 0.0),
        &["Engineering", "IT"],
        0.35,
    ),
    for_depts(
        product(
            0,
            "Microsoft Project Professional 2021",
            &["16.0.14332"],
            0.02,
            0.0,
        ),
        &["Product"],
        0.4,
    ),
    for_depts(
        product(
            0,
            "Microsoft Visual Studio Professional 2022",
            &["17.10.4", "17.11.2"],
            0.0,
            0.0,
        ),
        ENG,
        0.55,
    ),
    for_depts(
        product(0, "Microsoft SQL Server 2022 Standard", &["16.0.4135"], 0.0, 0.0),
        &["IT"],
        0.12,
    ),
    for_depts(
        product(1, "Z3 Theorem Prover", &["4.13.0"], 0.0, 0.0),
        &["Research"],
        0.05,
    ),
    // In the catalog, detected nowhere: an agreement for it is refused (R-AGR-11).
    product(1, "Infer.NET", &["0.4.2403"], 0.0, 0.0),
    product(
        2,
        "Adobe Acrobat Pro",
        &["24.002.20933", "24.003.20054"],
        0.12,
        0.15,
    ),
    for_depts(
        product(2, "Adobe Photoshop", &["25.11", "25.12"], 0.0, 0.02),
        &["Design", "Marketing"],
        0.6,
    ),
    for_depts(
        product(3, "AutoCAD 2025", &["25.0.58.0"], 0.0, 0.0),
        &["Engineering"],
        0.1,
    ),
    for_depts(
        product(4, "IntelliJ IDEA Ultimate", &["2024.2.1", "2024.2.3"], 0.0, 0.0),
        ENG,
        0.45,
    ),
    for_depts(
        product(5, "CorelDRAW Graphics Suite 2024", &["25.1.0.269"], 0.0, 0.0),
        &["Design"],
        0.2,
    ),
    for_depts(
        product(6, "Java SE Development Kit 21", &["21.0.4"], 0.02, 0.02),
        ENG,
        0.3,
    ),
    product(7, "Snagit 2024", &["24.1.2"], 0.04, 0.02),
    product(
        8,
        "Google Chrome",
        &["128.0.6613.120", "129.0.6668.59"],
        0.35,
        0.4,
    ),
    product(9, "Mozilla Firefox", &["130.0", "130.0.1"], 0.1, 0.08),
    product(10, "Zoom Workplace", &["6.2.0"], 0.12, 0.15),
    product(11, "7-Zip", &["24.08"], 0.25, 0.0),
];

/// The index of a product by title (0 if unknown, which the tests rule out).
pub(crate) fn product_index(title: &str) -> usize {
    PRODUCTS.iter().position(|p| p.title == title).unwrap_or(0)
}

/// Draws the products detected on one managed computer, handing each
/// (product index, version, seconds ago) to `each`. The writer and the
/// census draw through here alike.
pub(crate) fn detect(
    rng: &mut Rng,
    os: Os,
    dept: Option<&str>,
    mut each: impl FnMut(usize, &'static str, i64),
) {
    for (index, p) in PRODUCTS.iter().enumerate() {
        if rng.chance(chance(p, os, dept)) {
            let version = p.versions[rng.index(p.versions.len())];
            let ago = rng.range(0, 7 * DAY);
            each(index, version, ago);
        }
    }
}

/// Whether a product can be detected at all (some computer may have it).
pub(crate) fn detectable(product: usize) -> bool {
    PRODUCTS
        .get(product)
        .is_some_and(|p| p.windows + p.mac + p.dept_chance > 0.0)
}

/// Writes the publishers, the products and the names they are detected by.
pub(crate) fn write_catalog(conn: &Connection) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached("INSERT INTO publishers (id, name) VALUES (?1, ?2)")?;
    for (id, name) in (1..).zip(PUBLISHERS) {
        stmt.execute(params![id, name])?;
    }
    let mut stmt =
        conn.prepare_cached("INSERT INTO products (id, publisher_id, title) VALUES (?1, ?2, ?3)")?;
    for (id, p) in (1..).zip(PRODUCTS) {
        stmt.execute(params![id, p.publisher as i64 + 1, p.title])?;
    }
    // Each title is detected under two names, as real inventories are:
    // its own and the installer's "(64-bit)" one, which the normaliser
    // counts as the same title (R-APP-10); `:map` can move either.
    let mut stmt = conn.prepare_cached(
        "INSERT INTO product_raw_names (id, publisher_id, raw, product_id) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (index, p) in PRODUCTS.iter().enumerate() {
        let product = index as i64 + 1;
        let publisher = p.publisher as i64 + 1;
        stmt.execute(params![raw_name_id(index, false), publisher, p.title, product])?;
        let wide = format!("{} (64-bit)", p.title);
        stmt.execute(params![raw_name_id(index, true), publisher, wide, product])?;
    }
    Ok(())
}

/// One detection of a product on a computer, as written.
pub(crate) struct Detection {
    pub id: i64,
    pub device: u32,
    pub product: usize,
    pub version: &'static str,
    pub ago: i64,
}

/// The inventory table and how a detection binds to it.
pub(crate) const INVENTORY_INTO: (&str, usize) = (
    "inventory (id, device_id, product_id, version, detected_unix, raw_name_id)",
    6,
);

/// Binds one detection (see [`INVENTORY_INTO`]).
pub(crate) fn bind_detection(row: &mut batch::Row, r: &Detection, clock: &Clock) -> rusqlite::Result<()> {
    row.put(r.id)?.put(r.device)?.put(r.product as i64 + 1)?;
    // Unix seconds, as the cache keeps them (migration 0025).
    row.put(r.version)?.put(clock.unix_ago(r.ago))?;
    // A third of detections by the 64-bit name, without drawing from
    // the random stream (the rest of the demo stays as it was).
    let wide = (r.device as usize + r.product).is_multiple_of(3);
    row.put(raw_name_id(r.product, wide))?;
    Ok(())
}

/// The id of a product's plain (or "(64-bit)") detected name.
fn raw_name_id(product: usize, wide: bool) -> i64 {
    product as i64 * 2 + 1 + i64::from(wide)
}

fn chance(p: &Product, os: Os, dept: Option<&str>) -> f64 {
    let base = if os == Os::Mac { p.mac } else { p.windows };
    match dept {
        Some(dept) if p.depts.contains(&dept) => p.dept_chance,
        _ => base,
    }
}
