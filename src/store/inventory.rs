//! The Inventory view (issue 9, R-APP-10): one row per catalog title with
//! the computers it is detected on and the names that count as it, and the
//! Detections view of one title (Enter), every computer it was seen on. A
//! title with names mapped by an admin says so; `:map` and `:unmap` change
//! the mapping (store::products).

use rusqlite::{Connection, Row};

use super::filter_sql::{FilterColumn, column};
use super::list::{COUNT_LATER, ListSpec, Page, PageRequest, fetch_page};
use crate::domain::FieldKind::{Date, Flag, Number, Text};

/// One title as the Inventory view shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct TitleRow {
    /// The product's id in the catalog.
    pub id: i64,
    pub title: String,
    pub publisher: String,
    /// Computers the title is detected on.
    pub computers: i64,
    /// Distinct names detected as this title ("… (64-bit)").
    pub names: i64,
    /// Distinct versions seen.
    pub versions: i64,
    /// Some name counts here because an admin mapped it.
    pub mapped: bool,
    /// The newest detection (RFC 3339); None for a title nothing has.
    pub last_seen: Option<String>,
    /// The first names detected as this title, each with whether an admin
    /// mapped it here (loaded for the window's rows only).
    pub detected_names: Vec<(String, bool)>,
    /// The figures (computers, names, versions, seen) are still being
    /// counted: a first frame (`PageRequest::count_later`) shows them as
    /// such, and the rows come again with them.
    pub pending: bool,
}

/// Names a title's detail lists; `seats products` lists them all.
pub const NAMES_SHOWN: usize = 6;

/// Column order of the Inventory table.
pub const TITLE_COLUMNS: &[&str] = &["Title", "Publisher", "Computers", "Names", "Versions", "Seen"];

/// What filter conditions may name in Inventory.
pub const TITLE_FIELDS: &[FilterColumn] = &[
    column("title", Text, "title"),
    column("publisher", Text, "publisher"),
    column("computers", Number, "computers"),
    column("names", Number, "names"),
    column("versions", Number, "versions"),
    column("seen", Date, "coalesce(last_seen, '')"),
    column("mapped", Flag, "mapped"),
];

// The per-title figures come from `temp.title_stats`, which one pass over
// the inventory fills and which is reused until the cache changes: a
// keystroke in the filter then reads the catalog only, however many
// millions of detections there are.
const TITLES: ListSpec = ListSpec {
    base: "SELECT p.id, p.title, pub.name AS publisher, coalesce(s.computers, 0) AS computers, \
                  coalesce(s.names, 0) AS names, coalesce(s.versions, 0) AS versions, s.last_seen, \
                  0 AS pending, EXISTS (SELECT 1 FROM product_raw_names r JOIN product_name_overrides o \
                          ON o.raw = r.raw WHERE r.product_id = p.id) AS mapped \
           FROM products p JOIN publishers pub ON pub.id = p.publisher_id \
           LEFT JOIN temp.title_stats s ON s.product_id = p.id",
    haystack: "title || ' ' || publisher",
    fields: TITLE_FIELDS,
    sort_keys: &[
        "title COLLATE NOCASE",
        "publisher COLLATE NOCASE",
        "computers",
        "names",
        "versions",
        "coalesce(last_seen, '')",
    ],
    tiebreak: "id",
};

// The catalog alone, its figures to come: a first frame's titles while
// `temp.title_stats` is refilled.
const TITLES_PENDING: ListSpec = ListSpec {
    base: "SELECT p.id, p.title, pub.name AS publisher, 0 AS computers, 0 AS names, 0 AS versions, \
                  NULL AS last_seen, 1 AS pending, \
                  EXISTS (SELECT 1 FROM product_raw_names r JOIN product_name_overrides o \
                          ON o.raw = r.raw WHERE r.product_id = p.id) AS mapped \
           FROM products p JOIN publishers pub ON pub.id = p.publisher_id",
    ..TITLES
};

fn title_row(row: &Row<'_>) -> rusqlite::Result<TitleRow> {
    Ok(TitleRow {
        id: row.get("id")?,
        title: row.get("title")?,
        publisher: row.get("publisher")?,
        computers: row.get("computers")?,
        names: row.get("names")?,
        versions: row.get("versions")?,
        mapped: row.get("mapped")?,
        last_seen: row.get("last_seen")?,
        detected_names: Vec::new(),
        pending: row.get("pending")?,
    })
}

/// Fills `temp.title_stats` unless it holds the figures of the cache as it
/// is (`temp_cache`).
fn refresh_title_stats(conn: &Connection) -> rusqlite::Result<()> {
    super::temp_cache::refresh(
        conn,
        "title_stats",
        "product_id INTEGER PRIMARY KEY, computers INTEGER, names INTEGER, versions INTEGER, \
         last_seen TEXT",
        "",
        |conn| {
            // The last seen from the stored unix seconds, formatted once a
            // title, not once a row (2.5 s against 1.1 s at 2.2M rows). A
            // title with a time kept as text (migration 0025) has a text
            // maximum (SQLite orders text after numbers) and takes the
            // maximum of the texts instead, reading only its own rows.
            conn.execute_batch(
                "INSERT INTO temp.title_stats \
                 SELECT product_id, count(DISTINCT device_id), count(DISTINCT raw_name_id), \
                        count(DISTINCT version), \
                        CASE WHEN typeof(max(detected_unix)) = 'integer' \
                          THEN strftime('%Y-%m-%dT%H:%M:%SZ', max(detected_unix), 'unixepoch') \
                          ELSE (SELECT max(x.detected_at) FROM inventory x WHERE x.product_id = inventory.product_id) END \
                 FROM inventory GROUP BY product_id;",
            )
        },
    )
}

