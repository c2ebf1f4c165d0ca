//! Reading a subscriptions file (`seats import subscriptions FILE`, issue
//! 10): a header row naming the columns (any order, any case; unknown ones
//! ignored), then one purchase a row. Spreadsheet habits are accepted (a
//! UTF-8 BOM, CRLF, blank lines, quoted fields); any bad row refuses the
//! whole file, and every problem names its line, column, value and rule.

use chrono::NaiveDate;

use super::csv_lines::{LineCounter, cells};
use super::subscription::region_of;

/// The columns, as the header names them. Required ones first.
pub const REQUIRED: &[&str] = &["name", "publisher", "kind", "channel", "region"];
pub const OPTIONAL: &[&str] = &[
    "pricing",
    "quantity",
    "price",
    "currency",
    "period",
    "starts",
    "ends",
    "billing_profile",
    "activation_url",
    "install_url",
    "status",
    "disabled_reason",
    "vendor_managed",
];

/// One purchase, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purchase {
    pub line: usize,
    pub name: String,
    pub publisher: String,
    /// saas or isv.
    pub kind: String,
    /// The cache's words: direct, partner, vendor_proposal; empty for an
    /// ISV app listed without one.
    pub channel: String,
    /// The cache's words: flat_rate or per_seat; None for ISV apps.
    pub pricing: Option<String>,
    /// None: unlimited (flat-rate) or vendor-managed without a figure.
    pub quantity: Option<i64>,
    pub price_cents: Option<i64>,
    pub currency: Option<String>,
    pub period: Option<String>,
    pub starts: Option<NaiveDate>,
    pub ends: Option<NaiveDate>,
    /// A supported region's name (R-SUB-8).
    pub region: String,
    pub billing_profile: Option<String>,
    pub activation_url: Option<String>,
    pub install_url: Option<String>,
    /// pending_activation (the default), active, or disabled: a purchase
    /// that ended, recorded as history (a listing exported elsewhere).
    pub status: String,
    /// Why a disabled one ended: cancelled (the default), expired or
    /// payment_lapsed; None otherwise.
    pub disabled_reason: Option<String>,
    /// The vendor manages the quantity (R-LIC-8): ISV apps only; their default.
    pub vendor_managed: bool,
}

/// The longest name accepted.
pub const MAX_NAME: usize = 256;
/// The most rows one file may hold.
pub const MAX_ROWS: usize = 5_000;

/// Reads `bytes`; Err lists every problem in file order.
pub fn parse(bytes: &[u8]) -> Result<Vec<Purchase>, Vec<String>> {
    let (bytes, mut reader) = super::csv_lines::spreadsheet(bytes);
    let mut lines = LineCounter::default();
    let mut header: Option<Vec<String>> = None;
    let mut problems = Vec::new();
    let mut out = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        let at = reader.position().byte() as usize;
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(err) => {
                problems.push(format!(
                    "line {}: not readable as CSV ({err})",
                    lines.line_at(bytes, at)
                ));
                break;
            }
        }
        let line = lines.line_at(bytes, at);
        let fields: Vec<String> = cells(&record)
            .iter()
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        if fields.is_empty() {
            continue;
        }
        let Some(names) = &header else {
            match read_header(line, &fields) {
                Ok(names) => header = Some(names),
                Err(problem) => return Err(vec![problem]),
            }
            continue;
        };
        match purchase(line, names, &fields) {
            Ok(p) => out.push(p),
            Err(mut found) => problems.append(&mut found),
        }
    }
    if header.is_none() {
        problems.push(format!(
            "the file is empty: it needs a header row ({}) and one purchase a row",
            REQUIRED.join(", ")
        ));
    } else if out.is_empty() && problems.is_empty() {
        problems.push("the file holds a header but no purchase".to_owned());
    } else if out.len() > MAX_ROWS {
        problems.push(format!("{} purchases: at most {MAX_ROWS} a file", out.len()));
    }
    duplicates(&out, &mut problems);
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

fn read_header(line: usize, fields: &[String]) -> Result<Vec<String>, String> {
    let names: Vec<String> = fields
        .iter()
        .map(|f| f.trim().to_ascii_lowercase().replace([' ', '-'], "_"))
        // `seats subscriptions --format csv` names the term's end so.
        .map(|n| if n == "term_end" { "ends".to_owned() } else { n })
        .collect();
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|r| !names.iter().any(|n| n == r))
        .collect();
    if missing.is_empty() {
        Ok(names)
    } else {
        Err(format!(
            "line {line}: the header lacks the column(s) {}; it must name {} (and may name {})",
            missing.join(", "),
            REQUIRED.join(", "),
            OPTIONAL.join(", ")
        ))
    }
}

