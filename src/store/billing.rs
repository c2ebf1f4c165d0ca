//! Billing profiles and invoices of subscriptions (R-SUB-6), as
//! `seats billing-profiles` and `seats invoices` list them.

use rusqlite::Connection;
use serde::Serialize;

/// One billing profile. A card shows as its last four digits only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfileRow {
    pub id: i64,
    pub name: String,
    /// credit_card or check_wire.
    pub payment_method: String,
    pub card_last4: Option<String>,
    pub contact_name: String,
    pub contact_email: String,
    pub address: String,
    /// The roles that may change it or bill a subscription to it.
    pub editable_by: Vec<String>,
    /// Subscriptions billed to it.
    pub subscriptions: i64,
}

/// Every profile, by name.
pub fn profiles(conn: &Connection) -> rusqlite::Result<Vec<ProfileRow>> {
    let mut stmt = conn.prepare(
        "SELECT b.id, b.name, b.payment_method, b.card_last4, b.contact_name, b.contact_email, b.address, \
         b.editable_by, (SELECT count(*) FROM pools p WHERE p.billing_profile_id = b.id) \
         FROM billing_profiles b ORDER BY b.name COLLATE NOCASE",
    )?;
    let rows = stmt.query_map([], |r| {
        let roles: String = r.get(7)?;
        Ok(ProfileRow {
            id: r.get(0)?,
            name: r.get(1)?,
            payment_method: r.get(2)?,
            card_last4: r.get(3)?,
            contact_name: r.get(4)?,
            contact_email: r.get(5)?,
            address: r.get(6)?,
            editable_by: roles.split(',').map(|s| s.trim().to_owned()).collect(),
            subscriptions: r.get(8)?,
        })
    })?;
    rows.collect()
}

/// One invoice.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InvoiceRow {
    pub number: String,
    /// The subscription's pool id and name.
    pub subscription_id: i64,
    pub subscription: String,
    pub issued_on: String,
    pub period_start: String,
    pub period_end: String,
    pub amount: f64,
    pub currency: String,
    /// paid, due or overdue.
    pub status: String,
    pub billing_profile: Option<String>,
    /// A link or a file path.
    pub document: Option<String>,
}

/// The invoices of subscription `pool` (every one when None), newest first.
pub fn invoices(conn: &Connection, pool: Option<i64>) -> rusqlite::Result<Vec<InvoiceRow>> {
    let mut stmt = conn.prepare(
        "SELECT i.number, i.pool_id, p.name, i.issued_on, i.period_start, i.period_end, i.amount_cents, \
         i.currency, i.status, b.name, i.document \
         FROM invoices i JOIN pools p ON p.id = i.pool_id \
         LEFT JOIN billing_profiles b ON b.id = i.billing_profile_id \
         WHERE ?1 IS NULL OR i.pool_id = ?1 ORDER BY i.issued_on DESC, i.number DESC",
    )?;
    let rows = stmt.query_map([pool], |r| {
        Ok(InvoiceRow {
            number: r.get(0)?,
            subscription_id: r.get(1)?,
            subscription: r.get(2)?,
            issued_on: r.get(3)?,
            period_start: r.get(4)?,
            period_end: r.get(5)?,
            amount: r.get::<_, i64>(6)? as f64 / 100.0,
            currency: r.get(7)?,
            status: r.get(8)?,
            billing_profile: r.get(9)?,
            document: r.get(10)?,
        })
    })?;
    rows.collect()
}

/// The columns `seats invoices` and the console's export write.
pub const INVOICE_HEADERS: &[&str] = &[
    "number",
    "subscription",
    "issued",
    "period",
    "amount",
    "status",
    "document",
];

/// One table row per invoice, under `INVOICE_HEADERS`.
pub fn invoice_cells(rows: &[InvoiceRow]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|i| {
            vec![
                i.number.clone(),
                i.subscription.clone(),
                i.issued_on.clone(),
                format!("{} – {}", i.period_start, i.period_end),
                format!("{:.2} {}", i.amount, i.currency),
                i.status.clone(),
                i.document.clone().unwrap_or_default(),
            ]
        })
        .collect()
}
