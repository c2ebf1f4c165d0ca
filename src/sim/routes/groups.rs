//! `GET /groups`, `GET /groups/{id}`, `/members`, `/transitiveMembers` and
//! `POST /groups/{id}/assignLicense` (202, processed afterwards; apis.md 1.7).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value, json};

use super::member_out::MemberOut;
use super::users::json_body;
use crate::sim::http::{GraphError, GraphResult, base_url, json_response, page_response};
use crate::sim::licenses::{assign_group, parse_change, refusable};
use crate::sim::paging::{Query, bad_skiptoken, context, decode_token, encode_token};
use crate::sim::server::Shared;
use crate::sim::tenant::now_ms;

const GROUP_PROPS: &[&str] = &[
    "id",
    "displayName",
    "description",
    "groupTypes",
    "mail",
    "mailEnabled",
    "mailNickname",
    "securityEnabled",
    "membershipRule",
    "visibility",
    "assignedLicenses",
];

/// Without `$select` (assignedLicenses only when selected).
const GROUP_DEFAULT: &[&str] = &[
    "id",
    "displayName",
    "description",
    "groupTypes",
    "mail",
    "mailEnabled",
    "mailNickname",
    "securityEnabled",
    "membershipRule",
    "visibility",
];

struct GroupRow {
    row: i64,
    id: String,
    name: String,
}

fn group_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<GroupRow> {
    Ok(GroupRow {
        row: row.get(0)?,
        id: row.get(1)?,
        name: row.get(2)?,
    })
}

fn group_json(conn: &Connection, group: &GroupRow, select: &[&str]) -> rusqlite::Result<Value> {
    let mut out = Map::new();
    for prop in select {
        let value = match *prop {
            "id" => json!(group.id),
            "displayName" => json!(group.name),
            "groupTypes" => json!([]),
            "mailEnabled" => json!(false),
            "securityEnabled" => json!(true),
            "mailNickname" => json!(nickname(&group.name)),
            "assignedLicenses" => assigned_licenses(conn, group.row)?,
            _ => Value::Null,
        };
        out.insert((*prop).to_owned(), value);
    }
    Ok(Value::Object(out))
}

fn nickname(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).collect()
}

fn assigned_licenses(conn: &Connection, group: i64) -> rusqlite::Result<Value> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.sku_id FROM group_assignments ga JOIN pools p ON p.id = ga.pool_id \
         WHERE ga.group_id = ?1 AND p.source = 'graph' AND p.sku_id IS NOT NULL ORDER BY p.id",
    )?;
    let rows = stmt.query_map([group], |row| row.get::<_, String>(0))?;
    let skus: Vec<Value> = rows
        .map(|sku| sku.map(|sku| json!({"disabledPlans": [], "skuId": sku})))
        .collect::<rusqlite::Result<_>>()?;
    Ok(Value::Array(skus))
}

fn find_group(conn: &Connection, id: &str) -> rusqlite::Result<Option<GroupRow>> {
    conn.prepare_cached("SELECT id, source_id, name FROM groups WHERE source_id = ?1")?
        .query_row([id], group_row)
        .optional()
}

fn no_such(id: &str) -> GraphError {
    super::users::no_such(id)
}

pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> GraphResult {
    let query = Query::parse(raw.as_deref());
    let select = query.select(GROUP_PROPS, GROUP_DEFAULT, "group")?;
    let top = query.top(100, 999)?;
    let after = match query.get("$skiptoken") {
        Some(token) => decode_token(token)
            .and_then(|v| v["a"].as_i64())
            .ok_or_else(bad_skiptoken)?,
        None => 0,
    };
    let wanted = select.clone();
    let (value, last) = shared
        .db
        .run(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, source_id, name FROM groups WHERE id > ?1 ORDER BY id LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![after, top as i64 + 1], group_row)?;
            let mut groups: Vec<GroupRow> = rows.collect::<rusqlite::Result<_>>()?;
            let more = groups.len() > top;
            groups.truncate(top);
            let value = groups
                .iter()
                .map(|g| group_json(conn, g, &wanted))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((value, more.then(|| groups.last().map(|g| g.row)).flatten()))
        })
        .await?;
    let base = base_url(&headers);
    let mut body = json!({"@odata.context": context(&base, "groups"), "value": value});
    if let Some(last) = last {
        body["@odata.nextLink"] =
            json!(query.next_link(&base, "/v1.0/groups", &encode_token(&json!({"a": last}))));
    }
    Ok(json_response(StatusCode::OK, &body))
}

