//! Reading an installs file (issue 8 review, B2; R-APP-9): a header row
//! naming the columns app, user, device, state, when, error (any order,
//! any case; others ignored), then one install a row. It takes what a
//! spreadsheet or a device-management export writes (the CSV helpers of
//! every import: BOM, CRLF, quoted fields, trailing empty cells).

use chrono::{DateTime, Utc};

use super::Problem;
use crate::domain::csv_lines::{LineCounter, cells, spreadsheet};

/// The columns, in the order rows are read into.
pub(super) const COLUMNS: [&str; 6] = ["app", "user", "device", "state", "when", "error"];
/// The install states a row may give.
pub const STATES: [&str; 4] = ["installed", "pending", "failed", "not_installed"];

/// One data row as written: its line and each column's cell (None when
/// empty or the column is absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Line {
    pub line: usize,
    pub cells: [Option<String>; 6],
}

/// A file's header and rows, or every problem found reading it.
#[derive(Debug, Default)]
pub(super) struct Read {
    /// Each column's place in the row (0-based), when the header names it.
    pub places: [Option<usize>; 6],
    /// Cells the header holds, named or not.
    pub width: usize,
    pub ignored: Vec<String>,
    pub lines: Vec<Line>,
}

impl Read {
    /// The column `index` as "column N (name)" problems name it.
    pub fn column(&self, index: usize) -> Option<(usize, String)> {
        self.places[index].map(|place| (place + 1, COLUMNS[index].to_owned()))
    }
}

/// Reads `bytes` into rows; Err lists every problem of the header or the
/// CSV itself (a row's values are checked against the cache later).
pub(super) fn read(bytes: &[u8]) -> Result<Read, Vec<Problem>> {
    let (bytes, mut reader) = spreadsheet(bytes);
    let mut read = Read::default();
    let mut header = false;
    let mut record = csv::ByteRecord::new();
    let mut lines = LineCounter::default();
    loop {
        let at = reader.position().byte() as usize;
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(err) => {
                let line = lines.line_at(bytes, at);
                return Err(vec![Problem::at(line, None, format!("unreadable CSV: {err}"))]);
            }
        }
        let start = record.position().map_or(at, |p| p.byte() as usize);
        let line = lines.line_at(bytes, start);
        let fields = cells(&record);
        if fields.is_empty() {
            continue;
        }
        let mut text = Vec::with_capacity(fields.len());
        for (n, field) in fields.iter().enumerate() {
            match std::str::from_utf8(field) {
                Ok(value) => text.push(value.to_owned()),
                Err(_) => {
                    let what = format!(
                        "column {} is not UTF-8 text; save the file as \"CSV UTF-8\"",
                        n + 1
                    );
                    return Err(vec![Problem::at(line, None, what)]);
                }
            }
        }
        if !header {
            header_of(line, &text, &mut read)?;
            header = true;
            continue;
        }
        if text.len() > read.width {
            let what = "more cells than the header names; quote a value that holds a comma".to_owned();
            return Err(vec![Problem::at(line, None, what)]);
        }
        let cell = |index: usize| {
            read.places[index]
                .and_then(|place| text.get(place))
                .filter(|value| !value.is_empty())
                .cloned()
        };
        let cells = std::array::from_fn(cell);
        read.lines.push(Line { line, cells });
    }
    if !header || read.lines.is_empty() {
        let what = "the file holds no install row; export the installs again".to_owned();
        return Err(vec![Problem::file(what)]);
    }
    Ok(read)
}

/// Places the header's columns; app and state are required, and user or
/// device.
fn header_of(line: usize, text: &[String], read: &mut Read) -> Result<(), Vec<Problem>> {
    let mut problems = Vec::new();
    read.width = text.len();
    for (place, name) in text.iter().enumerate() {
        let key = name.trim().to_lowercase();
        match COLUMNS.iter().position(|c| *c == key) {
            Some(index) if read.places[index].is_some() => problems.push(Problem::at(
                line,
                Some((place + 1, key.clone())),
                format!("the column {key} is named twice; name each column once"),
            )),
            Some(index) => read.places[index] = Some(place),
            None => read.ignored.push(name.clone()),
        }
    }
    let missing: Vec<&str> = [0, 3]
        .into_iter()
        .filter(|index| read.places[*index].is_none())
        .map(|index| COLUMNS[index])
        .collect();
    if !missing.is_empty() || (read.places[1].is_none() && read.places[2].is_none()) {
        problems.push(Problem::at(
            line,
            None,
            format!(
                "the header must name app, state and user or device (found: {}); \
                 start the file with: app,user,device,state,when,error",
                text.join(", ")
            ),
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// A `when` cell: RFC 3339.
pub(super) fn when(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|at| at.with_timezone(&Utc))
}
