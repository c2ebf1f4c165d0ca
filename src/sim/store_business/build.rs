//! The store's side of the tenant, built once from the demo's store apps
//! (`apps.source = 'store_business'`), their pools and the users holding
//! their seats, so the store and the directory tell one story.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rusqlite::{Connection, Transaction, params};

use crate::sim::error::SimError;
use crate::sim::rng::derived_guid;
use crate::store::begin_write;
use crate::store::db::state_code;

const SCHEMA: &str = include_str!("schema.sql");

/// SKU of an online and of an offline license (the store's ids are opaque
/// four-digit strings).
pub(crate) const ONLINE_SKU: &str = "0010";
pub(crate) const OFFLINE_SKU: &str = "0016";

/// Seats of an app the demo gives no pool (the encrypted one).
const DEFAULT_CAPACITY: i64 = 25;

/// Names that differ by language; any other name is the same in all.
const TRANSLATIONS: &[(&str, &str, &str)] = &[
    ("Company Portal", "de-DE", "Unternehmensportal"),
    ("Company Portal", "fr-FR", "Portail d'entreprise"),
    (
        "Microsoft To Do",
        "de-DE",
        "Microsoft To Do: Listen, Aufgaben & Erinnerungen",
    ),
    (
        "Microsoft To Do",
        "fr-FR",
        "Microsoft To Do : listes, tâches et rappels",
    ),
    ("Contoso Secure Viewer", "de-DE", "Contoso Sicherer Betrachter"),
];

/// A store app of the demo.
struct DemoApp {
    id: i64,
    name: String,
    publisher: String,
    license_type: String,
    price_cents: i64,
    encrypted: bool,
    external_id: Option<String>,
    pool: Option<(i64, Option<i64>)>,
}

/// Creates the tables and, the first time, fills them (under the write
/// lock, so two processes starting on one file agree).
pub(crate) fn prepare(conn: &mut Connection, seed: u64, now: DateTime<Utc>) -> Result<(), SimError> {
    conn.execute_batch(SCHEMA)?;
    let tx = begin_write(conn)?;
    let built: i64 = tx.query_row("SELECT count(*) FROM sim_store_products", [], |row| row.get(0))?;
    if built > 0 {
        return Ok(());
    }
    for (index, app) in demo_apps(&tx)?.iter().enumerate() {
        add_product(&tx, seed, now, index as i64, app)?;
    }
    tx.commit()?;
    Ok(())
}

fn demo_apps(conn: &Connection) -> rusqlite::Result<Vec<DemoApp>> {
    let mut stmt = conn.prepare(
        "SELECT a.id, a.name, coalesce(a.publisher, ''), a.license_type, a.price_cents, a.encrypted, \
         a.external_id, p.id, p.total FROM apps a LEFT JOIN pools p ON p.app_id = a.id \
         WHERE a.source = 'store_business' ORDER BY a.id",
    )?;
    let rows = stmt.query_map([], |row| {
        let pool: Option<i64> = row.get(7)?;
        Ok(DemoApp {
            id: row.get(0)?,
            name: row.get(1)?,
            publisher: row.get(2)?,
            license_type: row.get(3)?,
            price_cents: row.get(4)?,
            encrypted: row.get(5)?,
            external_id: row.get(6)?,
            pool: match pool {
                Some(id) => Some((id, row.get(8)?)),
                None => None,
            },
        })
    })?;
    rows.collect()
}

fn add_product(
    tx: &Transaction<'_>,
    seed: u64,
    now: DateTime<Utc>,
    index: i64,
    app: &DemoApp,
) -> Result<(), SimError> {
    let online = app.license_type == "online";
    let sku = if online { ONLINE_SKU } else { OFFLINE_SKU };
    let product = app
        .external_id
        .clone()
        .unwrap_or_else(|| format!("9SIM{:08}", app.id));
    let name = base_name(&app.name);
    let languages = if app.publisher.starts_with("Microsoft") {
        "en-US,de-DE,fr-FR"
    } else if app.encrypted {
        "de-DE,en-US"
    } else {
        "en-US"
    };
    let format = match (app.encrypted, online, index % 2) {
        (true, _, _) => "EAppxBundle",
        (false, true, 0) => "Appx",
        _ => "AppxBundle",
    };
    let identity = identity_name(&app.publisher, name);
    let hash: String = derived_guid(seed, "store-family", app.id)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(13)
        .collect();
    let capacity = app.pool.and_then(|(_, total)| total).unwrap_or(DEFAULT_CAPACITY);
    let modified = now - Duration::days(7 * (index + 1)) - Duration::minutes(37 * index);
    tx.execute(
        "INSERT INTO sim_store_products (product_id, sku_id, app_id, publisher, category, license_type, \
         distribution_policy, seat_capacity, package_format, languages, identity_name, family_name, \
         content_id, last_modified) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            product,
            sku,
            app.id,
            app.publisher,
            if name.contains("Power BI") {
                "Business"
            } else {
                "Productivity"
            },
            if online { "Online" } else { "Offline" },
            if app.price_cents > 0 { "Restricted" } else { "Open" },
            capacity,
            format,
            languages,
            identity,
            format!("{identity}_{hash}"),
            derived_guid(seed, "store-content", app.id),
            stamp(modified),
        ],
    )?;
    for language in languages.split(',') {
        tx.execute(
            "INSERT INTO sim_store_names (product_id, sku_id, language, name) VALUES (?1, ?2, ?3, ?4)",
            params![product, sku, language, localized_name(name, language)],
        )?;
    }
    // Deleting a directory user reclaims no store seat: the store still
    // lists it (seats' Reclaim view is where an admin frees it).
    if let (true, Some((pool, _))) = (online, app.pool) {
        tx.execute(
            concat!(
                "INSERT INTO sim_store_seats (product_id, sku_id, upn, date_assigned, state) \
                 SELECT ?1, ?2, u.upn, a.assigned_at, 'Active' FROM assignments a \
                 JOIN users u ON u.id = a.user_id \
                 WHERE a.pool_id = ?3 AND a.state_code = ",
                state_code!("active"),
                " ORDER BY a.id"
            ),
            params![product, sku, pool],
        )?;
    }
    Ok(())
}

/// The name without the " (Online)"/" (Offline)" the console adds.
fn base_name(name: &str) -> &str {
    name.strip_suffix(" (Online)")
        .or_else(|| name.strip_suffix(" (Offline)"))
        .unwrap_or(name)
}

fn localized_name(name: &str, language: &str) -> String {
    TRANSLATIONS
        .iter()
        .find(|(n, l, _)| *n == name && l.eq_ignore_ascii_case(language))
        .map_or_else(|| name.to_owned(), |(_, _, t)| (*t).to_owned())
}

/// `Publisher.AppName`, as package identity names read.
fn identity_name(publisher: &str, name: &str) -> String {
    let first: String = publisher
        .split_whitespace()
        .next()
        .unwrap_or("Publisher")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let app: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
    format!("{first}.{app}")
}

/// RFC 3339, seconds, `Z`.
pub(crate) fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_the_console_suffix_and_translate() {
        assert_eq!(base_name("Company Portal (Offline)"), "Company Portal");
        assert_eq!(base_name("Drawboard PDF (Online)"), "Drawboard PDF");
        assert_eq!(localized_name("Company Portal", "de-de"), "Unternehmensportal");
        assert_eq!(localized_name("Drawboard PDF", "de-DE"), "Drawboard PDF");
        assert_eq!(
            identity_name("Microsoft Corporation", "Power BI Desktop"),
            "Microsoft.PowerBIDesktop"
        );
    }
}
