//! The picker index's entries, packed for memory and for one-pass search.
//!
//! At a million users a `String` and a lower-cased copy per user cost 234 MB
//! of the console's memory; and scoring a million entries one by one took
//! ~260 ms a keystroke (issue 11). So the entries are one arena of text
//! folded to lower case, each followed by a newline (which no search term
//! holds, so a match never spans two entries), searched for a term in one
//! SIMD pass (`memchr::memmem`) the way grep searches a file. The text as
//! written comes back from a bit per byte saying which ASCII letters were
//! upper case; the few entries that are not ASCII (folding may change their
//! length) are kept as written beside it.

use std::collections::HashMap;
use std::ops::Range;

use memchr::memmem;

use super::search::{PickItem, PickKind};

/// Ends an entry in the arena; never part of a search term (terms are the
/// query split at white space).
const END: u8 = b'\n';

#[derive(Default)]
pub(super) struct Entries {
    ids: Vec<i64>,
    kinds: Vec<PickKind>,
    /// Every entry's `label \u{1f} detail` in lower case, each followed by
    /// [`END`].
    folded: String,
    /// Where each entry's text ends in `folded` (where its `END` is).
    ends: Vec<u32>,
    /// One bit per byte of `folded`: an ASCII letter written upper case.
    upper: Vec<u64>,
    /// Entries that are not ASCII, as written.
    written: HashMap<u32, String>,
    /// Why a pool takes no new seats, by entry index (pools only).
    blocked: HashMap<u32, String>,
    /// Each entry's place in name order, for entries read in another order
    /// (see [`Self::sort_by_name`]); the others are in name order already.
    rank: Vec<u32>,
}

impl Entries {
    pub(super) fn push(&mut self, id: i64, kind: PickKind, text: &str, blocked: Option<String>) {
        let index = self.ids.len() as u32;
        if let Some(reason) = blocked {
            self.blocked.insert(index, reason);
        }
        self.ids.push(id);
        self.kinds.push(kind);
        if text.is_ascii() {
            for &byte in text.as_bytes() {
                if byte.is_ascii_uppercase() {
                    self.mark_upper(self.folded.len());
                }
                self.folded.push(byte.to_ascii_lowercase() as char);
            }
        } else {
            self.written.insert(index, text.to_owned());
            // A newline inside folds to a space: it would end the entry.
            let folded = text.to_lowercase().replace(END as char, " ");
            self.folded.push_str(&folded);
        }
        self.ends.push(self.folded.len() as u32);
        self.folded.push(END as char);
    }

    fn mark_upper(&mut self, at: usize) {
        let word = at / 64;
        if self.upper.len() <= word {
            self.upper.resize(word + 1, 0);
        }
        self.upper[word] |= 1 << (at % 64);
    }

    fn is_upper(&self, at: usize) -> bool {
        self.upper.get(at / 64).is_some_and(|w| w & (1 << (at % 64)) != 0)
    }

    pub(super) fn len(&self) -> usize {
        self.ids.len()
    }

    /// The entry's place in name order: ties between equal scores go to
    /// the name first in the alphabet.
    pub(super) fn rank(&self, i: u32) -> u32 {
        self.rank.get(i as usize).copied().unwrap_or(i)
    }

    /// Puts the entries pushed so far (read in table order: reading a
    /// million users in name order is a walk of the name index, one random
    /// read per user, ~6 s against ~0.6 s) in name order, case ignored.
    pub(super) fn sort_by_name(&mut self) {
        let mut order: Vec<u32> = (0..self.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| self.folded(a).cmp(self.folded(b)).then(a.cmp(&b)));
        self.rank = vec![0; order.len()];
        for (place, &i) in order.iter().enumerate() {
            self.rank[i as usize] = place as u32;
        }
    }

    pub(super) fn id(&self, i: u32) -> i64 {
        self.ids[i as usize]
    }

    fn start(&self, i: u32) -> usize {
        if i == 0 {
            0
        } else {
            self.ends[i as usize - 1] as usize + 1
        }
    }

    /// The entry's text in lower case.
    pub(super) fn folded(&self, i: u32) -> &str {
        &self.folded[self.start(i)..self.ends[i as usize] as usize]
    }

    /// The entry's length as written, in bytes (the score prefers short
    /// entries).
    pub(super) fn written_len(&self, i: u32) -> usize {
        match self.written.get(&i) {
            Some(text) => text.len(),
            None => self.ends[i as usize] as usize - self.start(i),
        }
    }

