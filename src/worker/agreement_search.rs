//! What the Agreements form (`n`) looks up as the admin types, answered
//! in the worker so no keystroke waits on SQL or the file system: license
//! groups (R-AGR-7), catalog publishers and one publisher's products
//! (R-AGR-10, R-AGR-11), each a bounded query, and the completion of an
//! agreement file's path (Tab, as a shell completes it).

use std::path::PathBuf;

use rusqlite::Connection;

use super::search::{PickItem, PickKind};
use crate::app::WorkerEvent;
use crate::store::agreement_choices::{self, Choices};

/// What the form looks up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormSearch {
    LicenseGroups,
    Publishers,
    /// The products of one publisher (its id).
    Products(i64),
    /// Files and folders that complete the path typed.
    Path,
}

/// Choices shown under a field (the form keeps its other fields in sight).
const LIMIT: usize = 6;
/// Groups shown in the group step (it scrolls).
const GROUP_LIMIT: usize = 50;
/// Candidates of a path listed at most.
const PATH_LIMIT: usize = 50;
/// Entries of one folder read at most.
const MAX_ENTRIES: usize = 20_000;

/// In a path answer, the item with this id holds the common prefix of
/// every match (what Tab completes to); the others are the matches.
pub const COMPLETION_ID: i64 = 0;
/// In a path answer, the item with this id says why the folder can't be read.
pub const PROBLEM_ID: i64 = -1;

fn item(id: i64, label: String, detail: &str) -> PickItem {
    PickItem {
        kind: PickKind::Choice,
        id,
        label,
        detail: detail.to_owned(),
        blocked: None,
    }
}

/// Answers one lookup of the form.
pub fn answer(conn: &Connection, generation: u64, what: FormSearch, query: &str) -> WorkerEvent {
    let found: rusqlite::Result<Choices> = match what {
        FormSearch::LicenseGroups => agreement_choices::license_groups(conn, query, GROUP_LIMIT),
        FormSearch::Publishers => agreement_choices::publishers(conn, query, LIMIT),
        FormSearch::Products(publisher) => agreement_choices::products(conn, publisher, query, LIMIT),
        FormSearch::Path => {
            let (items, total) = complete_path(query);
            return WorkerEvent::SearchResults {
                generation,
                items,
                total,
            };
        }
    };
    match found {
        Ok(choices) => {
            let total = choices.items.len() + usize::from(choices.more);
            let items = choices
                .items
                .into_iter()
                .map(|(id, name)| item(id, name, ""))
                .collect();
            WorkerEvent::SearchResults {
                generation,
                items,
                total,
            }
        }
        Err(err) => WorkerEvent::Failed(format!("looking up {what:?} failed: {err}")),
    }
}

/// A typed path as the file system knows it: `~/` is the home folder,
/// as in a shell.
pub fn expand_home(typed: &str) -> PathBuf {
    if let Some(rest) = typed.strip_prefix("~/")
        && let Some(home) = std::env::var_os("HOME")
    {
        return PathBuf::from(home).join(rest);
    }
    PathBuf::from(typed)
}

/// The folder a typed path's last part is looked for in.
fn folder(typed_folder: &str) -> PathBuf {
    if typed_folder.is_empty() {
        return PathBuf::from(".");
    }
    expand_home(typed_folder)
}

/// The matches of `typed`: the completion first, then each file or
/// folder (folders end in `/`), sorted; and how many matched.
fn complete_path(typed: &str) -> (Vec<PickItem>, usize) {
    let (typed_folder, stem) = match typed.rfind('/') {
        Some(at) => typed.split_at(at + 1),
        None => ("", typed),
    };
    let entries = match std::fs::read_dir(folder(typed_folder)) {
        Ok(entries) => entries,
        Err(err) => {
            let why = format!("can't read the folder {typed_folder:?}: {err}");
            return (vec![item(PROBLEM_ID, why, "")], 0);
        }
    };
    let mut matches: Vec<String> = entries
        .take(MAX_ENTRIES)
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            // Hidden files only when asked for, as a shell does.
            let wanted = name.starts_with(stem) && (stem.starts_with('.') || !name.starts_with('.'));
            let folder = entry.file_type().is_ok_and(|t| t.is_dir())
                || entry.path().metadata().is_ok_and(|m| m.is_dir());
            wanted.then(|| format!("{typed_folder}{name}{}", if folder { "/" } else { "" }))
        })
        .collect();
    matches.sort();
    let total = matches.len();
    let completion = match (matches.first(), matches.last()) {
        (Some(first), Some(last)) => common_prefix(first, last),
        _ => typed.to_owned(),
    };
    let mut items = vec![item(COMPLETION_ID, completion, "")];
    items.extend(
        matches
            .into_iter()
            .take(PATH_LIMIT)
            .zip(1..)
            .map(|(path, id)| item(id, path, "")),
    );
    (items, total)
}

/// The longest start two texts share, cut at a character boundary. Of a
/// sorted list, the first and last share what all share.
fn common_prefix(a: &str, b: &str) -> String {
    a.chars()
        .zip(b.chars())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes_to_what_every_match_shares_and_marks_folders() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("office-eu.csv"), "").unwrap();
        std::fs::write(dir.path().join("office-us.csv"), "").unwrap();
        std::fs::create_dir(dir.path().join("older")).unwrap();
        let base = format!("{}/", dir.path().display());
        let (items, total) = complete_path(&format!("{base}off"));
        assert_eq!(total, 2);
        assert_eq!(items[0].label, format!("{base}office-"));
        let (items, _) = complete_path(&format!("{base}ol"));
        assert_eq!(items[0].label, format!("{base}older/"));
        let (items, total) = complete_path(&format!("{base}nothing/x"));
        assert_eq!((items[0].id, total), (PROBLEM_ID, 0));
    }
}
