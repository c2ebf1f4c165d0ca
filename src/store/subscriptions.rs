//! SaaS and ISV subscriptions as `seats subscriptions` and the console list
//! them (issue 10, R-SUB-1..9, R-LIC-8): the pool with what was bought —
//! channel, pricing, price, term, region, billing profile — and its
//! lifecycle status. Changes are in `subscriptions_change`.

use rusqlite::{Connection, Row};

use super::filter_sql::{FilterColumn, column};
use super::list::{ListSpec, Page, PageRequest, fetch_page};
use crate::domain::FieldKind::{Date, Flag, Number, Text};

/// One subscription; the field names are the JSON contract's.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SubscriptionRow {
    /// The pool's id.
    pub id: i64,
    pub name: String,
    pub publisher: Option<String>,
    /// saas or isv.
    pub kind: String,
    /// direct, partner or proposal.
    pub channel: Option<String>,
    /// flat or per_seat.
    pub pricing: Option<String>,
    /// pending_activation, active or disabled.
    pub status: String,
    /// cancelled, expired or payment_lapsed.
    pub disabled_reason: Option<String>,
    /// None: unlimited.
    pub quantity: Option<i64>,
    pub consumed: i64,
    /// Per seat or per site and period, in `currency`.
    pub price: Option<f64>,
    pub currency: Option<String>,
    /// monthly or annual.
    pub period: Option<String>,
    pub term_end: Option<String>,
    pub region: Option<String>,
    pub billing_profile: Option<String>,
    pub vendor_managed: bool,
    #[serde(skip)]
    pub activation_url: Option<String>,
    #[serde(skip)]
    pub install_url: Option<String>,
    /// The day the status last changed.
    #[serde(skip)]
    pub status_on: Option<String>,
    /// The term's first day, as recorded (the CSV listing's `starts`).
    #[serde(skip)]
    pub starts_on: Option<String>,
}

/// Column order of the Subscriptions table.
pub const COLUMNS: &[&str] = &["Name", "Status", "Seats", "Used", "Price", "Ends", "Channel"];

/// What filter conditions may name.
pub const FIELDS: &[FilterColumn] = &[
    column("name", Text, "name"),
    column("publisher", Text, "coalesce(publisher, '')"),
    column("kind", Text, "kind"),
    column("status", Text, "status"),
    column("reason", Text, "coalesce(disabled_reason, '')"),
    column("channel", Text, "coalesce(channel, '')"),
    column("pricing", Text, "coalesce(pricing, '')"),
    column("seats", Number, "quantity"),
    column("used", Number, "consumed"),
    column("ends", Date, "coalesce(term_end, '9999-12-31')"),
    column("region", Text, "coalesce(region, '')"),
    column("profile", Text, "coalesce(billing_profile, '')"),
    column("vendor", Flag, "vendor_managed"),
];

// Scoped to one pool by `:scope` (get). An active subscription whose term has ended is disabled (expired), as
// the lifecycle says (domain::lifecycle), before anyone records it.
const SPEC: ListSpec = ListSpec {
    base: "SELECT p.id, p.name, p.publisher, p.kind, \
                  CASE p.channel WHEN 'vendor_proposal' THEN 'proposal' ELSE p.channel END AS channel, \
                  CASE p.pricing WHEN 'flat_rate' THEN 'flat' ELSE p.pricing END AS pricing, \
                  CASE WHEN p.status = 'disabled' THEN 'disabled' \
                       WHEN p.status = 'pending_activation' THEN 'pending_activation' \
                       WHEN p.expires_on IS NOT NULL AND p.expires_on <= substr(:as_of, 1, 10) THEN 'disabled' \
                       ELSE 'active' END AS status, \
                  CASE WHEN p.status = 'disabled' THEN coalesce(p.disabled_reason, 'cancelled') \
                       WHEN p.status <> 'pending_activation' AND p.expires_on IS NOT NULL \
                            AND p.expires_on <= substr(:as_of, 1, 10) THEN 'expired' END AS disabled_reason, \
                  p.total AS quantity, p.consumed, p.price_cents, p.currency, p.billing_period AS period, \
                  p.expires_on AS term_end, p.region, b.name AS billing_profile, p.vendor_managed, \
                  p.activation_url, p.install_url, p.status_on, p.starts_on \
           FROM pools p LEFT JOIN billing_profiles b ON b.id = p.billing_profile_id \
           WHERE p.kind IN ('saas', 'isv') AND (:scope IS NULL OR p.id = :scope)",
    haystack: "name || ' ' || coalesce(publisher, '') || ' ' || status || ' ' || kind",
    fields: FIELDS,
    sort_keys: &[
        "name COLLATE NOCASE",
        "status",
        "coalesce(quantity, 9223372036854775807)",
        "consumed",
        "coalesce(price_cents, -1)",
        "coalesce(term_end, '9999')",
        "coalesce(channel, '')",
    ],
    tiebreak: "id",
};

fn map_row(row: &Row<'_>) -> rusqlite::Result<SubscriptionRow> {
    let cents: Option<i64> = row.get("price_cents")?;
    Ok(SubscriptionRow {
        id: row.get("id")?,
        name: row.get("name")?,
        publisher: row.get("publisher")?,
        kind: row.get("kind")?,
        channel: row.get("channel")?,
        pricing: row.get("pricing")?,
        status: row.get("status")?,
        disabled_reason: row.get("disabled_reason")?,
        quantity: row.get("quantity")?,
        consumed: row.get("consumed")?,
        price: cents.map(|c| c as f64 / 100.0),
        currency: row.get("currency")?,
        period: row.get("period")?,
        term_end: row.get("term_end")?,
        region: row.get("region")?,
        billing_profile: row.get("billing_profile")?,
        vendor_managed: row.get("vendor_managed")?,
        activation_url: row.get("activation_url")?,
        install_url: row.get("install_url")?,
        status_on: row.get("status_on")?,
        starts_on: row.get("starts_on")?,
    })
}

/// One window of the subscriptions.
pub fn page(conn: &Connection, request: &PageRequest) -> rusqlite::Result<Page<SubscriptionRow>> {
    fetch_page(conn, &SPEC, request, map_row)
}

/// The subscription with pool id `id`, as listed today.
pub fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<SubscriptionRow>> {
    let request = PageRequest {
        limit: 1,
        scope: Some(id),
        ..PageRequest::default()
    };
    Ok(page(conn, &request)?.rows.into_iter().next())
}

/// The names of the live (not disabled) subscriptions but `except`: the
/// names a purchase or a rename may not take (`subscriptions_import::clashes`
/// and the edit refuse them), for the form to say so as it is typed.
pub fn live_names(conn: &Connection, except: i64) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT name FROM pools WHERE kind IN ('saas', 'isv') AND status <> 'disabled' AND id <> ?1 \
         ORDER BY name COLLATE NOCASE",
    )?;
    let names = stmt.query_map([except], |r| r.get(0))?;
    names.collect()
}
