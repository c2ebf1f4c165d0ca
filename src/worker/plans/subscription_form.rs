//! Previews of what the console's subscription and billing-profile forms
//! save (issue 10, R-SUB-1, R-SUB-2, R-SUB-6, R-SUB-8): a purchase with its
//! fields, an edit as each field before → after, a profile with its card
//! shown as its last four digits only. The refusals are the store's checks.

use rusqlite::Connection;

use super::subscriptions::preview;
use super::{alarm, line};
use crate::app::dialogs::{Preview, PreviewLine};
use crate::domain::subscription_billing::ProfileEntry;
use crate::domain::subscription_csv::Purchase;
use crate::store::changes::{self, Actor, ChangeError, Permission};
use crate::store::subscriptions::SubscriptionRow;
use crate::store::{billing_edit, subscriptions_edit, subscriptions_import};

fn role(conn: &Connection, actor: &Actor) -> Option<String> {
    changes::authorize(conn, actor, Permission::ManageSubscriptions)
        .err()
        .map(|err| err.to_string())
}

/// Recording one purchase: what is recorded, or why not.
pub fn record(conn: &Connection, actor: &Actor, p: &Purchase) -> Result<Preview, ChangeError> {
    let clashes = subscriptions_import::clashes(conn, std::slice::from_ref(p))?;
    let refusal = clashes
        .first()
        .map(|c| c.trim_start_matches("line 0, column ").to_owned())
        .or_else(|| role(conn, actor));
    let quantity = match (p.pricing.as_deref(), p.quantity) {
        (Some("flat_rate"), _) => "Unlimited (flat rate)".to_owned(),
        (_, Some(q)) => format!("{q} seats"),
        (_, None) if p.vendor_managed => "managed by the vendor".to_owned(),
        (_, None) => "none given".to_owned(),
    };
    let price = match (p.price_cents, &p.currency) {
        (Some(cents), Some(currency)) => format!(
            "{:.2} {currency} {}",
            cents as f64 / 100.0,
            p.period.as_deref().unwrap_or("")
        ),
        _ => "no price".to_owned(),
    };
    let lines = vec![
        line(format!(
            "records {} by {} ({}, {})",
            p.name,
            p.publisher,
            p.kind,
            p.channel.replace('_', " ")
        )),
        line(format!("quantity {quantity}; {price}")),
        line(format!(
            "region {}; term ends {}; billed to {}",
            p.region,
            p.ends.map_or("—".to_owned(), |d| d.to_string()),
            p.billing_profile.as_deref().unwrap_or("no profile")
        )),
        line("it starts pending activation: activate it at the publisher, then A records it"),
    ];
    Ok(preview("Record purchase (confirm)", lines, refusal))
}

/// Editing `row`: each field before → after.
pub fn edit(
    conn: &Connection,
    actor: &Actor,
    row: &SubscriptionRow,
    p: &Purchase,
) -> Result<Preview, ChangeError> {
    let (lines, refusal): (Vec<PreviewLine>, Option<String>) =
        match subscriptions_edit::diffs(conn, actor, row, p) {
            Ok(diffs) if diffs.is_empty() => (Vec::new(), Some(format!("{}: nothing is changed", row.name))),
            Ok(diffs) => {
                let mut lines: Vec<PreviewLine> = diffs
                    .iter()
                    .map(|d| line(format!("{}: {} → {}", d.label, d.before, d.after)))
                    .collect();
                lines.push(line("audited; z puts every field back"));
                (lines, None)
            }
            Err(err @ ChangeError::Store(_)) => return Err(err),
            Err(err) => (vec![alarm(err.to_string())], Some(err.to_string())),
        };
    Ok(preview(&format!("Edit {} (confirm)", row.name), lines, refusal))
}

/// Adding or changing a billing profile.
pub fn save_profile(conn: &Connection, actor: &Actor, e: &ProfileEntry) -> Result<Preview, ChangeError> {
    let refusal = match billing_edit::check(conn, actor, e) {
        Err(err) => Some(err.to_string()),
        Ok(()) => role(conn, actor),
    };
    let pays = match &e.card_last4 {
        Some(last4) => format!("card •••• {last4} (only these four digits are kept)"),
        None => "check/wire".to_owned(),
    };
    let title = if e.id.is_some() {
        "Change billing profile (confirm)"
    } else {
        "Add billing profile (confirm)"
    };
    let lines = vec![
        line(format!("{}: pays by {pays}", e.name)),
        line(format!(
            "invoices to {} <{}>, {}",
            e.contact_name, e.contact_email, e.address
        )),
        line(format!(
            "may be changed by the {} roles",
            e.editable_by.join(", ")
        )),
    ];
    Ok(preview(title, lines, refusal))
}
