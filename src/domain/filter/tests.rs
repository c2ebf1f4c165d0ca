use chrono::NaiveDate;

use super::*;

pub(super) const FIELDS: &[Field] = &[
    Field {
        name: "name",
        kind: FieldKind::Text,
    },
    Field {
        name: "kind",
        kind: FieldKind::Text,
    },
    Field {
        name: "status",
        kind: FieldKind::Text,
    },
    Field {
        name: "total",
        kind: FieldKind::Number,
    },
    Field {
        name: "used",
        kind: FieldKind::Share,
    },
    Field {
        name: "free",
        kind: FieldKind::Share,
    },
    Field {
        name: "expires",
        kind: FieldKind::Date,
    },
    Field {
        name: "enabled",
        kind: FieldKind::Flag,
    },
];

fn field(name: &str) -> Field {
    *FIELDS.iter().find(|f| f.name == name).unwrap()
}

fn terms(typed: &str) -> Vec<Term> {
    Filter::parse(typed, FIELDS).unwrap().unwrap().terms
}

fn condition(name: &str, op: Op, value: Value) -> Test {
    Test::Condition {
        field: field(name),
        op,
        value,
    }
}

fn error(typed: &str) -> FilterError {
    Filter::parse(typed, FIELDS).unwrap_err()
}

#[test]
fn empty_spaces_and_bare_bang_filter_nothing() {
    for typed in ["", "   ", "!", " ! ", "\"\"", "!\"\""] {
        assert_eq!(Filter::parse(typed, FIELDS), Ok(None), "{typed:?}");
    }
}

#[test]
fn words_are_separate_terms_that_must_all_match() {
    let found = terms("ava  perez");
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].test, Test::Text("ava".into()));
    assert_eq!(found[1].test, Test::Text("perez".into()));
    assert!(found.iter().all(|t| !t.negated));
}

#[test]
fn bang_negates_one_term_only() {
    let found = terms("!perez ava");
    assert!(found[0].negated);
    assert_eq!(found[0].test, Test::Text("perez".into()));
    assert!(!found[1].negated);
}

#[test]
fn quotes_keep_a_phrase_and_never_make_a_condition() {
    let found = terms("\"ava perez\" !\"kind:vpp\"");
    assert_eq!(found[0].test, Test::Text("ava perez".into()));
    assert!(found[1].negated);
    assert_eq!(found[1].test, Test::Text("kind:vpp".into()));
}

#[test]
fn the_conditions_of_the_issue_parse() {
    let day = |amount| {
        Value::Date(DateValue::FromToday {
            amount,
            unit: Unit::Day,
        })
    };
    assert_eq!(
        terms("free<10")[0].test,
        condition("free", Op::Less, Value::Number(10))
    );
    assert_eq!(
        terms("used>=90%")[0].test,
        condition("used", Op::GreaterOrEqual, Value::Percent(90))
    );
    assert_eq!(
        terms("expires<60d")[0].test,
        condition("expires", Op::Less, day(60))
    );
    assert_eq!(
        terms("kind:m365")[0].test,
        condition("kind", Op::Contains, Value::Text("m365".into()))
    );
    assert_eq!(
        terms("status:disabled")[0].test,
        condition("status", Op::Contains, Value::Text("disabled".into()))
    );
    let negated = terms("!kind:vpp");
    assert!(negated[0].negated);
    assert_eq!(
        negated[0].test,
        condition("kind", Op::Contains, Value::Text("vpp".into()))
    );
}

#[test]
fn operators_and_field_names_in_any_case() {
    assert_eq!(
        terms("Kind=M365")[0].test,
        condition("kind", Op::Equals, Value::Text("M365".into()))
    );
    assert_eq!(
        terms("total<=5")[0].test,
        condition("total", Op::LessOrEqual, Value::Number(5))
    );
    assert_eq!(
        terms("TOTAL>-1")[0].test,
        condition("total", Op::Greater, Value::Number(-1))
    );
    assert_eq!(
        terms("total:0")[0].test,
        condition("total", Op::Equals, Value::Number(0)),
        ": on a number is equality"
    );
    assert_eq!(
        terms("enabled:No")[0].test,
        condition("enabled", Op::Equals, Value::Flag(false))
    );
}

