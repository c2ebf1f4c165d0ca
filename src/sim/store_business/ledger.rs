//! The store's bookkeeping: inventory entries with their seat counts, and
//! seats assigned and reclaimed one user at a time (the bulk call runs the
//! same steps per user). Each change runs in one write transaction, so two
//! clients racing for the last seat of a Restricted app cannot both win.

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use serde_json::{Value, json};

use super::build::stamp;
use super::wire::{NO_SEATS, NOT_ONLINE, StoreFail, product_key};

/// One inventory entry.
#[derive(Debug, Clone)]
pub(crate) struct Product {
    pub seq: i64,
    pub product_id: String,
    pub sku_id: String,
    pub publisher: String,
    pub category: String,
    pub online: bool,
    pub restricted: bool,
    pub removed: bool,
    pub capacity: i64,
    pub package_format: String,
    pub languages: Vec<String>,
    pub identity_name: String,
    pub family_name: String,
    pub content_id: String,
    pub last_modified: String,
}

pub(crate) const PRODUCT_COLUMNS: &str = "seq, product_id, sku_id, publisher, category, license_type, \
    distribution_policy, status, seat_capacity, package_format, languages, identity_name, family_name, \
    content_id, last_modified";

pub(crate) fn product_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Product> {
    let languages: String = row.get(10)?;
    Ok(Product {
        seq: row.get(0)?,
        product_id: row.get(1)?,
        sku_id: row.get(2)?,
        publisher: row.get(3)?,
        category: row.get(4)?,
        online: row.get::<_, String>(5)? == "Online",
        restricted: row.get::<_, String>(6)? == "Restricted",
        removed: row.get::<_, String>(7)? == "Removed",
        capacity: row.get(8)?,
        package_format: row.get(9)?,
        languages: languages.split(',').map(str::to_owned).collect(),
        identity_name: row.get(11)?,
        family_name: row.get(12)?,
        content_id: row.get(13)?,
        last_modified: row.get(14)?,
    })
}

/// The entry of `product_id`/`sku_id` (ids compared without case), or 404.
pub(crate) fn product(conn: &Connection, product_id: &str, sku_id: &str) -> Result<Product, StoreFail> {
    let sql = format!(
        "SELECT {PRODUCT_COLUMNS} FROM sim_store_products \
         WHERE product_id = ?1 COLLATE NOCASE AND sku_id = ?2 COLLATE NOCASE"
    );
    conn.prepare_cached(&sql)?
        .query_row(params![product_id, sku_id], product_from_row)
        .optional()?
        .ok_or_else(|| StoreFail::not_found("Inventory", format!("{product_id}/{sku_id}")))
}

/// Seats held now.
pub(crate) fn active_seats(conn: &Connection, product: &Product) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "SELECT count(*) FROM sim_store_seats WHERE product_id = ?1 AND sku_id = ?2 AND state = 'Active'",
    )?
    .query_row(params![product.product_id, product.sku_id], |row| row.get(0))
}

/// `availableSeats`: offline seats are not tracked by the store; an Open
/// app may go past its capacity, but never shows fewer than none.
pub(crate) fn available(conn: &Connection, product: &Product) -> rusqlite::Result<i64> {
    if !product.online {
        return Ok(product.capacity);
    }
    Ok((product.capacity - active_seats(conn, product)?).max(0))
}

/// InventoryEntryDetails.
pub(crate) fn entry_json(conn: &Connection, product: &Product) -> rusqlite::Result<Value> {
    Ok(json!({
        "productKey": product_key(&product.product_id, &product.sku_id),
        "seatCapacity": product.capacity,
        "availableSeats": available(conn, product)?,
        "lastModified": product.last_modified,
        "licenseType": if product.online { "Online" } else { "Offline" },
        "distributionPolicy": if product.restricted { "Restricted" } else { "Open" },
        "status": if product.removed { "Removed" } else { "Active" },
    }))
}

/// One seat as stored.
#[derive(Debug, Clone)]
pub(crate) struct Seat {
    pub product_id: String,
    pub sku_id: String,
    pub upn: String,
    pub date_assigned: String,
    pub active: bool,
}

pub(crate) const SEAT_COLUMNS: &str = "product_id, sku_id, upn, date_assigned, state, id";