/// Two live purchases may not share a name; a disabled one may share a
/// live one's (R-SUB-4: the copy bought again after it ended).
fn duplicates(rows: &[Purchase], problems: &mut Vec<String>) {
    for (index, row) in rows.iter().enumerate() {
        if row.status == "disabled" {
            continue;
        }
        if let Some(first) = rows[..index]
            .iter()
            .find(|r| r.status != "disabled" && r.name.eq_ignore_ascii_case(&row.name))
        {
            problems.push(format!(
                "line {}, column name: {:?} is on line {} already; each purchase needs its own name",
                row.line, row.name, first.line
            ));
        }
    }
}

/// One row's cells by column name.
struct Cells<'a> {
    line: usize,
    names: &'a [String],
    fields: &'a [String],
    problems: Vec<String>,
}

impl Cells<'_> {
    fn get(&self, column: &str) -> Option<&str> {
        let index = self.names.iter().position(|n| n == column)?;
        self.fields.get(index).map(|s| s.trim()).filter(|s| !s.is_empty())
    }

    fn bad(&mut self, column: &str, value: &str, rule: &str) {
        self.problems
            .push(format!("line {}, column {column}: {value:?} {rule}", self.line));
    }

    fn required(&mut self, column: &str) -> String {
        match self.get(column) {
            Some(value) if value.chars().count() > MAX_NAME => {
                let value = value.to_owned();
                self.bad(column, &value, &format!("is longer than {MAX_NAME} characters"));
                String::new()
            }
            Some(value) => value.to_owned(),
            None => {
                self.problems.push(format!(
                    "line {}, column {column}: empty; it is required",
                    self.line
                ));
                String::new()
            }
        }
    }

    /// The cell mapped through `allowed` (written form → cache form).
    fn one_of(&mut self, column: &str, allowed: &[(&str, &str)]) -> Option<String> {
        let value = self.get(column)?.to_owned();
        let found = allowed
            .iter()
            .find(|(w, _)| w.eq_ignore_ascii_case(&value))
            .map(|(_, c)| (*c).to_owned());
        if found.is_none() {
            let words: Vec<&str> = allowed.iter().map(|(w, _)| *w).collect();
            self.bad(column, &value, &format!("is not one of {}", words.join(", ")));
        }
        found
    }

    fn date(&mut self, column: &str) -> Option<NaiveDate> {
        let value = self.get(column)?.to_owned();
        let date = NaiveDate::parse_from_str(&value, "%Y-%m-%d").ok();
        if date.is_none() {
            self.bad(column, &value, "is not a date (YYYY-MM-DD)");
        }
        date
    }

    fn number(&mut self, column: &str) -> Option<i64> {
        let value = self.get(column)?.to_owned();
        let n = value.parse::<i64>().ok().filter(|n| *n > 0);
        match n {
            None => self.bad(column, &value, "is not a whole number of 1 or more"),
            Some(n) if n > super::subscription::MAX_QUANTITY => {
                self.bad(
                    column,
                    &value,
                    "is more than the 10,000,000 seats a subscription may name",
                );
                return None;
            }
            Some(_) => {}
        }
        n
    }

    fn cents(&mut self, column: &str) -> Option<i64> {
        let value = self.get(column)?.to_owned();
        let cents = value
            .parse::<f64>()
            .ok()
            .filter(|p| p.is_finite() && *p >= 0.0 && *p < 1e12)
            .map(|p| (p * 100.0).round() as i64);
        if cents.is_none() {
            self.bad(
                column,
                &value,
                "is not a price (like 12.50, without a currency sign)",
            );
        }
        cents
    }

    fn url(&mut self, column: &str) -> Option<String> {
        let value = self.get(column)?.to_owned();
        if !value.starts_with("https://") || value.contains(char::is_whitespace) {
            self.bad(column, &value, "is not an https:// address");
            return None;
        }
        Some(value)
    }
}

/// One row checked.
fn purchase(line: usize, names: &[String], fields: &[String]) -> Result<Purchase, Vec<String>> {
    let (purchase, problems) = read_row(line, names, fields);
    if problems.is_empty() {
        Ok(purchase)
    } else {
        Err(problems)
    }
}

