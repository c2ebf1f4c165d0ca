//! What is wrong with a licensing-summary export (issue 9, R-AGR-8): the
//! rule a problem breaks, where it is (line and column) and what to do.

use std::fmt;

/// Which rule of the export a problem breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// The first row names the columns, each needed one once.
    Header,
    /// A line holds a cell for every needed column.
    Cells,
    /// Both numbers given, ASCII, no spaces.
    Number,
    /// A product title, at most 256 characters.
    Product,
    /// A whole number of licenses, 0 or more.
    Quantity,
    /// Dates as YYYY-MM-DD, the end (if any) not before the start.
    Date,
    /// Text is UTF-8.
    Encoding,
    /// 1 to 100,000 entitlement rows.
    RowCount,
}

impl Rule {
    /// What to do about a breach.
    pub fn fix(self) -> &'static str {
        match self {
            Rule::Header => {
                "keep the export's header row: agreement number, enrollment number, product, quantity, \
                 start date, end date (other columns are ignored)"
            }
            Rule::Cells => "give every named column a cell on the line",
            Rule::Number => {
                "copy the number from the volume-licensing portal: ASCII letters, digits and dashes, no spaces"
            }
            Rule::Product => "give the product title, at most 256 characters",
            Rule::Quantity => "give a whole number of licenses, 0 or more (digits only)",
            Rule::Date => "write dates as YYYY-MM-DD; leave the end date empty for a perpetual license",
            Rule::Encoding => "save the file as \"CSV UTF-8\"",
            Rule::RowCount => "import the portal's export as downloaded: 1 to 100,000 entitlements",
        }
    }
}

/// One breach: where (line and column, when it has one), which rule, what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line of the file; None for the file as a whole.
    pub line: Option<usize>,
    /// The column as the header names it, with its 1-based position.
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
        write!(f, "{} (R-AGR-8); {}", self.what, self.rule.fix())
    }
}

/// The message of a refused export: nothing imported, then every problem
/// on a line of its own, in file order.
pub fn describe(problems: &[Problem]) -> String {
    let lines: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
    let mut numbers: Vec<usize> = problems.iter().filter_map(|p| p.line).collect();
    numbers.sort_unstable();
    numbers.dedup();
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    format!(
        "nothing was imported: {} problem{} ({} bad line{}); fix the file and import it again:\n{}",
        problems.len(),
        plural(problems.len()),
        numbers.len(),
        plural(numbers.len()),
        lines.join("\n")
    )
}
