//! Which of a Users filter's words the trigram index should answer, chosen
//! per query (issue 11). Asking the index for a word most users hold (15 %
//! hold "sales") reads more rows than the list itself; a rare word is found
//! there in milliseconds. The index is asked for at most `cap` candidates of
//! each word, which costs little, and the rarest word under the cap wins.

use rusqlite::Connection;

use super::filter_sql::{Pick, TextIndex};
use crate::domain::Filter;
use crate::domain::filter::Test;

/// The trigram index (migration 0017, kept by triggers).
const TABLE: &str = "users_search";

/// About how many users the list holds: the highest id, read from the
/// table's b-tree in one step (a count would read every row).
pub(super) fn size(conn: &Connection) -> rusqlite::Result<usize> {
    let max: Option<i64> = conn.query_row("SELECT max(id) FROM users", [], |r| r.get(0))?;
    Ok(max.unwrap_or(0).max(0) as usize)
}

/// The plain words of `filter` that must be in a row (not negated), with
/// their positions: the only ones an index can narrow.
pub(super) fn words(filter: Option<&Filter>) -> Vec<(usize, &str)> {
    let Some(filter) = filter else {
        return Vec::new();
    };
    let words = filter.terms.iter().enumerate();
    words
        .filter_map(|(i, term)| match (&term.test, term.negated) {
            (Test::Text(needle), false) => Some((i, needle.as_str())),
            _ => None,
        })
        .collect()
}

/// The word of `filter` with the fewest candidates in the index, when it
/// has fewer than `cap`; None when every word is commoner or the index
/// cannot answer any.
pub(super) fn rarest(
    conn: &Connection,
    filter: Option<&Filter>,
    cap: usize,
) -> rusqlite::Result<Option<Pick>> {
    Ok(rarest_counted(conn, filter, cap)?.map(|(_, pick)| pick))
}

/// `rarest`, with how many candidates the word has. Words of three
/// characters or more are asked first; the shorter ones only when none of
/// those is under the cap, since their vocabulary range costs more to read
/// ("g": every trigram starting with g) and they are rarely the rarer.
pub(super) fn rarest_counted(
    conn: &Connection,
    filter: Option<&Filter>,
    cap: usize,
) -> rusqlite::Result<Option<(usize, Pick)>> {
    let mut words = words(filter);
    words.sort_by_key(|(_, needle)| needle.len() < 3);
    let mut best: Option<(usize, Pick)> = None;
    for (term, needle) in words {
        if needle.len() < 3 && best.is_some() {
            break;
        }
        let Some((query, at_most)) = match_query(conn, needle, cap)? else {
            continue;
        };
        let found = match (&query, at_most) {
            (None, _) => 0,
            // The vocabulary's figures already place it under the cap.
            (Some(_), Some(at_most)) if at_most < cap => at_most,
            (Some(query), _) => candidates(conn, query, cap)?,
        };
        if found < cap && best.as_ref().is_none_or(|(fewest, _)| found < *fewest) {
            best = Some((found, Pick { term, query }));
        }
    }
    Ok(best)
}

/// The index's candidates for `query`, counted up to `cap`.
fn candidates(conn: &Connection, query: &str, cap: usize) -> rusqlite::Result<usize> {
    let sql = format!("SELECT count(*) FROM (SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH ?1 LIMIT ?2)");
    let found: i64 = conn
        .prepare_cached(&sql)?
        .query_row(rusqlite::params![query, cap.min(i64::MAX as usize) as i64], |r| {
            r.get(0)
        })?;
    Ok(found.max(0) as usize)
}

/// A word's MATCH query (None when no row can hold it) and, when the
/// vocabulary tells, at most how many rows hold it; None when the index
/// cannot answer (non-ASCII text, whose case folding the index and
/// `seats_fold` may not share) or the word is plainly common (one trigram
/// holding it is alone in `cap` rows).
type Query = Option<(Option<String>, Option<usize>)>;

fn match_query(conn: &Connection, needle: &str, cap: usize) -> rusqlite::Result<Query> {
    if !needle.is_ascii() || needle.is_empty() {
        return Ok(None);
    }
    if needle.len() >= 3 {
        return Ok(TextIndex::query(needle).map(|query| (Some(query), None)));
    }
    short_word(conn, &needle.to_ascii_lowercase(), cap)
}

/// A word of one or two characters is in a row exactly when one of the
/// row's trigrams starts with it: the index holds each row's text with two
/// spaces after it (migration 0024), so every character and pair starts a
/// trigram. Those trigrams are a range of the index's vocabulary; the index
/// folds case, and the LIKE checks the rows anyway.
/// The rows of its trigrams, summed, bound its candidates from above.
fn short_word(conn: &Connection, word: &str, cap: usize) -> rusqlite::Result<Query> {
    conn.execute_batch(&format!(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.{TABLE}_vocab USING fts5vocab(main, {TABLE}, row)"
    ))?;
    let mut range = conn.prepare_cached(&format!(
        "SELECT term, doc FROM temp.{TABLE}_vocab WHERE term >= ?1 AND term <= ?1 || char(1114111)"
    ))?;
    let (mut terms, mut rows_held): (Vec<String>, usize) = (Vec::new(), 0);
    let mut rows = range.query([word])?;
    while let Some(row) = rows.next()? {
        let held = row.get::<_, i64>(1)?.max(0) as usize;
        if held >= cap {
            return Ok(None);
        }
        rows_held = rows_held.saturating_add(held);
        terms.push(row.get(0)?);
    }
    if terms.is_empty() {
        return Ok(Some((None, Some(0))));
    }
    let quoted: Vec<String> = terms
        .iter()
        .map(|term| format!("\"{}\"", term.replace('"', "\"\"")))
        .collect();
    Ok(Some((Some(quoted.join(" OR ")), Some(rows_held))))
}