/// One window of the catalog's titles.
pub fn titles(conn: &Connection, request: &PageRequest) -> rusqlite::Result<Page<TitleRow>> {
    // A first frame sorted and filtered by name only needs no figures: it
    // shows the titles and leaves the grouped pass to the second reply.
    let by_name = request.sort <= 1 && request.filter.is_none();
    let mut page = if request.count_later && by_name && !super::temp_cache::is_fresh(conn, "title_stats", "")?
    {
        let mut page = fetch_page(conn, &TITLES_PENDING, request, title_row)?;
        page.count = COUNT_LATER;
        page
    } else {
        refresh_title_stats(conn)?;
        fetch_page(conn, &TITLES, request, title_row)?
    };
    let mut stmt = conn.prepare_cached(
        "SELECT r.raw, o.raw IS NOT NULL FROM product_raw_names r \
         LEFT JOIN product_name_overrides o ON o.raw = r.raw \
         WHERE r.product_id = ?1 ORDER BY r.raw LIMIT ?2",
    )?;
    for row in &mut page.rows {
        row.detected_names = stmt
            .query_map(rusqlite::params![row.id, NAMES_SHOWN as i64], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
    }
    Ok(page)
}

/// One detection: a title seen on a computer.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectionRow {
    pub id: i64,
    pub product_id: i64,
    pub title: String,
    pub publisher: String,
    /// The name the computer reported ("… (64-bit)"); the title itself for
    /// detections without one.
    pub detected_as: String,
    /// That name counts as this title because an admin mapped it.
    pub mapped: bool,
    pub version: Option<String>,
    pub computer: String,
    /// The file's user, else the computer's owner.
    pub user: Option<String>,
    pub seen: String,
    /// A computer no source manages (it came from an inventory file).
    pub managed: bool,
    /// Who reported it: the Graph connector whose detected-apps read
    /// brought it, else None (an inventory file, or the demo).
    pub connector: Option<String>,
}

/// Column order of the Detections table.
pub const DETECTION_COLUMNS: &[&str] = &["Computer", "User", "Version", "Detected as", "Seen", "Title"];

/// What filter conditions may name in Detections.
pub const DETECTION_FIELDS: &[FilterColumn] = &[
    column("computer", Text, "computer"),
    column("user", Text, "coalesce(user, '')"),
    column("version", Text, "coalesce(version, '')"),
    column("name", Text, "detected_as"),
    column("seen", Date, "seen"),
    column("title", Text, "title"),
    column("managed", Flag, "managed"),
    column("mapped", Flag, "mapped"),
];

// Scoped to one title (`:scope`, its product id) through the inventory's
// product index, else every detection.
const DETECTIONS: ListSpec = ListSpec {
    base: "SELECT i.id, i.product_id, p.title, pub.name AS publisher, \
                  coalesce(r.raw, p.title) AS detected_as, (o.raw IS NOT NULL) AS mapped, i.version, \
                  d.name AS computer, coalesce(i.user_upn, u.upn) AS user, i.detected_at AS seen, \
                  d.managed, c.name AS connector \
           FROM inventory i JOIN products p ON p.id = i.product_id \
           JOIN publishers pub ON pub.id = p.publisher_id JOIN devices d ON d.id = i.device_id \
           LEFT JOIN product_raw_names r ON r.id = i.raw_name_id \
           LEFT JOIN product_name_overrides o ON o.raw = r.raw \
           LEFT JOIN users u ON u.id = d.owner_id LEFT JOIN connectors c ON c.id = i.connector_id \
           WHERE (:scope IS NULL OR i.product_id = :scope)",
    haystack: "computer || ' ' || coalesce(user, '') || ' ' || coalesce(version, '') || ' ' || detected_as",
    fields: DETECTION_FIELDS,
    sort_keys: &[
        "computer COLLATE NOCASE",
        "coalesce(user, '') COLLATE NOCASE",
        "coalesce(version, '')",
        "detected_as COLLATE NOCASE",
        "seen",
        "title COLLATE NOCASE",
    ],
    tiebreak: "id",
};

pub(super) fn detection_row(row: &Row<'_>) -> rusqlite::Result<DetectionRow> {
    Ok(DetectionRow {
        id: row.get("id")?,
        product_id: row.get("product_id")?,
        title: row.get("title")?,
        publisher: row.get("publisher")?,
        detected_as: row.get("detected_as")?,
        mapped: row.get("mapped")?,
        version: row.get("version")?,
        computer: row.get("computer")?,
        user: row.get("user")?,
        seen: row.get("seen")?,
        managed: row.get("managed")?,
        connector: row.get("connector")?,
    })
}

/// One window of the detections of title `request.scope` (every title when None).
pub fn detections(conn: &Connection, request: &PageRequest) -> rusqlite::Result<Page<DetectionRow>> {
    if let Some(page) = super::inventory_walk::by_computer(conn, request)? {
        return Ok(page);
    }
    fetch_page(conn, &DETECTIONS, request, detection_row)
}
