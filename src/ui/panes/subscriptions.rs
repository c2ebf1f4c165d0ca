//! The Subscriptions view (issue 10, R-SUB-1..9, R-LIC-8): what was bought
//! from whom, how it is priced and billed, and where it is in its life.
//! The detail says what each status allows and where to go next.

use ratatui::text::Line;

use super::{Cell, Ctx, countdown_cell, field, field_cell};
use crate::app::subscriptions::BUY_ANOTHER;
use crate::store::subscriptions::SubscriptionRow;
use crate::ui::columns::Width;

/// Name, Status, Seats, Used, Price, Ends, Channel.
pub const WIDTHS: &[Width] = &[
    Width::Name { min: 14, weight: 3 },
    Width::Fit { min: 6, max: 11 },
    Width::Fit { min: 5, max: 9 },
    Width::Fit { min: 4, max: 6 },
    Width::Fit { min: 5, max: 13 },
    Width::Fit { min: 4, max: 8 },
    Width::Fit { min: 7, max: 8 },
];

fn status_cell(row: &SubscriptionRow, ctx: &Ctx) -> Cell {
    match (row.status.as_str(), row.disabled_reason.as_deref()) {
        ("active", _) => Cell::styled("✓ active", ctx.theme.good()),
        ("pending_activation", _) => Cell::styled("… pending", ctx.theme.warn()),
        (_, Some("payment_lapsed")) => Cell::styled("✗ lapsed", ctx.theme.bad()),
        (_, Some(reason)) => Cell::styled(format!("✗ {reason}"), ctx.theme.bad()),
        _ => Cell::styled("✗ disabled", ctx.theme.bad()),
    }
}

/// "12.50 USD/mo", or "—" when no price was recorded.
pub fn price(row: &SubscriptionRow) -> String {
    let Some(price) = row.price else {
        return "—".to_owned();
    };
    let period = match row.period.as_deref() {
        Some("monthly") => "/mo",
        Some("annual") => "/yr",
        _ => "",
    };
    // Whole amounts without cents keep the column narrow.
    let amount = if price.fract() == 0.0 {
        format!("{price:.0}")
    } else {
        format!("{price:.2}")
    };
    match row.currency.as_deref() {
        Some(currency) => format!("{amount} {currency}{period}"),
        None => format!("{amount}{period}"),
    }
}

/// The quantity: "∞" for flat-rate, "5 (vendor)" when the vendor manages it.
fn quantity(row: &SubscriptionRow) -> String {
    let figure = row.quantity.map_or("∞".to_owned(), |q| q.to_string());
    if row.vendor_managed {
        format!("{figure} (v)")
    } else {
        figure
    }
}

pub fn cells(row: &SubscriptionRow, ctx: &Ctx) -> Vec<Cell> {
    vec![
        Cell::plain(row.name.clone()),
        status_cell(row, ctx),
        Cell::plain(quantity(row)),
        Cell::plain(row.consumed.to_string()),
        Cell::plain(price(row)),
        ends_cell(row, ctx),
        Cell::plain(row.channel.clone().unwrap_or_else(|| "—".to_owned())),
    ]
}

/// The term's countdown; one that has ended says so in a word (the
/// detail gives the date).
fn ends_cell(row: &SubscriptionRow, ctx: &Ctx) -> Cell {
    // A disabled subscription ends no more: no countdown, no warning.
    if row.status == "disabled" {
        return Cell::plain(or_dash(row.term_end.as_deref()));
    }
    let cell = countdown_cell(row.term_end.as_deref(), ctx);
    match cell.text.as_str() {
        "expires today" => Cell::styled("today", cell.style),
        text if text.starts_with("expired") => Cell::styled("ended", cell.style),
        _ => cell,
    }
}

fn or_dash(text: Option<&str>) -> String {
    text.unwrap_or("—").to_owned()
}

fn pricing(row: &SubscriptionRow) -> String {
    let per = match row.pricing.as_deref() {
        Some("flat") => "flat-rate (site-based, quantity Unlimited)",
        Some(_) => "per seat",
        // ISV apps: the vendor bills them; no price is recorded here.
        None => return "— (billed by the vendor)".to_owned(),
    };
    format!("{per}, {}", price(row))
}

fn channel(row: &SubscriptionRow) -> String {
    match row.channel.as_deref() {
        Some("direct") => "direct (marketplace)".to_owned(),
        Some("partner") => "partner".to_owned(),
        Some("proposal") => "vendor proposal".to_owned(),
        other => or_dash(other),
    }
}

fn quantity_line(row: &SubscriptionRow) -> String {
    let figure = row.quantity.map_or("Unlimited".to_owned(), |q| q.to_string());
    if row.vendor_managed {
        // R-LIC-8: read-only here; the vendor changes it.
        format!(
            "{figure} (read-only: the vendor changes it), {} in use",
            row.consumed
        )
    } else if row.quantity.is_none() || row.status == "disabled" {
        format!("{figure}, {} in use", row.consumed)
    } else {
        format!("{figure} ({} in use); :quantity N changes it", row.consumed)
    }
}

fn status_line(row: &SubscriptionRow) -> String {
    let since = row
        .status_on
        .as_deref()
        .map(|d| format!(" since {d}"))
        .unwrap_or_default();
    match (row.status.as_str(), row.disabled_reason.as_deref()) {
        ("pending_activation", _) => format!("pending activation{since}"),
        ("disabled", reason) => format!(
            "disabled ({}){since}",
            reason.unwrap_or("cancelled").replace('_', " ")
        ),
        (status, _) => format!("{status}{since}"),
    }
}

pub fn detail(row: &SubscriptionRow, ctx: &Ctx) -> Vec<Line<'static>> {
    let mut lines = vec![
        field(
            "Name",
            format!("{} (#{}, {})", row.name, row.id, row.kind.to_uppercase()),
            ctx,
        ),
        field("Publisher", or_dash(row.publisher.as_deref()), ctx),
        field("Status", status_line(row), ctx),
        field("Channel", channel(row), ctx),
        field("Pricing", pricing(row), ctx),
        field("Quantity", quantity_line(row), ctx),
        field_cell("Term end", countdown_cell(row.term_end.as_deref(), ctx), ctx),
        field("Region", or_dash(row.region.as_deref()), ctx),
        field(
            "Billing",
            format!(
                "{} (b shows it and the invoices)",
                or_dash(row.billing_profile.as_deref())
            ),
            ctx,
        ),
    ];
    match row.status.as_str() {
        "pending_activation" => lines.push(field(
            "Activate",
            format!(
                "at {}; seats can't be assigned before. Then A records it",
                or_dash(row.activation_url.as_deref())
            ),
            ctx,
        )),
        "disabled" => lines.push(field("Way on", BUY_ANOTHER, ctx)),
        _ => {}
    }
    if row.kind == "isv" {
        lines.push(field(
            "Install",
            format!(
                "this product installs at {} (o shows and copies it)",
                or_dash(row.install_url.as_deref())
            ),
            ctx,
        ));
    }
    lines
}