/// One row read as well as it goes, with every problem found; also the
/// console form's check (`subscription_entry`), which may set aside the
/// problems of what an edit can't change.
pub(super) fn read_row(line: usize, names: &[String], fields: &[String]) -> (Purchase, Vec<String>) {
    let mut c = Cells {
        line,
        names,
        fields,
        problems: Vec::new(),
    };
    let name = c.required("name");
    let publisher = c.required("publisher");
    let kind = c.one_of("kind", &[("saas", "saas"), ("isv", "isv")]);
    if c.get("kind").is_none() {
        c.problems
            .push(format!("line {line}, column kind: empty; it is saas or isv"));
    }
    let channel = c.one_of(
        "channel",
        &[
            ("direct", "direct"),
            ("partner", "partner"),
            ("proposal", "vendor_proposal"),
        ],
    );
    // An ISV app is the vendor's: one listed without a channel (as a sync
    // leaves it) imports so; a SaaS purchase names how it was bought.
    if c.get("channel").is_none() && kind.as_deref() != Some("isv") {
        c.problems.push(format!(
            "line {line}, column channel: empty; it is direct, partner or proposal"
        ));
    }
    let region = match c.get("region").map(str::to_owned) {
        Some(value) => region_of(&value)
            .map_err(|why| c.problems.push(format!("line {line}, column region: {why}")))
            .ok(),
        None => {
            c.problems.push(format!(
                "line {line}, column region: empty; name the country or region of the purchase"
            ));
            None
        }
    };
    let pricing = c.one_of("pricing", &[("flat", "flat_rate"), ("per_seat", "per_seat")]);
    let quantity = c.number("quantity");
    let price_cents = c.cents("price");
    let currency = c.get("currency").map(str::to_ascii_uppercase);
    if let Some(code) = &currency
        && !(code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()))
    {
        let code = code.clone();
        c.bad(
            "currency",
            &code,
            "is not a three-letter ISO 4217 code (EUR, USD)",
        );
    }
    let period = c.one_of("period", &[("monthly", "monthly"), ("annual", "annual")]);
    let starts = c.date("starts");
    let ends = c.date("ends");
    if let (Some(s), Some(e)) = (starts, ends)
        && e <= s
    {
        c.bad("ends", &e.to_string(), &format!("is not after starts ({s})"));
    }
    let status = c
        .one_of(
            "status",
            &[
                ("pending_activation", "pending_activation"),
                ("active", "active"),
                ("disabled", "disabled"),
            ],
        )
        .unwrap_or_else(|| "pending_activation".to_owned());
    let reason = c.one_of(
        "disabled_reason",
        &[
            ("cancelled", "cancelled"),
            ("expired", "expired"),
            ("payment_lapsed", "payment_lapsed"),
        ],
    );
    let disabled_reason = match (status.as_str(), reason) {
        ("disabled", reason) => Some(reason.unwrap_or_else(|| "cancelled".to_owned())),
        (_, Some(reason)) => {
            c.bad(
                "disabled_reason",
                &reason,
                "is for a disabled subscription only (status disabled)",
            );
            None
        }
        (_, None) => None,
    };
    let managed = c.one_of(
        "vendor_managed",
        &[("yes", "yes"), ("no", "no"), ("true", "yes"), ("false", "no")],
    );
    let vendor_managed = match (kind.as_deref(), managed.as_deref()) {
        (Some("saas"), Some("yes")) => {
            c.bad(
                "vendor_managed",
                "yes",
                "is for ISV apps only: a SaaS subscription's quantity is yours to set",
            );
            false
        }
        (_, Some(answer)) => answer == "yes",
        (kind, None) => kind == Some("isv"),
    };
    let activation_url = c.url("activation_url");
    let install_url = c.url("install_url");
    match (kind.as_deref(), pricing.as_deref(), quantity) {
        (Some("saas"), None, _) => c.problems.push(format!(
            "line {line}, column pricing: empty; a SaaS purchase is flat or per_seat"
        )),
        // A quantity that is there but wrong was named above already.
        (Some("saas"), Some("per_seat"), None) if c.get("quantity").is_none() => c.problems.push(format!(
            "line {line}, column quantity: empty; a per-seat purchase names its seats"
        )),
        (_, Some("flat_rate"), Some(q)) => c.bad(
            "quantity",
            &q.to_string(),
            "is given for a flat-rate purchase, whose quantity is Unlimited; leave it empty",
        ),
        _ => {}
    }
    if price_cents.is_some() && currency.is_none() {
        c.problems.push(format!(
            "line {line}, column currency: empty; a price needs its currency"
        ));
    }
    let purchase = Purchase {
        line,
        name,
        publisher,
        kind: kind.unwrap_or_default(),
        channel: channel.unwrap_or_default(),
        pricing,
        quantity,
        price_cents,
        currency,
        period,
        starts,
        ends,
        region: region.unwrap_or_default().to_owned(),
        billing_profile: c.get("billing_profile").map(str::to_owned),
        activation_url,
        install_url,
        status,
        disabled_reason,
        vendor_managed,
    };
    (purchase, c.problems)
}

#[cfg(test)]
#[path = "subscription_csv_tests.rs"]
mod tests;
