//! The Users list's first rows under a filter, in UPN or name order, at a
//! million users (issue 11: every key → rows on screen p99 ≤ 100 ms).
//!
//! Tried cheapest first: walk the sort column's index and let the filter
//! check each row, stopping at the rows wanted (a word in one user of
//! twenty fills a window within a few thousand rows); else count the
//! candidates the trigram index has for the rarest word and either walk
//! further (many candidates, spread out) or sort those candidates. Each
//! walk ends at a bound read from the index first, so a word clustered at
//! the far end of the order (a first name, say, in UPN order) costs a
//! bounded walk, not a million row reads. When the index cannot answer
//! (non-ASCII words only, or every word in a third of the users) the
//! caller's full query runs.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};

use super::filter_sql::{self, Pick, TextIndex};
use super::list::{COUNT_LATER, ListSpec, Page, PageRequest};
use super::users::{SEARCH, SPEC, UserRow, map_row};
use super::users_route::{rarest_counted, size, words};

/// The sort columns with an index to walk: UPN and name.
const WALKED: &[&str] = &["upn", "display_name"];

/// Rows a first short walk may read per row wanted: a word in one user of
/// twenty fills the window within it.
const SHORT_WALK: usize = 20;

/// The first rows of `request`'s window when one of the ways above finds
/// them; None leaves the request to the full query.
pub(super) fn rows(conn: &Connection, request: &PageRequest) -> rusqlite::Result<Option<Page<UserRow>>> {
    let Some(column) = WALKED.get(request.sort).copied() else {
        return Ok(None);
    };
    if request.anchor.is_some() || request.limit == 0 || words(request.filter.as_ref()).is_empty() {
        return Ok(None);
    }
    // A new filter's first reply needs the screen, not the whole window:
    // the screen is at most a third of it (`app::table`), and the same
    // request without `count_later` brings the rest with the count.
    let wanted = if request.count_later && request.offset == 0 {
        request.limit.div_ceil(3)
    } else {
        request.limit
    };
    let walk = Walk {
        conn,
        request,
        column,
        wanted,
    };
    let reach = request.offset + wanted;
    if let Some(page) = walk.within(reach.saturating_mul(SHORT_WALK))? {
        return Ok(Some(page));
    }
    // Past the short walk a word is in under one user of twenty: count its
    // candidates (up to a third of the users; more would never be read).
    // A walk finds `reach` rows among about reach × users / candidates
    // rows, the index reads every candidate: the index unless the walk
    // expects to read under half as many rows.
    let users = size(conn)?;
    let Some((found, pick)) = rarest_counted(conn, request.filter.as_ref(), users / 3 + 1)? else {
        return Ok(None);
    };
    let even = ((2.0 * reach as f64 * users as f64).sqrt() as usize).max(reach);
    if found > even
        && let Some(page) = walk.within(second_walk(reach, users, found))?
    {
        return Ok(Some(page));
    }
    // Rare words, or common ones not where the walk went (a first name,
    // together at one place of the UPN order).
    walk.narrowed(pick).map(Some)
}

/// How far the second walk may read for a word with `found` candidates:
/// twice where an evenly spread word fills the window, and never less than
/// a quarter of the candidates. Sorting the candidates reads each of them
/// once, as the walk reads each row once, so a walk of a quarter as many
/// rows adds at most a quarter to the sort when it fails (measured at 1M:
/// "q", 10,000 users at the far end of the UPN order); a word clustered away from the start
/// of the order ("j" at 1M: 145,000 users, the twentieth at row 1,485 of
/// the UPN order) is found by it in a few milliseconds instead of a sort
/// of every candidate. Never shorter than the first walk, which has
/// already failed.
fn second_walk(reach: usize, users: usize, found: usize) -> usize {
    let spread = reach.saturating_mul(users) / found.max(1) * 2;
    spread.max(found / 4).max(reach.saturating_mul(SHORT_WALK) + 1)
}

struct Walk<'a> {
    conn: &'a Connection,
    request: &'a PageRequest,
    column: &'static str,
    wanted: usize,
}

