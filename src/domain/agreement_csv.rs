//! Reading a volume-licensing agreement file (R-AGR-2..5): one number set
//! per line, 2 columns (the pair) or 3 (pair + agreement name). It takes
//! what a spreadsheet writes (UTF-8 BOM, CRLF, blank lines, RFC 4180
//! quotes, a header row, trailing empty cells) and refuses what the rules
//! forbid. Any bad line refuses the whole file, and every bad line is
//! listed, so the admin fixes the file once.

mod spreadsheet;

use std::collections::HashMap;

use super::csv_lines::{LineCounter, cells};
use spreadsheet::is_header;

use super::agreement_rules::{
    Column, MAX_SETS, Problem, Rule, check_file_name, check_name, check_pair, clash_key,
};

/// One number set of the file, as it will be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetLine {
    /// 1-based line of the file where the record starts.
    pub line: usize,
    pub first: String,
    pub second: String,
    /// The agreement's name: the third column, or the pair when it has none.
    pub name: String,
    /// Whether the file named it (false: named after its pair).
    pub named: bool,
}

/// A file that obeys every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementFile {
    /// The header row recognised and skipped: (line, its text).
    pub header: Option<(usize, String)>,
    pub sets: Vec<SetLine>,
}

/// The name an unnamed set gets: its two numbers.
pub fn pair_name(first: &str, second: &str) -> String {
    format!("{first} {second}")
}

/// Reads `bytes`, the file called `file_name` (its name only, no folder).
/// Err lists every problem: each bad line with its column and rule, and
/// the file's own (its name, how many sets it holds).
pub fn parse(file_name: &str, bytes: &[u8]) -> Result<AgreementFile, Vec<Problem>> {
    let (file, problems) = read(file_name, bytes);
    if problems.is_empty() {
        Ok(file)
    } else {
        Err(problems)
    }
}

/// As [`parse`], keeping the good lines beside the problems, so the caller
/// can check those against the cache and list every bad line at once.
pub fn read(file_name: &str, bytes: &[u8]) -> (AgreementFile, Vec<Problem>) {
    let (bytes, mut reader) = super::csv_lines::spreadsheet(bytes);
    let mut problems: Vec<Problem> = check_file_name(file_name).into_iter().collect();
    let mut file = AgreementFile {
        header: None,
        sets: Vec::new(),
    };
    let mut seen = Seen::default();
    let mut record = csv::ByteRecord::new();
    let mut data_lines = 0usize;
    let mut lines = LineCounter::default();
    loop {
        let at = reader.position().byte() as usize;
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(err) => {
                let line = lines.line_at(bytes, at);
                problems.push(line_problem(
                    line,
                    None,
                    Rule::Columns,
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
        if data_lines == 0 && file.header.is_none() && is_header(&fields) {
            let text: Vec<String> = fields
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            file.header = Some((line, text.join(", ")));
            continue;
        }
        data_lines += 1;
        match read_line(line, &fields, &mut seen) {
            Ok(set) => file.sets.push(set),
            Err(mut found) => problems.append(&mut found),
        }
    }
    if data_lines == 0 || data_lines > MAX_SETS {
        let what = match (data_lines, &file.header) {
            (0, Some(_)) => "the file holds a header and no number set".to_owned(),
            (0, None) => "the file holds no number set (it is empty or blank)".to_owned(),
            (n, _) => format!("the file holds {n} number sets; at most {MAX_SETS}"),
        };
        problems.insert(0, whole_file(Rule::SetCount, what));
    }
    (file, problems)
}

/// Names and pairs seen so far, by clash key, with their line.
#[derive(Default)]
struct Seen {
    names: HashMap<String, usize>,
    pairs: HashMap<(String, String), usize>,
}

/// One data line: its set, or every problem it has.
fn read_line(line: usize, fields: &[&[u8]], seen: &mut Seen) -> Result<SetLine, Vec<Problem>> {
    let mut problems = Vec::new();
    if fields.len() == 1 {
        let what = "1 column: the second number is missing".to_owned();
        problems.push(line_problem(
            line,
            Some(Column::Second),
            Rule::MissingNumber,
            what,
        ));
        return Err(problems);
    }
    if fields.len() > 3 {
        let what = format!(
            "{} columns; a line holds 2 (number pair) or 3 (pair and name)",
            fields.len()
        );
        problems.push(line_problem(line, Some(Column::Extra(4)), Rule::Columns, what));
        return Err(problems);
    }
    let first = number_text(fields[0]);
    let second = number_text(fields[1]);
    for (column, rule, what) in check_pair(&first, &second) {
        problems.push(line_problem(line, Some(column), rule, what));
    }
    let given = match fields.get(2).map(|f| std::str::from_utf8(f)) {
        None => None,
        Some(Ok(name)) => Some(name.to_owned()),
        Some(Err(_)) => {
            let what = "the name is not UTF-8 text".to_owned();
            problems.push(line_problem(line, Some(Column::Name), Rule::Encoding, what));
            None
        }
    };
    if let Some((rule, what)) = given.as_deref().and_then(check_name) {
        problems.push(line_problem(line, Some(Column::Name), rule, what));
    }
    let pair_key = (clash_key(&first), clash_key(&second));
    if let Some(earlier) = seen.pairs.get(&pair_key) {
        let what = format!("the number set {first}, {second} is on line {earlier} already");
        problems.push(line_problem(line, Some(Column::Pair), Rule::DuplicatePair, what));
    } else {
        seen.pairs.insert(pair_key, line);
    }
    let named = given.is_some();
    let name = given.unwrap_or_else(|| pair_name(&first, &second));
    match seen.names.get(&clash_key(&name)) {
        Some(earlier) if named => {
            let what = format!("the name {name:?} is on line {earlier} already");
            problems.push(line_problem(line, Some(Column::Name), Rule::DuplicateName, what));
        }
        _ => {
            seen.names.entry(clash_key(&name)).or_insert(line);
        }
    }
    if problems.is_empty() {
        Ok(SetLine {
            line,
            first,
            second,
            name,
            named,
        })
    } else {
        Err(problems)
    }
}

/// A number as text; bytes that are not UTF-8 become U+FFFD, which the
/// ASCII rule then refuses by position.
fn number_text(field: &[u8]) -> String {
    String::from_utf8_lossy(field).into_owned()
}

fn line_problem(line: usize, column: Option<Column>, rule: Rule, what: String) -> Problem {
    Problem {
        line: Some(line),
        column,
        rule,
        what,
    }
}

fn whole_file(rule: Rule, what: String) -> Problem {
    Problem {
        line: None,
        column: None,
        rule,
        what,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_doc_example_reads_as_one_named_set() {
        let file = parse("a.csv", b"01-07001, 01-07001, Office agreements\n").unwrap();
        assert_eq!(file.sets.len(), 1);
        assert_eq!(file.sets[0].name, "Office agreements");
        assert_eq!(file.sets[0].first, "01-07001");
    }

    #[test]
    fn a_header_is_recognised_by_its_words_and_skipped() {
        let text = b"Agreement number,Enrollment number,Name\r\n1234,5678,Select\r\n";
        let file = parse("a.csv", text).unwrap();
        assert_eq!(file.header.map(|h| h.0), Some(1));
        assert_eq!(file.sets[0].line, 2);
    }

    #[test]
    fn an_unnamed_name_clash_is_left_to_the_pair_check() {
        let problems = parse("a.csv", b"a1,b2\nA1,B2\n").unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].rule, Rule::DuplicatePair);
        assert_eq!(problems[0].line, Some(2));
    }
}
