//! Windowed, sorted, filtered reads shared by every table pane: a pane asks for
//! `limit` rows from `offset` and gets them with the count for its scrollbar.

use rusqlite::{Connection, Row};

use super::filter_sql::{self, FilterColumn, TextIndex};
use crate::domain::Filter;

/// What a pane asks the store for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PageRequest {
    /// Index of the column to sort by (into the list's `sort_keys`).
    pub sort: usize,
    /// Sort descending instead of ascending.
    pub descending: bool,
    /// Keep only rows that pass this filter (parsed against the list's
    /// `fields`).
    pub filter: Option<Filter>,
    /// First row of the window.
    pub offset: usize,
    /// Rows in the window.
    pub limit: usize,
    /// The parent the list is scoped to (the pool of an assignee list), bound
    /// as `:scope`.
    pub scope: Option<i64>,
    /// The moment "inactive for N days", a pool's expiry and dates in the
    /// filter counted from today are measured from, bound as `:as_of`
    /// (RFC 3339); None means the wall clock.
    pub as_of: Option<String>,
    /// A row (by id) the window should hold: when it passes the filter, the
    /// window is centred on it and the reply says where it is, so a
    /// selection stays on the same row when the list around it changes.
    pub anchor: Option<i64>,
    /// Leave the count for later when it is a pass over every row: a full
    /// window comes back with [`COUNT_LATER`] as its count. The console's
    /// reader asks so, shows the rows, then counts (issue 11: at a million
    /// users counting Reclaim's seats takes seconds, the window
    /// milliseconds). A request for no rows (`limit` 0) is a count alone.
    pub count_later: bool,
}

/// `Page::count` of a window whose count, or the figures in its rows, were
/// left for later (`PageRequest::count_later`): the rows are right, and the
/// same request without `count_later` gives the rest.
pub const COUNT_LATER: usize = usize::MAX;

/// One window of rows and the number of rows that pass the filter.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// Position of `rows[0]` in the filtered, sorted list.
    pub offset: usize,
    /// The rows of the window.
    pub rows: Vec<T>,
    /// Rows that pass the filter in all.
    pub count: usize,
    /// Where the request's anchor row is, when it passes the filter.
    pub anchor: Option<usize>,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Self {
            offset: 0,
            rows: Vec::new(),
            count: 0,
            anchor: None,
        }
    }
}

impl<T> Page<T> {
    /// Whether the count was left for later (`PageRequest::count_later`).
    pub fn count_pending(&self) -> bool {
        self.count == COUNT_LATER
    }

    /// The same window with its rows turned into `U`s.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            offset: self.offset,
            rows: self.rows.into_iter().map(f).collect(),
            count: self.count,
            anchor: self.anchor,
        }
    }
}

/// How one list is read: a base query whose columns the filter and the sort
/// keys refer to by name.
pub struct ListSpec {
    /// A full SELECT (no trailing WHERE/ORDER) that yields one row per item.
    pub base: &'static str,
    /// An expression over the base columns that plain filter words search.
    pub haystack: &'static str,
    /// The fields filter conditions may name (`free<10`), over the base columns.
    pub fields: &'static [FilterColumn],
    /// One sort expression per table column, over the base columns.
    pub sort_keys: &'static [&'static str],
    /// A unique column that breaks ties so paging is stable.
    pub tiebreak: &'static str,
}

/// Binds every named parameter the statement uses; the others are skipped
/// (a list without a filter has no `:pattern`).
fn bind_named(
    stmt: &mut rusqlite::Statement<'_>,
    values: &[(String, rusqlite::types::Value)],
) -> rusqlite::Result<()> {
    for (name, value) in values {
        if let Some(index) = stmt.parameter_index(name)? {
            stmt.raw_bind_parameter(index, value)?;
        }
    }
    Ok(())
}

