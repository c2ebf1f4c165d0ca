//! The Detections view's default order (computer, then id) with no
//! filter, read by walking the devices' name index (migration 0022)
//! instead of sorting every detection: at a million users the sort took
//! ~3 s a window over 2.2 million detections, the walk milliseconds.

use rusqlite::Connection;

use super::inventory::{DetectionRow, detection_row};
use super::list::{Page, PageRequest};

/// Below this many detections in the list, sorting them all is as quick as
/// walking every computer for them.
const WALK_FROM: i64 = 50_000;

/// The same rows as `inventory::DETECTIONS` in its first sort: computers by
/// name (ties, names two computers share, by detection id), each
/// computer's detections by id. None: the list's own way.
pub fn by_computer(conn: &Connection, request: &PageRequest) -> rusqlite::Result<Option<Page<DetectionRow>>> {
    if request.sort != 0 || request.descending || request.filter.is_some() || request.anchor.is_some() {
        return Ok(None);
    }
    let scope = request.scope;
    let title = if scope.is_some() {
        " AND i.product_id = ?1"
    } else {
        ""
    };
    // Every detection has its product, publisher and device (foreign
    // keys), so the list holds them all.
    let count: i64 = conn.query_row(
        &format!("SELECT count(*) FROM inventory i WHERE 1{title}"),
        rusqlite::params_from_iter(scope),
        |r| r.get(0),
    )?;
    if scope.is_some() && count < WALK_FROM {
        return Ok(None);
    }
    let sql = format!(
        "SELECT i.id, i.product_id, p.title, pub.name AS publisher, \
                coalesce(r.raw, p.title) AS detected_as, (o.raw IS NOT NULL) AS mapped, i.version, \
                d.name AS computer, coalesce(i.user_upn, u.upn) AS user, i.detected_at AS seen, \
                d.managed, c.name AS connector \
         FROM devices d CROSS JOIN inventory i ON i.device_id = d.id{title} \
         JOIN products p ON p.id = i.product_id JOIN publishers pub ON pub.id = p.publisher_id \
         LEFT JOIN product_raw_names r ON r.id = i.raw_name_id \
         LEFT JOIN product_name_overrides o ON o.raw = r.raw \
         LEFT JOIN users u ON u.id = d.owner_id LEFT JOIN connectors c ON c.id = i.connector_id \
         ORDER BY d.name COLLATE NOCASE, i.id LIMIT ?2 OFFSET ?3"
    );
    let limit = request.limit.min(i64::MAX as usize) as i64;
    let mut stmt = conn.prepare_cached(&sql)?;
    // Unscoped, ?1 is not in the statement; binding it is harmless.
    let rows = stmt
        .query_map(
            rusqlite::params![scope, limit, request.offset as i64],
            detection_row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Some(Page {
        offset: request.offset,
        rows,
        count: count.max(0) as usize,
        anchor: None,
    }))
}
