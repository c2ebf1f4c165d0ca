//! The filter language of every table (`/`) and of `--filter` on every list
//! command, k9s style:
//!
//! - terms are separated by spaces and must all match (AND);
//! - a plain word matches when the row's searchable text contains it, in any
//!   case; `"two words"` is one term;
//! - `field:value`, `field=value`, `field<N`, `field<=N`, `field>N`,
//!   `field>=N` are conditions on the fields a list offers (`free<10`,
//!   `used>=90%`, `expires<60d`, `kind:m365`, `status:disabled`);
//! - a leading `!` negates one term (`!kind:vpp`, `!perez`);
//! - a value with spaces is quoted after the operator (`name:"Power BI"`,
//!   `!upn:"x y"`); inside quotes `\"` is a quote and `\\` a backslash; a
//!   quote left open is an error.
//!
//! Parsing is pure and total: any input gives a filter or an error that
//! names the term and what would be accepted; it never panics.

mod suggest;
mod tokens;
mod value;

#[cfg(test)]
mod quote_tests;
#[cfg(test)]
mod tests;

use tokens::Token;
pub use tokens::{quoted, value_text};
pub use value::{DateValue, Unit};

/// What a field holds, and so which conditions it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Text: `name:off` (contains), `name=Office` (the whole value); any case.
    Text,
    /// A whole number: `total>100`, `seats=0`.
    Number,
    /// Seats out of a pool's total: a number (`free<10`) or a share of the
    /// total (`used>=90%`), which only limited pools with seats have.
    Share,
    /// A date: `expires<60d`, `ends>=2026-01-01`, `at>-7d`.
    Date,
    /// Yes or no: `enabled:false`.
    Flag,
}

impl FieldKind {
    /// A condition on a field named `name` of this kind, for messages.
    pub fn example(self, name: &str) -> String {
        match self {
            FieldKind::Text => format!("{name}:text"),
            FieldKind::Number => format!("{name}>10"),
            FieldKind::Share => format!("{name}<10 or {name}>=90%"),
            FieldKind::Date => format!("{name}<60d or {name}>=2026-01-31"),
            FieldKind::Flag => format!("{name}:true or {name}:false"),
        }
    }
}

/// One field a list offers to conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The name typed before the operator, lower case.
    pub name: &'static str,
    /// What it holds.
    pub kind: FieldKind,
}

/// How a condition compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `:` on text: contains.
    Contains,
    /// `=` (and `:` on anything but text): equal.
    Equals,
    /// `<`
    Less,
    /// `<=`
    LessOrEqual,
    /// `>`
    Greater,
    /// `>=`
    GreaterOrEqual,
}

impl Op {
    /// The SQL comparison operator of an ordering or equality test.
    pub fn sql(self) -> &'static str {
        match self {
            Op::Contains | Op::Equals => "=",
            Op::Less => "<",
            Op::LessOrEqual => "<=",
            Op::Greater => ">",
            Op::GreaterOrEqual => ">=",
        }
    }

    /// The operator as typed.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Contains => ":",
            Op::Equals => "=",
            Op::Less => "<",
            Op::LessOrEqual => "<=",
            Op::Greater => ">",
            Op::GreaterOrEqual => ">=",
        }
    }

    fn orders(self) -> bool {
        !matches!(self, Op::Contains | Op::Equals)
    }
}

/// The value a condition compares with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Number(i64),
    /// A share of the total, in percent.
    Percent(i64),
    Date(DateValue),
    Flag(bool),
}

/// What one term tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Test {
    /// The row's searchable text contains this, in any case.
    Text(String),
    /// A condition on one field.
    Condition { field: Field, op: Op, value: Value },
    /// No row passes: what an invalid filter becomes, so a typo never widens
    /// a list (or the seats "release every listed seat" acts on).
    Never,
}

/// One term of a filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// Keep the rows that do *not* pass the test.
    pub negated: bool,
    pub test: Test,
}

/// A parsed filter: every term must pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub terms: Vec<Term>,
}

