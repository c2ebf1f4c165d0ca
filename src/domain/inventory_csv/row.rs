//! One data row of an inventory file: its values checked against the
//! rules, its names interned (a 4M-row file holds few distinct names).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::cells::{is_upn, parse_date};
use super::header::{Columns, Field};
use super::problem::{Problem, Rule};
use super::{InventoryFile, MAX_NAME, MAX_VERSION, Row};

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

/// The interners of the file's name lists.
#[derive(Default)]
pub(super) struct Names {
    computers: Interner,
    products: Interner,
    versions: Interner,
    users: Interner,
}

/// One data line: its row, or every problem it has.
pub(super) fn read_row(
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

pub(super) fn at_line(line: usize, column: Option<(usize, String)>, rule: Rule, what: String) -> Problem {
    Problem {
        line: Some(line),
        column,
        rule,
        what,
    }
}
