//! Editing a subscription by hand (issue 10): the console form's values,
//! checked by the subscriptions file's rules (`domain::subscription_entry`),
//! become field changes of its pool — one audited batch `z` undoes
//! (`changes::fields`). What was bought (publisher, kind, channel,
//! pricing, region) never changes here: that is another purchase. The
//! quantity goes through R-SUB-5's rule, a profile through its roles
//! (R-SUB-6), and the status never through the form (R-SUB-4).

use rusqlite::{Connection, OptionalExtension as _, types::Value};
use serde_json::json;

use super::changes::{Actor, ChangeError, FieldChange};
use super::subscriptions::SubscriptionRow;
use super::subscriptions_change::{Changed, change, profile, refused, role_of, status_of};
use crate::domain::subscription::{self, Pricing, SubStatus};
use crate::domain::subscription_csv::Purchase;

/// One field an edit changes: its label, its column and both values.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDiff {
    pub label: &'static str,
    pub column: &'static str,
    pub before: String,
    pub after: String,
    pub value: Value,
}

fn text(value: &Option<String>) -> Value {
    value.clone().map_or(Value::Null, Value::Text)
}

fn shown(value: &Value) -> String {
    match value {
        Value::Null => "none".to_owned(),
        Value::Integer(n) => n.to_string(),
        Value::Real(x) => x.to_string(),
        Value::Text(t) => t.clone(),
        Value::Blob(_) => "?".to_owned(),
    }
}

fn price(value: &Value) -> String {
    match value {
        Value::Integer(cents) => format!("{:.2}", *cents as f64 / 100.0),
        other => shown(other),
    }
}

/// The pool's current values of the columns an edit may set.
fn current(conn: &Connection, id: i64, column: &str) -> rusqlite::Result<Value> {
    conn.query_row(&format!("SELECT {column} FROM pools WHERE id = ?1"), [id], |r| {
        r.get(0)
    })
}

/// What turning `row` into `wanted` changes, or why it may not.
pub fn diffs(
    conn: &Connection,
    actor: &Actor,
    row: &SubscriptionRow,
    wanted: &Purchase,
) -> Result<Vec<FieldDiff>, ChangeError> {
    if let SubStatus::Disabled(reason) = status_of(row) {
        return Err(refused(
            row,
            format!(
                "is disabled ({}) for good: nothing of it changes; {}",
                reason.as_str().replace('_', " "),
                "buy another copy and record the new purchase (n)"
            ),
        ));
    }
    fixed(row, wanted)?;
    let clash: Option<i64> = conn
        .query_row(
            "SELECT id FROM pools WHERE kind IN ('saas', 'isv') AND name = ?1 COLLATE NOCASE \
             AND status <> 'disabled' AND id <> ?2 LIMIT 1",
            rusqlite::params![wanted.name, row.id],
            |r| r.get(0),
        )
        .optional()?;
    if clash.is_some() {
        return Err(refused(
            row,
            format!(
                "can't be renamed {:?}: another subscription has that name",
                wanted.name
            ),
        ));
    }
    let profile_id = match &wanted.billing_profile {
        Some(key) => Value::Integer(profile(conn, key)?.0),
        None => Value::Null,
    };
    let wanted_values: [(&'static str, &'static str, Value); 9] = [
        ("name", "name", Value::Text(wanted.name.clone())),
        (
            "quantity",
            "total",
            wanted.quantity.map_or(Value::Null, Value::Integer),
        ),
        (
            "price",
            "price_cents",
            wanted.price_cents.map_or(Value::Null, Value::Integer),
        ),
        ("currency", "currency", text(&wanted.currency)),
        ("period", "billing_period", text(&wanted.period)),
        (
            "term end",
            "expires_on",
            text(&wanted.ends.map(|d| d.to_string())),
        ),
        ("billing profile", "billing_profile_id", profile_id),
        (
            "activation address",
            "activation_url",
            text(&wanted.activation_url),
        ),
        ("install address", "install_url", text(&wanted.install_url)),
    ];
    let mut out = Vec::new();
    for (label, column, value) in wanted_values {
        let before = current(conn, row.id, column)?;
        if before == value {
            continue;
        }
        let (before_text, after_text) = match column {
            "price_cents" => (price(&before), price(&value)),
            "billing_profile_id" => (
                row.billing_profile.clone().unwrap_or_else(|| "none".to_owned()),
                wanted
                    .billing_profile
                    .clone()
                    .unwrap_or_else(|| "none".to_owned()),
            ),
            _ => (shown(&before), shown(&value)),
        };
        out.push(FieldDiff {
            label,
            column,
            before: before_text,
            after: after_text,
            value,
        });
    }
    for diff in &out {
        allowed(conn, actor, row, wanted, diff)?;
    }
    Ok(out)
}

