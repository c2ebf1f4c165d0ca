//! Reading the licensing-summary export an admin downloads from the
//! volume-licensing portal (issue 9, R-AGR-8; VLSC has no public API). It
//! reads only what such an export holds: per row the agreement (or
//! authorization) number, the enrollment (or license) number, the product
//! title, the quantity and the start and end dates. The first non-blank
//! row is the header: columns are found by name (case and punctuation
//! ignored, a few spellings each) in any order, and unknown columns are
//! ignored. It takes what a spreadsheet writes (UTF-8 BOM, CRLF, blank
//! lines, RFC 4180 quotes). Any bad line refuses the whole file, and every
//! bad line is listed.

mod header;
mod row;

use chrono::NaiveDate;

use super::csv_lines::{LineCounter, cells};
use super::entitlement_problem::{Problem, Rule};

/// The most rows an export may hold.
pub const MAX_ROWS: usize = 100_000;

/// One entitlement of the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entitlement {
    /// 1-based line of the file where the row starts.
    pub line: usize,
    /// Authorization/agreement number.
    pub first: String,
    /// License/enrollment number.
    pub second: String,
    pub product: String,
    pub quantity: i64,
    pub starts: NaiveDate,
    /// None: a perpetual license.
    pub ends: Option<NaiveDate>,
}

/// Reads an export; Err lists every problem, each bad line with its column.
pub fn parse(bytes: &[u8]) -> Result<Vec<Entitlement>, Vec<Problem>> {
    let (bytes, mut reader) = super::csv_lines::spreadsheet(bytes);
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    let mut names: Option<Vec<String>> = None;
    let mut columns = None;
    let mut record = csv::ByteRecord::new();
    let mut lines = LineCounter::default();
    let mut data = 0usize;
    loop {
        let at = reader.position().byte() as usize;
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(err) => {
                problems.push(Problem {
                    line: Some(lines.line_at(bytes, at)),
                    column: None,
                    rule: Rule::Cells,
                    what: format!("unreadable CSV: {err}"),
                });
                break;
            }
        }
        let start = record.position().map_or(at, |p| p.byte() as usize);
        let line = lines.line_at(bytes, start);
        let fields = cells(&record);
        if fields.is_empty() {
            continue;
        }
        if names.is_none() {
            let text: Vec<String> = fields
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            match header::map(line, &text) {
                Ok(found) => columns = Some(found),
                Err(mut found) => problems.append(&mut found),
            }
            names = Some(text);
            continue;
        }
        data += 1;
        let Some(columns) = columns else {
            continue; // the header is refused already; its problems say why
        };
        match row::read(
            line,
            &fields,
            record.len(),
            names.as_deref().unwrap_or_default(),
            &columns,
        ) {
            Ok(entitlement) => rows.push(entitlement),
            Err(mut found) => problems.append(&mut found),
        }
    }
    count_rows(&names, data, &mut problems);
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

fn count_rows(names: &Option<Vec<String>>, rows: usize, problems: &mut Vec<Problem>) {
    let what = match (rows, names) {
        (0, None) => "the file is empty (or blank): no header, no entitlement".to_owned(),
        (0, Some(_)) => "the file holds a header and no entitlement".to_owned(),
        (n, _) if n > MAX_ROWS => format!("the file holds {n} entitlements; at most {MAX_ROWS}"),
        _ => return,
    };
    problems.insert(
        0,
        Problem {
            line: None,
            column: None,
            rule: Rule::RowCount,
            what,
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_found_by_name_in_any_order_and_unknown_ones_ignored() {
        let text = b"Quantity,Notes,END DATE,Product,start_date,Enrollment Number,Agreement Number\n\
                     25,x,2027-06-30,Office LTSC Professional Plus 2021,2024-07-01,E-1,4471\n";
        let rows = parse(text).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].first.as_str(), rows[0].second.as_str()), ("4471", "E-1"));
        assert_eq!(rows[0].quantity, 25);
        assert_eq!(rows[0].line, 2);
    }

    #[test]
    fn a_header_without_a_needed_column_is_refused_naming_it() {
        let problems =
            parse(b"Agreement Number,Product,Quantity,Start Date,End Date\n1,P,1,2024-01-01,\n").unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].rule, Rule::Header);
        assert!(problems[0].what.contains("enrollment"), "{}", problems[0].what);
    }
}
