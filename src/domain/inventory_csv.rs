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

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use cells::{LineCounter, cells, is_upn, parse_date};
pub use header::{Columns, Field};
pub use problem::{MAX_LISTED, Problem, Rule, describe};

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

/// Names listed once, each found again by its key.
#[derive(Default)]
struct Interner {
    index: HashMap<String, u32>,
}

impl Interner {
    /// The index of `key`, pushing `text` onto `list` when it is new.
    fn get(&mut self, key: String, list: &mut Vec<String>, text: &str) -> u32 {
        let next = self.index.len() as u32;
        *self.index.entry(key).or_insert_with(|| {
            list.push(text.to_owned());
            next
        })
    }
}

/// Reads `bytes`. `now` bounds last-seen dates (a day of slack for time
/// zones). Err lists every problem, in file order.
pub fn parse(bytes: &[u8], now: DateTime<Utc>) -> Result<InventoryFile, Vec<Problem>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
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

/// The interners of the file's name lists.
#[derive(Default)]
struct Names {
    computers: Interner,
    products: Interner,
    versions: Interner,
    users: Interner,
}

/// One data line: its row, or every problem it has.
fn read_row(
    line: usize,
    fields: &[&[u8]],
    cols: &Columns,
    latest: DateTime<Utc>,
    names: &mut Names,
    file: &mut InventoryFile,
) -> Result<Row, Vec<Problem>> {
    let mut problems = Vec::new();
    if fields.len() > cols.width {
        let what = format!("{} cells; the header names {}", fields.len(), cols.width);
        problems.push(at_line(
            line,
            Some((cols.width + 1, "beyond the header".to_owned())),
            Rule::Cells,
            what,
        ));
        return Err(problems);
    }
    let mut value = |field: Field| -> Option<String> {
        let cell = fields.get(cols.index(field)?)?;
        let place = cols.place(field);
        let Ok(text) = std::str::from_utf8(cell) else {
            let what = format!("the {} is not UTF-8 text", field.name());
            problems.push(at_line(line, place, Rule::Encoding, what));
            return None;
        };
        let limit = if field == Field::Version {
            MAX_VERSION
        } else {
            MAX_NAME
        };
        let length = text.chars().count();
        if length > limit {
            let what = format!("the {} is {length} characters; at most {limit}", field.name());
            problems.push(at_line(line, place, Rule::Length, what));
            return None;
        }
        (!text.is_empty()).then(|| text.to_owned())
    };
    let computer = value(Field::Computer);
    let publisher = value(Field::Publisher);
    let product = value(Field::Product);
    let version = value(Field::Version);
    let user = value(Field::User);
    let seen_text = value(Field::LastSeen);
    for (field, given) in [
        (Field::Computer, &computer),
        (Field::Publisher, &publisher),
        (Field::Product, &product),
    ] {
        if given.is_none() && !problems.iter().any(|p| p.column == cols.place(field)) {
            let what = format!("no {}", field.name());
            problems.push(at_line(line, cols.place(field), Rule::Required, what));
        }
    }
    if let Some(user) = user.as_deref().filter(|u| !is_upn(u)) {
        let what = format!("the user {user:?} is not a UPN");
        problems.push(at_line(line, cols.place(Field::User), Rule::Upn, what));
    }
    let seen = match seen_text.as_deref().map(|t| (t, parse_date(t))) {
        None => None,
        Some((_, Some(at))) if at <= latest => Some(at),
        Some((text, parsed)) => {
            let what = match parsed {
                Some(_) => format!("last seen {text:?} is in the future"),
                None => format!("last seen {text:?} is not a date"),
            };
            problems.push(at_line(line, cols.place(Field::LastSeen), Rule::Date, what));
            None
        }
    };
    let (Some(computer), Some(publisher), Some(product), true) =
        (computer, publisher, product, problems.is_empty())
    else {
        return Err(problems);
    };
    let product_key = format!("{}\u{0}{product}", publisher.to_lowercase());
    let next = names.products.index.len() as u32;
    let product_index = *names.products.index.entry(product_key).or_insert(next);
    if product_index == next {
        file.products.push((publisher, product));
    }
    Ok(Row {
        line: line as u32,
        computer: names
            .computers
            .get(computer.to_lowercase(), &mut file.computers, &computer),
        product: product_index,
        version: version.map(|v| names.versions.get(v.clone(), &mut file.versions, &v)),
        user: user.map(|u| names.users.get(u.to_lowercase(), &mut file.users, &u)),
        seen,
    })
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

fn at_line(line: usize, column: Option<(usize, String)>, rule: Rule, what: String) -> Problem {
    Problem {
        line: Some(line),
        column,
        rule,
        what,
    }
}