#[test]
fn dates_absolute_and_counted_from_today() {
    let date = |typed: &str| match &terms(typed)[0].test {
        Test::Condition {
            value: Value::Date(value),
            ..
        } => *value,
        other => panic!("{other:?}"),
    };
    let today = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
    let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    assert_eq!(date("expires<60d").resolve(today), ymd(2026, 4, 1));
    assert_eq!(date("expires<2w").resolve(today), ymd(2026, 2, 14));
    assert_eq!(
        date("expires<1m").resolve(today),
        ymd(2026, 2, 28),
        "end of month"
    );
    assert_eq!(date("expires>1y").resolve(today), ymd(2027, 1, 31));
    assert_eq!(date("expires>-7d").resolve(today), ymd(2026, 1, 24));
    assert_eq!(date("expires:today").resolve(today), today);
    assert_eq!(date("expires>=2026-03-01").resolve(today), ymd(2026, 3, 1));
    assert_eq!(date("expires<9000y").resolve(today), ymd(9999, 12, 31), "clamped");
    assert_eq!(date("expires>-9000y").resolve(today), ymd(1, 1, 1), "clamped");
}

#[test]
fn a_bad_value_names_the_term_and_what_the_field_takes() {
    let err = error("name:x free<abc");
    assert_eq!(err.term, "free<abc");
    assert!(err.problem.contains("free takes a number"), "{err}");
    assert!(err.to_string().starts_with("free<abc: "), "{err}");

    let err = error("expires<soon");
    assert!(err.problem.contains("60d"), "{err}");
    assert!(err.problem.contains("2026-01-31"), "{err}");

    assert!(error("enabled:maybe").problem.contains("true or false"));
    assert!(
        error("total>10%").problem.contains("used, free"),
        "% names the share fields"
    );
    assert!(error("used>=-5%").problem.contains("share"));
    assert!(
        error("total>99999999999999999999")
            .problem
            .contains("whole number")
    );
    assert!(error("expires<2026-02-30").problem.contains("date"));
    assert!(error("expires<10000000d").problem.contains("date"), "too far");
}

#[test]
fn text_and_flags_refuse_ordering_with_the_way_out() {
    let err = error("name<x");
    assert!(err.problem.contains("name:x"), "{err}");
    assert!(err.problem.contains("name=x"), "{err}");
    assert!(error("enabled>1").problem.contains("enabled:false"));
}

#[test]
fn an_unknown_field_lists_the_fields_and_how_to_search_the_text() {
    let err = error("!colour:red");
    assert_eq!(err.term, "!colour:red");
    assert!(
        err.problem
            .contains("fields here: name, kind, status, total, used, free, expires, enabled"),
        "{err}"
    );
    assert!(err.problem.contains("\"colour:red\""), "{err}");
}

#[test]
fn an_empty_value_says_what_to_type() {
    let err = error("kind:");
    assert!(err.problem.contains("kind:text"), "{err}");
    assert!(error("free<").problem.contains("free<10"));
}

#[test]
fn text_that_is_not_field_like_stays_text() {
    for typed in ["12:00", "a.b:c", "50%", "<tag>", "é:x", "_x:y", "o'brien"] {
        assert_eq!(terms(typed)[0].test, Test::Text(typed.into()), "{typed}");
    }
}

#[test]
fn an_invalid_filter_passes_no_row_on_screen() {
    assert_eq!(Filter::parse_or_never("free<abc", FIELDS), Some(Filter::never()));
    assert_eq!(Filter::parse_or_never("", FIELDS), None);
}

/// A small deterministic generator (xorshift), so the property below needs no
/// extra dependency and fails the same way every run.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn never_panics_and_every_error_names_a_term_of_the_input() {
    const PIECES: &[&str] = &[
        "free",
        "used",
        "expires",
        "kind",
        "name",
        "enabled",
        "total",
        "x",
        "é",
        "ß",
        "日本",
        ":",
        "=",
        "<",
        ">",
        "<=",
        ">=",
        "%",
        "!",
        "\"",
        "\\",
        " ",
        "  ",
        "\t",
        "-",
        "+",
        "0",
        "9",
        "90",
        "60d",
        "2w",
        "1m",
        "1y",
        "2026-01-31",
        "9999999999999999999",
        "true",
        "today",
        "\u{0}",
        "\u{301}",
        "🙂",
    ];
    let mut rng = Rng(0x5eed_5eed_5eed_5eed);
    for _ in 0..20_000 {
        let len = (rng.next() % 8) as usize;
        let typed: String = (0..len)
            .map(|_| PIECES[(rng.next() % PIECES.len() as u64) as usize])
            .collect();
        match Filter::parse(&typed, FIELDS) {
            Ok(Some(filter)) => assert!(!filter.terms.is_empty()),
            Ok(None) => assert!(typed.chars().all(|c| c.is_whitespace() || c == '!' || c == '"')),
            Err(err) => {
                assert!(!err.term.is_empty(), "{typed:?}");
                assert!(typed.contains(&err.term), "{typed:?} → {err}");
                assert!(!err.problem.is_empty());
            }
        }
    }
}
