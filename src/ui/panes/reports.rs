//! The Reports view's rows (issue 9, R-RPT-1..5): the cells of each report
//! and the detail of the selected row. The installation report's detail
//! says which agreements count and on how many computers it was found
//! (R-RPT-2); Enter lists those computers.

use ratatui::text::Line;

use super::{Cell, Ctx, field, field_cell};
use crate::store::reports::installation::InstallationRow;
use crate::store::reports::inventory::LicenseRow;
use crate::store::reports::purchase::PurchaseRow;
use crate::store::reports::utilization::UtilizationRow;
use crate::ui::columns::Width;

/// Group, Publisher, Product, Licensed, Installed.
pub const PURCHASE_WIDTHS: &[Width] = &[
    Width::Name { min: 6, weight: 1 },
    Width::Name { min: 8, weight: 1 },
    Width::Name { min: 10, weight: 2 },
    Width::Fit { min: 4, max: 9 },
    Width::Fit { min: 4, max: 10 },
];

/// Publisher, Product, Licensed, Installed, Status, Diff.
pub const INSTALLATION_WIDTHS: &[Width] = &[
    Width::Name { min: 8, weight: 1 },
    Width::Name { min: 10, weight: 2 },
    Width::Fit { min: 4, max: 9 },
    Width::Fit { min: 4, max: 10 },
    Width::Fit { min: 7, max: 13 },
    Width::Fit { min: 4, max: 6 },
];

/// Name, Kind, Source, Total, Used, Free, Status.
pub const INVENTORY_WIDTHS: &[Width] = &[
    Width::Name { min: 10, weight: 2 },
    Width::Fit { min: 4, max: 8 },
    Width::Fit { min: 5, max: 9 },
    Width::Fit { min: 4, max: 7 },
    Width::Fit { min: 4, max: 7 },
    Width::Fit { min: 4, max: 7 },
    Width::Fit { min: 5, max: 10 },
];

/// Source, Pool, Kind, Total, Used, Free, Reclaim.
pub const UTILIZATION_WIDTHS: &[Width] = &[
    Width::Fit { min: 5, max: 9 },
    Width::Name { min: 10, weight: 2 },
    Width::Fit { min: 4, max: 8 },
    Width::Fit { min: 4, max: 9 },
    Width::Fit { min: 4, max: 7 },
    Width::Fit { min: 4, max: 7 },
    Width::Fit { min: 4, max: 7 },
];

fn number(value: Option<i64>) -> String {
    value.map_or_else(|| "—".to_owned(), |n| n.to_string())
}

/// "covered", "short 3" ("short by 3" in the detail), "surplus 2", styled
/// by how it stands.
fn status_cell(status: &str, difference: i64, by: &str, ctx: &Ctx) -> Cell {
    match status {
        "short" => Cell::styled(format!("short{by} {}", -difference), ctx.theme.bad()),
        "surplus" => Cell::styled(format!("surplus {difference}"), ctx.theme.warn()),
        other => Cell::styled(other.to_owned(), ctx.theme.good()),
    }
}

pub fn purchase_cells(row: &PurchaseRow, _ctx: &Ctx) -> Vec<Cell> {
    vec![
        Cell::plain(row.group.clone()),
        Cell::plain(row.publisher.clone()),
        Cell::plain(row.product.clone()),
        Cell::plain(row.licensed.to_string()),
        Cell::plain(row.installed.to_string()),
    ]
}

pub fn purchase_detail(row: &PurchaseRow, ctx: &Ctx) -> Vec<Line<'static>> {
    let gap = row.installed - row.licensed;
    let standing = match gap {
        0 => "every install licensed".to_owned(),
        gap if gap > 0 => format!("{gap} installs more than licensed"),
        gap => format!("{} licenses more than installs", -gap),
    };
    vec![
        field("Product", format!("{} · {}", row.publisher, row.product), ctx),
        field(
            "Licensed",
            format!(
                "{} in {}; installed on {}: {standing}",
                row.licensed, row.group, row.installed
            ),
            ctx,
        ),
        field("Agreements", row.agreements.clone(), ctx),
        field(
            "Enter",
            "the computers it is on (or the agreements, if on none)",
            ctx,
        ),
    ]
}

pub fn installation_cells(row: &InstallationRow, ctx: &Ctx) -> Vec<Cell> {
    vec![
        Cell::plain(row.publisher.clone()),
        Cell::plain(row.product.clone()),
        Cell::plain(row.licensed.to_string()),
        Cell::plain(row.installed.to_string()),
        status_cell(&row.status, row.difference, "", ctx),
        Cell::plain(format!("{:+}", row.difference)),
    ]
}

pub fn installation_detail(row: &InstallationRow, ctx: &Ctx) -> Vec<Line<'static>> {
    // The reason is "licensed by A (10); B (5); detected on N computers".
    let (counts, found) = row
        .reason
        .rsplit_once("; detected on ")
        .map_or((row.reason.clone(), String::new()), |(a, b)| {
            (a.to_owned(), format!("detected on {b}"))
        });
    vec![
        field("Product", format!("{} · {}", row.publisher, row.product), ctx),
        field_cell(
            "Status",
            status_cell(&row.status, row.difference, " by", ctx),
            ctx,
        ),
        field("Counts", counts, ctx),
        field("Computers", format!("{found}; Enter lists them"), ctx),
    ]
}

