//! The values of conditions: numbers, shares, dates (absolute or counted
//! from today) and flags.

use chrono::{Days, Months, NaiveDate};

use super::{Field, FieldKind, Value};

/// A unit of a date counted from today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Day,
    Week,
    /// Calendar months: Jan 31 + 1m is the last day of February.
    Month,
    /// Twelve calendar months.
    Year,
}

impl Unit {
    /// The largest count of this unit a filter takes: ~9,000 years, so every
    /// date stays a four-digit year and compares as text.
    fn limit(self) -> i64 {
        match self {
            Unit::Day => 3_000_000,
            Unit::Week => 400_000,
            Unit::Month => 100_000,
            Unit::Year => 9_000,
        }
    }
}

/// A date in a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateValue {
    /// A calendar date (`2026-03-01`).
    On(NaiveDate),
    /// `amount` units from today, negative for the past (`60d`, `-2w`).
    FromToday { amount: i64, unit: Unit },
}

/// The first and last dates a filter compares with (four-digit years).
fn first_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or(NaiveDate::MIN)
}
fn last_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX)
}

impl DateValue {
    /// The calendar date this value means when today is `today`, kept within
    /// the years 1..=9999.
    pub fn resolve(self, today: NaiveDate) -> NaiveDate {
        let date = match self {
            DateValue::On(date) => Some(date),
            DateValue::FromToday { amount, unit } => shift(today, amount, unit),
        };
        let fallback = match self {
            DateValue::FromToday { amount, .. } if amount < 0 => first_date(),
            _ => last_date(),
        };
        date.unwrap_or(fallback).clamp(first_date(), last_date())
    }
}

fn shift(today: NaiveDate, amount: i64, unit: Unit) -> Option<NaiveDate> {
    let count = u32::try_from(amount.unsigned_abs()).ok()?;
    let forward = amount >= 0;
    match unit {
        Unit::Day | Unit::Week => {
            let days = Days::new(u64::from(count) * if unit == Unit::Week { 7 } else { 1 });
            if forward {
                today.checked_add_days(days)
            } else {
                today.checked_sub_days(days)
            }
        }
        Unit::Month | Unit::Year => {
            let months = Months::new(count.checked_mul(if unit == Unit::Year { 12 } else { 1 })?);
            if forward {
                today.checked_add_months(months)
            } else {
                today.checked_sub_months(months)
            }
        }
    }
}

/// Reads the value of a condition on `field`; the error says what it takes.
pub(super) fn parse(field: Field, text: &str, fields: &[Field]) -> Result<Value, String> {
    match field.kind {
        FieldKind::Text => Ok(Value::Text(text.to_owned())),
        FieldKind::Number => match text.strip_suffix('%') {
            Some(_) => Err(format!(
                "{} is a count, not a share; {}",
                field.name,
                share_fields(fields)
            )),
            None => number(text).map(Value::Number).ok_or_else(|| {
                format!(
                    "{} takes a whole number, as in {}",
                    field.name,
                    field.kind.example(field.name)
                )
            }),
        },
        FieldKind::Share => {
            let parsed = match text.strip_suffix('%') {
                Some(share) => number(share).filter(|n| *n >= 0).map(Value::Percent),
                None => number(text).map(Value::Number),
            };
            parsed.ok_or_else(|| {
                format!(
                    "{} takes a number of seats or a share, as in {}",
                    field.name,
                    field.kind.example(field.name)
                )
            })
        }
        FieldKind::Date => date(text).map(Value::Date).ok_or_else(|| {
            format!(
                "{} takes a date (2026-01-31) or a distance from today: 60d, 2w, 6m, 1y (days, weeks, \
                 months, years; -30d is 30 days ago)",
                field.name
            )
        }),
        FieldKind::Flag => flag(text)
            .map(Value::Flag)
            .ok_or_else(|| format!("{} takes true or false", field.name)),
    }
}

fn share_fields(fields: &[Field]) -> String {
    let shares: Vec<&str> = fields
        .iter()
        .filter(|f| f.kind == FieldKind::Share)
        .map(|f| f.name)
        .collect();
    if shares.is_empty() {
        "no field here takes a share (%)".to_owned()
    } else {
        format!("a share (%) works with: {}", shares.join(", "))
    }
}

/// A whole number with an optional sign, within ±10^15 (so `n * 100` and
/// `n * total` never overflow in SQL).
fn number(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn date(text: &str) -> Option<DateValue> {
    if text.eq_ignore_ascii_case("today") {
        return Some(DateValue::FromToday {
            amount: 0,
            unit: Unit::Day,
        });
    }
    if let Some(date) = iso_date(text) {
        return Some(DateValue::On(date));
    }
    let unit = match text.chars().last()?.to_ascii_lowercase() {
        'd' => Unit::Day,
        'w' => Unit::Week,
        'm' => Unit::Month,
        'y' => Unit::Year,
        _ => return None,
    };
    let amount = number(&text[..text.len() - 1])?;
    (amount.abs() <= unit.limit()).then_some(DateValue::FromToday { amount, unit })
}

/// `YYYY-MM-DD` with a four-digit year.
fn iso_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shaped {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

fn flag(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Some(true),
        "false" | "no" | "off" | "0" => Some(false),
        _ => None,
    }
}
