//! What a spreadsheet writes around the sets: header rows (line numbers
//! and empty trailing cells are `domain::csv_lines`').

/// Words a header row is made of (English, and the Dutch of the seeds).
const HEADER_WORDS: &[&str] = &[
    "agreement",
    "authorization",
    "authorisation",
    "license",
    "licence",
    "enrollment",
    "enrolment",
    "customer",
    "number",
    "name",
    "overeenkomst",
    "autorisatie",
    "licentie",
    "registratie",
    "nummer",
    "naam",
];

/// A first row with no digit in any cell and a header word in one.
pub(super) fn is_header(fields: &[&[u8]]) -> bool {
    let text = String::from_utf8_lossy(&fields.concat()).to_lowercase();
    !text.chars().any(|c| c.is_ascii_digit()) && HEADER_WORDS.iter().any(|w| text.contains(w))
}
