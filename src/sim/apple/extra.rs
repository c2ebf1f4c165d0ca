//! Extra assignments for a location of a chosen size (the benchmark's
//! 200,000 at 50,000 users): tenant users in seats' namespace take the
//! assets in turn, each user a different asset per round, so no pair
//! repeats. Deterministic; adds nothing when asked for none.

use rusqlite::{Connection, params};

use super::build::id_hash;
use crate::domain::apple::SEATS_CLIENT_USER_PREFIX;

/// Far above any other `id_hash` index of the location.
const HASH_BASE: i64 = 20_000_000;

/// Adds up to `count` user assignments, and the users they need
/// (Associated). Totals are raised afterwards by the builder.
pub(super) fn add(conn: &Connection, count: u32) -> rusqlite::Result<()> {
    if count == 0 {
        return Ok(());
    }
    let adams = strings(conn, "SELECT adam_id FROM sim_apple_assets ORDER BY rowid")?;
    // The retired user stays retired: it holds nothing.
    let clients = strings(
        conn,
        &format!(
            "SELECT '{SEATS_CLIENT_USER_PREFIX}' || upn FROM users WHERE deleted = 0 AND \
             '{SEATS_CLIENT_USER_PREFIX}' || upn NOT IN (SELECT client_user_id FROM sim_apple_users \
             WHERE status = 'Retired') ORDER BY id"
        ),
    )?;
    let mut insert = conn.prepare(
        "INSERT INTO sim_apple_assignments (adam_id, pricing, client_user_id, version) \
         SELECT ?1, 'STDQ', ?2, 1 WHERE NOT EXISTS (SELECT 1 FROM sim_apple_assignments \
         WHERE client_user_id = ?2 AND active = 1 AND adam_id = ?1)",
    )?;
    let mut added = 0u32;
    'rounds: for round in 0..adams.len() {
        for (index, client) in clients.iter().enumerate() {
            if added >= count {
                break 'rounds;
            }
            let adam = &adams[(round + index) % adams.len()];
            added += insert.execute(params![adam, client])? as u32;
        }
    }
    users(conn)
}

/// An Associated user for every seats' client id that holds an
/// assignment but has no user yet.
fn users(conn: &Connection) -> rusqlite::Result<()> {
    let missing = strings(
        conn,
        &format!(
            "SELECT DISTINCT client_user_id FROM sim_apple_assignments WHERE client_user_id LIKE \
             '{SEATS_CLIENT_USER_PREFIX}%' AND client_user_id NOT IN (SELECT client_user_id FROM \
             sim_apple_users) ORDER BY client_user_id"
        ),
    )?;
    let mut insert = conn.prepare(
        "INSERT INTO sim_apple_users (client_user_id, email, status, id_hash, version) \
         VALUES (?1, ?2, 'Associated', ?3, 1)",
    )?;
    for (n, client) in (HASH_BASE..).zip(&missing) {
        let email = client.strip_prefix(SEATS_CLIENT_USER_PREFIX).unwrap_or(client);
        insert.execute(params![client, email, id_hash(n)])?;
    }
    Ok(())
}

fn strings(conn: &Connection, sql: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    rows.collect()
}
