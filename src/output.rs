//! Tables, CSV and JSON for the headless commands, from one set of rows.

use std::fmt::Write as _;

/// How a headless command prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    #[default]
    Table,
    /// RFC 4180 CSV with a header line.
    Csv,
    /// A JSON array of objects with stable snake_case keys.
    Json,
}

/// Renders `rows` (already as text cells) under `headers`.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let line = |cells: &mut dyn Iterator<Item = &str>, out: &mut String| {
        let text: Vec<String> = cells
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        let _ = writeln!(out, "{}", text.join("  ").trim_end());
    };
    line(&mut headers.iter().copied(), &mut out);
    for row in rows {
        line(&mut row.iter().map(String::as_str), &mut out);
    }
    out
}

/// Renders `rows` as CSV under `headers`.
pub fn csv(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    let header: Vec<String> = headers.iter().map(|h| csv_field(h)).collect();
    let _ = writeln!(out, "{}", header.join(","));
    for row in rows {
        let fields: Vec<String> = row.iter().map(|c| csv_field(c)).collect();
        let _ = writeln!(out, "{}", fields.join(","));
    }
    out
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// Renders serialisable rows as pretty JSON (an array).
pub fn json<T: serde::Serialize>(rows: &[T]) -> String {
    let mut text = serde_json::to_string_pretty(rows).unwrap_or_else(|_| "[]".to_owned());
    text.push('\n');
    text
}

/// The same rows as JSON objects, or as `cells` under `headers` in a table
/// or CSV.
pub fn render<T: serde::Serialize>(
    format: Format,
    headers: &[&str],
    cells: &[Vec<String>],
    rows: &[T],
) -> String {
    match format {
        Format::Json => json(rows),
        Format::Csv => csv(headers, cells),
        Format::Table => table(headers, cells),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let rows = vec![vec![
            "a,b".to_owned(),
            "say \"hi\"".to_owned(),
            "plain".to_owned(),
        ]];
        assert_eq!(
            csv(&["x", "y", "z"], &rows),
            "x,y,z\n\"a,b\",\"say \"\"hi\"\"\",plain\n"
        );
    }

    #[test]
    fn table_aligns_columns() {
        let rows = vec![vec!["long value".to_owned(), "1".to_owned()]];
        assert_eq!(table(&["a", "b"], &rows), "a           b\nlong value  1\n");
    }
}
