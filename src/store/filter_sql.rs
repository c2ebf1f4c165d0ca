//! Filters to SQL: every term becomes a condition over the list's base
//! columns, every value a bound parameter (never spliced into the text).

use chrono::NaiveDate;
use rusqlite::types::Value as SqlValue;

use crate::domain::filter::{Field, FieldKind, Filter, Op, Test, Value};

/// A field a list offers to filter conditions: its name and kind, and the
/// SQL expression over the list's base columns that yields its value. The
/// expression decides what a missing value means (`coalesce`), so that,
/// say, an unlimited pool counts as more seats than any number.
#[derive(Debug, Clone, Copy)]
pub struct FilterColumn {
    pub field: Field,
    pub sql: &'static str,
    /// A condition over other rows that holds the test: `{test}` is replaced
    /// by the test on `sql`. For a value a row has many of (the pools a user
    /// holds), asking "is this row among those with a matching one" reads an
    /// index instead of building every row's list.
    pub within: Option<&'static str>,
}

/// Declares a filter column.
pub const fn column(name: &'static str, kind: FieldKind, sql: &'static str) -> FilterColumn {
    FilterColumn {
        field: Field { name, kind },
        sql,
        within: None,
    }
}

/// Declares a filter column tested inside `within` (see `FilterColumn`).
pub const fn column_within(
    name: &'static str,
    kind: FieldKind,
    sql: &'static str,
    within: &'static str,
) -> FilterColumn {
    FilterColumn {
        field: Field { name, kind },
        sql,
        within: Some(within),
    }
}

/// A full-text trigram index over a list's haystack (migration 0017): an
/// FTS5 table whose rowid is the list's `key` column and whose one column
/// holds the same text as the haystack. The word `pick` names first asks it
/// for its candidate rows; the usual LIKE then checks those rows, so the
/// result is exactly the LIKE's, found without reading every row.
#[derive(Debug, Clone)]
pub struct TextIndex {
    pub table: &'static str,
    pub key: &'static str,
    /// The one word the index narrows, chosen per query by the list (issue
    /// 11: narrowing a word most rows hold costs more than reading them);
    /// None narrows nothing.
    pub pick: Option<Pick>,
}

/// A filter word the index answers: `term` is its position in the filter,
/// `query` the MATCH query giving its candidates, None when the index
/// holds no row that can contain it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pick {
    pub term: usize,
    pub query: Option<String>,
}

impl TextIndex {
    /// The MATCH query for `needle`, when the index can narrow it: every
    /// trigram as its own quoted term (the index keeps no positions, so
    /// the terms are ANDed; the LIKE does the rest). None below three
    /// characters, which no trigram can answer, and for non-ASCII text,
    /// whose case folding the index and `seats_fold` may not share.
    pub fn query(needle: &str) -> Option<String> {
        if !needle.is_ascii() || needle.len() < 3 {
            return None;
        }
        let bytes = needle.as_bytes();
        let mut terms: Vec<String> = bytes
            .windows(3)
            .map(|w| String::from_utf8_lossy(w).replace('"', "\"\""))
            .map(|t| format!("\"{t}\""))
            .collect();
        terms.sort_unstable();
        terms.dedup();
        Some(terms.join(" "))
    }
}

/// What `compile` makes: a WHERE clause (or nothing) and its parameters.
#[derive(Debug, Default)]
pub struct Compiled {
    pub where_clause: String,
    pub values: Vec<(String, SqlValue)>,
}

/// Compiles `filter` for a list whose plain-text terms search `haystack`
/// and whose conditions use `columns`; dates counted from today use `today`.
/// A Share (`used>=90%`) compares with the base column `total`.
pub fn compile(
    haystack: &str,
    columns: &[FilterColumn],
    filter: Option<&Filter>,
    today: NaiveDate,
) -> rusqlite::Result<Compiled> {
    compile_indexed(haystack, None, columns, filter, today)
}

