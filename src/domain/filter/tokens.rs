//! Splitting what was typed into terms, and writing text back the way the
//! tokenizer reads it (for the suggestions in error messages).
//!
//! A term runs to the next space outside quotes. A `"` anywhere in a term
//! opens a quoted part that runs to the next `"`: spaces inside it belong to
//! the term, and the quotes themselves are dropped. So `"ava perez"` is one
//! phrase, `name:"Power BI"` is the condition `name` contains `Power BI`,
//! and `!upn:"x y"` its negation. Inside quotes `\"` is a quote and `\\` a
//! backslash; any other backslash is itself (`"C:\temp"`).

use super::FilterError;

/// One term of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Token {
    /// Keep the rows that do *not* pass the term.
    pub negated: bool,
    /// The term began with a quote: always text, never a condition.
    pub phrase: bool,
    /// The text before the first quote, where a field name and operator
    /// are looked for.
    pub head: String,
    /// The whole term with its quotes removed.
    pub text: String,
    /// As typed (with its `!` and quotes), for messages.
    pub raw: String,
}

/// Splits `typed` into terms; a quote left open is an error naming the
/// term and showing it closed.
pub(super) fn tokens(typed: &str) -> Result<Vec<Token>, FilterError> {
    let mut out = Vec::new();
    let mut chars = typed.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return Ok(out);
        }
        let mut token = Token {
            negated: false,
            phrase: false,
            head: String::new(),
            text: String::new(),
            raw: String::new(),
        };
        if chars.next_if_eq(&'!').is_some() {
            token.negated = true;
            token.raw.push('!');
        }
        token.phrase = chars.peek() == Some(&'"');
        let mut quoted = false;
        let mut seen_quote = false;
        while let Some(c) = chars.next_if(|c| quoted || !c.is_whitespace()) {
            token.raw.push(c);
            if c == '"' {
                quoted = !quoted;
                seen_quote = true;
                continue;
            }
            if quoted
                && c == '\\'
                && let Some(escaped) = chars.next_if(|next| matches!(next, '"' | '\\'))
            {
                token.raw.push(escaped);
                token.text.push(escaped);
                continue;
            }
            token.text.push(c);
            if !seen_quote {
                token.head.push(c);
            }
        }
        if quoted {
            return Err(unclosed(&token.raw));
        }
        out.push(token);
    }
}

/// The error of a term whose quote is never closed, with the term closed.
fn unclosed(raw: &str) -> FilterError {
    // A lone backslash at the end would escape a quote added after it.
    let trailing = raw.chars().rev().take_while(|c| *c == '\\').count();
    let close = if !trailing.is_multiple_of(2) { "\\\"" } else { "\"" };
    FilterError {
        term: raw.to_owned(),
        problem: format!("the quote is not closed; close it after the value: {raw}{close}"),
    }
}

/// `text` as one quoted phrase the tokenizer reads back exactly.
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// `value` as typed after an operator: as it is when the tokenizer reads it
/// back whole, quoted when it holds a space or a quote (or is empty).
pub fn value_text(value: &str) -> String {
    if value.is_empty() || value.chars().any(|c| c.is_whitespace() || c == '"') {
        quoted(value)
    } else {
        value.to_owned()
    }
}