/// Why a filter could not be read: the term as typed and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{term}: {problem}")]
pub struct FilterError {
    /// The term as typed (with its `!`).
    pub term: String,
    /// What is wrong and what would be accepted.
    pub problem: String,
}

impl Filter {
    /// Parses what the user typed against the fields of one list; `None`
    /// when it filters nothing (empty, spaces, a bare `!`).
    pub fn parse(typed: &str, fields: &[Field]) -> Result<Option<Filter>, FilterError> {
        let mut terms = Vec::new();
        for token in tokens::tokens(typed)? {
            if let Some(test) = token_test(&token, fields)? {
                terms.push(Term {
                    negated: token.negated,
                    test,
                });
            }
        }
        Ok((!terms.is_empty()).then_some(Filter { terms }))
    }

    /// As `parse`, for a screen that shows the error elsewhere: an invalid
    /// filter passes no row.
    pub fn parse_or_never(typed: &str, fields: &[Field]) -> Option<Filter> {
        Filter::parse(typed, fields).unwrap_or_else(|_| Some(Filter::never()))
    }

    /// The filter no row passes.
    pub fn never() -> Filter {
        Filter {
            terms: vec![Term {
                negated: false,
                test: Test::Never,
            }],
        }
    }

    /// A filter read against no fields: words and quoted phrases search the
    /// text; a condition-like term (`kind:x`) names no field, so it passes
    /// no row. For tests and callers that offer no fields.
    pub fn words(typed: &str) -> Option<Filter> {
        Filter::parse_or_never(typed, &[])
    }
}

/// What a token tests; None for an empty one (a bare `!`, `""`).
fn token_test(token: &Token, fields: &[Field]) -> Result<Option<Test>, FilterError> {
    if token.text.is_empty() {
        return Ok(None);
    }
    if token.phrase {
        return Ok(Some(Test::Text(token.text.clone())));
    }
    // The field and operator are read before any quote; the value is the
    // rest with its quotes removed (`name:"Power BI"`).
    let Some((name, op, after)) = split_condition(&token.head) else {
        return Ok(Some(Test::Text(token.text.clone())));
    };
    let rest = &token.text[token.head.len() - after.len()..];
    let fail = |problem: String| FilterError {
        term: token.raw.clone(),
        problem,
    };
    let lower = name.to_ascii_lowercase();
    let field = fields
        .iter()
        .find(|f| f.name == lower)
        .copied()
        .ok_or_else(|| fail(suggest::unknown_field(token, name, op, rest, fields)))?;
    if rest.is_empty() {
        return Err(fail(format!(
            "nothing after the operator; as in {}",
            field.kind.example(field.name)
        )));
    }
    let op = match (field.kind, op) {
        (FieldKind::Text, op) if op.orders() => {
            return Err(fail(suggest::text_is_not_ordered(field.name, rest)));
        }
        (FieldKind::Flag, op) if op.orders() => {
            return Err(fail(format!(
                "{0} is true or false: use {0}:true or {0}:false",
                field.name
            )));
        }
        (FieldKind::Text, _) => op,
        (_, Op::Contains) => Op::Equals,
        (_, op) => op,
    };
    let value = value::parse(field, rest, fields).map_err(fail)?;
    Ok(Some(Test::Condition { field, op, value }))
}

/// `name`, operator and the rest, when the token starts with a field-like
/// word (a letter, then letters, digits or `_`) directly followed by an
/// operator. Anything else is plain text.
fn split_condition(text: &str) -> Option<(&str, Op, &str)> {
    let end = text
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
        .map(|(i, _)| i)?;
    let name = &text[..end];
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let after = &text[end..];
    let (op, len) = if after.starts_with("<=") {
        (Op::LessOrEqual, 2)
    } else if after.starts_with(">=") {
        (Op::GreaterOrEqual, 2)
    } else {
        match after.chars().next()? {
            ':' => (Op::Contains, 1),
            '=' => (Op::Equals, 1),
            '<' => (Op::Less, 1),
            '>' => (Op::Greater, 1),
            _ => return None,
        }
    };
    Some((name, op, &after[len..]))
}