pub(crate) fn seat_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Seat> {
    Ok(Seat {
        product_id: row.get(0)?,
        sku_id: row.get(1)?,
        upn: row.get(2)?,
        date_assigned: row.get(3)?,
        active: row.get::<_, String>(4)? == "Active",
    })
}

/// SeatDetails.
pub(crate) fn seat_json(seat: &Seat) -> Value {
    json!({
        "assignedTo": seat.upn,
        "dateAssigned": seat.date_assigned,
        "state": if seat.active { "Active" } else { "Revoked" },
        "productKey": product_key(&seat.product_id, &seat.sku_id),
    })
}

/// The seat of `upn`, active or revoked.
pub(crate) fn seat(conn: &Connection, product: &Product, upn: &str) -> rusqlite::Result<Option<Seat>> {
    let sql = format!(
        "SELECT {SEAT_COLUMNS} FROM sim_store_seats WHERE product_id = ?1 AND sku_id = ?2 AND upn = ?3"
    );
    conn.prepare_cached(&sql)?
        .query_row(params![product.product_id, product.sku_id, upn], seat_from_row)
        .optional()
}

/// The directory's spelling of a listed user's UPN; 404 for anyone else.
pub(crate) fn user(conn: &Connection, upn: &str) -> Result<String, StoreFail> {
    conn.prepare_cached("SELECT upn FROM users WHERE upn = ?1 AND deleted = 0")?
        .query_row([upn], |row| row.get(0))
        .optional()?
        .ok_or_else(|| StoreFail::not_found("User", upn))
}

/// Runs `work` in a write transaction, committed only when it succeeds.
pub(crate) fn write<T>(
    conn: &Connection,
    work: impl FnOnce(&Transaction<'_>) -> Result<T, StoreFail>,
) -> Result<T, StoreFail> {
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    let value = work(&tx)?;
    tx.commit()?;
    Ok(value)
}

/// Seat operations are for online apps that are still in the inventory.
pub(crate) fn check_online(product: &Product) -> Result<(), StoreFail> {
    if product.removed {
        return Err(StoreFail::not_found(
            "Inventory",
            format!("{}/{}", product.product_id, product.sku_id),
        ));
    }
    if !product.online {
        return Err(StoreFail::conflict(
            NOT_ONLINE,
            format!(
                "{}/{} is licensed offline; its seats are not assigned through the store.",
                product.product_id, product.sku_id
            ),
        ));
    }
    Ok(())
}

/// Assigns a seat to `upn` (an active one is answered as it is).
pub(crate) fn assign(conn: &Connection, product: &Product, upn: &str) -> Result<Seat, StoreFail> {
    check_online(product)?;
    let upn = user(conn, upn)?;
    if let Some(held) = seat(conn, product, &upn)?.filter(|s| s.active) {
        return Ok(held);
    }
    if product.restricted && available(conn, product)? <= 0 {
        return Err(StoreFail::conflict(
            NO_SEATS,
            format!(
                "All {} seats of {}/{} are assigned and its distribution policy is Restricted.",
                product.capacity, product.product_id, product.sku_id
            ),
        ));
    }
    conn.prepare_cached(
        "INSERT INTO sim_store_seats (product_id, sku_id, upn, date_assigned, state) \
         VALUES (?1, ?2, ?3, ?4, 'Active') ON CONFLICT (product_id, sku_id, upn) \
         DO UPDATE SET state = 'Active', date_assigned = excluded.date_assigned",
    )?
    .execute(params![
        product.product_id,
        product.sku_id,
        upn,
        stamp(chrono::Utc::now())
    ])?;
    seat(conn, product, &upn)?.ok_or_else(|| StoreFail::internal("the seat just assigned is missing"))
}

/// Reclaims the seat of `upn`: it stays, Revoked.
pub(crate) fn reclaim(conn: &Connection, product: &Product, upn: &str) -> Result<Seat, StoreFail> {
    check_online(product)?;
    let upn = user(conn, upn)?;
    let Some(mut held) = seat(conn, product, &upn)?.filter(|s| s.active) else {
        return Err(StoreFail::not_found(
            "Seat",
            format!("{}/{}/{upn}", product.product_id, product.sku_id),
        ));
    };
    conn.prepare_cached(
        "UPDATE sim_store_seats SET state = 'Revoked' WHERE product_id = ?1 AND sku_id = ?2 AND upn = ?3",
    )?
    .execute(params![product.product_id, product.sku_id, upn])?;
    held.active = false;
    Ok(held)
}