/// Reads one window of a list.
pub fn fetch_page<T>(
    conn: &Connection,
    spec: &ListSpec,
    request: &PageRequest,
    map: impl Fn(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Page<T>> {
    fetch_page_indexed(conn, spec, None, request, map)
}

/// `fetch_page` for a list whose haystack has a trigram index.
pub fn fetch_page_indexed<T>(
    conn: &Connection,
    spec: &ListSpec,
    index: Option<&TextIndex>,
    request: &PageRequest,
    map: impl Fn(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Page<T>> {
    use rusqlite::types::Value;
    let as_of = request
        .as_of
        .clone()
        .unwrap_or_else(|| chrono::Utc::now().to_rfc3339());
    let today = crate::domain::expiry::parse_date(&as_of).unwrap_or_else(|| chrono::Utc::now().date_naive());
    let filter =
        filter_sql::compile_indexed(spec.haystack, index, spec.fields, request.filter.as_ref(), today)?;
    let where_clause = &filter.where_clause;
    let sort_key = spec
        .sort_keys
        .get(request.sort)
        .or(spec.sort_keys.first())
        .copied()
        .unwrap_or(spec.tiebreak);
    let direction = if request.descending { "DESC" } else { "ASC" };
    let order = format!(
        "{sort_key} {direction}, {tiebreak} {direction}",
        tiebreak = spec.tiebreak
    );
    let rows_sql = format!(
        "SELECT * FROM ({base}){where_clause} ORDER BY {order} LIMIT :limit OFFSET :offset",
        base = spec.base,
    );
    let count_sql = format!("SELECT count(*) FROM ({}){where_clause}", spec.base);
    let mut values = vec![
        (
            ":limit".to_owned(),
            Value::Integer(request.limit.min(i64::MAX as usize) as i64),
        ),
        (
            ":scope".to_owned(),
            request.scope.map_or(Value::Null, Value::Integer),
        ),
        (":as_of".to_owned(), Value::Text(as_of)),
    ];
    values.extend(filter.values);
    let anchor = match request.anchor {
        Some(id) => position(conn, spec, where_clause, &order, &values, id)?,
        None => None,
    };
    let offset = anchor.map_or(request.offset, |at| at.saturating_sub(request.limit / 2));
    values.push((":offset".to_owned(), Value::Integer(offset as i64)));
    let mut stmt = conn.prepare_cached(&rows_sql)?;
    bind_named(&mut stmt, &values)?;
    let mut rows = Vec::new();
    let mut cursor = stmt.raw_query();
    while let Some(row) = cursor.next()? {
        rows.push(map(row)?);
    }
    drop(cursor);
    // A window that came back short holds the end of the list: the count is
    // known without a second pass over every matching row.
    let count = if rows.len() < request.limit && (offset == 0 || !rows.is_empty()) {
        offset + rows.len()
    } else if request.count_later && !rows.is_empty() {
        COUNT_LATER
    } else {
        count_rows(conn, &count_sql, &values)?
    };
    Ok(Page {
        offset,
        rows,
        count,
        anchor,
    })
}

/// How many rows the list holds under its filter.
fn count_rows(
    conn: &Connection,
    count_sql: &str,
    values: &[(String, rusqlite::types::Value)],
) -> rusqlite::Result<usize> {
    let mut count_stmt = conn.prepare_cached(count_sql)?;
    bind_named(&mut count_stmt, values)?;
    let mut cursor = count_stmt.raw_query();
    let count: i64 = match cursor.next()? {
        Some(row) => row.get(0)?,
        None => 0,
    };
    Ok(count.max(0) as usize)
}

/// Where row `id` stands in the filtered, sorted list; None when the
/// filter leaves it out. One pass over the list, like the count.
fn position(
    conn: &Connection,
    spec: &ListSpec,
    where_clause: &str,
    order: &str,
    values: &[(String, rusqlite::types::Value)],
    id: i64,
) -> rusqlite::Result<Option<usize>> {
    let sql = format!(
        "SELECT position FROM (SELECT {tiebreak} AS anchor_id, row_number() OVER (ORDER BY {order}) - 1 \
         AS position FROM ({base}){where_clause}) WHERE anchor_id = :anchor",
        tiebreak = spec.tiebreak,
        base = spec.base,
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    bind_named(&mut stmt, values)?;
    if let Some(index) = stmt.parameter_index(":anchor")? {
        stmt.raw_bind_parameter(index, id)?;
    }
    let mut cursor = stmt.raw_query();
    Ok(match cursor.next()? {
        Some(row) => Some(row.get::<_, i64>(0)?.max(0) as usize),
        None => None,
    })
}