pub(crate) async fn one(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> GraphResult {
    let select = Query::parse(raw.as_deref()).select(GROUP_PROPS, GROUP_DEFAULT, "group")?;
    let key = id.clone();
    let found = shared
        .db
        .run(move |conn| {
            find_group(conn, &key)?
                .map(|g| group_json(conn, &g, &select))
                .transpose()
                .map_err(Into::into)
        })
        .await?;
    let mut body = found.ok_or_else(|| no_such(&id))?;
    body["@odata.context"] = json!(context(&base_url(&headers), "groups/$entity"));
    Ok(json_response(StatusCode::OK, &body))
}

pub(crate) async fn members(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> GraphResult {
    member_list(shared, id, headers, raw, false).await
}

pub(crate) async fn transitive_members(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> GraphResult {
    member_list(shared, id, headers, raw, true).await
}

/// Members in three runs (users, groups, devices), each in id order; the
/// skiptoken holds the run and the last id.
async fn member_list(
    shared: Arc<Shared>,
    id: String,
    headers: HeaderMap,
    raw: Option<String>,
    transitive: bool,
) -> GraphResult {
    let query = Query::parse(raw.as_deref());
    let top = query.top(100, 999)?;
    let (mut phase, mut after) = match query.get("$skiptoken") {
        Some(token) => {
            let v = decode_token(token).ok_or_else(bad_skiptoken)?;
            (
                v["p"].as_i64().ok_or_else(bad_skiptoken)?,
                v["a"].as_i64().ok_or_else(bad_skiptoken)?,
            )
        }
        None => (0, 0),
    };
    let key = id.clone();
    let found = shared
        .db
        .run(move |conn| {
            let Some(group) = find_group(conn, &key)? else {
                return Ok(None);
            };
            let mut value = Vec::new();
            let mut next = None;
            while phase < 3 {
                let room = top - value.len();
                let mut found = member_run(conn, group.row, transitive, phase, after, room + 1)?;
                if found.len() > room {
                    found.truncate(room);
                    after = found.last().map_or(after, |(row, _)| *row);
                    value.extend(found.into_iter().map(|(_, v)| v));
                    next = Some((phase, after));
                    break;
                }
                value.extend(found.into_iter().map(|(_, v)| v));
                phase += 1;
                after = 0;
            }
            Ok(Some((value, next)))
        })
        .await?;
    let (value, next) = found.ok_or_else(|| no_such(&id))?;
    let base = base_url(&headers);
    let next_link = next.map(|(phase, after)| {
        let path = format!(
            "/v1.0/groups/{id}/{}",
            if transitive {
                "transitiveMembers"
            } else {
                "members"
            }
        );
        query.next_link(&base, &path, &encode_token(&json!({"p": phase, "a": after})))
    });
    let value = serde_json::to_string(&value).unwrap_or_else(|_| "[]".to_owned());
    let links: Vec<(&str, &str)> = next_link
        .iter()
        .map(|link| ("@odata.nextLink", link.as_str()))
        .collect();
    Ok(page_response(&context(&base, "directoryObjects"), &value, &links))
}

/// Up to `limit` members of one kind (0 users, 1 groups, 2 devices) after `after`.
///
/// Each group of the tree gives at most `limit` members past `after` (a
/// range of a membership table's key, migration 0025), and the page is the
/// first `limit` of their union: a page costs its size, not the group's. Sorting every
/// member of a 380,000-member group for each page of 100 made a million-user
/// pull take over half an hour.
fn member_run(
    conn: &Connection,
    group: i64,
    transitive: bool,
    phase: i64,
    after: i64,
    limit: usize,
) -> rusqlite::Result<Vec<(i64, MemberOut)>> {
    let tree = if transitive {
        "WITH RECURSIVE down(id) AS (SELECT ?1 UNION SELECT gm.child_group_id FROM group_child_groups gm \
         JOIN down ON gm.group_id = down.id) "
    } else {
        "WITH down(id) AS (SELECT ?1) "
    };
    let (select, map): (&str, fn(&rusqlite::Row<'_>) -> rusqlite::Result<MemberOut>) = match phase {
        0 => (
            "SELECT u.id, u.source_id, u.display_name, u.upn FROM users u WHERE u.id IN (\
               SELECT m.user_id FROM down, group_user_members m WHERE m.group_id = down.id AND m.user_id IN (\
                 SELECT f.user_id FROM group_user_members f WHERE f.group_id = down.id AND f.user_id > ?2 \
                   AND EXISTS (SELECT 1 FROM users x WHERE x.id = f.user_id AND x.deleted = 0) \
                 ORDER BY f.user_id LIMIT ?3)) \
             ORDER BY u.id LIMIT ?3",
            |r| {
                let upn: String = r.get(3)?;
                Ok(MemberOut::User {
                    kind: "#microsoft.graph.user",
                    id: r.get(1)?,
                    display_name: r.get(2)?,
                    mail: upn.clone(),
                    upn,
                })
            },
        ),
        1 => (
            "SELECT g.id, g.source_id, g.name FROM groups g WHERE g.id IN (\
               SELECT m.child_group_id FROM down, group_child_groups m WHERE m.group_id = down.id AND m.child_group_id IN (\
                 SELECT f.child_group_id FROM group_child_groups f WHERE f.group_id = down.id AND f.child_group_id > ?2 \
                 ORDER BY f.child_group_id LIMIT ?3)) \
             ORDER BY g.id LIMIT ?3",
            |r| {
                Ok(MemberOut::Group {
                    kind: "#microsoft.graph.group",
                    id: r.get(1)?,
                    display_name: r.get(2)?,
                    security_enabled: true,
                    mail_enabled: false,
                    group_types: [],
                })
            },
        ),
        _ => (
            "SELECT d.id, d.source_id, d.name, d.os FROM devices d WHERE d.id IN (\
               SELECT m.device_id FROM down, group_device_members m WHERE m.group_id = down.id AND m.device_id IN (\
                 SELECT f.device_id FROM group_device_members f WHERE f.group_id = down.id AND f.device_id > ?2 \
                 ORDER BY f.device_id LIMIT ?3)) \
             ORDER BY d.id LIMIT ?3",
            |r| {
                Ok(MemberOut::Device {
                    kind: "#microsoft.graph.device",
                    id: r.get(1)?,
                    display_name: r.get(2)?,
                    operating_system: operating_system(&r.get::<_, String>(3)?),
                    account_enabled: true,
                })
            },
        ),
    };
    let mut stmt = conn.prepare_cached(&format!("{tree}{select}"))?;
    let rows = stmt.query_map(params![group, after, limit as i64], |r| {
        Ok((r.get::<_, i64>(0)?, map(r)?))
    })?;
    rows.collect()
}

fn operating_system(os: &str) -> &'static str {
    match os {
        "windows" => "Windows",
        "macos" => "MacMDM",
        "ios" => "iOS",
        _ => "Android",
    }
}

pub(crate) async fn assign_license(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> GraphResult {
    let change = parse_change(&json_body(&body)?)?;
    let due = now_ms() + shared.config.group_processing_delay.as_millis() as i64;
    let key = id.clone();
    let outcome = shared
        .db
        .run(move |conn| {
            let Some(group) = find_group(conn, &key)? else {
                return Ok(None);
            };
            if let Err(refusal) = refusable(conn, |tx| assign_group(tx, group.row, &change, due))? {
                return Ok(Some(Err(refusal)));
            }
            let mut select = GROUP_DEFAULT.to_vec();
            select.push("assignedLicenses");
            Ok(Some(Ok(group_json(conn, &group, &select)?)))
        })
        .await?;
    let mut group = outcome.ok_or_else(|| no_such(&id))??;
    group["@odata.context"] = json!(context(&base_url(&headers), "groups/$entity"));
    Ok(json_response(StatusCode::ACCEPTED, &group))
}
