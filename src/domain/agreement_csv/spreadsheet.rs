//! What a spreadsheet writes around the sets: header rows, empty trailing
//! cells, and line numbers that CRLF endings and quoted line breaks shift.

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

/// Line numbers by byte offset. The reader's own count is off by one after
/// a CRLF, and its offsets point at the end of the line before, so the
/// line breaks before a record are skipped here. Offsets only grow, so
/// each byte is counted once.
#[derive(Default)]
pub(crate) struct LineCounter {
    offset: usize,
    breaks: usize,
}

impl LineCounter {
    /// The 1-based line of the record whose parse started at `offset`.
    pub(crate) fn line_at(&mut self, bytes: &[u8], offset: usize) -> usize {
        let mut start = offset.min(bytes.len());
        while bytes.get(start).is_some_and(|b| *b == b'\r' || *b == b'\n') {
            start += 1;
        }
        let from = self.offset.min(start);
        self.breaks += bytes[from..start].iter().filter(|b| **b == b'\n').count();
        self.offset = start;
        self.breaks + 1
    }
}

/// The record's cells without the empty ones a spreadsheet leaves at the
/// end of a row; a row of empty cells is blank.
pub(crate) fn cells(record: &csv::ByteRecord) -> Vec<&[u8]> {
    let mut fields: Vec<&[u8]> = record.iter().collect();
    while fields.last().is_some_and(|f| f.is_empty()) {
        fields.pop();
    }
    fields
}

/// A first row with no digit in any cell and a header word in one.
pub(super) fn is_header(fields: &[&[u8]]) -> bool {
    let text = String::from_utf8_lossy(&fields.concat()).to_lowercase();
    !text.chars().any(|c| c.is_ascii_digit()) && HEADER_WORDS.iter().any(|w| text.contains(w))
}
