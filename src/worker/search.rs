//! Type-ahead search for the pickers. The index lives in the worker, never
//! in the UI: one compact entry per user, group and pool, rebuilt when the
//! cache changes. A query matches when each of its words appears whole in
//! the entry, in any order and case (fzf's exact mode, and the same rule as
//! the `/` filter): "perez" never matches pedro.alvarez, so "take every
//! match" takes only the people the words name. Matches at the start and at
//! word starts rank higher.

use std::collections::HashMap;

use rusqlite::Connection;

use crate::domain::{PoolKind, assignable};

/// What a picker searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchScope {
    /// Users and groups (to assign a pool to).
    Principals,
    /// Every pool (to give a user).
    Pools,
    /// The pools whose seat this user holds (to release).
    PoolsOfUser(i64),
    /// What the Agreements form looks up (answered by SQL, not the index).
    Form(super::agreement_search::FormSearch),
}

/// What a search result is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PickKind {
    User,
    Group,
    Pool,
    /// A choice of the Agreements form: a group, publisher, product or path.
    Choice,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PickItem {
    pub kind: PickKind,
    pub id: i64,
    /// UPN, group name or pool name.
    pub label: String,
    /// Display name, member count or free seats.
    pub detail: String,
    /// Why a pool takes no new seats (disabled, pending, agreement), so the
    /// picker refuses it when marked instead of after the preview.
    pub blocked: Option<String>,
}

/// Entries packed in one text arena: at a million users a `String` and a
/// lower-cased copy per user cost 234 MB of the console's memory; packed,
/// and folded while searching instead of stored twice, about 70 MB.
#[derive(Default)]
struct Entries {
    ids: Vec<i64>,
    kinds: Vec<PickKind>,
    /// Every entry's `label \u{1f} detail`, one after another.
    text: String,
    /// Where each entry's text ends in `text`.
    ends: Vec<u32>,
    /// Why a pool takes no new seats, by entry index (pools only).
    blocked: HashMap<u32, String>,
}

impl Entries {
    fn push(&mut self, id: i64, kind: PickKind, text: &str, blocked: Option<String>) {
        if let Some(reason) = blocked {
            self.blocked.insert(self.ids.len() as u32, reason);
        }
        self.ids.push(id);
        self.kinds.push(kind);
        self.text.push_str(text);
        self.ends.push(self.text.len() as u32);
    }

    fn len(&self) -> usize {
        self.ids.len()
    }

    fn text(&self, i: u32) -> &str {
        let i = i as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    fn item(&self, i: u32) -> PickItem {
        let text = self.text(i);
        let (label, detail) = text.split_once('\u{1f}').unwrap_or((text, ""));
        PickItem {
            kind: self.kinds[i as usize],
            id: self.ids[i as usize],
            label: label.to_owned(),
            detail: detail.to_owned(),
            blocked: self.blocked.get(&i).cloned(),
        }
    }
}

/// The in-memory index of users, groups and pools.
#[derive(Default)]
pub struct SearchIndex {
    principals: Entries,
    pools: Entries,
    /// The last principal search and the entries it matched: a query that
    /// extends it (the next keystroke) only looks at those.
    last: Option<(String, Vec<u32>)>,
}

impl SearchIndex {
    /// Reads every user, group and pool (a few MB at 100,000 users).
    pub fn build(conn: &Connection) -> rusqlite::Result<SearchIndex> {
        let mut principals = Entries::default();
        read(
            conn,
            "SELECT id, upn || char(31) || display_name FROM users WHERE deleted = 0 AND enabled = 1 ORDER BY upn",
            PickKind::User,
            &mut principals,
        )?;
        read(
            conn,
            "SELECT g.id, g.name || char(31) || g.kind || ' group · ' || \
               (SELECT count(*) FROM group_members m WHERE m.group_id = g.id) || ' direct members' \
             FROM groups g ORDER BY g.name",
            PickKind::Group,
            &mut principals,
        )?;
        let pools = read_pools(conn)?;
        Ok(SearchIndex {
            principals,
            pools,
            last: None,
        })
    }

