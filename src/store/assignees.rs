//! The seats of one pool: who holds them, directly or via which group
//! (the Assignees view, R-LIC-2, R-APP-8).

use rusqlite::{Connection, Row};

use super::filter_sql::{FilterColumn, column};
use super::list::{ListSpec, Page, PageRequest, fetch_page};
use crate::domain::FieldKind::{Date, Flag, Text};

/// One seat of a pool. A seat of a user retired at Apple (kept in state
/// 'error', holding nothing; B11) reads error "Retired", invitation
/// "retired".
#[derive(Debug, Clone, PartialEq)]
pub struct AssigneeRow {
    /// The assignment's id.
    pub id: i64,
    pub principal: String,
    pub display_name: Option<String>,
    pub user_id: Option<i64>,
    pub device_id: Option<i64>,
    pub direct: bool,
    pub via_group: Option<String>,
    pub intent: String,
    pub state: String,
    pub error: Option<String>,
    pub invitation: Option<String>,
    /// The Apple invitation link, while the user is invited (R-APP-8).
    pub invite_url: Option<String>,
    pub assigned_at: String,
    pub assigned_by: String,
}

impl AssigneeRow {
    /// "direct", "via Sales" or "direct + via Sales".
    pub fn how(&self) -> String {
        match (self.direct, &self.via_group) {
            (true, None) => "direct".to_owned(),
            (false, Some(group)) => format!("via {group}"),
            (true, Some(group)) => format!("direct + via {group}"),
            (false, None) => "via group".to_owned(),
        }
    }
}

/// Column order of the Assignees table.
pub const COLUMNS: &[&str] = &["Who", "Name", "How", "State", "Invite", "Assigned"];

/// What filter conditions may name in the seats of a pool; `state` is the
/// seat's state and its error code (`state:CountViolation`).
pub const FIELDS: &[FilterColumn] = &[
    column("who", Text, "principal"),
    column("name", Text, "coalesce(display_name, '')"),
    column("group", Text, "coalesce(via_group, '')"),
    column("direct", Flag, "direct"),
    column("state", Text, "state || ' ' || coalesce(error, '')"),
    column("intent", Text, "intent"),
    column("invite", Text, "coalesce(invitation, '')"),
    column("assigned", Date, "assigned_at"),
    column("by", Text, "assigned_by"),
];

const SPEC: ListSpec = ListSpec {
    base: "SELECT s.id, coalesce(u.upn, d.name) AS principal, u.display_name, s.user_id, s.device_id, \
             s.direct, g.name AS via_group, s.intent, s.state, \
             CASE WHEN s.state = 'error' AND s.error = 'Other' AND EXISTS (SELECT 1 FROM apple_users au \
                    JOIN pools rp ON rp.id = s.pool_id WHERE au.user_id = s.user_id \
                    AND au.connector_id = rp.connector_id AND au.status = 'Retired') \
                  THEN 'Retired' ELSE s.error END AS error, \
             CASE WHEN s.state = 'error' AND s.error = 'Other' AND EXISTS (SELECT 1 FROM apple_users au \
                    JOIN pools rp ON rp.id = s.pool_id WHERE au.user_id = s.user_id \
                    AND au.connector_id = rp.connector_id AND au.status = 'Retired') \
                  THEN 'retired' ELSE s.invitation END AS invitation, s.assigned_at, \
             s.assigned_unix, s.assigned_by, \
             (SELECT au.invite_url FROM apple_users au JOIN pools p ON p.id = s.pool_id \
                WHERE au.user_id = s.user_id AND au.connector_id = p.connector_id) AS invite_url \
           FROM assignments s \
           LEFT JOIN users u ON u.id = s.user_id \
           LEFT JOIN devices d ON d.id = s.device_id \
           LEFT JOIN groups g ON g.id = s.via_group_id \
           WHERE s.pool_id = :scope",
    haystack: "principal || ' ' || coalesce(display_name, '') || ' ' || coalesce(via_group, 'direct') || ' ' || \
               state || ' ' || coalesce(error, '') || ' ' || coalesce(invitation, '')",
    fields: FIELDS,
    sort_keys: &[
        "principal COLLATE NOCASE",
        "coalesce(display_name, '') COLLATE NOCASE",
        "direct DESC, coalesce(via_group, '')",
        "state",
        "coalesce(invitation, '')",
        // The stored seconds sort as the text does (migration 0020), without
        // formatting every seat of a million-seat pool first.
        "assigned_unix",
    ],
    tiebreak: "id",
};

fn map_row(row: &Row<'_>) -> rusqlite::Result<AssigneeRow> {
    Ok(AssigneeRow {
        id: row.get("id")?,
        principal: row.get("principal")?,
        display_name: row.get("display_name")?,
        user_id: row.get("user_id")?,
        device_id: row.get("device_id")?,
        direct: row.get::<_, i64>("direct")? != 0,
        via_group: row.get("via_group")?,
        intent: row.get("intent")?,
        state: row.get("state")?,
        error: row.get("error")?,
        invitation: row.get("invitation")?,
        assigned_at: row.get("assigned_at")?,
        assigned_by: row.get("assigned_by")?,
        invite_url: row.get("invite_url")?,
    })
}

/// One window of the seats of pool `request.scope`.
pub fn page(conn: &Connection, request: &PageRequest) -> rusqlite::Result<Page<AssigneeRow>> {
    fetch_page(conn, &SPEC, request, map_row)
}

/// What a release names: how many of `seat_ids` still exist, and
/// (holder, pool) of the first `limit` of them in id order. One query, not
/// one per seat: "release every listed seat" can name 100,000.
pub fn describe(
    conn: &Connection,
    seat_ids: &[i64],
    limit: usize,
) -> rusqlite::Result<(usize, Vec<(String, String)>)> {
    let ids = serde_json::to_string(seat_ids).unwrap_or_else(|_| "[]".to_owned());
    let count: i64 = conn.query_row(
        "SELECT count(*) FROM assignments WHERE id IN (SELECT value FROM json_each(?1))",
        [&ids],
        |row| row.get(0),
    )?;
    let mut stmt = conn.prepare_cached(
        "SELECT coalesce(u.upn, d.name), p.name FROM assignments s \
         JOIN pools p ON p.id = s.pool_id \
         LEFT JOIN users u ON u.id = s.user_id \
         LEFT JOIN devices d ON d.id = s.device_id \
         WHERE s.id IN (SELECT value FROM json_each(?1)) ORDER BY s.id LIMIT ?2",
    )?;
    let named = stmt
        .query_map(rusqlite::params![ids, limit as i64], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((count as usize, named))
}

/// The seats a user holds, and with `with_devices` those of their devices:
/// (seat id, holder, pool name).
pub fn seats_of_user(
    conn: &Connection,
    user_id: i64,
    with_devices: bool,
) -> rusqlite::Result<Vec<(i64, String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, coalesce(u.upn, d.name), p.name FROM assignments s \
         JOIN pools p ON p.id = s.pool_id \
         LEFT JOIN users u ON u.id = s.user_id \
         LEFT JOIN devices d ON d.id = s.device_id \
         WHERE s.user_id = ?1 OR (?2 AND s.device_id IN (SELECT id FROM devices WHERE owner_id = ?1)) \
         ORDER BY p.name",
    )?;
    let rows = stmt.query_map(rusqlite::params![user_id, with_devices], |row| {
        Ok((row.get(0)?, row.get(1)?, row.get(2)?))
    })?;
    rows.collect()
}
