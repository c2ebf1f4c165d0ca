//! The Licenses workspace (R-LIC-1, R-LIC-8, R-SUB-*).

use ratatui::text::Line;

use super::{Cell, Ctx, bar, countdown_cell, field, field_cell, joined, seat_cells};
use crate::domain::{PoolKind, Source};
use crate::store::pools::PoolRow;

/// Kind, Source, Total, Used, Free, Expires.
pub const WIDTHS: &[u16] = &[9, 6, 6, 6, 7, 15];

fn kind_short(kind: PoolKind) -> &'static str {
    match kind {
        PoolKind::M365 => "M365",
        PoolKind::StoreOnline => "Store-on",
        PoolKind::StoreOffline => "Store-off",
        PoolKind::Vpp => "VPP",
        PoolKind::Saas => "SaaS",
        PoolKind::Isv => "ISV",
        PoolKind::Agreement => "Agreement",
    }
}

fn source_short(source: Source) -> &'static str {
    match source {
        Source::Graph => "Graph",
        Source::StoreBusiness => "Store",
        Source::AppleVpp => "Apple",
        Source::Marketplace => "Market",
        Source::Vendor => "Vendor",
        Source::VolumeLicensing => "VL",
        Source::Local => "Local",
    }
}

pub fn cells(row: &PoolRow, ctx: &Ctx) -> Vec<Cell> {
    let mut name = row.name.clone();
    if row.detail.status == "disabled" {
        name.push_str(" (disabled)");
    }
    let name_style = if row.detail.status == "disabled" {
        ctx.theme.dim()
    } else {
        ratatui::style::Style::new()
    };
    let [total, used, free] = seat_cells(row.seats(), ctx);
    vec![
        Cell::styled(name, name_style),
        Cell::plain(kind_short(row.kind)),
        Cell::plain(source_short(row.source)),
        total,
        used,
        free,
        countdown_cell(row.detail.expires_on.as_deref(), ctx),
    ]
}

pub fn detail(row: &PoolRow, ctx: &Ctx) -> Vec<Line<'static>> {
    let d = &row.detail;
    let seats = row.seats();
    let level = seats.level();
    let figures = match seats.total {
        None => format!("unlimited, {} used", seats.consumed),
        Some(total) => format!(
            "{total} total / {} used / {} free",
            seats.consumed,
            total - seats.consumed
        ),
    };
    let mut lines = vec![
        field("Pool", format!("{} (#{})", row.name, row.id), ctx),
        field(
            "Kind",
            format!("{} · {}", row.kind.label(), row.source.label()),
            ctx,
        ),
        field_cell("Seats", Cell::styled(figures, ctx.theme.seats(level)), ctx),
        field(
            "Use",
            match seats.ratio() {
                Some(ratio) => format!("{} {}", bar(ratio), level.describe()),
                None => level.describe().to_owned(),
            },
            ctx,
        ),
    ];
    if let Some(source_consumed) = d.source_consumed.filter(|c| *c != row.consumed) {
        lines.push(field_cell(
            "Drift",
            Cell::styled(
                format!(
                    "source says {source_consumed} used, cache counts {}",
                    row.consumed
                ),
                ctx.theme.warn(),
            ),
            ctx,
        ));
    }
    lines.push(status_line(row, ctx));
    if d.vendor_managed {
        lines.push(field(
            "Quantity",
            "managed by the vendor: the vendor changes it (read-only)",
            ctx,
        ));
    }
    lines.push(field(
        "Identity",
        joined(&[
            d.sku_part_number.as_deref(),
            d.publisher.as_deref(),
            d.app_name.as_deref(),
        ]),
        ctx,
    ));
    if d.pricing.is_some() || d.channel.is_some() {
        lines.push(field("Billing", billing(row), ctx));
    }
    lines.push(field_cell(
        "Expires",
        countdown_cell(d.expires_on.as_deref(), ctx),
        ctx,
    ));
    lines.push(field(
        "Assigned",
        format!(
            "to {}s; {} group{}; {} change{} pending",
            d.assignable_to.replace("_or_", " or "),
            d.groups_assigned,
            if d.groups_assigned == 1 { "" } else { "s" },
            d.pending_changes,
            if d.pending_changes == 1 { "" } else { "s" },
        ),
        ctx,
    ));
    if let Some(url) = &d.install_url {
        lines.push(field("Install at", url.clone(), ctx));
    }
    lines.push(field(
        "Connector",
        d.connector.clone().unwrap_or_else(|| "— (local)".into()),
        ctx,
    ));
    lines
}

fn status_line(row: &PoolRow, ctx: &Ctx) -> Line<'static> {
    let d = &row.detail;
    let (text, style) = match d.status.as_str() {
        "disabled" => (
            format!(
                "disabled ({}): can't be reactivated; buy another copy",
                d.disabled_reason
                    .as_deref()
                    .unwrap_or("cancelled")
                    .replace('_', " ")
            ),
            ctx.theme.bad(),
        ),
        "pending_activation" => (
            "pending activation at the publisher: seats can't be assigned yet".to_owned(),
            ctx.theme.warn(),
        ),
        "suspended" | "warning" => (d.status.clone(), ctx.theme.warn()),
        other => (other.to_owned(), ctx.theme.good()),
    };
    field_cell("Status", Cell::styled(text, style), ctx)
}

fn billing(row: &PoolRow) -> String {
    let d = &row.detail;
    let price = d.price_cents.map(|c| format!("{}.{:02}", c / 100, c % 100));
    let pricing = d.pricing.as_deref().map(|p| p.replace('_', "-"));
    let channel = d
        .channel
        .as_deref()
        .map(|c| format!("via {}", c.replace('_', " ")));
    joined(&[
        pricing.as_deref(),
        price.as_deref(),
        d.billing_period.as_deref(),
        channel.as_deref(),
    ])
}
