//! The headless twins of the Subscriptions view (issue 10, contract):
//! `seats subscriptions`, `seats subscription activate|cancel|quantity|profile`,
//! `seats billing-profiles`, `seats invoices [ID]`. A forbidden transition
//! or quantity exits 3 with the reason; an unknown id exits 2.

use std::io::IsTerminal as _;
use std::path::Path;

use clap::{Args, Subcommand};

use crate::cli::{Failure, print};
use crate::cli_changes::Session;
use crate::output::{self, Format};
use crate::store::subscriptions::{self, FIELDS, SubscriptionRow};
use crate::store::{self, OpenMode, PageRequest, billing, subscriptions_change};

/// `seats subscriptions` options.
#[derive(Debug, Args)]
pub struct SubscriptionsArgs {
    /// Keep subscriptions that pass the console's filter (`status:pending`,
    /// `kind:isv`, `ends<30d`).
    #[arg(long, value_name = "FILTER")]
    pub filter: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// `seats subscription …`.
#[derive(Debug, Subcommand)]
pub enum SubscriptionCommand {
    /// Record that it was activated at the publisher: seats can be assigned.
    Activate { id: i64 },
    /// Cancel it for good and release its seats (asks first unless --yes).
    Cancel {
        id: i64,
        #[arg(long)]
        yes: bool,
    },
    /// Change a seat-based subscription's quantity.
    Quantity { id: i64, quantity: i64 },
    /// Bill it to another billing profile (name or id).
    Profile { id: i64, profile: String },
}

/// `seats billing-profiles` and `seats invoices` options.
#[derive(Debug, Args)]
pub struct BillingArgs {
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Runs `seats subscriptions`.
pub fn list(db: &Path, args: &SubscriptionsArgs) -> Result<(), Failure> {
    let fields: Vec<crate::domain::Field> = FIELDS.iter().map(|c| c.field).collect();
    let filter = match args.filter.as_deref() {
        Some(text) => crate::domain::Filter::parse(text, &fields)
            .map_err(|err| Failure::usage(format!("--filter {err}")))?,
        None => None,
    };
    let conn = store::open(db, OpenMode::MustExist)?;
    let request = PageRequest {
        filter,
        limit: usize::MAX >> 1,
        ..PageRequest::default()
    };
    let rows = subscriptions::page(&conn, &request)?.rows;
    let mut out = render(args.format, &rows);
    if args.format == Format::Table {
        for warning in rows.iter().filter_map(|r| warning(r, chrono::Utc::now())) {
            out.push_str(&warning);
            out.push('\n');
        }
    }
    print(&out)
}

/// What needs the admin, as tokens warn (30 days before the end): an
/// active subscription ending soon, or one disabled (lapsed, expired,
/// cancelled) that still holds seats.
pub fn warning(row: &SubscriptionRow, now: chrono::DateTime<chrono::Utc>) -> Option<String> {
    use crate::domain::expiry::{TOKEN_WARNING_DAYS, days_until, parse_date};
    if row.status == "disabled" {
        let reason = row
            .disabled_reason
            .as_deref()
            .unwrap_or("cancelled")
            .replace('_', " ");
        return (row.consumed > 0).then(|| {
            format!(
                "warning: {} is disabled ({reason}) and {} seat(s) still point at it: release them; \
                 buy another copy to go on (`seats import subscriptions FILE`)",
                row.name, row.consumed
            )
        });
    }
    let end = parse_date(row.term_end.as_deref()?)?;
    let days = days_until(end, now);
    (row.status == "active" && (0..=TOKEN_WARNING_DAYS).contains(&days)).then(|| {
        format!(
            "warning: {} ends in {days} day(s) ({end}): renew it at the publisher, or it is disabled (expired)",
            row.name
        )
    })
}

fn render(format: Format, rows: &[SubscriptionRow]) -> String {
    if format == Format::Csv {
        return crate::cli_subscriptions_import::export_csv(rows);
    }
    let headers = [
        "id",
        "name",
        "publisher",
        "kind",
        "channel",
        "pricing",
        "status",
        "quantity",
        "consumed",
        "price",
        "period",
        "term_end",
        "region",
        "billing_profile",
    ];
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let status = match &r.disabled_reason {
                Some(reason) => format!("{} ({reason})", r.status),
                None => r.status.clone(),
            };
            let quantity = match (r.quantity, r.vendor_managed) {
                (None, _) => "unlimited".to_owned(),
                (Some(q), true) => format!("{q} (vendor)"),
                (Some(q), false) => q.to_string(),
            };
            let price = r
                .price
                .map(|p| format!("{p:.2} {}", text(&r.currency)).trim().to_owned())
                .unwrap_or_default();
            vec![
                r.id.to_string(),
                r.name.clone(),
                text(&r.publisher),
                r.kind.clone(),
                text(&r.channel),
                text(&r.pricing),
                status,
                quantity,
                r.consumed.to_string(),
                price,
                text(&r.period),
                text(&r.term_end),
                text(&r.region),
                text(&r.billing_profile),
            ]
        })
        .collect();
    output::render(format, &headers, &cells, rows)
}