    /// The best `limit` matches of `query` in `scope`, and how many matched.
    /// `held` restricts PoolsOfUser to the pools the user holds.
    pub fn search(
        &mut self,
        scope: SearchScope,
        query: &str,
        limit: usize,
        held: &[i64],
    ) -> (Vec<PickItem>, usize) {
        // Words separated by spaces must each match, in any order.
        let lower = query.to_lowercase();
        let terms: Vec<&str> = lower.split_whitespace().collect();
        let needle = terms.join(" ");
        let candidates = self.candidates(scope, &needle, held);
        let entries = match scope {
            SearchScope::Principals => &self.principals,
            SearchScope::Pools | SearchScope::PoolsOfUser(_) | SearchScope::Form(_) => &self.pools,
        };
        let mut scored: Vec<(i64, u32)> = candidates
            .into_iter()
            .filter_map(|i| score_terms(entries.text(i), &terms).map(|s| (s, i)))
            .collect();
        let total = scored.len();
        if scope == SearchScope::Principals {
            let mut matched: Vec<u32> = scored.iter().map(|(_, i)| *i).collect();
            matched.sort_unstable();
            self.last = Some((needle, matched));
        }
        // Entries are stored in name order, so the index breaks ties by name.
        let by_rank = |a: &(i64, u32), b: &(i64, u32)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
        if scored.len() > limit && limit > 0 {
            scored.select_nth_unstable_by(limit - 1, by_rank);
            scored.truncate(limit);
        }
        scored.sort_unstable_by(by_rank);
        let items = scored.into_iter().map(|(_, i)| entries.item(i)).collect();
        (items, total)
    }

    /// The entries worth scoring: the previous matches when the query only
    /// grew, else every entry of the scope.
    fn candidates(&self, scope: SearchScope, needle: &str, held: &[i64]) -> Vec<u32> {
        match scope {
            SearchScope::Principals => match &self.last {
                Some((previous, matched)) if needle.starts_with(previous.as_str()) => matched.clone(),
                _ => (0..self.principals.len() as u32).collect(),
            },
            SearchScope::Pools => (0..self.pools.len() as u32).collect(),
            SearchScope::PoolsOfUser(_) => (0..self.pools.len() as u32)
                .filter(|i| held.contains(&self.pools.ids[*i as usize]))
                .collect(),
            SearchScope::Form(_) => Vec::new(),
        }
    }

    /// Every match of `query` in `scope` (for "all matching").
    pub fn all_matches(&mut self, scope: SearchScope, query: &str, held: &[i64]) -> Vec<PickItem> {
        self.search(scope, query, usize::MAX, held).0
    }
}

/// Pools with their free seats, or why they take none, so the picker says
/// so before anyone is picked.
fn read_pools(conn: &Connection) -> rusqlite::Result<Entries> {
    let mut stmt = conn.prepare(
        "SELECT id, name, kind, status, disabled_reason, total - consumed FROM pools ORDER BY name",
    )?;
    let rows = stmt.query_map([], |row| {
        let kind: String = row.get(2)?;
        let status: String = row.get(3)?;
        let reason: Option<String> = row.get(4)?;
        let free: Option<i64> = row.get(5)?;
        let blocker = kind
            .parse::<PoolKind>()
            .ok()
            .and_then(|k| assignable::blocker(k, &status, reason.as_deref()));
        let name: String = row.get(1)?;
        let blocked = blocker.as_ref().map(|b| b.explain(&name));
        let detail = match (blocker, free) {
            (Some(blocker), _) => blocker.short(),
            (None, None) => "unlimited".to_owned(),
            (None, Some(free)) => format!("{free} free"),
        };
        let text = format!("{name}\u{1f}{kind} · {detail}");
        Ok((row.get(0)?, text, blocked))
    })?;
    let mut pools = Entries::default();
    for row in rows {
        let (id, text, blocked) = row?;
        pools.push(id, PickKind::Pool, &text, blocked);
    }
    Ok(pools)
}

fn read(conn: &Connection, sql: &str, kind: PickKind, into: &mut Entries) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let text = row.get_ref(1)?.as_str()?;
        into.push(row.get(0)?, kind, text, None);
    }
    Ok(())
}

/// Scores a text against a lower-case term.
type Scorer = fn(&str, &str) -> Option<i64>;

/// Scores `text` (any case) against every lower-case term; None when one
/// of them does not match.
/// A query that extends another (the next keystroke) matches a subset of
/// its entries, which is what lets `candidates` narrow.
fn score_terms(text: &str, terms: &[&str]) -> Option<i64> {
    if terms.is_empty() {
        // Nothing typed: everything, in name order.
        return Some(0);
    }
    // ASCII text (nearly every entry) is compared ignoring case in place;
    // other text is lower-cased once here rather than stored twice.
    let folded;
    let (text, score_one): (&str, Scorer) = if text.is_ascii() {
        (text, score_ascii)
    } else {
        folded = text.to_lowercase();
        (&folded, score_lower)
    };
    let total = terms
        .iter()
        .try_fold(0, |total, term| Some(total + score_one(text, term)?))?;
    Some(total - text.len() as i64 / 16)
}

/// Scores an already lower-cased `text` against a lower-case `needle` that
/// must appear in it whole: None when it does not. The best place counts:
/// the very start, then a word start, then anywhere.
pub fn score_lower(text: &str, needle: &str) -> Option<i64> {
    if needle.is_empty() {
        return Some(0);
    }
    text.match_indices(needle)
        .map(|(at, _)| {
            let before = text[..at].chars().next_back();
            let place = match before {
                None => 8,
                Some(c) if is_separator(u32::from(c)) => 3,
                Some(_) => 0,
            };
            10 + place + needle.len() as i64
        })
        .max()
}

