//! The Licenses workspace (R-LIC-1, R-LIC-8, R-SUB-*).

use ratatui::text::Line;

use super::{Cell, Ctx, bar, countdown_cell, field, field_cell, joined, seat_cells};
use crate::domain::{PoolKind, PoolStatus, Source};
use crate::store::pools::PoolRow;
use crate::ui::columns::Width;

/// Name, Kind, Source, Total, Used, Free, Status, Expires.
pub const WIDTHS: &[Width] = &[
    Width::Name { min: 12, weight: 1 },
    Width::Fit { min: 4, max: 9 },
    Width::Fit { min: 5, max: 6 },
    Width::Fit { min: 5, max: 8 },
    Width::Fit { min: 4, max: 8 },
    Width::Fit { min: 4, max: 9 },
    Width::Fit { min: 6, max: 9 },
    Width::Fit { min: 7, max: 15 },
];

pub(super) fn kind_short(kind: PoolKind) -> &'static str {
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

pub(super) fn source_short(source: Source) -> &'static str {
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

fn status_cell(status: PoolStatus, ctx: &Ctx) -> Cell {
    let style = match status {
        PoolStatus::Active => return Cell::plain(status.short()),
        PoolStatus::PendingActivation | PoolStatus::Suspended => ctx.theme.warn(),
        PoolStatus::Disabled | PoolStatus::Expired => ctx.theme.bad(),
    };
    Cell::styled(status.short(), style)
}

pub fn cells(row: &PoolRow, ctx: &Ctx) -> Vec<Cell> {
    // A pool that can't be used reads dimmed; the Status column says why.
    let name_style = match row.status {
        PoolStatus::Disabled | PoolStatus::Expired => ctx.theme.dim(),
        _ => ratatui::style::Style::new(),
    };
    let [total, used, free] = seat_cells(row.seats(), ctx);
    vec![
        Cell::styled(row.name.clone(), name_style),
        Cell::plain(kind_short(row.kind)),
        Cell::plain(source_short(row.source)),
        total,
        used,
        free,
        status_cell(row.status, ctx),
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
            match bar(seats) {
                Some(bar) => format!("{bar} {}", seats.usage()),
                None => seats.usage(),
            },
            ctx,
        ),
    ];
    if d.foreign_consumed > 0 {
        // R-CON-7: counted, never changed here.
        lines.push(field(
            "Elsewhere",
            format!(
                "{} of the used seats are held outside seats (another device-management product, \
                 or devices): counted, never changed here",
                d.foreign_consumed
            ),
            ctx,
        ));
    }
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
    let reason = d
        .disabled_reason
        .as_deref()
        .unwrap_or("cancelled")
        .replace('_', " ");
    let text = match (row.status, d.status.as_str()) {
        (PoolStatus::Active, _) => "active".to_owned(),
        (PoolStatus::PendingActivation, _) => {
            "pending activation at the publisher: seats can't be assigned yet".to_owned()
        }
        (PoolStatus::Suspended, _) => "suspended by the source".to_owned(),
        (PoolStatus::Disabled, _) => format!("disabled ({reason}): can't be reactivated; buy another copy"),
        (PoolStatus::Expired, "disabled") => {
            "expired, so disabled: can't be reactivated; buy another copy".to_owned()
        }
        (PoolStatus::Expired, "warning") => "expired: in the source's grace period; renew it".to_owned(),
        (PoolStatus::Expired, said) => format!("expired: its term has ended (the source still says {said})"),
    };
    let cell = status_cell(row.status, ctx);
    field_cell("Status", Cell::styled(text, cell.style), ctx)
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