/// The words the Licenses pane uses for a pool's kind, source and status
/// (the report's CSV and JSON keep the cache's own values).
/// An agreement's kind and source (not pool values) read as the pools'
/// words do: capitalised.
fn kind_word(kind: &str) -> String {
    match kind {
        "volume" => "Volume".to_owned(),
        "other" => "Other".to_owned(),
        _ => kind
            .parse()
            .map_or_else(|_| kind.to_owned(), |k| super::licenses::kind_short(k).to_owned()),
    }
}

fn source_word(source: &str) -> String {
    match source {
        "agreement" => "Agreement".to_owned(),
        _ => source.parse().map_or_else(
            |_| source.to_owned(),
            |s| super::licenses::source_short(s).to_owned(),
        ),
    }
}

fn status_word(status: &str) -> String {
    status
        .parse::<crate::domain::PoolStatus>()
        .map_or_else(|_| status.to_owned(), |s| s.short().to_owned())
}

/// "SaaS subscription, Marketplace": a license's kind and source in words
/// for the detail, as the Licenses pane's detail has them.
fn kind_and_source(kind: &str, source: &str) -> String {
    let kind = match kind {
        "volume" => "volume licensing agreement".to_owned(),
        "other" => "other software agreement".to_owned(),
        _ => kind
            .parse::<crate::domain::PoolKind>()
            .map_or_else(|_| kind.to_owned(), |k| k.label().to_owned()),
    };
    match source.parse::<crate::domain::Source>() {
        Ok(source) => format!("{kind}, {}", source.label()),
        Err(_) => kind,
    }
}

pub fn license_cells(row: &LicenseRow, _ctx: &Ctx) -> Vec<Cell> {
    vec![
        Cell::plain(row.name.clone()),
        Cell::plain(kind_word(&row.kind)),
        Cell::plain(source_word(&row.source)),
        Cell::plain(number(row.total)),
        Cell::plain(number(row.consumed)),
        Cell::plain(number(row.available)),
        Cell::plain(status_word(&row.status)),
    ]
}

pub fn license_detail(row: &LicenseRow, ctx: &Ctx) -> Vec<Line<'static>> {
    let what = [row.publisher.as_deref(), row.product.as_deref()];
    let open = if row.pool_id.is_some() {
        "Enter: its seats"
    } else {
        "Enter: the agreement in Agreements"
    };
    vec![
        field(
            "License",
            format!("{} ({})", row.name, kind_and_source(&row.kind, &row.source)),
            ctx,
        ),
        field("Licenses", super::joined(&what), ctx),
        field(
            "Seats",
            format!(
                "{} total, {} used, {} free{}",
                row.total
                    .map_or_else(|| "unlimited or unknown".to_owned(), |n| n.to_string()),
                number(row.consumed),
                number(row.available),
                row.group
                    .as_ref()
                    .map(|g| format!(" · group {g}"))
                    .unwrap_or_default()
            ),
            ctx,
        ),
        field(
            "Status",
            format!("{} · {open}", row.status.replace('_', " ")),
            ctx,
        ),
    ]
}

pub fn utilization_cells(row: &UtilizationRow, ctx: &Ctx) -> Vec<Cell> {
    let reclaim = if row.pending {
        // Counted after the first frame: a pass over every user.
        Cell::plain("…")
    } else if row.reclaimable > 0 {
        Cell::styled(row.reclaimable.to_string(), ctx.theme.warn())
    } else {
        Cell::plain("0")
    };
    vec![
        Cell::plain(source_word(&row.source)),
        Cell::plain(row.pool.clone()),
        Cell::plain(kind_word(&row.kind)),
        Cell::plain(
            row.total
                .map_or_else(|| "unlimited".to_owned(), |n| n.to_string()),
        ),
        Cell::plain(row.consumed.to_string()),
        Cell::plain(number(row.available)),
        reclaim,
    ]
}

pub fn utilization_detail(row: &UtilizationRow, ctx: &Ctx) -> Vec<Line<'static>> {
    let open = if row.reclaimable > 0 {
        "Enter: the seats to reclaim (Reclaim)"
    } else {
        "Enter: its seats (Assignees)"
    };
    vec![
        field(
            "Pool",
            format!("{} ({})", row.pool, kind_and_source(&row.kind, &row.source)),
            ctx,
        ),
        field(
            "Seats",
            format!(
                "{} total, {} used, {} free",
                row.total
                    .map_or_else(|| "unlimited".to_owned(), |n| n.to_string()),
                row.consumed,
                number(row.available)
            ),
            ctx,
        ),
        field(
            "Reclaim",
            if row.pending {
                "counting the seats held by departed or inactive users…".to_owned()
            } else {
                format!("{} held by departed or inactive users", row.reclaimable)
            },
            ctx,
        ),
        field("Open", open, ctx),
    ]
}