/// `score_lower` for ASCII `text` in any case: the same places and scores.
fn score_ascii(text: &str, needle: &str) -> Option<i64> {
    let (text, needle) = (text.as_bytes(), needle.as_bytes());
    if needle.is_empty() {
        return Some(0);
    }
    if needle.len() > text.len() {
        return None;
    }
    (0..=text.len() - needle.len())
        .filter(|&at| text[at..at + needle.len()].eq_ignore_ascii_case(needle))
        .map(|at| {
            let place = match at.checked_sub(1).map(|b| text[b]) {
                None => 8,
                Some(c) if is_separator(u32::from(c)) => 3,
                Some(_) => 0,
            };
            10 + place + needle.len() as i64
        })
        .max()
}

fn is_separator(unit: u32) -> bool {
    matches!(
        char::from_u32(unit),
        Some(' ' | '.' | '@' | '-' | '_' | '\u{1f}' | '(')
    )
}

/// Scores `text` against `query` (any case).
pub fn score(text: &str, query: &str) -> Option<i64> {
    score_lower(&text.to_lowercase(), &query.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_must_appear_whole_in_any_case() {
        assert!(score("Jan.Smit@contoso", "smit").is_some());
        assert!(score("Jan.Smit@contoso", "jsmit").is_none(), "not fuzzy");
        assert!(
            score("pedro.alvarez@x", "perez").is_none(),
            "letters in order are not a match"
        );
        assert!(score("anything", "").is_some());
    }

    #[test]
    fn starts_and_word_starts_rank_higher() {
        let start = score("smit.jan@x", "smit").unwrap();
        let word = score("jan.smit@x", "smit").unwrap();
        let inside = score("jansmit@x", "smit").unwrap();
        assert!(start > word && word > inside, "{start} {word} {inside}");
    }

    fn entries(list: &[(i64, PickKind, &str)]) -> Entries {
        let mut entries = Entries::default();
        for (id, kind, text) in list {
            entries.push(*id, *kind, text, None);
        }
        entries
    }

    #[test]
    fn ascii_scores_equal_the_lower_cased_ones() {
        for (text, needle) in [
            ("Jan.Smit@contoso\u{1f}Jan Smit", "smit"),
            ("SMITH.jan@x", "smith"),
            ("xsmit smit", "smit"),
            ("abc", "abcd"),
            ("Anna", "an"),
        ] {
            assert_eq!(
                score_ascii(text, needle),
                score_lower(&text.to_lowercase(), needle),
                "{text:?} {needle:?}"
            );
        }
    }

    #[test]
    fn index_search_ranks_counts_and_narrows() {
        let mut index = SearchIndex {
            principals: entries(&[
                (1, PickKind::User, "sam.smithers@x\u{1f}Sam Smithers"),
                (2, PickKind::User, "smit.jan@x\u{1f}Jan Smit"),
                (3, PickKind::Group, "Sales\u{1f}group"),
            ]),
            pools: Entries::default(),
            last: None,
        };
        let (_, total) = index.search(SearchScope::Principals, "sm", 10, &[]);
        assert_eq!(total, 2, "Sales has no \"sm\"");
        let (items, total) = index.search(SearchScope::Principals, "smit", 1, &[]);
        assert_eq!(total, 2);
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].id, 2);
        assert_eq!(items[0].detail, "Jan Smit");
        let (_, total) = index.search(SearchScope::Principals, "s", 10, &[]);
        assert_eq!(total, 3, "a shorter query searches everything again");
    }

    #[test]
    fn words_match_in_any_order_as_in_fzf() {
        let mut index = SearchIndex {
            principals: entries(&[
                (1, PickKind::User, "ava.perez@x\u{1f}Ava Perez"),
                (2, PickKind::User, "aaliyah.clark@x\u{1f}Aaliyah Clark"),
            ]),
            pools: Entries::default(),
            last: None,
        };
        for query in ["ava perez", "perez ava", "  ava   perez "] {
            let (items, total) = index.search(SearchScope::Principals, query, 10, &[]);
            assert_eq!((total, items[0].id), (1, 1), "{query:?}");
        }
        let (_, total) = index.search(SearchScope::Principals, "ava clark", 10, &[]);
        assert_eq!(total, 0, "every word must match");
    }

    #[test]
    fn non_ascii_queries_match_characters() {
        assert!(score("José.Álvarez@x", "álvarez").is_some());
        assert!(score("José.Álvarez@x", "JOSÉ").is_some());
        assert!(score("José.Álvarez@x", "jose").is_none());
    }
}
