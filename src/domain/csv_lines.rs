//! What every CSV seats imports has in common, as spreadsheets write it:
//! line numbers that CRLF endings and quoted line breaks shift, and empty
//! cells at the end of a row (agreements, entitlements, inventory).

/// Line numbers by byte offset. The reader's own count is off by one after
/// a CRLF, and its offsets point at the end of the line before, so the
/// line breaks before a record are skipped here. Offsets only grow, so
/// each byte is counted once.
#[derive(Default)]
pub struct LineCounter {
    offset: usize,
    breaks: usize,
}

impl LineCounter {
    /// The 1-based line of the record whose parse started at `offset`.
    pub fn line_at(&mut self, bytes: &[u8], offset: usize) -> usize {
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
pub fn cells(record: &csv::ByteRecord) -> Vec<&[u8]> {
    let mut fields: Vec<&[u8]> = record.iter().collect();
    while fields.last().is_some_and(|f| f.is_empty()) {
        fields.pop();
    }
    fields
}

/// The file without its UTF-8 BOM, and a reader of it as spreadsheets
/// write CSV: no header assumed (each parser finds its own), rows of any
/// width, cells trimmed.
pub fn spreadsheet(bytes: &[u8]) -> (&[u8], csv::Reader<&[u8]>) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    (bytes, reader)
}
