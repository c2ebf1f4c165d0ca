//! Reading a software-inventory file (issue 9, R-APP-10): a header row
//! naming the columns (computer, user, publisher, product, version, last
//! seen; any order, any case, unknown ones ignored), then one detected
//! product a row. It takes what a spreadsheet or an inventory tool writes
//! (UTF-8 BOM, CRLF, blank lines, quoted fields) and refuses the whole file
//! when any row is bad, listing every bad row. Names are interned: an
//! inventory of 100k computers × 40 titles is 4M rows of few names.

mod cells;
mod header;
mod problem;
mod row;

use chrono::{DateTime, Duration, Utc};

use super::csv_lines::{LineCounter, cells};
pub use header::{Columns, Field};
pub use problem::{MAX_LISTED, Problem, Rule, describe};
use row::{Names, at_line, read_row};

/// The longest name (computer, user, publisher, product) accepted.
pub const MAX_NAME: usize = 256;
/// The longest version accepted.
pub const MAX_VERSION: usize = 64;

/// One detected product on one computer. Indexes point into the file's
/// name lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// 1-based line of the file (the first, when lines were merged).
    pub line: u32,
    pub computer: u32,
    /// Into `products`: publisher and product as written.
    pub product: u32,
    pub version: Option<u32>,
    pub user: Option<u32>,
    pub seen: Option<DateTime<Utc>>,
}

/// A file that obeys every rule, its names each listed once.
#[derive(Debug, Clone, Default)]
pub struct InventoryFile {
    /// The header's line and the columns it names but seats ignores.
    pub header_line: usize,
    pub ignored: Vec<String>,
    /// Computer names, the first spelling of each (they match ignoring case).
    pub computers: Vec<String>,
    /// (publisher, product) as written; publishers match ignoring case.
    pub products: Vec<(String, String)>,
    pub versions: Vec<String>,
    pub users: Vec<String>,
    /// One per computer + product + version, in that order.
    pub rows: Vec<Row>,
    /// Data lines read; more than `rows` when lines repeated a key.
    pub lines: usize,
}

/// Reads `bytes`. `now` bounds last-seen dates (a day of slack for time
/// zones). Err lists every problem, in file order.
pub fn parse(bytes: &[u8], now: DateTime<Utc>) -> Result<InventoryFile, Vec<Problem>> {
    let (bytes, mut reader) = super::csv_lines::spreadsheet(bytes);
    let mut file = InventoryFile::default();
    let mut columns: Option<Columns> = None;
    let mut problems = Vec::new();
    let mut names = Names::default();
    let mut record = csv::ByteRecord::new();
    let mut lines = LineCounter::default();
    let latest = now + Duration::days(1);
    loop {
        let at = reader.position().byte() as usize;
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(err) => {
                let line = lines.line_at(bytes, at);
                problems.push(at_line(
                    line,
                    None,
                    Rule::Encoding,
                    format!("unreadable CSV: {err}"),
                ));
                break;
            }
        }
        let start = record.position().map_or(at, |p| p.byte() as usize);
        let line = lines.line_at(bytes, start);
        let fields = cells(&record);
        if fields.is_empty() {
            continue;
        }
        let Some(cols) = &columns else {
            let text: Vec<String> = fields
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            match header::read(line, &text) {
                Ok(found) => {
                    file.header_line = line;
                    file.ignored = found.ignored.clone();
                    columns = Some(found);
                }
                Err(mut found) => {
                    problems.append(&mut found);
                    return Err(problems);
                }
            }
            continue;
        };
        file.lines += 1;
        match read_row(line, &fields, cols, latest, &mut names, &mut file) {
            Ok(row) => file.rows.push(row),
            Err(mut found) => problems.append(&mut found),
        }
    }
    if columns.is_none() && problems.is_empty() {
        let what = "the file is empty or blank".to_owned();
        problems.push(Problem {
            line: None,
            column: None,
            rule: Rule::Empty,
            what,
        });
    } else if file.lines == 0 && problems.is_empty() {
        let what = "the file holds a header and no row".to_owned();
        problems.push(Problem {
            line: None,
            column: None,
            rule: Rule::Empty,
            what,
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    merge_repeats(&mut file.rows);
    Ok(file)
}

/// Lines repeating a computer + product + version (one per user of a
/// shared computer, say) become one row: the latest last seen, and the
/// user seen then (or any user given).
fn merge_repeats(rows: &mut Vec<Row>) {
    rows.sort_by_key(|r| (r.computer, r.product, r.version, r.line));
    rows.dedup_by(|later, kept| {
        if (later.computer, later.product, later.version) != (kept.computer, kept.product, kept.version) {
            return false;
        }
        if later.seen > kept.seen || kept.user.is_none() {
            kept.user = later.user.or(kept.user);
        }
        kept.seen = kept.seen.max(later.seen);
        true
    });
}
