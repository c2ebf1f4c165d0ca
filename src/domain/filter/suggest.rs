//! The ways out offered by filter errors. Every suggestion is written the
//! way the tokenizer reads it back, so typing it as shown works.

use super::tokens::{Token, quoted, value_text};
use super::{Field, Op};

/// A term names a field this list does not offer: the fields it does,
/// the nearest one with the same value, and how to search for the text.
pub(super) fn unknown_field(token: &Token, name: &str, op: Op, value: &str, fields: &[Field]) -> String {
    let bang = if token.negated { "!" } else { "" };
    let mut out = format!("no field {name:?}");
    if let Some(near) = nearest(name, fields) {
        let meant = if value.is_empty() {
            near.kind.example(near.name)
        } else {
            format!("{bang}{}{}{}", near.name, op.symbol(), value_text(value))
        };
        out.push_str(&format!("; did you mean {meant}?"));
    }
    let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
    if names.is_empty() {
        out.push_str("; this list has no fields to filter on");
    } else {
        out.push_str(&format!("; fields here: {}", names.join(", ")));
    }
    out.push_str(&format!(
        "; to search for the text itself, quote it: {bang}{}",
        quoted(&token.text)
    ));
    out
}

/// A text field was compared with `<`/`>`: the two tests text takes, with
/// the same value.
pub(super) fn text_is_not_ordered(name: &str, value: &str) -> String {
    let value = value_text(value);
    format!("{name} is text: use {name}:{value} (contains) or {name}={value} (the whole value)")
}

/// The offered field a mistyped name most likely means: one whose name
/// holds the typed one or is held by it (`display_name` → `name`), or one
/// at most two edits away (`stauts` → `status`).
fn nearest(typed: &str, fields: &[Field]) -> Option<Field> {
    let typed = typed.to_ascii_lowercase();
    let contained = fields
        .iter()
        .filter(|f| f.name.len() >= 3)
        .find(|f| typed.contains(f.name) || (typed.len() >= 3 && f.name.contains(typed.as_str())));
    contained
        .or_else(|| {
            fields
                .iter()
                .filter(|f| f.name.len() >= 4)
                .map(|f| (edits(&typed, f.name), f))
                .filter(|(distance, _)| *distance <= 2)
                .min_by_key(|(distance, _)| *distance)
                .map(|(_, f)| f)
        })
        .copied()
}

/// Levenshtein distance between two short ASCII names.
fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != *cb);
            current.push(substitute.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}