/// `compile`, with plain words narrowed by `index` where it can (see
/// `TextIndex`).
pub fn compile_indexed(
    haystack: &str,
    text_index: Option<&TextIndex>,
    columns: &[FilterColumn],
    filter: Option<&Filter>,
    today: NaiveDate,
) -> rusqlite::Result<Compiled> {
    let Some(filter) = filter else {
        return Ok(Compiled::default());
    };
    let mut compiled = Compiled::default();
    let mut parts = Vec::with_capacity(filter.terms.len());
    for (index, term) in filter.terms.iter().enumerate() {
        let param = format!(":f{index}");
        let (mut sql, value) = term_sql(haystack, columns, &term.test, &param, today)?;
        let pick = text_index.and_then(|t| t.pick.as_ref().map(|pick| (t, pick)));
        if let (Some((text_index, pick)), Test::Text(_), false) = (pick, &term.test, term.negated)
            && pick.term == index
        {
            sql = match &pick.query {
                Some(query) => {
                    let match_param = format!("{param}m");
                    compiled
                        .values
                        .push((match_param.clone(), SqlValue::Text(query.clone())));
                    format!(
                        "({key} IN (SELECT rowid FROM {table} WHERE {table} MATCH {match_param}) AND {sql})",
                        key = text_index.key,
                        table = text_index.table,
                    )
                }
                // No row of the index can contain the word.
                None => "0".to_owned(),
            };
        }
        let sql = match (term.negated, &term.test) {
            (false, _) => sql,
            // A missing value does not pass the test, so it passes its negation.
            (true, Test::Condition { .. }) => format!("NOT coalesce(({sql}), 0)"),
            (true, _) => format!("NOT ({sql})"),
        };
        parts.push(sql);
        if let Some(value) = value {
            compiled.values.push((param, value));
        }
    }
    compiled.where_clause = format!(" WHERE {}", parts.join(" AND "));
    Ok(compiled)
}

/// SQLite's LIKE folds case for ASCII only. An ASCII needle can only match
/// ASCII text, so LIKE is exact for it (and fast); any other needle is
/// compared after Unicode lower-casing (`seats_fold`).
fn contains(expression: &str, needle: &str, param: &str) -> (String, SqlValue) {
    if needle.is_ascii() {
        (
            format!("({expression}) LIKE {param} ESCAPE '\\'"),
            SqlValue::Text(like_pattern(needle)),
        )
    } else {
        (
            format!("instr(seats_fold({expression}), {param}) > 0"),
            SqlValue::Text(needle.to_lowercase()),
        )
    }
}

fn term_sql(
    haystack: &str,
    columns: &[FilterColumn],
    test: &Test,
    param: &str,
    today: NaiveDate,
) -> rusqlite::Result<(String, Option<SqlValue>)> {
    let (field, op, value) = match test {
        Test::Never => return Ok(("0".to_owned(), None)),
        Test::Text(needle) => {
            let (sql, value) = contains(haystack, needle, param);
            return Ok((sql, Some(value)));
        }
        Test::Condition { field, op, value } => (field, *op, value),
    };
    let column = columns
        .iter()
        .find(|c| c.field == *field)
        .ok_or_else(|| rusqlite::Error::InvalidColumnName(format!("filter field {}", field.name)))?;
    let (sql, value) = condition_sql(column.sql, op, value, param, today);
    Ok(match column.within {
        Some(within) => (within.replace("{test}", &sql), value),
        None => (sql, value),
    })
}

/// The test of one condition on `expression`.
fn condition_sql(
    expression: &str,
    op: Op,
    value: &Value,
    param: &str,
    today: NaiveDate,
) -> (String, Option<SqlValue>) {
    let compare = |value: SqlValue| (format!("({expression}) {} {param}", op.sql()), Some(value));
    match value {
        Value::Text(text) if op == Op::Contains => {
            let (sql, value) = contains(expression, text, param);
            (sql, Some(value))
        }
        Value::Text(text) if text.is_ascii() => (
            format!("({expression}) = {param} COLLATE NOCASE"),
            Some(SqlValue::Text(text.clone())),
        ),
        Value::Text(text) => (
            format!("seats_fold({expression}) = {param}"),
            Some(SqlValue::Text(text.to_lowercase())),
        ),
        Value::Number(n) => compare(SqlValue::Integer(*n)),
        Value::Flag(flag) => compare(SqlValue::Integer(i64::from(*flag))),
        // used>=90% reads consumed * 100 >= 90 * total: whole numbers, no
        // rounding; unlimited and zero-seat pools have no share.
        Value::Percent(n) => (
            format!(
                "(total > 0 AND ({expression}) * 100 {} {param} * total)",
                op.sql()
            ),
            Some(SqlValue::Integer(*n)),
        ),
        // Dates and timestamps compare by their calendar day.
        Value::Date(date) => (
            format!("substr({expression}, 1, 10) {} {param}", op.sql()),
            Some(SqlValue::Text(date.resolve(today).format("%Y-%m-%d").to_string())),
        ),
    }
}

