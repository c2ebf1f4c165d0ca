//! The rules a volume-licensing agreement obeys (R-AGR-2..5), shared by the
//! CSV import and entry by hand (R-AGR-6): each check names the rule it
//! applies and says what to do about a breach.

use std::fmt;

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

/// Which rule a problem breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// A line holds 2 or 3 columns (R-AGR-2).
    Columns,
    /// Both numbers of a set are given (R-AGR-2).
    MissingNumber,
    /// A number is ASCII letters, digits and punctuation, no spaces (R-AGR-3).
    Ascii,
    /// The pair is at most 16 characters in all (R-AGR-3).
    PairLength,
    /// Each number set once (R-AGR-2: one pair per line, each pair once).
    DuplicatePair,
    /// Names: at most 256 characters (R-AGR-4).
    NameLength,
    /// Names: none of the forbidden characters (R-AGR-4).
    NameCharacters,
    /// Names are unique (R-AGR-4).
    DuplicateName,
    /// Text is UTF-8 (what a spreadsheet's "CSV UTF-8" writes).
    Encoding,
    /// The file name is at most 128 characters (R-AGR-5).
    FileName,
    /// 1 to 5,000 number sets per file (R-AGR-5).
    SetCount,
}

impl Rule {
    /// The requirement's id.
    pub fn id(self) -> &'static str {
        match self {
            Rule::Columns | Rule::MissingNumber | Rule::DuplicatePair => "R-AGR-2",
            Rule::Ascii | Rule::PairLength => "R-AGR-3",
            Rule::NameLength | Rule::NameCharacters | Rule::DuplicateName | Rule::Encoding => "R-AGR-4",
            Rule::FileName | Rule::SetCount => "R-AGR-5",
        }
    }

    /// What to do about a breach.
    pub fn fix(self) -> &'static str {
        match self {
            Rule::Columns => {
                "write one set per line: first number, second number and, if you like, the agreement name"
            }
            Rule::MissingNumber => "give both numbers of the set (Open Value: the agreement number twice)",
            Rule::Ascii => "type the number with ASCII letters, digits 0-9 and dashes only",
            Rule::PairLength => {
                "check the numbers against the volume-licensing portal: together they fit 16 characters"
            }
            Rule::DuplicatePair => "list each number set once",
            Rule::NameLength => "shorten the name to 256 characters",
            Rule::NameCharacters => {
                "remove the character; letters, digits, spaces, dots, commas, dashes are fine"
            }
            Rule::DuplicateName => "give each agreement its own name",
            Rule::Encoding => "save the file as \"CSV UTF-8\"",
            Rule::FileName => "rename the file to at most 128 characters",
            Rule::SetCount => "import 1 to 5,000 number sets per file; split a longer file",
        }
    }
}

/// Which field of a line a problem is in (1-based columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    First,
    Second,
    /// Both numbers (the pair's length or a duplicate pair).
    Pair,
    Name,
    /// Column N (1-based), beyond the third.
    Extra(usize),
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Column::First => write!(f, "column 1 (first number)"),
            Column::Second => write!(f, "column 2 (second number)"),
            Column::Pair => write!(f, "columns 1-2 (number pair)"),
            Column::Name => write!(f, "column 3 (agreement name)"),
            Column::Extra(n) => write!(f, "column {n}"),
        }
    }
}

/// One breach: where (line and column, when it has one), which rule, what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line of the file; None for the file as a whole.
    pub line: Option<usize>,
    pub column: Option<Column>,
    pub rule: Rule,
    /// What is wrong, quoting the value.
    pub what: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, "line {line}, {column}: ")?,
            (Some(line), None) => write!(f, "line {line}: ")?,
            (None, _) => write!(f, "file: ")?,
        }
        write!(f, "{} ({}); {}", self.what, self.rule.id(), self.rule.fix())
    }
}

/// The message of a refused file: nothing imported, then every problem on
/// a line of its own, in file order.
pub fn describe(problems: &[Problem]) -> String {
    let lines: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
    let bad_lines = {
        let mut numbers: Vec<usize> = problems.iter().filter_map(|p| p.line).collect();
        numbers.sort_unstable();
        numbers.dedup();
        numbers.len()
    };
    format!(
        "nothing was imported: {} problem{} ({bad_lines} bad line{}); fix the file and import it again:\n{}",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" },
        if bad_lines == 1 { "" } else { "s" },
        lines.join("\n")
    )
}

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
