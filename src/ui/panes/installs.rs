//! The Installs view (R-APP-9): who has an app, on which device, in which
//! state; `/state=failed` keeps the failures.

use ratatui::text::Line;

use super::{Cell, Ctx, age_cell, field, field_cell};
use crate::store::installs::InstallRow;
use crate::ui::columns::Width;

/// User, Device, State, When, Error, App.
pub const WIDTHS: &[Width] = &[
    Width::Address { min: 12, weight: 2 },
    Width::Name { min: 8, weight: 1 },
    Width::Fit { min: 5, max: 13 },
    Width::Fit { min: 6, max: 9 },
    Width::Name { min: 6, weight: 1 },
    Width::Name { min: 10, weight: 2 },
];

fn state_cell(row: &InstallRow, ctx: &Ctx) -> Cell {
    match row.state.as_str() {
        "installed" => Cell::styled("✓ installed", ctx.theme.good()),
        "failed" => Cell::styled("✗ failed", ctx.theme.bad()),
        "pending" => Cell::styled("… pending", ctx.theme.warn()),
        _ => Cell::styled("not installed", ctx.theme.dim()),
    }
}

fn dash(text: Option<&str>) -> String {
    text.unwrap_or("—").to_owned()
}

pub fn cells(row: &InstallRow, ctx: &Ctx) -> Vec<Cell> {
    vec![
        Cell::plain(dash(row.user.as_deref())),
        Cell::plain(dash(row.device.as_deref())),
        state_cell(row, ctx),
        age_cell(Some(&row.updated_at), ctx),
        match &row.error {
            Some(error) => Cell::styled(error.clone(), ctx.theme.bad()),
            None => Cell::styled("—", ctx.theme.dim()),
        },
        Cell::plain(row.app.clone()),
    ]
}

pub fn detail(row: &InstallRow, ctx: &Ctx) -> Vec<Line<'static>> {
    let mut lines = vec![
        field("App", row.app.clone(), ctx),
        field("User", dash(row.user.as_deref()), ctx),
        field("Device", dash(row.device.as_deref()), ctx),
        field_cell("State", state_cell(row, ctx), ctx),
        field("Reported", row.updated_at.clone(), ctx),
    ];
    if let Some(error) = &row.error {
        lines.push(field_cell(
            "Error",
            Cell::styled(error.clone(), ctx.theme.bad()),
            ctx,
        ));
    }
    lines
}