    /// The entry's text as written.
    fn text(&self, i: u32) -> String {
        if let Some(text) = self.written.get(&i) {
            return text.clone();
        }
        let start = self.start(i);
        self.folded(i)
            .bytes()
            .enumerate()
            .map(|(k, b)| if self.is_upper(start + k) { b.to_ascii_uppercase() } else { b } as char)
            .collect()
    }

    pub(super) fn item(&self, i: u32) -> PickItem {
        let text = self.text(i);
        let (label, detail) = text.split_once('\u{1f}').unwrap_or((&text, ""));
        PickItem {
            kind: self.kinds[i as usize],
            id: self.ids[i as usize],
            label: label.to_owned(),
            detail: detail.to_owned(),
            blocked: self.blocked.get(&i).cloned(),
        }
    }

    /// Every entry of `range` holding the lower-case `needle`, in entry
    /// order, with the best place it holds it at (see [`place`]): one pass
    /// over their stretch of the arena.
    pub(super) fn find_in(&self, range: Range<u32>, needle: &str, mut found: impl FnMut(u32, i64)) {
        if range.is_empty() {
            return;
        }
        let (first, end) = (
            self.start(range.start),
            self.ends[range.end as usize - 1] as usize,
        );
        let mut entry = range.start as usize;
        let mut best: Option<(u32, i64)> = None;
        for at in memmem::find_iter(&self.folded.as_bytes()[first..end], needle.as_bytes()) {
            let at = first + at;
            // Matches come in order; skip the entries before this one.
            while self.ends[entry] as usize <= at {
                entry += 1;
            }
            let i = entry as u32;
            let before = (at > self.start(i)).then(|| self.folded.as_bytes()[at - 1]);
            let here = place(before);
            match &mut best {
                Some((current, score)) if *current == i => *score = (*score).max(here),
                _ => {
                    if let Some((done, score)) = best.take() {
                        found(done, score);
                    }
                    best = Some((i, here));
                }
            }
        }
        if let Some((done, score)) = best {
            found(done, score);
        }
    }
}

/// How good a match's place is, from the byte before it: the very start
/// (none), then a word start, then anywhere. Separators are ASCII, so a
/// byte of a multi-byte character is never one.
pub(super) fn place(before: Option<u8>) -> i64 {
    match before {
        None => 8,
        Some(byte) if is_separator(byte) => 3,
        Some(_) => 0,
    }
}

pub(super) fn is_separator(byte: u8) -> bool {
    matches!(byte, b' ' | b'.' | b'@' | b'-' | b'_' | 0x1f | b'(')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(texts: &[&str]) -> Entries {
        let mut entries = Entries::default();
        for (n, text) in texts.iter().enumerate() {
            entries.push(n as i64 + 1, PickKind::User, text, None);
        }
        entries
    }

    #[test]
    fn gives_the_text_back_as_written() {
        let texts = [
            "Jan.Smit@Contoso\u{1f}Jan Smit",
            "josé.ÁLVAREZ@x\u{1f}José",
            "",
            "ABC",
        ];
        let packed = entries(&texts);
        for (i, text) in texts.iter().enumerate() {
            let item = packed.item(i as u32);
            let joined = if item.detail.is_empty() && !text.contains('\u{1f}') {
                item.label.clone()
            } else {
                format!("{}\u{1f}{}", item.label, item.detail)
            };
            assert_eq!(&joined, text);
            assert_eq!(packed.written_len(i as u32), text.len());
        }
        assert_eq!(packed.folded(1), "josé.álvarez@x\u{1f}josé");
    }

    #[test]
    fn finds_each_entry_once_with_its_best_place_and_never_across_two() {
        let packed = entries(&["xsmit smit", "smith", "nosm", "itx", "Smit.a"]);
        let mut found = Vec::new();
        packed.find_in(0..5, "smit", |i, place| found.push((i, place)));
        assert_eq!(found, vec![(0, 3), (1, 8), (4, 8)]);
        let mut across = Vec::new();
        packed.find_in(0..5, "smitx", |i, _| across.push(i));
        packed.find_in(0..5, "mit", |i, _| across.push(i));
        let mut middle = Vec::new();
        packed.find_in(1..4, "s", |i, _| middle.push(i));
        assert_eq!(middle, vec![1, 2]);
        assert_eq!(across, vec![0, 1, 4], "\"nosm\" + \"itx\" is no match");
    }
}
