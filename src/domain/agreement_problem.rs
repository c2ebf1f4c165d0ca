//! What is wrong with an agreement file or entry (R-AGR-2..5): the rule a
//! problem breaks, where it is (line and column) and what to do about it.

use std::fmt;

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
            Rule::Ascii => "type the number in ASCII (letters, digits 0-9, dashes), no spaces",
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
