//! What is wrong with a software-inventory file (issue 9, R-APP-10): the
//! rule a problem breaks, where it is (line and column) and what to do.

use std::fmt;

/// Which rule a problem breaks. All of them serve R-APP-10 (inventory that
/// can be compared with agreements): a bad row would miscount a title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// The file starts with a header row naming its columns.
    Header,
    /// computer, publisher and product are columns of the header.
    MissingColumn,
    /// A column is named once.
    DuplicateColumn,
    /// A row fills computer, publisher and product.
    Required,
    /// A row holds no more cells than the header names.
    Cells,
    /// Text is UTF-8.
    Encoding,
    /// The user is a UPN (name@domain).
    Upn,
    /// Last seen is a date (YYYY-MM-DD, or RFC 3339), not in the future.
    Date,
    /// A value fits its column (names 256 characters, version 64).
    Length,
    /// The file holds at least one row.
    Empty,
}

impl Rule {
    /// What to do about a breach.
    pub fn fix(self) -> &'static str {
        match self {
            Rule::Header => {
                "start the file with a header row: computer,user,publisher,product,version,last seen"
            }
            Rule::MissingColumn => {
                "add the column to the header (computer, publisher and product are required)"
            }
            Rule::DuplicateColumn => "name each column once; rename or remove the other",
            Rule::Required => "fill the cell: every row names its computer, publisher and product",
            Rule::Cells => {
                "quote a value that holds a comma (\"Adobe, Inc.\"), or add the column to the header"
            }
            Rule::Encoding => "save the file as \"CSV UTF-8\"",
            Rule::Upn => "give the user's UPN (name@domain), or leave the cell empty",
            Rule::Date => "write the date as YYYY-MM-DD (or RFC 3339), or leave the cell empty",
            Rule::Length => "shorten the value: names at most 256 characters, versions at most 64",
            Rule::Empty => "export the inventory again: the file holds no software row",
        }
    }
}

/// Where a problem is: line, and the column by number and header name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line of the file; None for the file as a whole.
    pub line: Option<usize>,
    /// 1-based column and its name in the header.
    pub column: Option<(usize, String)>,
    pub rule: Rule,
    /// What is wrong, quoting the value.
    pub what: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, &self.column) {
            (Some(line), Some((n, name))) => write!(f, "line {line}, column {n} ({name}): ")?,
            (Some(line), None) => write!(f, "line {line}: ")?,
            (None, _) => write!(f, "file: ")?,
        }
        write!(f, "{} (R-APP-10); {}", self.what, self.rule.fix())
    }
}

/// The most problems a refusal lists: a file broken on every line of
/// millions would print millions; the count says how many there are.
pub const MAX_LISTED: usize = 200;

/// The message of a refused file: nothing imported, then each problem on a
/// line of its own, in file order.
pub fn describe(problems: &[Problem]) -> String {
    let mut bad: Vec<usize> = problems.iter().filter_map(|p| p.line).collect();
    bad.dedup();
    let s = |n: usize| if n == 1 { "" } else { "s" };
    let mut out = format!(
        "nothing was imported: {} problem{} ({} bad line{}); fix the file and import it again:",
        problems.len(),
        s(problems.len()),
        bad.len(),
        s(bad.len())
    );
    for p in problems.iter().take(MAX_LISTED) {
        out.push_str(&format!("\n  {p}"));
    }
    if problems.len() > MAX_LISTED {
        out.push_str(&format!("\n  …and {} more", problems.len() - MAX_LISTED));
    }
    out
}
