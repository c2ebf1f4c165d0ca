//! Type-ahead search for the pickers. The index lives in the worker, never
//! in the UI: one compact entry per user, group and pool, rebuilt when the
//! cache changes. A query matches when each of its words appears whole in
//! the entry, in any order and case (fzf's exact mode, and the same rule as
//! the `/` filter): "perez" never matches pedro.alvarez, so "take every
//! match" takes only the people the words name. Matches at the start and at
//! word starts rank higher.

use rusqlite::Connection;

use super::search_entries::{Entries, place};
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
            "SELECT id, upn || char(31) || display_name FROM users WHERE deleted = 0 AND enabled = 1",
            PickKind::User,
            &mut principals,
        )?;
        // The users first, in name order; the groups after them (read in
        // name order below, ranked by their place as entries).
        principals.sort_by_name();
        read(
            conn,
            "SELECT g.id, g.name || char(31) || g.kind || ' group · ' || g.member_count \
             || ' direct members' FROM groups g ORDER BY g.name",
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
        let narrowed = self.narrowed(scope, &needle);
        let entries = match scope {
            SearchScope::Principals => &self.principals,
            SearchScope::Pools | SearchScope::PoolsOfUser(_) | SearchScope::Form(_) => &self.pools,
        };
        let mut scored: Vec<(Score, u32)> = match (scope, narrowed) {
            (SearchScope::Form(_), _) => Vec::new(),
            (SearchScope::PoolsOfUser(_), _) => {
                let held = (0..entries.len() as u32).filter(|i| held.contains(&entries.id(*i)));
                score_each(entries, held, &terms)
            }
            // Few entries left: scoring them beats a pass over the arena.
            (_, Some(previous)) if narrows(previous.len(), entries.len()) => {
                score_each(entries, previous.into_iter(), &terms)
            }
            _ => score_all(entries, &terms),
        };
        let total = scored.len();
        // Kept only when the next keystroke would use it: a one-letter
        // query matches nearly every entry.
        if scope == SearchScope::Principals && narrows(total, entries.len()) {
            // In entry order already: both ways visit entries in order.
            self.last = Some((needle, scored.iter().map(|(_, i)| *i).collect()));
        }
        // Ties go to the name first in the alphabet.
        let by_rank = |a: &(Score, u32), b: &(Score, u32)| {
            b.0.cmp(&a.0).then(entries.rank(a.1).cmp(&entries.rank(b.1)))
        };
        if scored.len() > limit && limit > 0 {
            scored.select_nth_unstable_by(limit - 1, by_rank);
            scored.truncate(limit);
        }
        scored.sort_unstable_by(by_rank);
        let items = scored.into_iter().map(|(_, i)| entries.item(i)).collect();
        (items, total)
    }

    /// The previous principal search's matches when `needle` only extends
    /// it (the next keystroke): the new matches are among them.
    fn narrowed(&mut self, scope: SearchScope, needle: &str) -> Option<Vec<u32>> {
        if scope != SearchScope::Principals {
            return None;
        }
        match self.last.take() {
            Some((previous, matched)) if needle.starts_with(previous.as_str()) => Some(matched),
            _ => None,
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

/// Whether scoring `matches` entries one by one beats a pass over the
/// arena of `entries`.
fn narrows(matches: usize, entries: usize) -> bool {
    matches < entries / 8
}

/// A match's score. 32 bits: a million matches of a one-letter query
/// are a vector of a million (score, entry) pairs, 8 MB instead of 16.
type Score = i32;

/// The score of an entry: its terms' scores, less a point for every 16
/// bytes of text (shorter entries first).
fn entry_score(terms: i64, len: usize) -> Score {
    let score = terms - len as i64 / 16;
    Score::try_from(score).unwrap_or(if score < 0 { Score::MIN } else { Score::MAX })
}

/// Scores the given entries (in entry order) against every term.
fn score_each(entries: &Entries, which: impl Iterator<Item = u32>, terms: &[&str]) -> Vec<(Score, u32)> {
    which
        .filter_map(|i| {
            let total = terms.iter().try_fold(0, |total, term| {
                Some(total + score_lower(entries.folded(i), term)?)
            })?;
            Some((entry_score(total, entries.written_len(i)), i))
        })
        .collect()
}

/// Entries above which a search is shared between two threads (the
/// machine the console runs on has at least two cores; below this one
/// thread answers in a few milliseconds).
const SPLIT_ABOVE: usize = 100_000;

/// Scores every entry: one pass over the arena for the longest term (the
/// fewest matches), then the other terms in the entries it found. A large
/// index is searched in two halves at once.
fn score_all(entries: &Entries, terms: &[&str]) -> Vec<(Score, u32)> {
    let count = entries.len() as u32;
    if terms.is_empty() {
        // Nothing typed: everything, in name order.
        return (0..count).map(|i| (0, i)).collect();
    }
    if entries.len() <= SPLIT_ABOVE {
        return score_range(entries, 0..count, terms);
    }
    let half = count / 2;
    std::thread::scope(|scope| {
        let upper = scope.spawn(|| score_range(entries, half..count, terms));
        let mut scored = score_range(entries, 0..half, terms);
        match upper.join() {
            Ok(rest) => scored.extend(rest),
            // Only a panic in scoring gets here: score the half again.
            Err(_) => scored.extend(score_range(entries, half..count, terms)),
        }
        scored
    })
}

/// [`score_all`] over the entries `range`.
fn score_range(entries: &Entries, range: std::ops::Range<u32>, terms: &[&str]) -> Vec<(Score, u32)> {
    let Some(lead) = (0..terms.len()).max_by_key(|&k| terms[k].len()) else {
        return range.map(|i| (0, i)).collect();
    };
    let mut scored = Vec::new();
    entries.find_in(range, terms[lead], |i, at| {
        let mut others = terms.iter().enumerate().filter(|(k, _)| *k != lead);
        let rest = others.try_fold(0, |total, (_, term)| {
            Some(total + score_lower(entries.folded(i), term)?)
        });
        if let Some(rest) = rest {
            let total = 10 + at + terms[lead].len() as i64 + rest;
            scored.push((entry_score(total, entries.written_len(i)), i));
        }
    });
    scored
}

/// Scores an already lower-cased `text` against a lower-case `needle` that
/// must appear in it whole: None when it does not. The best place counts:
/// the very start, then a word start, then anywhere.
pub fn score_lower(text: &str, needle: &str) -> Option<i64> {
    if needle.is_empty() {
        return Some(0);
    }
    text.match_indices(needle)
        .map(|(at, _)| 10 + place(at.checked_sub(1).map(|b| text.as_bytes()[b])) + needle.len() as i64)
        .max()
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

    /// The one pass over the arena scores as scoring entry by entry does,
    /// for every entry and every query (issue 11's fast path).
    #[test]
    fn arena_scores_equal_the_entry_by_entry_ones() {
        let texts = [
            "Jan.Smit@contoso\u{1f}Jan Smit",
            "SMITH.jan@x\u{1f}Smith",
            "xsmit smit",
            "abc",
            "Anna\u{1f}anna-an",
            "José.Álvarez@x\u{1f}José Álvarez",
            "an.smit@x",
        ];
        let list: Vec<(i64, PickKind, &str)> = (0..texts.len())
            .map(|k| (k as i64, PickKind::User, texts[k]))
            .collect();
        let packed = entries(&list);
        for query in [
            "smit", "an", "a", "smit jan", "jan smit", "an an", "álvarez", "jose", "x", "q",
        ] {
            let lower = query.to_lowercase();
            let terms: Vec<&str> = lower.split_whitespace().collect();
            let each = score_each(&packed, 0..texts.len() as u32, &terms);
            assert_eq!(score_all(&packed, &terms), each, "{query:?}");
            for &(score, i) in &each {
                let one_by_one = terms
                    .iter()
                    .map(|t| score_lower(&texts[i as usize].to_lowercase(), t).unwrap())
                    .sum::<i64>();
                assert_eq!(
                    i64::from(score),
                    one_by_one - texts[i as usize].len() as i64 / 16,
                    "{query:?}"
                );
            }
        }
    }

    /// Above `SPLIT_ABOVE` entries the search runs in two halves at once:
    /// the same matches, in entry order, with the same scores.
    #[test]
    fn a_search_split_in_two_finds_what_one_pass_finds() {
        let mut packed = Entries::default();
        for k in 0..(SPLIT_ABOVE as i64 + 50_001) {
            packed.push(k, PickKind::User, &format!("User{k}.X@y\u{1f}N {}", k % 7), None);
        }
        for query in ["12", "user1 n 3", "x@y", "99999"] {
            let terms: Vec<&str> = query.split_whitespace().collect();
            let each = score_each(&packed, 0..packed.len() as u32, &terms);
            assert!(!each.is_empty(), "{query:?}");
            assert_eq!(score_all(&packed, &terms), each, "{query:?}");
        }
    }

    /// Users are read in table order (fast) and ranked by name after: an
    /// empty query lists them by name, and equal scores go to the first name.
    #[test]
    fn entries_read_out_of_order_list_by_name() {
        let mut principals = entries(&[
            (1, PickKind::User, "zoe@x\u{1f}Zoe"),
            (2, PickKind::User, "Bram@x\u{1f}Bram"),
            (3, PickKind::User, "anna@x\u{1f}Anna"),
        ]);
        principals.sort_by_name();
        principals.push(9, PickKind::Group, "Sales\u{1f}group", None);
        let mut index = SearchIndex {
            principals,
            pools: Entries::default(),
            last: None,
        };
        let ids = |items: Vec<PickItem>| items.iter().map(|i| i.id).collect::<Vec<_>>();
        let (items, total) = index.search(SearchScope::Principals, "", 10, &[]);
        assert_eq!((ids(items), total), (vec![3, 2, 1, 9], 4));
        let (items, _) = index.search(SearchScope::Principals, "@x", 2, &[]);
        assert_eq!(ids(items), vec![3, 2], "equal scores: Anna, then Bram");
    }

    /// The next keystroke scores only the previous matches when they are
    /// few: the same answer as a search from scratch.
    #[test]
    fn a_narrowed_search_answers_as_a_fresh_one() {
        let build = || {
            let mut packed = Entries::default();
            for k in 0..1000 {
                packed.push(k, PickKind::User, &format!("user{k}@x\u{1f}N{}", k % 3), None);
            }
            SearchIndex {
                principals: packed,
                pools: Entries::default(),
                last: None,
            }
        };
        let mut typed = build();
        let (_, first) = typed.search(SearchScope::Principals, "user1", 50, &[]);
        assert!(narrows(first, 1000), "{first} matches: the narrowed path");
        assert!(typed.last.is_some());
        let narrowed = typed.search(SearchScope::Principals, "user12 n1", 50, &[]);
        let fresh = build().search(SearchScope::Principals, "user12 n1", 50, &[]);
        assert_eq!(narrowed, fresh);
        assert!(fresh.1 > 0);
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