/// What was bought stays: the form never offers these, the store checks.
fn fixed(row: &SubscriptionRow, wanted: &Purchase) -> Result<(), ChangeError> {
    let channel = wanted.channel.replace("vendor_proposal", "proposal");
    let pricing = wanted.pricing.as_deref().map(|p| p.replace("flat_rate", "flat"));
    // A sync may have left some of it empty: empty stays empty.
    let same = row.publisher.as_deref().unwrap_or_default() == wanted.publisher
        && row.kind == wanted.kind
        && row.channel.as_deref().unwrap_or_default() == channel
        && row.pricing == pricing
        && row.region.as_deref().unwrap_or_default() == wanted.region
        && row.vendor_managed == wanted.vendor_managed;
    if same {
        Ok(())
    } else {
        Err(refused(
            row,
            "its publisher, kind, channel, pricing, region and vendor management are what was bought; \
             record another purchase (n) to change them"
                .to_owned(),
        ))
    }
}

/// The rules a changed quantity (R-SUB-5) or profile (R-SUB-6) follows.
fn allowed(
    conn: &Connection,
    actor: &Actor,
    row: &SubscriptionRow,
    wanted: &Purchase,
    diff: &FieldDiff,
) -> Result<(), ChangeError> {
    match diff.column {
        "total" => {
            let pricing = if row.pricing.as_deref() == Some("flat") {
                Pricing::Flat
            } else {
                Pricing::PerSeat
            };
            let Some(to) = wanted.quantity else {
                return Err(refused(
                    row,
                    "its quantity can't be emptied: a per-seat subscription names its seats".to_owned(),
                ));
            };
            subscription::check_quantity(
                pricing,
                row.vendor_managed,
                status_of(row),
                row.quantity,
                row.consumed,
                to,
            )
            .map_err(|why| refused(row, why.to_string()))
        }
        // Expiry is the lifecycle's (R-SUB-4): a past term end would disable
        // it here, and z would then bring a disabled one back.
        "expires_on" => match wanted.ends {
            Some(end) if end <= chrono::Utc::now().date_naive() => Err(refused(
                row,
                format!("can't end on {end}, today or before: that would expire it; C cancels it"),
            )),
            _ => Ok(()),
        },
        "billing_profile_id" => {
            let Some(key) = &wanted.billing_profile else {
                return Ok(());
            };
            let (_, name, editable_by) = profile(conn, key)?;
            let role = role_of(conn, actor)?.unwrap_or_default();
            if editable_by.split(',').any(|r| r.trim() == role) {
                Ok(())
            } else {
                let you = if role.is_empty() { "no admin" } else { &role };
                Err(ChangeError::NotPermitted(format!(
                    "billing profile {name} may be used by the {editable_by} roles only; you are {you}"
                )))
            }
        }
        _ => Ok(()),
    }
}

/// Applies the edit as one undoable, audited batch.
pub fn edit(conn: &Connection, actor: &Actor, id: i64, wanted: &Purchase) -> Result<Changed, ChangeError> {
    change(conn, actor, "subscription_edit", id, |tx, row| {
        let found = diffs(tx, actor, row, wanted)?;
        if found.is_empty() {
            return Err(refused(
                row,
                "has those values already: nothing to change".to_owned(),
            ));
        }
        let said: Vec<String> = found
            .iter()
            .map(|d| format!("{} {} → {}", d.label, d.before, d.after))
            .collect();
        let detail = json!({
            "pool": id,
            "fields": found.iter().map(|d| json!({ "field": d.label, "from": d.before, "to": d.after })).collect::<Vec<_>>(),
        });
        let change = FieldChange {
            pool_name: row.name.clone(),
            fields: found.into_iter().map(|d| (d.column, d.value)).collect(),
            detail,
        };
        Ok((change, format!("{}: {}", row.name, said.join(", "))))
    })
}
