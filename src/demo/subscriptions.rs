//! What the demo's SaaS and ISV subscriptions were bought with (issue 10):
//! two billing profiles, the currency, region and publisher addresses of
//! each subscription, and a year of invoices — the latest of the lapsed one
//! overdue, the others paid but the current period's.

use rusqlite::{Connection, params};

use super::clock::Clock;

/// Name, method, card's last four, contact, e-mail, address, roles.
type Profile = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const PROFILES: &[Profile] = &[
    (
        "Corporate card",
        "credit_card",
        Some("4242"),
        "Eva Jansen",
        "ap@contoso-demo.example",
        "Herengracht 1, 1015 BA Amsterdam, NL",
        "global,license",
    ),
    (
        "Procurement (wire)",
        "check_wire",
        None,
        "Procurement desk",
        "procurement@contoso-demo.example",
        "Herengracht 1, 1015 BA Amsterdam, NL",
        "global",
    ),
];

/// A host name for a publisher ("Litware, Inc." → "litware.example").
fn host(publisher: &str) -> String {
    let word: String = publisher
        .split(|c: char| !c.is_ascii_alphanumeric())
        .find(|w| !w.is_empty())
        .unwrap_or("vendor")
        .to_ascii_lowercase();
    format!("{word}.example")
}

struct Sub {
    id: i64,
    kind: String,
    publisher: String,
    quantity: Option<i64>,
    price_cents: Option<i64>,
    monthly: bool,
    lapsed: bool,
    pending: bool,
    /// The current term (annual subscriptions are invoiced for it).
    term: (Option<String>, Option<String>),
}

fn subscriptions(conn: &Connection) -> rusqlite::Result<Vec<Sub>> {
    let mut stmt = conn.prepare(
        "SELECT id, kind, coalesce(publisher, name), total, price_cents, billing_period, disabled_reason, \
         status, starts_on, date(expires_on, '-1 day') FROM pools WHERE kind IN ('saas', 'isv') ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Sub {
            id: r.get(0)?,
            kind: r.get(1)?,
            publisher: r.get(2)?,
            quantity: r.get(3)?,
            price_cents: r.get(4)?,
            monthly: r.get::<_, Option<String>>(5)?.as_deref() != Some("annual"),
            lapsed: r.get::<_, Option<String>>(6)?.as_deref() == Some("payment_lapsed"),
            pending: r.get::<_, String>(7)? == "pending_activation",
            term: (r.get(8)?, r.get(9)?),
        })
    })?;
    rows.collect()
}

pub(crate) fn write(conn: &Connection, clock: &Clock) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare(
        "INSERT INTO billing_profiles (id, name, payment_method, card_last4, contact_name, contact_email, \
         address, editable_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (id, p) in (1..).zip(PROFILES) {
        stmt.execute(params![id, p.0, p.1, p.2, p.3, p.4, p.5, p.6])?;
    }
    for (index, sub) in subscriptions(conn)?.iter().enumerate() {
        let site = host(&sub.publisher);
        let profile = 1 + (index % 2) as i64;
        let install = (sub.kind == "isv").then(|| format!("https://{site}/install"));
        conn.execute(
            "UPDATE pools SET currency = 'EUR', region = 'Western Europe', activation_url = ?2, \
             install_url = ?3, billing_profile_id = ?4 WHERE id = ?1",
            params![sub.id, format!("https://{site}/activate"), install, profile],
        )?;
        invoices(conn, clock, sub, profile)?;
    }
    Ok(())
}

/// A year of invoices (monthly) or the current term's (annual); none
/// before activation.
fn invoices(conn: &Connection, clock: &Clock, sub: &Sub, profile: i64) -> rusqlite::Result<()> {
    let Some(price) = sub.price_cents.filter(|_| !sub.pending) else {
        return Ok(());
    };
    let amount = price * sub.quantity.unwrap_or(1);
    if !sub.monthly {
        return annual(conn, sub, profile, amount);
    }
    let (count, days) = (12, 30);
    let mut stmt = conn.prepare_cached(
        "INSERT INTO invoices (number, pool_id, billing_profile_id, issued_on, period_start, period_end, \
         amount_cents, currency, status, document) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'EUR', ?8, ?9)",
    )?;
    for n in 0..count {
        let start = -(n + 1) * days;
        let status = match (n, sub.lapsed) {
            (0, true) => "overdue",
            (0, false) => "due",
            _ => "paid",
        };
        let number = format!("INV-{:03}-{:02}", sub.id, count - n);
        let document = format!("https://{}/invoices/{number}.pdf", host(&sub.publisher));
        stmt.execute(params![
            number,
            sub.id,
            profile,
            clock.date(start + days),
            clock.date(start),
            clock.date(start + days - 1),
            amount,
            status,
            document
        ])?;
    }
    Ok(())
}

fn annual(conn: &Connection, sub: &Sub, profile: i64, amount: i64) -> rusqlite::Result<()> {
    let (Some(start), Some(end)) = &sub.term else {
        return Ok(());
    };
    let number = format!("INV-{:03}-01", sub.id);
    let document = format!("https://{}/invoices/{number}.pdf", host(&sub.publisher));
    conn.execute(
        "INSERT INTO invoices (number, pool_id, billing_profile_id, issued_on, period_start, period_end, \
         amount_cents, currency, status, document) VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, 'EUR', 'paid', ?7)",
        params![number, sub.id, profile, start, end, amount, document],
    )?;
    Ok(())
}