impl Walk<'_> {
    fn direction(&self) -> &'static str {
        if self.request.descending { "DESC" } else { "ASC" }
    }

    /// The window, reading no further than `budget` rows into the order;
    /// None when it did not fill there.
    fn within(&self, budget: usize) -> rusqlite::Result<Option<Page<UserRow>>> {
        let (column, direction) = (self.column, self.direction());
        let bound: Option<String> = self
            .conn
            .prepare_cached(&format!(
                "SELECT {column} FROM users ORDER BY {column} COLLATE NOCASE {direction}, id {direction} \
                 LIMIT 1 OFFSET ?1"
            ))?
            .query_row([budget.min(i64::MAX as usize) as i64], |r| r.get(0))
            .optional()?;
        let index = TextIndex { pick: None, ..SEARCH };
        let page = self.read(&index, bound)?;
        let ended = page.count != COUNT_LATER;
        Ok((page.rows.len() == self.wanted || ended).then_some(page))
    }

    /// The window from the candidates of the word `pick` names.
    fn narrowed(&self, pick: Pick) -> rusqlite::Result<Page<UserRow>> {
        let index = TextIndex {
            pick: Some(pick),
            ..SEARCH
        };
        self.read(&index, None)
    }

    /// Reads the window under `index`'s choice and, when given, no further
    /// than `bound` in the order. The count is known when the rows ended
    /// before the window did with no bound; otherwise `COUNT_LATER`.
    fn read(&self, index: &TextIndex, bound: Option<String>) -> rusqlite::Result<Page<UserRow>> {
        let request = self.request;
        let (as_of, today) = as_of(request);
        let filter = filter_sql::compile_indexed(
            SPEC.haystack,
            Some(index),
            SPEC.fields,
            request.filter.as_ref(),
            today,
        )?;
        let (column, direction) = (self.column, self.direction());
        let order = format!("{column} COLLATE NOCASE {direction}, id {direction}");
        let within = match bound {
            Some(_) if request.descending => format!(" AND {column} COLLATE NOCASE >= :bound"),
            Some(_) => format!(" AND {column} COLLATE NOCASE <= :bound"),
            None => String::new(),
        };
        // The window's ids first, then their columns: the seats and pools of
        // a user are four lookups, worth doing for the rows shown only, not
        // for every candidate sorted (10,000 for "rosa" at 1M).
        let sql = format!(
            "SELECT * FROM ({base}) WHERE id IN (SELECT id FROM ({base}){where_clause}{within} \
             ORDER BY {order} LIMIT :limit OFFSET :offset) ORDER BY {order}",
            base = SPEC.base,
            where_clause = filter.where_clause,
        );
        let mut values = filter.values;
        values.push((":as_of".to_owned(), Value::Text(as_of)));
        values.push((":limit".to_owned(), Value::Integer(self.wanted as i64)));
        values.push((":offset".to_owned(), Value::Integer(request.offset as i64)));
        let bounded = bound.is_some();
        if let Some(bound) = bound {
            values.push((":bound".to_owned(), Value::Text(bound)));
        }
        let mut stmt = self.conn.prepare_cached(&sql)?;
        bind(&mut stmt, &values)?;
        let mut rows = Vec::new();
        let mut cursor = stmt.raw_query();
        while let Some(row) = cursor.next()? {
            rows.push(map_row(row)?);
        }
        let ended = !bounded && rows.len() < self.wanted && (request.offset == 0 || !rows.is_empty());
        Ok(Page {
            offset: request.offset,
            count: if ended {
                request.offset + rows.len()
            } else {
                COUNT_LATER
            },
            rows,
            anchor: None,
        })
    }
}

/// Runs `spec`'s query for `request` (filter narrowed as `index` says,
/// sorted, no window) and hands every row of `columns` (of the base) to
/// `each` as SQLite yields it.
pub(super) fn each<E: From<rusqlite::Error>>(
    conn: &Connection,
    (spec, columns): (&ListSpec, &str),
    index: &TextIndex,
    request: &PageRequest,
    mut each: impl FnMut(&rusqlite::Row<'_>) -> Result<(), E>,
) -> Result<(), E> {
    let (as_of, today) = as_of(request);
    let filter = filter_sql::compile_indexed(
        spec.haystack,
        Some(index),
        spec.fields,
        request.filter.as_ref(),
        today,
    )?;
    let key = spec.sort_keys.get(request.sort).copied().unwrap_or(spec.tiebreak);
    let direction = if request.descending { "DESC" } else { "ASC" };
    let sql = format!(
        "SELECT {columns} FROM ({}){} ORDER BY {key} {direction}, {tiebreak} {direction}",
        spec.base,
        filter.where_clause,
        tiebreak = spec.tiebreak
    );
    let mut values = filter.values;
    values.push((":as_of".to_owned(), Value::Text(as_of)));
    let mut stmt = conn.prepare(&sql)?;
    bind(&mut stmt, &values)?;
    let mut cursor = stmt.raw_query();
    while let Some(row) = cursor.next()? {
        each(row)?;
    }
    Ok(())
}

/// The request's moment (RFC 3339) and its day, the wall clock by default.
fn as_of(request: &PageRequest) -> (String, chrono::NaiveDate) {
    let as_of = request
        .as_of
        .clone()
        .unwrap_or_else(|| chrono::Utc::now().to_rfc3339());
    let today = crate::domain::expiry::parse_date(&as_of).unwrap_or_else(|| chrono::Utc::now().date_naive());
    (as_of, today)
}

/// Binds the named parameters the statement uses.
fn bind(stmt: &mut rusqlite::Statement<'_>, values: &[(String, Value)]) -> rusqlite::Result<()> {
    for (name, value) in values {
        if let Some(at) = stmt.parameter_index(name)? {
            stmt.raw_bind_parameter(at, value)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The 1M figures of "j": 20 rows wanted, 1M users, 170,341 candidates
    /// by the vocabulary. The walk used to read 235 rows, less than the
    /// first walk's 400 that had already failed, and the sort of 145,000
    /// candidates followed every time.
    #[test]
    fn the_second_walk_reads_further_than_the_first() {
        let first = 20 * SHORT_WALK;
        assert!(second_walk(20, 1_000_000, 170_341) > first);
        assert!(second_walk(20, 1_000_000, 170_341) >= 170_341 / 4);
        // An evenly spread word keeps its twice-the-expected budget.
        assert_eq!(second_walk(20, 1_000_000, 10_000), 4_000);
        assert!(second_walk(20, 0, 0) > first);
    }
}
