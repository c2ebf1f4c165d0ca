//! Windowed, sorted, filtered reads shared by every table pane: a pane asks for
//! `limit` rows from `offset` and gets them with the count for its scrollbar.

use rusqlite::{Connection, Row, params};

use crate::domain::TextFilter;

/// What a pane asks the store for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PageRequest {
    /// Index of the column to sort by (into the list's `sort_keys`).
    pub sort: usize,
    /// Sort descending instead of ascending.
    pub descending: bool,
    /// Keep only rows that pass this filter.
    pub filter: Option<TextFilter>,
    /// First row of the window.
    pub offset: usize,
    /// Rows in the window.
    pub limit: usize,
}

/// One window of rows and the number of rows that pass the filter.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// Position of `rows[0]` in the filtered, sorted list.
    pub offset: usize,
    /// The rows of the window.
    pub rows: Vec<T>,
    /// Rows that pass the filter in all.
    pub count: usize,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Self {
            offset: 0,
            rows: Vec::new(),
            count: 0,
        }
    }
}

/// How one list is read: a base query whose columns the filter and the sort
/// keys refer to by name.
pub struct ListSpec {
    /// A full SELECT (no trailing WHERE/ORDER) that yields one row per item.
    pub base: &'static str,
    /// An expression over the base columns that the filter searches.
    pub haystack: &'static str,
    /// One sort expression per table column, over the base columns.
    pub sort_keys: &'static [&'static str],
    /// A unique column that breaks ties so paging is stable.
    pub tiebreak: &'static str,
}

impl ListSpec {
    fn where_clause(&self, filter: Option<&TextFilter>) -> String {
        match filter {
            None => String::new(),
            Some(f) => format!(
                " WHERE ({}) {}LIKE ?1 ESCAPE '\\'",
                self.haystack,
                if f.invert { "NOT " } else { "" }
            ),
        }
    }
}

/// Reads one window of a list.
pub fn fetch_page<T>(
    conn: &Connection,
    spec: &ListSpec,
    request: &PageRequest,
    map: impl Fn(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Page<T>> {
    let filter = request.filter.as_ref();
    let pattern = filter.map(TextFilter::like_pattern);
    let where_clause = spec.where_clause(filter);
    let sort_key = spec
        .sort_keys
        .get(request.sort)
        .or(spec.sort_keys.first())
        .copied()
        .unwrap_or(spec.tiebreak);
    let direction = if request.descending { "DESC" } else { "ASC" };
    // The filter pattern, when present, is always ?1, so the window's bounds
    // are numbered after it.
    let (limit_slot, offset_slot) = if pattern.is_some() { (2, 3) } else { (1, 2) };
    let rows_sql = format!(
        "SELECT * FROM ({base}){where_clause} ORDER BY {sort_key} {direction}, {tiebreak} {direction} \
         LIMIT ?{limit_slot} OFFSET ?{offset_slot}",
        base = spec.base,
        tiebreak = spec.tiebreak,
    );
    let count_sql = format!("SELECT count(*) FROM ({}){where_clause}", spec.base);
    let limit = request.limit as i64;
    let offset = request.offset as i64;
    let mut stmt = conn.prepare_cached(&rows_sql)?;
    let rows = match &pattern {
        Some(p) => stmt.query_map(params![p, limit, offset], &map)?,
        None => stmt.query_map(params![limit, offset], &map)?,
    }
    .collect::<rusqlite::Result<Vec<T>>>()?;
    let mut count_stmt = conn.prepare_cached(&count_sql)?;
    let count: i64 = match &pattern {
        Some(p) => count_stmt.query_row([p], |row| row.get(0))?,
        None => count_stmt.query_row([], |row| row.get(0))?,
    };
    Ok(Page {
        offset: request.offset,
        rows,
        count: count.max(0) as usize,
    })
}
