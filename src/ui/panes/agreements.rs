//! The Agreements workspace (R-AGR-*). The figures are informational
//! (R-AGR-13).

use ratatui::text::Line;

use super::{Cell, Ctx, countdown_cell, field, field_cell};
use crate::store::agreements::AgreementRow;
use crate::ui::columns::Width;

/// Name, Group, Lic, Inst, Coverage, Valid, Ends.
pub const WIDTHS: &[Width] = &[
    Width::Name { min: 12, weight: 2 },
    Width::Name { min: 8, weight: 1 },
    Width::Fit { min: 3, max: 6 },
    Width::Fit { min: 4, max: 6 },
    Width::Fit { min: 6, max: 10 },
    // "✗ mismatched", the longest state, whole.
    Width::Fit { min: 5, max: 12 },
    Width::Fit { min: 4, max: 15 },
];

fn coverage_cell(row: &AgreementRow, ctx: &Ctx) -> Cell {
    match row.coverage() {
        None => Cell::styled("?", ctx.theme.dim()),
        Some(0) => Cell::styled("covered", ctx.theme.good()),
        Some(spare) if spare > 0 => Cell::styled(format!("+{spare}"), ctx.theme.good()),
        Some(short) => Cell::styled(format!("short {}", -short), ctx.theme.bad()),
    }
}

fn validation_cell(row: &AgreementRow, ctx: &Ctx) -> Cell {
    match row.validation.as_str() {
        "valid" => Cell::styled("✓ valid", ctx.theme.good()),
        "invalid" => Cell::styled("✗ invalid", ctx.theme.bad()),
        "not_found" => Cell::styled("✗ not found", ctx.theme.bad()),
        "mismatched" => Cell::styled("✗ mismatched", ctx.theme.bad()),
        _ => Cell::styled("… pending", ctx.theme.warn()),
    }
}

pub fn cells(row: &AgreementRow, ctx: &Ctx) -> Vec<Cell> {
    vec![
        Cell::plain(row.name.clone()),
        Cell::plain(row.license_group.clone()),
        Cell::plain(row.licensed.map_or("?".into(), |l| l.to_string())),
        Cell::plain(row.installed.to_string()),
        coverage_cell(row, ctx),
        validation_cell(row, ctx),
        countdown_cell(row.ends_on.as_deref(), ctx),
    ]
}

pub fn detail(row: &AgreementRow, ctx: &Ctx) -> Vec<Line<'static>> {
    let kind = match (row.kind.as_str(), row.program.as_deref()) {
        ("volume", Some(program)) => format!("volume licensing, {}", program.replace('_', " ")),
        ("volume", None) => "volume licensing".to_owned(),
        _ => "other software".to_owned(),
    };
    let product = match (row.kind.as_str(), &row.product) {
        // Volume agreements carry no single product (R-AGR-9).
        ("volume", _) => "not available".to_owned(),
        (_, Some(title)) => format!("{} · {title}", row.publisher.as_deref().unwrap_or("—")),
        (_, None) => "—".to_owned(),
    };
    let mut lines = vec![
        field("Agreement", format!("{} (#{})", row.name, row.id), ctx),
        field("Kind", format!("{kind} · group {}", row.license_group), ctx),
        field("Product", product, ctx),
        field(
            "Numbers",
            format!(
                "{} set{}{}",
                row.number_sets,
                if row.number_sets == 1 { "" } else { "s" },
                row.first_number_set
                    .as_deref()
                    .map(|s| format!(", first {s}"))
                    .unwrap_or_default()
            ),
            ctx,
        ),
        field_cell(
            "Coverage",
            {
                let cell = coverage_cell(row, ctx);
                let licensed = row.licensed.map_or("?".into(), |l| l.to_string());
                Cell::styled(
                    format!(
                        "{} licensed, {} installed: {}",
                        licensed, row.installed, cell.text
                    ),
                    cell.style,
                )
            },
            ctx,
        ),
        field_cell("Validation", validation_cell(row, ctx), ctx),
    ];
    if row.validation == "pending" {
        lines.push(field("", "until validated, these figures may differ", ctx));
    }
    // Each number set and what validation found (R-AGR-8).
    for set in &row.sets {
        let state = match set.validation.as_str() {
            "valid" => Cell::styled("✓ valid", ctx.theme.good()),
            "pending" => Cell::styled("… pending", ctx.theme.warn()),
            other => Cell::styled(format!("✗ {}", other.replace('_', " ")), ctx.theme.bad()),
        };
        let note = set.note.as_deref().map(|n| format!(": {n}")).unwrap_or_default();
        lines.push(field_cell(
            "  set",
            Cell::styled(
                format!("{} {} {}{note}", set.first, set.second, state.text),
                state.style,
            ),
            ctx,
        ));
    }
    lines.push(field(
        "Term",
        format!(
            "{} → {}",
            row.starts_on.as_deref().unwrap_or("—"),
            row.ends_on.as_deref().unwrap_or("—")
        ),
        ctx,
    ));
    if let Some(details) = &row.details {
        lines.push(field("Details", details.clone(), ctx));
    }
    lines.push(field_cell(
        "Note",
        Cell::styled("informational, not a compliance statement", ctx.theme.dim()),
        ctx,
    ));
    lines
}
