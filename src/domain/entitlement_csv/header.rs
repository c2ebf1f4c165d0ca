//! The export's header row: which column holds which field, by name
//! without case, spaces or punctuation, in the spellings the portal and
//! spreadsheets use (English and the Dutch of the seeds). Order is free
//! and unknown columns are ignored.

use super::super::entitlement_problem::{Problem, Rule};

/// A field the import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    First,
    Second,
    Product,
    Quantity,
    Start,
    End,
}

/// Every field with its accepted spellings, lowercase letters and digits
/// only ("Enrollment Number" and "enrollment_number" are "enrollmentnumber").
const SPELLINGS: &[(Field, &[&str])] = &[
    (
        Field::First,
        &[
            "agreementnumber",
            "authorizationnumber",
            "authorisationnumber",
            "authorizationagreementnumber",
            "agreement",
            "overeenkomstnummer",
            "autorisatienummer",
        ],
    ),
    (
        Field::Second,
        &[
            "enrollmentnumber",
            "enrolmentnumber",
            "licensenumber",
            "licencenumber",
            "licenseenrollmentcustomernumber",
            "licenseenrollmentnumber",
            "enrollment",
            "licentienummer",
            "inschrijvingsnummer",
        ],
    ),
    (
        Field::Product,
        &[
            "product",
            "producttitle",
            "productname",
            "title",
            "producttitel",
            "productnaam",
        ],
    ),
    (
        Field::Quantity,
        &[
            "quantity",
            "qty",
            "licenses",
            "licences",
            "licensequantity",
            "aantal",
        ],
    ),
    (
        Field::Start,
        &[
            "startdate",
            "start",
            "starts",
            "effectivedate",
            "begindatum",
            "startdatum",
        ],
    ),
    (
        Field::End,
        &[
            "enddate",
            "end",
            "ends",
            "expirationdate",
            "expirydate",
            "einddatum",
        ],
    ),
];

/// Which 0-based cell holds each field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Columns {
    pub first: usize,
    pub second: usize,
    pub product: usize,
    pub quantity: usize,
    pub start: usize,
    pub end: usize,
    /// Cells a data line needs: one past the rightmost field.
    pub width: usize,
}

/// A field's name as the export writes it, for messages.
pub(super) fn label(names: &[String], index: usize) -> (usize, String) {
    (index + 1, names.get(index).cloned().unwrap_or_default())
}

fn key(cell: &str) -> String {
    cell.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Maps the header row at `line`; Err: each field missing or given twice.
pub(super) fn map(line: usize, names: &[String]) -> Result<Columns, Vec<Problem>> {
    let mut found: Vec<(Field, Option<usize>)> = SPELLINGS.iter().map(|(f, _)| (*f, None)).collect();
    let mut problems = Vec::new();
    for (index, name) in names.iter().enumerate() {
        let key = key(name);
        let Some(slot) = SPELLINGS.iter().position(|(_, s)| s.contains(&key.as_str())) else {
            continue;
        };
        match found[slot].1 {
            Some(earlier) => problems.push(Problem {
                line: Some(line),
                column: Some(label(names, index)),
                rule: Rule::Header,
                what: format!(
                    "{name:?} names the same field as column {} ({:?})",
                    earlier + 1,
                    names[earlier]
                ),
            }),
            None => found[slot].1 = Some(index),
        }
    }
    let mut at = |field: Field| {
        let slot = found.iter().find(|(f, _)| *f == field).and_then(|(_, i)| *i);
        if slot.is_none() {
            let what = format!(
                "no column for the {}; the header reads {:?}",
                describe(field),
                names.join(", ")
            );
            problems.push(Problem {
                line: Some(line),
                column: None,
                rule: Rule::Header,
                what,
            });
        }
        slot.unwrap_or(0)
    };
    let columns = [
        at(Field::First),
        at(Field::Second),
        at(Field::Product),
        at(Field::Quantity),
        at(Field::Start),
        at(Field::End),
    ];
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Columns {
        first: columns[0],
        second: columns[1],
        product: columns[2],
        quantity: columns[3],
        start: columns[4],
        end: columns[5],
        width: columns.iter().max().map_or(0, |m| m + 1),
    })
}

/// A field as a message names it.
fn describe(field: Field) -> &'static str {
    match field {
        Field::First => "agreement/authorization number (\"Agreement Number\")",
        Field::Second => "enrollment/license number (\"Enrollment Number\")",
        Field::Product => "product (\"Product\")",
        Field::Quantity => "quantity (\"Quantity\")",
        Field::Start => "start date (\"Start Date\")",
        Field::End => "end date (\"End Date\")",
    }
}
