//! Recording purchases from a subscriptions file (issue 10): every row
//! becomes a SaaS or ISV pool in one transaction, or none does. A row that
//! names an unknown billing profile, or a subscription that is still live
//! under the same name, refuses the file with its line; a disabled one of
//! that name may be bought again (R-SUB-4: the way on is another copy).

use rusqlite::{Connection, OptionalExtension as _, params};
use serde_json::json;

use super::agreement_error::AgreementError;
use super::changes::{Actor, Permission, record_purchase};
use super::license_groups::audited_as;
use crate::domain::subscription_csv::Purchase;

/// Why rows clash with the cache, one line each; empty when none do.
pub fn clashes(conn: &Connection, rows: &[Purchase]) -> rusqlite::Result<Vec<String>> {
    let mut out = Vec::new();
    for row in rows {
        if let Some(profile) = &row.billing_profile
            && profile_id(conn, profile)?.is_none()
        {
            out.push(format!(
                "line {}, column billing_profile: {profile:?} is not a billing profile; \
                 `seats billing-profiles` lists them",
                row.line
            ));
        }
        // A disabled one is history: it may share a live one's name.
        if row.status == "disabled" {
            continue;
        }
        let live: Option<String> = conn
            .query_row(
                "SELECT status FROM pools WHERE kind IN ('saas', 'isv') AND name = ?1 COLLATE NOCASE \
                 AND status <> 'disabled' LIMIT 1",
                [&row.name],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(status) = live {
            out.push(format!(
                "line {}, column name: {:?} is a subscription already ({status}); name the new purchase apart",
                row.line, row.name
            ));
        }
    }
    Ok(out)
}

fn profile_id(conn: &Connection, name: &str) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT id FROM billing_profiles WHERE name = ?1 COLLATE NOCASE",
        [name],
        |r| r.get(0),
    )
    .optional()
}

/// Adds every purchase as one batch `z` undoes (`changes::record_purchase`);
/// returns how many, and the batch. Checks `clashes` again inside the
/// transaction (another admin may have written in between).
pub fn import(
    conn: &Connection,
    actor: &Actor,
    file: &str,
    rows: &[Purchase],
    today: &str,
) -> Result<(usize, String), AgreementError> {
    audited_as(
        conn,
        actor,
        Permission::ManageSubscriptions,
        "subscriptions_import",
        file,
        |tx| {
            let problems = clashes(tx, rows)?;
            if !problems.is_empty() {
                return Err(AgreementError::Invalid(problems.join("\n")));
            }
            let mut stmt = tx.prepare(
            "INSERT INTO pools (name, kind, source, total, status, pricing, channel, billing_period, price_cents, \
             vendor_managed, starts_on, expires_on, publisher, currency, region, activation_url, install_url, \
             billing_profile_id, status_on, disabled_reason) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
        )?;
            let mut created = Vec::with_capacity(rows.len());
            for row in rows {
                let isv = row.kind == "isv";
                let profile = match &row.billing_profile {
                    Some(name) => profile_id(tx, name)?,
                    None => None,
                };
                stmt.execute(params![
                    row.name,
                    row.kind,
                    if isv { "vendor" } else { "marketplace" },
                    row.quantity,
                    row.status,
                    row.pricing,
                    (!row.channel.is_empty()).then_some(&row.channel),
                    row.period,
                    row.price_cents,
                    row.vendor_managed,
                    row.starts.map(|d| d.to_string()),
                    row.ends.map(|d| d.to_string()),
                    row.publisher,
                    row.currency,
                    row.region,
                    row.activation_url,
                    row.install_url,
                    profile,
                    today,
                    row.disabled_reason,
                ])?;
                created.push((tx.last_insert_rowid(), row.name.clone()));
            }
            let detail = json!({ "file": file, "rows": rows.len() });
            let batch = record_purchase(tx, &actor.name, &created, detail)?;
            Ok((rows.len(), batch))
        },
    )
}
