//! The `/` filter of every table: case-insensitive substring, a leading `!`
//! inverts it.

/// A parsed filter.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TextFilter {
    /// The text to look for, as typed (without the `!`).
    pub needle: String,
    /// Keep rows that do *not* contain the needle.
    pub invert: bool,
}

impl TextFilter {
    /// Parses what the user typed; `None` when it filters nothing.
    pub fn parse(typed: &str) -> Option<TextFilter> {
        let (invert, needle) = match typed.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, typed),
        };
        if needle.is_empty() {
            return None;
        }
        Some(TextFilter {
            needle: needle.to_owned(),
            invert,
        })
    }

    /// Whether `haystack` passes the filter (the same rule the SQL applies).
    pub fn matches(&self, haystack: &str) -> bool {
        let found = haystack.to_lowercase().contains(&self.needle.to_lowercase());
        found != self.invert
    }

    /// A `LIKE` pattern with `\` as escape character, matching the needle
    /// anywhere. SQLite's LIKE is case-insensitive for ASCII.
    pub fn like_pattern(&self) -> String {
        let mut pattern = String::with_capacity(self.needle.len() + 2);
        pattern.push('%');
        for ch in self.needle.chars() {
            if matches!(ch, '%' | '_' | '\\') {
                pattern.push('\\');
            }
            pattern.push(ch);
        }
        pattern.push('%');
        pattern
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_bare_bang_filter_nothing() {
        assert_eq!(TextFilter::parse(""), None);
        assert_eq!(TextFilter::parse("!"), None);
    }

    #[test]
    fn substring_is_case_insensitive() {
        let filter = TextFilter::parse("OFFice").unwrap();
        assert!(filter.matches("Microsoft 365 E3 office"));
        assert!(!filter.matches("Adobe"));
    }

    #[test]
    fn leading_bang_inverts() {
        let filter = TextFilter::parse("!vpp").unwrap();
        assert!(filter.invert);
        assert!(filter.matches("Office"));
        assert!(!filter.matches("Keynote VPP"));
    }

    #[test]
    fn like_pattern_escapes_wildcards() {
        let filter = TextFilter::parse("50%_a\\b").unwrap();
        assert_eq!(filter.like_pattern(), "%50\\%\\_a\\\\b%");
    }
}
