//! Word wrapping for messages, help and the palette: lines break between
//! words, never inside one (a word wider than the line is the only one
//! split).

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::columns::{display_width, head};

/// `text` broken into lines of at most `width` columns, between words.
pub fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let needed = display_width(word) + usize::from(!line.is_empty());
        if !line.is_empty() && display_width(&line) + needed > width {
            lines.push(std::mem::take(&mut line));
        }
        let mut word = word;
        // Only a word wider than a whole line is split.
        while display_width(word) > width {
            let mut piece = head(word, width);
            if piece.is_empty() {
                // A character wider than the whole line: it goes alone.
                piece = word.chars().next().map_or(word, |c| &word[..c.len_utf8()]);
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            lines.push(piece.to_owned());
            word = &word[piece.len()..];
        }
        if !word.is_empty() {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// `label` then `text` wrapped beside it: continuation lines start under
/// the text, so a list of keys and what they do stays readable. A label
/// wider than `indent` gets a line of its own.
pub fn hanging(
    label: Span<'static>,
    indent: usize,
    text: &str,
    style: Style,
    width: usize,
) -> Vec<Line<'static>> {
    let room = width.saturating_sub(indent).max(1);
    let mut lines = Vec::new();
    let mut label = Some(label);
    if label.as_ref().is_some_and(|l| l.width() > indent) {
        lines.extend(label.take().map(Line::from));
    }
    for part in wrap_words(text, room) {
        let lead = label.take().unwrap_or_else(|| Span::raw(" ".repeat(indent)));
        lines.push(Line::from(vec![lead, Span::styled(part, style)]));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_break_between_words() {
        assert_eq!(
            wrap_words(
                "pending activation at the publisher: seats can't be assigned yet",
                20
            ),
            vec![
                "pending activation",
                "at the publisher:",
                "seats can't be",
                "assigned yet"
            ]
        );
        assert_eq!(wrap_words("short", 20), vec!["short"]);
        assert_eq!(wrap_words("", 20), vec![""]);
    }

    #[test]
    fn only_a_word_wider_than_the_line_is_split() {
        assert_eq!(
            wrap_words("see aaliyah.bianchi@contoso-demo.example now", 12),
            vec!["see", "aaliyah.bian", "chi@contoso-", "demo.example", "now"]
        );
        assert_eq!(
            wrap_words("日本語のテキスト", 5),
            vec!["日本", "語の", "テキ", "スト"]
        );
    }

    #[test]
    fn continuation_lines_hang_under_the_text() {
        let text =
            |lines: Vec<Line<'static>>| -> Vec<String> { lines.iter().map(|l| l.to_string()).collect() };
        let lines = hanging(
            Span::raw("k    "),
            5,
            "assign seats of the pool",
            Style::new(),
            16,
        );
        assert_eq!(text(lines), vec!["k    assign", "     seats of", "     the pool"]);
        let lines = hanging(Span::raw("Ctrl-x Ctrl-y"), 5, "quit", Style::new(), 16);
        assert_eq!(text(lines), vec!["Ctrl-x Ctrl-y", "     quit"]);
    }

    #[test]
    fn every_line_fits() {
        let text = "a bb ccc dddd eeeee ffffff ggggggg hhhhhhhh iiiiiiiii";
        for width in 1..20 {
            for line in wrap_words(text, width) {
                assert!(display_width(&line) <= width, "{width}: {line:?}");
            }
        }
    }
}