/// A `LIKE` pattern with `\` as escape character, matching `needle`
/// anywhere.
pub fn like_pattern(needle: &str) -> String {
    let mut pattern = String::with_capacity(needle.len() + 2);
    pattern.push('%');
    for ch in needle.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &[FilterColumn] = &[
        column("kind", FieldKind::Text, "kind"),
        column(
            "free",
            FieldKind::Share,
            "coalesce(available, 9223372036854775807)",
        ),
        column("expires", FieldKind::Date, "coalesce(expires_on, '9999-12-31')"),
    ];

    fn compiled(typed: &str) -> Compiled {
        let fields: Vec<Field> = COLUMNS.iter().map(|c| c.field).collect();
        let filter = Filter::parse(typed, &fields).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        compile("name || ' ' || kind", COLUMNS, filter.as_ref(), today).unwrap()
    }

    #[test]
    fn the_trigram_query_quotes_every_trigram_once() {
        assert_eq!(TextIndex::query("pe"), None, "two characters have no trigram");
        assert_eq!(TextIndex::query("Pérez"), None, "non-ASCII stays with the LIKE");
        assert_eq!(
            TextIndex::query("a\"bab").as_deref(),
            Some("\"\"\"ba\" \"a\"\"b\" \"bab\"")
        );
        assert_eq!(TextIndex::query("aaaa").as_deref(), Some("\"aaa\""));
    }

    #[test]
    fn an_indexed_word_is_narrowed_then_checked() {
        let fields: Vec<Field> = COLUMNS.iter().map(|c| c.field).collect();
        let filter = Filter::parse("perez !gomez", &fields).unwrap();
        let index = TextIndex {
            table: "t_search",
            key: "id",
            pick: Some(Pick {
                term: 0,
                query: TextIndex::query("perez"),
            }),
        };
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let c = compile_indexed("name", Some(&index), COLUMNS, filter.as_ref(), today).unwrap();
        assert_eq!(
            c.where_clause,
            " WHERE (id IN (SELECT rowid FROM t_search WHERE t_search MATCH :f0m) AND (name) LIKE :f0 ESCAPE '\\') \
             AND NOT ((name) LIKE :f1 ESCAPE '\\')"
        );
    }

    #[test]
    fn only_the_picked_word_is_narrowed_and_an_empty_pick_passes_no_row() {
        let fields: Vec<Field> = COLUMNS.iter().map(|c| c.field).collect();
        let filter = Filter::parse("perez jansen", &fields).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let mut index = TextIndex {
            table: "t_search",
            key: "id",
            pick: Some(Pick { term: 1, query: None }),
        };
        let c = compile_indexed("name", Some(&index), COLUMNS, filter.as_ref(), today).unwrap();
        assert_eq!(c.where_clause, " WHERE (name) LIKE :f0 ESCAPE '\\' AND 0");
        index.pick = None;
        let c = compile_indexed("name", Some(&index), COLUMNS, filter.as_ref(), today).unwrap();
        assert!(!c.where_clause.contains("MATCH"), "{}", c.where_clause);
    }

    #[test]
    fn like_pattern_escapes_wildcards() {
        assert_eq!(like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }

    #[test]
    fn one_plain_word_is_the_single_like_it_always_was() {
        let c = compiled("office");
        assert_eq!(
            c.where_clause,
            " WHERE (name || ' ' || kind) LIKE :f0 ESCAPE '\\'"
        );
        assert_eq!(
            c.values,
            vec![(":f0".to_owned(), SqlValue::Text("%office%".into()))]
        );
    }

    #[test]
    fn values_are_bound_never_spliced() {
        let c = compiled("kind:x');DROP-- !free<10 expires<30d");
        assert!(!c.where_clause.contains("DROP"), "{}", c.where_clause);
        assert!(!c.where_clause.contains("30"), "{}", c.where_clause);
        assert_eq!(
            c.values.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>(),
            vec![
                SqlValue::Text("%x');DROP--%".into()),
                SqlValue::Integer(10),
                SqlValue::Text("2026-01-31".into()),
            ]
        );
    }

    #[test]
    fn a_negated_condition_keeps_rows_without_a_value() {
        let c = compiled("!free<10");
        assert!(c.where_clause.contains("NOT coalesce(("), "{}", c.where_clause);
    }

    #[test]
    fn an_invalid_filter_compiles_to_no_row() {
        let never = Filter::never();
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let c = compile("name", COLUMNS, Some(&never), today).unwrap();
        assert_eq!(c.where_clause, " WHERE 0");
    }
}
