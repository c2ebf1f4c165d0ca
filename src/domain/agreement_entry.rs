//! The rules of an agreement entered by hand (R-AGR-6, R-AGR-10): the
//! number sets of a volume agreement, checked with the CSV's own rules
//! (`agreement_rules`), and the fields of an other-software agreement.
//! The console checks them live as the admin types and the store again
//! when it writes, so both say the same thing.

use chrono::NaiveDate;

use super::agreement_rules::{Column, MAX_SETS, Rule, check_name, check_pair, clash_key};

/// A breach, as the field it concerns shows it: what, the rule's id, the fix.
pub fn rule_text(rule: Rule, what: &str) -> String {
    format!("{what} ({}); {}", rule.id(), rule.fix())
}

/// Why `name` can't name an agreement (R-AGR-4), if so; empty is allowed
/// here (the form says a name is needed when it is sent).
pub fn name_problem(name: &str) -> Option<String> {
    check_name(name.trim()).map(|(rule, what)| rule_text(rule, &what))
}

/// Why the pair typed can't be added to `pairs` yet, if so (R-AGR-2,
/// R-AGR-3). `complete` asks for both numbers (the admin pressed +);
/// while typing, a number not typed yet is no breach.
pub fn pair_problem(first: &str, second: &str, pairs: &[(String, String)], complete: bool) -> Option<String> {
    let (first, second) = (first.trim(), second.trim());
    let found = check_pair(first, second)
        .into_iter()
        .find(|(_, rule, _)| complete || *rule != Rule::MissingNumber);
    if let Some((column, rule, what)) = found {
        let at = match column {
            Column::First => "first number: ",
            Column::Second => "second number: ",
            _ => "",
        };
        return Some(rule_text(rule, &format!("{at}{what}")));
    }
    let key = (clash_key(first), clash_key(second));
    if pairs.iter().any(|(a, b)| (clash_key(a), clash_key(b)) == key) {
        let what = format!("the pair {first}, {second} is in the list already");
        return Some(rule_text(Rule::DuplicatePair, &what));
    }
    (complete && pairs.len() >= MAX_SETS)
        .then(|| format!("the agreement holds {MAX_SETS} number sets, the most one may hold (R-AGR-5)"))
}

/// An other-software agreement as entered (R-AGR-10): names as the
/// catalog spells them, dates as YYYY-MM-DD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherAgreement {
    pub name: String,
    pub publisher: String,
    pub product: String,
    pub license_count: i64,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub details: Option<String>,
}

/// The license count typed, or why it is no count: a whole number of at
/// least 1 (R-AGR-10).
pub fn license_count(text: &str) -> Result<i64, String> {
    let text = text.trim();
    match text.parse::<i64>() {
        Ok(n) if n >= 1 => Ok(n),
        Ok(_) => Err(format!("{text} licenses: give at least 1")),
        Err(_) if text.is_empty() => Err("the license count is needed (R-AGR-10)".to_owned()),
        Err(_) => Err(format!("{text:?} is no count: type a whole number such as 25")),
    }
}

/// A date typed (empty: none), or why it is no date.
pub fn date(text: &str, which: &str) -> Result<Option<NaiveDate>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| format!("{which} date {text:?}: type it as YYYY-MM-DD, such as 2027-01-31"))
}

/// Why the term is wrong, if so: each date well formed, the end after the start.
pub fn term_problem(starts: &str, ends: &str) -> Option<String> {
    let start = match date(starts, "start") {
        Ok(d) => d,
        Err(why) => return Some(why),
    };
    let end = match date(ends, "end") {
        Ok(d) => d,
        Err(why) => return Some(why),
    };
    match (start, end) {
        (Some(s), Some(e)) if e <= s => Some(format!(
            "the end date {e} is not after the start date {s}: the term must end after it starts"
        )),
        _ => None,
    }
}

impl OtherAgreement {
    /// Every breach of the rules the agreement alone can tell (the catalog
    /// and the names already taken are the store's): empty when it obeys.
    pub fn problems(&self) -> Vec<String> {
        let mut found = Vec::new();
        if self.name.trim().is_empty() {
            found.push("the agreement's name is needed (R-AGR-10)".to_owned());
        }
        found.extend(name_problem(&self.name));
        if self.publisher.trim().is_empty() {
            found.push("choose a publisher from the catalog (R-AGR-11)".to_owned());
        }
        if self.product.trim().is_empty() {
            found.push("choose a product title of that publisher (R-AGR-10)".to_owned());
        }
        if self.license_count < 1 {
            found.push("the license count must be at least 1".to_owned());
        }
        let (starts, ends) = (
            self.starts_on.as_deref().unwrap_or(""),
            self.ends_on.as_deref().unwrap_or(""),
        );
        found.extend(term_problem(starts, ends));
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pair_of_17_characters_breaks_r_agr_3_while_typing() {
        let why = pair_problem("12345678", "123456789", &[], false).unwrap();
        assert!(why.contains("17 characters") && why.contains("R-AGR-3"), "{why}");
        assert_eq!(pair_problem("1234", "", &[], false), None, "still typing");
        assert!(
            pair_problem("1234", "", &[], true)
                .unwrap()
                .contains("second number")
        );
    }

    #[test]
    fn a_pair_listed_twice_is_refused_without_case() {
        let pairs = vec![("AB-1".to_owned(), "AB-1".to_owned())];
        let why = pair_problem("ab-1", "ab-1", &pairs, true).unwrap();
        assert!(why.contains("R-AGR-2"), "{why}");
    }

    #[test]
    fn the_term_ends_after_it_starts() {
        assert_eq!(term_problem("2026-01-01", "2027-01-01"), None);
        assert!(
            term_problem("2027-01-01", "2026-01-01")
                .unwrap()
                .contains("not after")
        );
        assert!(term_problem("2027-01-01", "2027-01-01").is_some());
        assert!(term_problem("2027-13-01", "").unwrap().contains("YYYY-MM-DD"));
        assert_eq!(term_problem("", ""), None);
    }

    #[test]
    fn counts_are_positive_whole_numbers() {
        assert_eq!(license_count(" 25 "), Ok(25));
        assert!(license_count("0").is_err());
        assert!(license_count("2.5").is_err());
        assert!(license_count("").unwrap_err().contains("needed"));
    }
}
