//! What the console's agreement form offers as the admin types (R-AGR-7,
//! R-AGR-10, R-AGR-11): license groups, the catalog's publishers that
//! some managed computer has software of, and one publisher's products.
//! Each query matches a substring without case and reads at most `limit`
//! rows plus one, which says whether more matched.

use rusqlite::{Connection, params};

/// One choice: its id and its name; `more` says the list was cut.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Choices {
    pub items: Vec<(i64, String)>,
    pub more: bool,
}

/// `%text%` for LIKE, with LIKE's own wildcards escaped (ESCAPE '\').
fn contains(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in text.trim().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

fn choices(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    limit: usize,
) -> rusqlite::Result<Choices> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut items: Vec<(i64, String)> = stmt
        .query_map(params, |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let more = items.len() > limit;
    items.truncate(limit);
    Ok(Choices { items, more })
}

/// Publishers whose name contains `query` ("soft" finds Microsoft and
/// Microsoft Research) and whose software some managed computer has
/// (R-AGR-11); names that start with it first.
pub fn publishers(conn: &Connection, query: &str, limit: usize) -> rusqlite::Result<Choices> {
    choices(
        conn,
        "SELECT p.id, p.name FROM publishers p WHERE p.name LIKE ?1 ESCAPE '\\' AND EXISTS \
           (SELECT 1 FROM products pr JOIN inventory i ON i.product_id = pr.id \
            JOIN devices d ON d.id = i.device_id WHERE pr.publisher_id = p.id AND d.managed = 1) \
         ORDER BY instr(lower(p.name), lower(?2)) <> 1, p.name COLLATE NOCASE LIMIT ?3",
        params![contains(query), query.trim(), limit as i64 + 1],
        limit,
    )
}

/// The products of publisher `publisher_id` whose title contains `query`.
pub fn products(
    conn: &Connection,
    publisher_id: i64,
    query: &str,
    limit: usize,
) -> rusqlite::Result<Choices> {
    choices(
        conn,
        "SELECT id, title FROM products WHERE publisher_id = ?1 AND title LIKE ?2 ESCAPE '\\' \
         ORDER BY instr(lower(title), lower(?3)) <> 1, title COLLATE NOCASE LIMIT ?4",
        params![publisher_id, contains(query), query.trim(), limit as i64 + 1],
        limit,
    )
}

/// License groups whose name contains `query`, the built-in one first.
pub fn license_groups(conn: &Connection, query: &str, limit: usize) -> rusqlite::Result<Choices> {
    choices(
        conn,
        "SELECT id, name FROM license_groups WHERE name LIKE ?1 ESCAPE '\\' \
         ORDER BY builtin DESC, name COLLATE NOCASE LIMIT ?2",
        params![contains(query), limit as i64 + 1],
        limit,
    )
}
