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

/// `line` broken to `width` columns between words, keeping each word's
/// style; when its first span is a label `indent` columns wide (a detail
/// field), continuation lines start under the value, not at column 0.
pub fn hang_line(line: &Line<'static>, indent: usize, width: usize) -> Vec<Line<'static>> {
    if line.width() <= width {
        return vec![line.clone()];
    }
    let (lead, rest) = match line.spans.split_first() {
        Some((label, rest)) if label.width() == indent && indent < width => (label.clone(), rest),
        _ => (Span::raw(""), &line.spans[..]),
    };
    let mut out = Hanging {
        indent: lead.width(),
        lead: Some(lead),
        room: width.saturating_sub(indent).max(1),
        lines: Vec::new(),
        current: Vec::new(),
        used: 0,
    };
    for (word, style) in styled_words(rest) {
        out.push_word(&word, style);
    }
    if out.used > 0 || out.lines.is_empty() {
        out.flush();
    }
    out.lines
}

/// Lines being filled by `hang_line`.
struct Hanging {
    indent: usize,
    /// The label, until the first line takes it.
    lead: Option<Span<'static>>,
    room: usize,
    lines: Vec<Line<'static>>,
    current: Vec<Span<'static>>,
    used: usize,
}

impl Hanging {
    fn flush(&mut self) {
        let first = self
            .lead
            .take()
            .unwrap_or_else(|| Span::raw(" ".repeat(self.indent)));
        let mut spans = vec![first];
        spans.append(&mut self.current);
        self.lines.push(Line::from(spans));
        self.used = 0;
    }

    fn push_word(&mut self, word: &str, style: Style) {
        let mut word = word;
        if self.used > 0 && self.used + 1 + display_width(word) > self.room {
            self.flush();
        }
        // Only a word wider than a whole line is split.
        while display_width(word) > self.room {
            if self.used > 0 {
                self.flush();
            }
            let mut piece = head(word, self.room);
            if piece.is_empty() {
                piece = word.chars().next().map_or(word, |c| &word[..c.len_utf8()]);
            }
            self.current.push(Span::styled(piece.to_owned(), style));
            self.flush();
            word = &word[piece.len()..];
        }
        if word.is_empty() {
            return;
        }
        if self.used > 0 {
            self.current.push(Span::raw(" "));
            self.used += 1;
        }
        self.current.push(Span::styled(word.to_owned(), style));
        self.used += display_width(word);
    }
}

/// The words of `spans`, each with the style of the span it is in.
fn styled_words(spans: &[Span<'static>]) -> Vec<(String, Style)> {
    let mut words: Vec<(String, Style)> = Vec::new();
    // A word may run over from one span into the next ("12" "!").
    let mut open = false;
    for span in spans {
        let content = span.content.as_ref();
        for (index, part) in content.split(' ').enumerate() {
            let joins = index == 0 && open;
            if part.is_empty() {
                open = false;
                continue;
            }
            match words.last_mut() {
                Some((word, _)) if joins => word.push_str(part),
                _ => words.push((part.to_owned(), span.style)),
            }
            open = true;
        }
        open = open && !content.ends_with(' ');
    }
    words
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
    fn a_field_value_wraps_under_the_value_column() {
        let line = Line::from(vec![
            Span::raw("Status     "),
            Span::styled(
                "pending activation at the publisher: seats can't be assigned yet",
                Style::new().bold(),
            ),
        ]);
        let lines = hang_line(&line, 11, 40);
        let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        assert_eq!(
            text,
            vec![
                "Status     pending activation at the",
                "           publisher: seats can't be",
                "           assigned yet",
            ]
        );
        assert!(lines.iter().all(|l| l.width() <= 40));
        assert_eq!(lines[1].spans[1].style, Style::new().bold(), "styles stay");
        let short = Line::from(vec![Span::raw("State      "), Span::raw("enabled")]);
        assert_eq!(hang_line(&short, 11, 40), vec![short.clone()]);
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
