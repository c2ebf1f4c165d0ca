//! Type-ahead fuzzy search for the pickers. The index lives in the worker,
//! never in the UI: one compact entry per user, group and pool, rebuilt when
//! the cache changes. A query matches when its characters appear in order
//! (case-insensitive); matches at word starts and in runs rank higher.

use rusqlite::Connection;

/// What a picker searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchScope {
    /// Users and groups (to assign a pool to).
    Principals,
    /// Every pool (to give a user).
    Pools,
    /// The pools whose seat this user holds (to release).
    PoolsOfUser(i64),
}

/// What a search result is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PickKind {
    User,
    Group,
    Pool,
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
}

struct Entry {
    id: i64,
    kind: PickKind,
    /// `label \u{1f} detail`, searched as one text.
    text: String,
}

impl Entry {
    fn item(&self) -> PickItem {
        let (label, detail) = self.text.split_once('\u{1f}').unwrap_or((&self.text, ""));
        PickItem {
            kind: self.kind,
            id: self.id,
            label: label.to_owned(),
            detail: detail.to_owned(),
        }
    }
}

/// The in-memory index of users, groups and pools.
#[derive(Default)]
pub struct SearchIndex {
    principals: Vec<Entry>,
    pools: Vec<Entry>,
}

impl SearchIndex {
    /// Reads every user, group and pool (a few MB at 100,000 users).
    pub fn build(conn: &Connection) -> rusqlite::Result<SearchIndex> {
        let mut principals = read(
            conn,
            "SELECT id, upn || char(31) || display_name FROM users WHERE deleted = 0 AND enabled = 1 ORDER BY upn",
            PickKind::User,
        )?;
        principals.extend(read(
            conn,
            "SELECT g.id, g.name || char(31) || 'group · ' || g.kind || ' · ' || \
               (SELECT count(*) FROM group_members m WHERE m.group_id = g.id) || ' direct members' \
             FROM groups g ORDER BY g.name",
            PickKind::Group,
        )?);
        let pools = read(
            conn,
            "SELECT id, name || char(31) || kind || ' · ' || \
               CASE WHEN total IS NULL THEN 'unlimited' ELSE (total - consumed) || ' free' END \
             FROM pools ORDER BY name",
            PickKind::Pool,
        )?;
        Ok(SearchIndex { principals, pools })
    }

    /// The best `limit` matches of `query` in `scope`, and how many matched.
    /// `held` restricts PoolsOfUser to the pools the user holds.
    pub fn search(
        &self,
        scope: SearchScope,
        query: &str,
        limit: usize,
        held: &[i64],
    ) -> (Vec<PickItem>, usize) {
        let entries: Box<dyn Iterator<Item = &Entry>> = match scope {
            SearchScope::Principals => Box::new(self.principals.iter()),
            SearchScope::Pools => Box::new(self.pools.iter()),
            SearchScope::PoolsOfUser(_) => Box::new(self.pools.iter().filter(|e| held.contains(&e.id))),
        };
        let needle: Vec<char> = query
            .chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect();
        let mut scored: Vec<(i64, &Entry)> = entries
            .filter_map(|e| score(&e.text, &needle).map(|s| (s, e)))
            .collect();
        let total = scored.len();
        let by_rank =
            |a: &(i64, &Entry), b: &(i64, &Entry)| b.0.cmp(&a.0).then_with(|| a.1.text.cmp(&b.1.text));
        if scored.len() > limit && limit > 0 {
            scored.select_nth_unstable_by(limit - 1, by_rank);
            scored.truncate(limit);
        }
        scored.sort_unstable_by(by_rank);
        (scored.into_iter().map(|(_, e)| e.item()).collect(), total)
    }

    /// Every match of `query` in `scope` (for "all matching").
    pub fn all_matches(&self, scope: SearchScope, query: &str, held: &[i64]) -> Vec<PickItem> {
        self.search(scope, query, usize::MAX, held).0
    }
}

fn read(conn: &Connection, sql: &str, kind: PickKind) -> rusqlite::Result<Vec<Entry>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], |row| {
        Ok(Entry {
            id: row.get(0)?,
            kind,
            text: row.get(1)?,
        })
    })?;
    rows.collect()
}

/// Scores `text` against a lowercase `needle`: None when the needle's
/// characters do not all appear in order.
pub fn score(text: &str, needle: &[char]) -> Option<i64> {
    if needle.is_empty() {
        return Some(0);
    }
    let mut score = 0i64;
    let mut next = 0usize;
    let mut previous_matched = false;
    let mut previous_char = ' ';
    for (position, ch) in text.chars().enumerate() {
        if next == needle.len() {
            break;
        }
        let lower = ch.to_lowercase().next().unwrap_or(ch);
        if lower == needle[next] {
            score += 1;
            // Runs count most, then the very start, then word starts.
            if previous_matched {
                score += 5;
            }
            if position == 0 {
                score += 8;
            } else if matches!(previous_char, ' ' | '.' | '@' | '-' | '_' | '\u{1f}' | '(') {
                score += 3;
            }
            next += 1;
            previous_matched = true;
        } else {
            previous_matched = false;
        }
        previous_char = ch;
    }
    (next == needle.len()).then(|| score - text.len() as i64 / 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needle(q: &str) -> Vec<char> {
        q.chars().flat_map(char::to_lowercase).collect()
    }

    #[test]
    fn matches_in_order_case_insensitive() {
        assert!(score("Jan.Smit@contoso", &needle("jsmit")).is_some());
        assert!(score("Jan.Smit@contoso", &needle("tims")).is_none());
        assert!(score("anything", &needle("")).is_some());
    }

    #[test]
    fn runs_and_word_starts_rank_higher() {
        let exact = score("smit.jan@x", &needle("smit")).unwrap();
        let scattered = score("sam.iversen.t@x", &needle("smit")).unwrap();
        assert!(exact > scattered, "{exact} vs {scattered}");
    }

    #[test]
    fn index_search_ranks_and_counts() {
        let index = SearchIndex {
            principals: vec![
                Entry {
                    id: 1,
                    kind: PickKind::User,
                    text: "sam.iversen.t@x\u{1f}Sam Iversen".into(),
                },
                Entry {
                    id: 2,
                    kind: PickKind::User,
                    text: "smit.jan@x\u{1f}Jan Smit".into(),
                },
                Entry {
                    id: 3,
                    kind: PickKind::Group,
                    text: "Sales\u{1f}group".into(),
                },
            ],
            pools: Vec::new(),
        };
        let (items, total) = index.search(SearchScope::Principals, "smit", 1, &[]);
        assert_eq!(total, 2);
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].id, 2);
        assert_eq!(items[0].detail, "Jan Smit");
    }
}
