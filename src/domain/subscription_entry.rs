//! A purchase entered by hand in the console's form (issue 10): checked by
//! the very rules a subscriptions file's row is (`subscription_csv`), so
//! the form and `seats import subscriptions` can never disagree. Each
//! problem comes back with the column it is about, for the form to mark.

use super::subscription_csv::{Purchase, read_row};

/// Checks `values` (CSV column name, text); Err: every problem as
/// (column, what is wrong), in the order the file's row would list them.
pub fn check(values: &[(&str, &str)]) -> Result<Purchase, Vec<(String, String)>> {
    check_except(values, &[])
}

/// `check` setting aside the problems of the columns `fixed`: an edit
/// can't change what was bought, and a subscription a sync brought in may
/// lack some of it (an ISV app's channel) without that blocking its edit.
pub fn check_except(values: &[(&str, &str)], fixed: &[&str]) -> Result<Purchase, Vec<(String, String)>> {
    let names: Vec<String> = values.iter().map(|(n, _)| (*n).to_owned()).collect();
    let fields: Vec<String> = values.iter().map(|(_, v)| (*v).to_owned()).collect();
    let (purchase, problems) = read_row(0, &names, &fields);
    let problems: Vec<(String, String)> = problems
        .iter()
        .map(|p| split(p))
        .filter(|(column, _)| !fixed.contains(&column.as_str()))
        .collect();
    if problems.is_empty() {
        Ok(purchase)
    } else {
        Err(problems)
    }
}

/// "line 0, column region: …" → ("region", "…").
fn split(problem: &str) -> (String, String) {
    let rest = problem.strip_prefix("line 0, column ").unwrap_or(problem);
    match rest.split_once(": ") {
        Some((column, why)) => (column.to_owned(), why.to_owned()),
        None => (String::new(), rest.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Vec<(&'static str, &'static str)> {
        vec![
            ("name", "Zoom Pro"),
            ("publisher", "Zoom"),
            ("kind", "saas"),
            ("channel", "direct"),
            ("pricing", "per_seat"),
            ("quantity", "10"),
            ("price", "12.50"),
            ("currency", "usd"),
            ("period", "monthly"),
            ("ends", "2027-01-31"),
            ("region", "US"),
        ]
    }

    fn with(column: &'static str, value: &'static str) -> Vec<(&'static str, &'static str)> {
        let mut values = base();
        values.retain(|(c, _)| *c != column);
        values.push((column, value));
        values
    }

    #[test]
    fn a_good_purchase_is_read_as_the_file_reads_it() {
        let p = check(&base()).unwrap();
        assert_eq!(p.region, "United States");
        assert_eq!(p.price_cents, Some(1250));
        assert_eq!(p.currency.as_deref(), Some("USD"));
        assert_eq!(p.status, "pending_activation");
        assert!(!p.vendor_managed);
    }

    #[test]
    fn an_unsupported_region_is_refused_with_the_list() {
        let problems = check(&with("region", "Japan")).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].0, "region");
        assert!(problems[0].1.contains("not sold in \"Japan\""), "{problems:?}");
        assert!(problems[0].1.contains("Western Europe"), "{problems:?}");
    }

    #[test]
    fn a_flat_rate_purchase_takes_no_quantity() {
        let problems = check(&with("pricing", "flat")).unwrap_err();
        assert_eq!(problems[0].0, "quantity");
        let mut flat = with("pricing", "flat");
        flat.retain(|(c, _)| *c != "quantity");
        assert_eq!(check(&flat).unwrap().quantity, None);
    }

    #[test]
    fn an_edit_sets_aside_what_it_cannot_change() {
        let mut values = with("price", "x");
        values.retain(|(c, _)| *c != "channel");
        values.push(("channel", ""));
        let problems = check_except(&values, &["channel"]).unwrap_err();
        let columns: Vec<&str> = problems.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(columns, ["price"], "the channel's problem is set aside");
        let clean = with("channel", "");
        assert_eq!(check_except(&clean, &["channel"]).unwrap().channel, "");
    }

    #[test]
    fn only_an_isv_app_has_a_vendor_managed_quantity() {
        let problems = check(&with("vendor_managed", "yes")).unwrap_err();
        assert_eq!(problems[0].0, "vendor_managed");
        let isv = with("kind", "isv");
        assert!(check(&isv).unwrap().vendor_managed, "ISV apps default to it");
    }
}
