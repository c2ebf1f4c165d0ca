//! The rules a volume-licensing agreement obeys (R-AGR-2..5), shared by the
//! CSV import and entry by hand (R-AGR-6): each check names the rule it
//! applies and says what to do about a breach.

pub use super::agreement_problem::{Column, Problem, Rule, describe};

/// A number set holds at most this many characters, both numbers together
/// (R-AGR-3).
pub const MAX_PAIR_CHARS: usize = 16;
/// Longest agreement name (R-AGR-4).
pub const MAX_NAME_CHARS: usize = 256;
/// Longest file name (R-AGR-5).
pub const MAX_FILE_NAME_CHARS: usize = 128;
/// Most number sets one file may hold (R-AGR-5).
pub const MAX_SETS: usize = 5000;
/// Characters no agreement name may hold (R-AGR-4); spaces are allowed.
pub const FORBIDDEN_NAME_CHARS: &str = "~!@#$^&*()=+[]{}\\|;:'\"<>/";

/// Checks one number (R-AGR-2, R-AGR-3): present, and printable ASCII
/// without spaces. The pair's length is [`check_pair`]'s.
pub fn check_number(number: &str, column: Column) -> Option<(Column, Rule, String)> {
    if number.is_empty() {
        let which = if column == Column::First {
            "first"
        } else {
            "second"
        };
        return Some((
            column,
            Rule::MissingNumber,
            format!("the {which} number is missing"),
        ));
    }
    let (index, bad) = number.chars().enumerate().find(|(_, c)| !c.is_ascii_graphic())?;
    let what = if bad.is_ascii() {
        format!(
            "{number:?} holds a space or control character at character {}",
            index + 1
        )
    } else {
        format!(
            "{number:?} holds {bad:?} (U+{:04X}) at character {}, which is not ASCII",
            u32::from(bad),
            index + 1
        )
    };
    Some((column, Rule::Ascii, what))
}

/// Every breach of a number pair: each number, then the length of both.
pub fn check_pair(first: &str, second: &str) -> Vec<(Column, Rule, String)> {
    let mut found: Vec<_> = [(first, Column::First), (second, Column::Second)]
        .into_iter()
        .filter_map(|(number, column)| check_number(number, column))
        .collect();
    let (a, b) = (first.chars().count(), second.chars().count());
    if a + b > MAX_PAIR_CHARS {
        let what = format!(
            "the pair {first:?}, {second:?} has {} characters ({a} + {b}); at most {MAX_PAIR_CHARS} in all",
            a + b
        );
        found.push((Column::Pair, Rule::PairLength, what));
    }
    found
}

/// The breach of an agreement name, if any (R-AGR-4); uniqueness is the
/// caller's, which knows the other names.
pub fn check_name(name: &str) -> Option<(Rule, String)> {
    let count = name.chars().count();
    if count > MAX_NAME_CHARS {
        return Some((
            Rule::NameLength,
            format!("the name has {count} characters; at most {MAX_NAME_CHARS}"),
        ));
    }
    let bad = name
        .chars()
        .find(|c| FORBIDDEN_NAME_CHARS.contains(*c) || c.is_control())?;
    let what = if bad.is_control() {
        format!(
            "the name {name:?} holds a control character (U+{:04X})",
            u32::from(bad)
        )
    } else {
        format!("the name {name:?} holds {bad:?}, which names may not hold")
    };
    Some((Rule::NameCharacters, what))
}

/// The breach of a file name, if any (R-AGR-5).
pub fn check_file_name(file_name: &str) -> Option<Problem> {
    let count = file_name.chars().count();
    (count > MAX_FILE_NAME_CHARS).then(|| Problem {
        line: None,
        column: None,
        rule: Rule::FileName,
        what: format!("the file name has {count} characters; at most {MAX_FILE_NAME_CHARS}"),
    })
}

/// The key two names or numbers clash under: the cache compares names
/// without ASCII case (COLLATE NOCASE), and so do we, for numbers too.
pub fn clash_key(text: &str) -> String {
    text.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_doc_example_pair_fits_exactly() {
        assert!(check_pair("01-07001", "01-07001").is_empty());
        let long = check_pair("01-07001", "01-070012");
        assert_eq!(long.len(), 1);
        assert_eq!(long[0].1, Rule::PairLength);
    }

    #[test]
    fn non_ascii_digits_are_named_with_their_code_point() {
        let found = check_pair("01-0700\u{0663}", "1");
        assert_eq!(found[0].1, Rule::Ascii);
        assert!(found[0].2.contains("U+0663"), "{}", found[0].2);
    }

    #[test]
    fn names_take_spaces_and_refuse_each_forbidden_character() {
        assert_eq!(check_name("Office agreements, 2024 - EU"), None);
        for bad in FORBIDDEN_NAME_CHARS.chars() {
            let found = check_name(&format!("Office {bad} x"));
            assert_eq!(found.map(|f| f.0), Some(Rule::NameCharacters), "{bad}");
        }
        assert_eq!(check_name(&"n".repeat(256)), None);
        assert_eq!(check_name(&"n".repeat(257)).map(|f| f.0), Some(Rule::NameLength));
    }

    #[test]
    fn file_names_up_to_128_characters_pass() {
        assert_eq!(check_file_name(&"a".repeat(128)), None);
        assert!(check_file_name(&"a".repeat(129)).is_some());
    }
}
