//! One data row of the export: each cell checked, every problem kept.

use chrono::NaiveDate;

use super::super::entitlement_problem::{Problem, Rule};
use super::Entitlement;
use super::header::{Columns, label};

/// Product titles are at most this long (as agreement names, R-AGR-4).
const MAX_TITLE: usize = 256;

/// Reads the row at `line`, or says everything wrong with it.
pub(super) fn read(
    line: usize,
    fields: &[&[u8]],
    cells: usize,
    names: &[String],
    columns: &Columns,
) -> Result<Entitlement, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut problem = |index: usize, rule: Rule, what: String| {
        problems.push(Problem {
            line: Some(line),
            column: Some(label(names, index)),
            rule,
            what,
        });
    };
    // A spreadsheet writes every cell; `fields` lacks the empty ones at
    // the end, so the line's own width (`cells`) decides.
    if cells < columns.width {
        let what = format!("{cells} cells; the header names {}", columns.width);
        problem(cells, Rule::Cells, what);
        return Err(problems);
    }
    let mut text = |index: usize| match std::str::from_utf8(fields.get(index).copied().unwrap_or_default()) {
        Ok(text) => Some(text.to_owned()),
        Err(_) => {
            problem(index, Rule::Encoding, "the cell is not UTF-8 text".to_owned());
            None
        }
    };
    let first = text(columns.first);
    let second = text(columns.second);
    let product = text(columns.product);
    let quantity = text(columns.quantity);
    let starts = text(columns.start);
    let ends = text(columns.end);
    for (index, number) in [(columns.first, &first), (columns.second, &second)] {
        if let Some(why) = number.as_deref().and_then(bad_number) {
            problem(index, Rule::Number, why);
        }
    }
    match product.as_deref() {
        Some("") => problem(
            columns.product,
            Rule::Product,
            "the product title is empty".to_owned(),
        ),
        Some(title) if title.chars().count() > MAX_TITLE => {
            let what = format!("the product title is {} characters", title.chars().count());
            problem(columns.product, Rule::Product, what);
        }
        _ => {}
    }
    let quantity = quantity.as_deref().and_then(|q| match whole(q) {
        Some(n) => Some(n),
        None => {
            problem(
                columns.quantity,
                Rule::Quantity,
                format!("{q:?} is not a number of licenses"),
            );
            None
        }
    });
    let starts = starts.as_deref().and_then(|d| match date(d) {
        Some(date) => Some(date),
        None => {
            problem(
                columns.start,
                Rule::Date,
                format!("{d:?} is not a start date (YYYY-MM-DD)"),
            );
            None
        }
    });
    let ends = match ends.as_deref() {
        None | Some("") => Some(None),
        Some(d) => match date(d) {
            Some(date) => Some(Some(date)),
            None => {
                problem(
                    columns.end,
                    Rule::Date,
                    format!("{d:?} is not an end date (YYYY-MM-DD)"),
                );
                None
            }
        },
    };
    if let (Some(from), Some(Some(to))) = (starts, ends)
        && to < from
    {
        problem(
            columns.end,
            Rule::Date,
            format!("the term ends ({to}) before it starts ({from})"),
        );
    }
    match (first, second, product, quantity, starts, ends) {
        (Some(first), Some(second), Some(product), Some(quantity), Some(starts), Some(ends))
            if problems.is_empty() =>
        {
            Ok(Entitlement {
                line,
                first,
                second,
                product,
                quantity,
                starts,
                ends,
            })
        }
        _ => Err(problems),
    }
}

/// Why a number can't be one, if it can't.
fn bad_number(number: &str) -> Option<String> {
    if number.is_empty() {
        return Some("the number is missing".to_owned());
    }
    let bad = number.chars().find(|c| !c.is_ascii_graphic())?;
    Some(format!("{number:?} holds {bad:?}"))
}

/// Digits only, at most 10^12 (no export holds more licenses).
fn whole(text: &str) -> Option<i64> {
    if text.is_empty() || text.len() > 12 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// YYYY-MM-DD, or a timestamp starting with it (2024-07-01T00:00:00Z).
fn date(text: &str) -> Option<NaiveDate> {
    let day = text.get(..10)?;
    let rest = &text[10..];
    if !(rest.is_empty() || rest.starts_with('T') || rest.starts_with(' ')) {
        return None;
    }
    NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
}
