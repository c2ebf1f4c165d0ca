//! Cutting text to a width in screen columns, always with a visible "…":
//! at the end, in the middle (names that differ at the end stay apart), or
//! as an address (the domain goes first, then the middle of the local part,
//! so `isabella.zimmermann@…` and `isabella.zimmermann2@…` stay apart).

use ratatui::text::Span;

/// Columns a character takes on screen.
fn char_width(c: char) -> usize {
    let mut buffer = [0u8; 4];
    Span::raw(&*c.encode_utf8(&mut buffer)).width()
}

/// Columns `text` takes on screen.
pub fn display_width(text: &str) -> usize {
    Span::raw(text).width()
}

/// The longest start of `text` that fits in `width` columns.
pub fn head(text: &str, width: usize) -> &str {
    let mut used = 0;
    for (index, c) in text.char_indices() {
        used += char_width(c);
        if used > width {
            return &text[..index];
        }
    }
    text
}

/// The longest end of `text` that fits in `width` columns.
fn tail(text: &str, width: usize) -> &str {
    let mut used = 0;
    for (index, c) in text.char_indices().rev() {
        used += char_width(c);
        if used > width {
            return &text[index + c.len_utf8()..];
        }
    }
    text
}

/// `text` cut to `width` columns with "…" at the end.
pub fn cut_end(text: &str, width: usize) -> String {
    if display_width(text) <= width {
        return text.to_owned();
    }
    if width == 0 {
        return String::new();
    }
    format!("{}…", head(text, width - 1))
}

/// `text` cut to `width` columns with "…" in the middle: two thirds of the
/// room for the start, one third for the end.
pub fn cut_middle(text: &str, width: usize) -> String {
    if display_width(text) <= width {
        return text.to_owned();
    }
    if width == 0 {
        return String::new();
    }
    let room = width - 1;
    let end = tail(text, room / 3);
    let start = head(text, room - display_width(end));
    format!("{start}…{end}")
}

/// The local part and domain of an address (`local@domain`), split at the
/// last `@`; None for text that is not one.
fn split_address(text: &str) -> Option<(&str, &str)> {
    let at = text.rfind('@')?;
    let (local, domain) = (&text[..at], &text[at + 1..]);
    (!local.is_empty() && !domain.is_empty()).then_some((local, domain))
}

/// The columns an address needs to be told apart from others of the same
/// domain: its local part and "@…". Text that is not an address needs its
/// whole width.
pub fn address_key_width(text: &str) -> usize {
    match split_address(text) {
        Some((local, _)) => (display_width(local) + 2).min(display_width(text)),
        None => display_width(text),
    }
}

/// An address cut to `width` columns: first the end of the domain
/// (`ava.perez@contoso-d…`, then `ava.perez@…`), then the middle of the
/// local part (`isabe…mann2@…`). Text that is not an address is cut in the
/// middle.
pub fn cut_address(text: &str, width: usize) -> String {
    if display_width(text) <= width {
        return text.to_owned();
    }
    let Some((local, domain)) = split_address(text) else {
        return cut_middle(text, width);
    };
    let local_width = display_width(local);
    if local_width + 2 <= width {
        let domain = head(domain, width - local_width - 2);
        return format!("{local}@{domain}…");
    }
    if width >= 8 {
        return format!("{}@…", cut_middle(local, width - 2));
    }
    // Too narrow for "@…" beside a readable local part: the local part
    // alone, still marked as cut.
    match local_width.cmp(&width) {
        std::cmp::Ordering::Less => format!("{local}…"),
        std::cmp::Ordering::Equal => cut_middle(local, width - 1),
        std::cmp::Ordering::Greater => cut_middle(local, width),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_differ_at_the_end_stay_apart() {
        assert_eq!(
            cut_middle("Enterprise Mobility + Security E3", 22),
            "Enterprise Mob…rity E3"
        );
        assert_eq!(
            cut_middle("Enterprise Mobility + Security E5", 22),
            "Enterprise Mob…rity E5"
        );
        assert_eq!(cut_middle("Short", 22), "Short");
        assert_eq!(cut_middle("abcdef", 1), "…");
        assert_eq!(cut_middle("abcdef", 0), "");
    }

    #[test]
    fn cuts_count_screen_columns_not_bytes() {
        assert_eq!(cut_end("aaliyah.bianchi@contoso", 10), "aaliyah.b…");
        assert_eq!(cut_end("日本語のテキスト", 7), "日本語…");
        assert_eq!(cut_middle("日本語のテキスト名前", 9), "日本語…前");
        assert_eq!(
            cut_middle("日本語のテキスト名前", 10),
            "日本語…前",
            "never past the width"
        );
        assert_eq!(cut_middle("Élodie Dupont-Lefèvre", 10), "Élodie…vre");
    }

    #[test]
    fn an_address_loses_its_domain_first_then_the_middle_of_its_local_part() {
        let one = "isabella.zimmermann@contoso-demo.example";
        let two = "isabella.zimmermann2@contoso-demo.example";
        assert_eq!(cut_address(one, 40), one);
        assert_eq!(cut_address(two, 30), "isabella.zimmermann2@contoso-…");
        assert_eq!(cut_address(two, 22), "isabella.zimmermann2@…");
        assert_eq!(cut_address(one, 22), "isabella.zimmermann@c…");
        assert_eq!(cut_address(two, 16), "isabella.…ann2@…");
        assert_eq!(cut_address(one, 16), "isabella.…mann@…");
        assert_eq!(cut_address(two, 6), "isab…2");
        assert_eq!(cut_address("Sales team", 6), "Sale…m", "not an address");
        for width in 0..45 {
            for text in [one, two, "a@b", "@x", "日本@例え.jp"] {
                let cut = cut_address(text, width);
                assert!(display_width(&cut) <= width, "{text} at {width}: {cut}");
                assert!(cut == text || cut.contains('…') || cut.is_empty(), "{cut}");
            }
            let (a, b) = (cut_address(one, width), cut_address(two, width));
            if width >= 4 {
                assert_ne!(a, b, "at {width} columns");
            }
        }
    }

    #[test]
    fn an_address_needs_its_local_part_to_be_told_apart() {
        assert_eq!(address_key_width("ava.perez@contoso-demo.example"), 11);
        assert_eq!(address_key_width("a@b"), 3, "never more than the whole");
        assert_eq!(address_key_width("Sales team"), 10);
    }
}