fn today() -> String {
    chrono::Utc::now().date_naive().to_string()
}

/// Runs `seats subscription …`.
pub fn change(session: &Session, command: SubscriptionCommand) -> Result<(), Failure> {
    let conn = store::open(&session.db, OpenMode::MustExist)?;
    let actor = &session.actor;
    let done = match command {
        SubscriptionCommand::Activate { id } => subscriptions_change::activate(&conn, actor, id, &today())?,
        SubscriptionCommand::Quantity { id, quantity } => {
            subscriptions_change::set_quantity(&conn, actor, id, quantity)?
        }
        SubscriptionCommand::Profile { id, profile } => {
            subscriptions_change::set_profile(&conn, actor, id, &profile)?
        }
        SubscriptionCommand::Cancel { id, yes } => return cancel(&conn, session, id, yes),
    };
    print(&format!("{} (batch {})\n", done.message, done.batch))
}

fn cancel(conn: &rusqlite::Connection, session: &Session, id: i64, yes: bool) -> Result<(), Failure> {
    let Some(row) = subscriptions::get(conn, id)? else {
        return Err(Failure::usage(format!(
            "no subscription with id {id}; `seats subscriptions` lists them with their ids"
        )));
    };
    if !yes {
        let what = format!(
            "cancelling {} for good: its {} seat(s) are released and it can never be active again\n",
            row.name, row.consumed
        );
        if !std::io::stdin().is_terminal() {
            return Err(Failure::usage(format!("{what}pass --yes to confirm")));
        }
        if !crate::cli_changes::confirm(&what, "cancel it? [y/N] ")? {
            eprintln!("cancelled nothing: nothing was changed");
            return Ok(());
        }
    }
    let (row, outcome) = subscriptions_change::cancel(conn, &session.actor, id, &today())?;
    let released = outcome.as_ref().map_or(0, |o| o.released);
    let batch = outcome
        .map(|o| format!(" (batch {})", o.batch_id))
        .unwrap_or_default();
    print(&format!(
        "{} is cancelled (disabled for good); {released} seat(s) released{batch}\n",
        row.name
    ))
}

/// Runs `seats billing-profiles`.
pub fn profiles(db: &Path, args: &BillingArgs) -> Result<(), Failure> {
    let conn = store::open(db, OpenMode::MustExist)?;
    let rows = billing::profiles(&conn)?;
    let headers = [
        "id",
        "name",
        "payment",
        "contact",
        "address",
        "editable_by",
        "subscriptions",
    ];
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|p| {
            let payment = match &p.card_last4 {
                Some(last4) => format!("card •••• {last4}"),
                None => "check/wire".to_owned(),
            };
            vec![
                p.id.to_string(),
                p.name.clone(),
                payment,
                format!("{} <{}>", p.contact_name, p.contact_email),
                p.address.clone(),
                p.editable_by.join(", "),
                p.subscriptions.to_string(),
            ]
        })
        .collect();
    print(&output::render(args.format, &headers, &cells, &rows))
}

/// Runs `seats invoices [ID]`.
pub fn invoices(db: &Path, id: Option<i64>, args: &BillingArgs) -> Result<(), Failure> {
    let conn = store::open(db, OpenMode::MustExist)?;
    if let Some(id) = id
        && subscriptions::get(&conn, id)?.is_none()
    {
        return Err(Failure::usage(format!(
            "no subscription with id {id}; `seats subscriptions` lists them with their ids"
        )));
    }
    let rows = billing::invoices(&conn, id)?;
    let cells = billing::invoice_cells(&rows);
    print(&output::render(
        args.format,
        billing::INVOICE_HEADERS,
        &cells,
        &rows,
    ))
}
