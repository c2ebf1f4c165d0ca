//! What undoing a subscription's change puts back (issue 10): the store
//! keeps each field of an activation, quantity or billing-profile batch as
//! it was before and after (`pool_field_changes`); the undo preview and the
//! message after it name them, since no seat moves.

use rusqlite::Connection;
use rusqlite::types::Value;

use super::line;
use crate::app::dialogs::{Preview, PreviewLine};

/// "Fabrikam CRM: quantity 48 → back to 50", one per field of `batches`.
pub fn field_reverts(conn: &Connection, batches: &[String]) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.name, f.field, \
                CASE f.field WHEN 'billing_profile_id' THEN (SELECT name FROM billing_profiles WHERE id = f.after) \
                     ELSE f.after END, \
                CASE f.field WHEN 'billing_profile_id' THEN (SELECT name FROM billing_profiles WHERE id = f.before) \
                     ELSE f.before END \
         FROM pool_field_changes f JOIN pools p ON p.id = f.pool_id \
         WHERE f.batch_id = ?1 AND f.field <> 'disabled_reason' AND f.field <> 'status_on' ORDER BY p.name, f.field",
    )?;
    let mut out: Vec<String> = crate::store::changes::recorded_names(conn, batches)?
        .into_iter()
        .map(|name| format!("{name}: the recorded purchase is removed"))
        .collect();
    out.extend(crate::store::changes::scope_reverts(conn, batches)?);
    for batch in batches {
        let rows = stmt.query_map([batch], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Value>(2)?,
                r.get::<_, Value>(3)?,
            ))
        })?;
        for row in rows {
            let (pool, field, after, before) = row?;
            let what = match field.as_str() {
                "total" => "quantity",
                "billing_profile_id" => "billing profile",
                "price_cents" => "price (cents)",
                "billing_period" => "period",
                "expires_on" => "term end",
                "activation_url" => "activation address",
                "install_url" => "install address",
                other => other,
            };
            out.push(format!(
                "{pool}: {what} {} → back to {}",
                shown(&after),
                shown(&before)
            ));
        }
    }
    Ok(out)
}

fn shown(value: &Value) -> String {
    match value {
        Value::Null => "none".to_owned(),
        Value::Integer(n) => n.to_string(),
        Value::Real(x) => x.to_string(),
        Value::Text(text) => text.replace('_', " "),
        Value::Blob(_) => "?".to_owned(),
    }
}

/// Adds the subscription fields an undo puts back to its preview, in place
/// of "nothing left to reverse" (which speaks of seats).
pub fn add_to_preview(conn: &Connection, batches: &[String], preview: &mut Preview) -> rusqlite::Result<()> {
    let reverts = field_reverts(conn, batches)?;
    if reverts.is_empty() {
        return Ok(());
    }
    preview
        .lines
        .retain(|l| !l.text.contains("nothing left to reverse"));
    let at = preview
        .lines
        .iter()
        .position(|l| l.text == "undo reverses:")
        .map_or(0, |i| i + 1);
    let added: Vec<PreviewLine> = reverts.into_iter().map(|r| line(format!("  {r}"))).collect();
    preview.lines.splice(at..at, added);
    Ok(())
}
