//! `GET /users/delta` (apis.md 1.8): a first round pages through every
//! user and ends with a deltaLink; a deltaLink brings the users changed
//! since (removed ones as `@removed`), and expires after the configured
//! lifetime, on `expire-delta`, or when the tenant expires every token.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use rusqlite::{Connection, params};
use serde_json::{Value, json};

use super::users::user_select;
use crate::sim::http::{GraphError, GraphResult, base_url, page_response};
use crate::sim::json::{
    USER_DEFAULT, USER_PROPS, UserOut, licenses_of, needs_licenses, user_json, users_after, users_by_rows,
};
use crate::sim::paging::{Query, bad_skiptoken, context, decode_token, encode_token, parse_select};
use crate::sim::server::Shared;
use crate::sim::tenant::{meta, now_ms};

/// Graph's page size for directory objects in delta (the most
/// `Prefer: odata.maxpagesize` may ask for).
const DELTA_PAGE: usize = 200;

/// Where a round is: the first round (`i`) walks all users; a change round
/// (`c`) walks changes in (from, to]; a delta token (`d`) starts one.
#[derive(Debug, Clone)]
struct Position {
    mode: String,
    from: i64,
    to: i64,
    after: i64,
    select: String,
    issued: i64,
}

impl Position {
    fn token(&self) -> String {
        encode_token(
            &json!({"m": self.mode, "f": self.from, "t": self.to, "a": self.after, "s": self.select, "at": self.issued}),
        )
    }

    fn parse(text: &str) -> Option<Position> {
        let v = decode_token(text)?;
        Some(Position {
            mode: v["m"].as_str()?.to_owned(),
            from: v["f"].as_i64()?,
            to: v["t"].as_i64()?,
            after: v["a"].as_i64()?,
            select: v["s"].as_str()?.to_owned(),
            issued: v["at"].as_i64()?,
        })
    }
}

fn sync_state_not_found() -> GraphError {
    GraphError::new(
        400,
        "syncStateNotFound",
        "The sync state generation is not found. The delta token is expired and data must be synchronized again.",
    )
}

pub(crate) async fn delta(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> GraphResult {
    let query = Query::parse(raw.as_deref());
    let page = page_size(&headers);
    let lifetime = shared.config.delta_lifetime.as_millis() as i64;
    let expired_by_fault = shared.delta_expired_by_fault();
    let position = if let Some(token) = query.get("$deltatoken") {
        let select = query.get("$select").unwrap_or("").to_owned();
        if token == "latest" {
            Start::Latest(select)
        } else {
            let p = Position::parse(token)
                .filter(|p| p.mode == "d")
                .ok_or_else(sync_state_not_found)?;
            if expired_by_fault || now_ms() - p.issued > lifetime {
                return Err(sync_state_not_found());
            }
            Start::Delta(p)
        }
    } else if let Some(token) = query.get("$skiptoken") {
        Start::Page(
            Position::parse(token)
                .filter(|p| p.mode != "d")
                .ok_or_else(bad_skiptoken)?,
        )
    } else {
        Start::First(query.get("$select").unwrap_or("").to_owned())
    };
    let select_text = match &position {
        Start::Latest(s) | Start::First(s) => s.clone(),
        Start::Delta(p) | Start::Page(p) => p.select.clone(),
    };
    let select = match select_text.as_str() {
        "" => USER_DEFAULT.to_vec(),
        text => parse_select(text, USER_PROPS, "user")?,
    };
    // The 403 for signInActivity, as on /users.
    user_select(
        &shared,
        &Query::parse(Some(&format!("$select={}", select.join(",")))),
    )?;
    let wanted = select.clone();
    let (value, next) = shared
        .db
        .run(move |conn| {
            let position = resolve(conn, position)?;
            let Some(position) = position else {
                return Err(sync_state_not_found());
            };
            Ok(page_of(conn, position, &wanted, page)?)
        })
        .await?;
    let base = base_url(&headers);
    let what = format!("users({})", select.join(","));
    let link = match next {
        Next::More(p) => (
            "@odata.nextLink",
            format!("{base}/v1.0/users/delta?$skiptoken={}", p.token()),
        ),
        Next::Done(p) => (
            "@odata.deltaLink",
            format!("{base}/v1.0/users/delta?$deltatoken={}", p.token()),
        ),
    };
    let mut response: Response = page_response(&context(&base, &what), &value, &[(link.0, &link.1)]);
    let asked = headers
        .get("prefer")
        .is_some_and(|v| v.to_str().is_ok_and(|s| s.contains("odata.maxpagesize")));
    if let (true, Ok(value)) = (asked, HeaderValue::from_str(&format!("odata.maxpagesize={page}"))) {
        response.headers_mut().insert("preference-applied", value);
    }
    Ok(response)
}

enum Start {
    Latest(String),
    First(String),
    Delta(Position),
    Page(Position),
}

enum Next {
    More(Position),
    Done(Position),
}

/// `Prefer: odata.maxpagesize=N`, capped at Graph's page size.
fn page_size(headers: &HeaderMap) -> usize {
    let asked = headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|p| {
            p.trim()
                .strip_prefix("odata.maxpagesize=")
                .and_then(|n| n.trim().parse::<usize>().ok())
        });
    asked.unwrap_or(DELTA_PAGE).clamp(1, DELTA_PAGE)
}

