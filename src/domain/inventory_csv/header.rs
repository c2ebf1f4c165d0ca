//! The header row: which cell holds which column, found by name
//! (case-insensitive, in any order, a few aliases that inventory tools
//! write); columns seats doesn't know are ignored.

use super::problem::{Problem, Rule};

/// The columns seats reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Computer,
    User,
    Publisher,
    Product,
    Version,
    LastSeen,
}

impl Field {
    const ALL: [Field; 6] = [
        Field::Computer,
        Field::User,
        Field::Publisher,
        Field::Product,
        Field::Version,
        Field::LastSeen,
    ];

    /// The name the README gives the column.
    pub fn name(self) -> &'static str {
        match self {
            Field::Computer => "computer",
            Field::User => "user",
            Field::Publisher => "publisher",
            Field::Product => "product",
            Field::Version => "version",
            Field::LastSeen => "last seen",
        }
    }

    /// Header texts (normalised: lowercase, single spaces) read as it.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::Computer => &["computer", "computer name", "device", "device name", "hostname"],
            Field::User => &["user", "upn", "user principal name", "primary user"],
            Field::Publisher => &["publisher", "vendor", "manufacturer"],
            Field::Product => &["product", "product name", "title", "software", "application"],
            Field::Version => &["version", "product version"],
            Field::LastSeen => &["last seen", "lastseen", "last seen date", "last detected"],
        }
    }

    fn required(self) -> bool {
        matches!(self, Field::Computer | Field::Publisher | Field::Product)
    }
}

/// Where each column is (0-based cell index), and what the header holds.
#[derive(Debug, Clone, Default)]
pub struct Columns {
    at: [Option<usize>; 6],
    /// Header cells seats ignores, as written.
    pub ignored: Vec<String>,
    /// How many cells the header has.
    pub width: usize,
}

impl Columns {
    /// The cell index of `field`, if the header has it.
    pub fn index(&self, field: Field) -> Option<usize> {
        self.at[field as usize]
    }

    /// The 1-based column and its name, for a problem.
    pub fn place(&self, field: Field) -> Option<(usize, String)> {
        self.index(field).map(|i| (i + 1, field.name().to_owned()))
    }
}

/// "Last_Seen", " last-seen " → "last seen".
fn normal(cell: &str) -> String {
    cell.to_lowercase()
        .replace(['_', '-', '.'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads the header row at `line`; Err lists every problem with it.
pub fn read(line: usize, cells: &[String]) -> Result<Columns, Vec<Problem>> {
    let mut columns = Columns {
        width: cells.len(),
        ..Columns::default()
    };
    let mut problems = Vec::new();
    for (i, cell) in cells.iter().enumerate() {
        let text = normal(cell);
        let Some(field) = Field::ALL
            .into_iter()
            .find(|f| f.aliases().contains(&text.as_str()))
        else {
            if !text.is_empty() {
                columns.ignored.push(cell.clone());
            }
            continue;
        };
        match columns.at[field as usize] {
            Some(first) => problems.push(Problem {
                line: Some(line),
                column: Some((i + 1, field.name().to_owned())),
                rule: Rule::DuplicateColumn,
                what: format!(
                    "{cell:?} is the {} column again (column {} is one)",
                    field.name(),
                    first + 1
                ),
            }),
            None => columns.at[field as usize] = Some(i),
        }
    }
    let known = Field::ALL.iter().any(|f| columns.index(*f).is_some());
    if !known {
        let what = format!(
            "the first row ({}) names none of the columns seats reads",
            cells.join(", ")
        );
        problems.push(Problem {
            line: Some(line),
            column: None,
            rule: Rule::Header,
            what,
        });
        return Err(problems);
    }
    for field in Field::ALL
        .into_iter()
        .filter(|f| f.required() && columns.index(*f).is_none())
    {
        problems.push(Problem {
            line: Some(line),
            column: None,
            rule: Rule::MissingColumn,
            what: format!("the header has no {} column", field.name()),
        });
    }
    if problems.is_empty() {
        Ok(columns)
    } else {
        Err(problems)
    }
}