fn last_seq(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT coalesce(max(seq), 0) FROM sim_changes", [], |row| {
        row.get(0)
    })
}

/// The position to serve, or `None` for a delta token the tenant expired.
fn resolve(conn: &Connection, start: Start) -> rusqlite::Result<Option<Position>> {
    let now = now_ms();
    let fresh = |mode: &str, from: i64, to: i64, select: String| Position {
        mode: mode.to_owned(),
        from,
        to,
        after: 0,
        select,
        issued: now,
    };
    Ok(Some(match start {
        Start::Latest(select) => {
            let seq = last_seq(conn)?;
            fresh("d", seq, seq, select)
        }
        Start::First(select) => fresh("i", 0, last_seq(conn)?, select),
        Start::Page(p) => p,
        Start::Delta(p) => {
            let epoch: i64 = meta(conn, "delta_epoch_ms")?
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            if p.issued < epoch {
                return Ok(None);
            }
            fresh("c", p.from, last_seq(conn)?, p.select)
        }
    }))
}

/// A page of the round at `p`: the JSON text of its list, and where next.
fn page_of(
    conn: &Connection,
    mut p: Position,
    select: &[&'static str],
    page: usize,
) -> rusqlite::Result<(String, Next)> {
    if p.mode == "d" {
        return Ok(("[]".to_owned(), Next::Done(p)));
    }
    let (value, last, more) = if p.mode == "i" {
        let mut users = users_after(conn, p.after, page + 1)?;
        let more = users.len() > page;
        users.truncate(page);
        let rows: Vec<i64> = users.iter().map(|u| u.row).collect();
        let licenses = if needs_licenses(select) {
            licenses_of(conn, &rows)?
        } else {
            Default::default()
        };
        let value: Vec<UserOut<'_>> = users
            .iter()
            .map(|u| UserOut {
                user: u,
                licenses: licenses.get(&u.row).map_or(&[][..], Vec::as_slice),
                select,
                with_id: true,
            })
            .collect();
        (json_text(&value), rows.last().copied(), more)
    } else {
        let (value, last, more) = changes_page(conn, &p, select, page)?;
        (json_text(&value), last, more)
    };
    if more {
        p.after = last.unwrap_or(p.after);
        return Ok((value, Next::More(p)));
    }
    let done = Position {
        mode: "d".to_owned(),
        from: p.to,
        to: p.to,
        after: 0,
        select: p.select,
        issued: now_ms(),
    };
    Ok((value, Next::Done(done)))
}

/// Users changed in (from, to] after row `after`, one entry each.
fn changes_page(
    conn: &Connection,
    p: &Position,
    select: &[&'static str],
    page: usize,
) -> rusqlite::Result<(Vec<Value>, Option<i64>, bool)> {
    let mut props: Vec<&str> = select.to_vec();
    if needs_licenses(select) {
        props.push("licenses");
    }
    let props = serde_json::to_string(&props).unwrap_or_else(|_| "[]".to_owned());
    let mut stmt = conn.prepare_cached(
        "SELECT user_id, object_id, kind, max(seq) FROM sim_changes \
         WHERE seq > ?1 AND seq <= ?2 AND user_id > ?3 \
         AND (kind <> 'changed' OR prop = '*' OR prop IN (SELECT value FROM json_each(?4))) \
         GROUP BY user_id ORDER BY user_id LIMIT ?5",
    )?;
    let found = stmt.query_map(params![p.from, p.to, p.after, props, page as i64 + 1], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
        ))
    })?;
    let mut changes: Vec<(i64, String, String)> = found.collect::<rusqlite::Result<_>>()?;
    let more = changes.len() > page;
    changes.truncate(page);
    let rows: Vec<i64> = changes.iter().map(|c| c.0).collect();
    let users = users_by_rows(conn, &rows)?;
    let licenses = if needs_licenses(select) {
        licenses_of(conn, &rows)?
    } else {
        Default::default()
    };
    let value = changes
        .iter()
        .map(|(row, object, kind)| {
            let user = users.iter().find(|u| u.row == *row);
            match (kind.as_str(), user) {
                ("changed", Some(u)) if !u.deleted => {
                    user_json(u, licenses.get(row).map_or(&[][..], Vec::as_slice), select, true)
                }
                ("deleted", _) | (_, None) => removed(object, "deleted"),
                _ => removed(object, "changed"),
            }
        })
        .collect();
    Ok((value, rows.last().copied(), more))
}

/// The JSON text of a page's list.
fn json_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".to_owned())
}

fn removed(object: &str, reason: &str) -> Value {
    json!({"id": object, "@removed": {"reason": reason}})
}
