//! The Connectors workspace (R-CON-*). Credentials are never shown (R-CON-9).

use ratatui::text::Line;

use super::{Cell, Ctx, age_cell, countdown_cell, field, field_cell};
use crate::domain::ConnectorKind;
use crate::store::connectors::ConnectorRow;
use crate::ui::columns::Width;

/// Name, Kind, State, Last sync, Last success, Token.
pub const WIDTHS: &[Width] = &[
    Width::Name { min: 12, weight: 1 },
    Width::Fit { min: 4, max: 9 },
    Width::Fit { min: 5, max: 9 },
    Width::Fit { min: 6, max: 10 },
    Width::Fit { min: 6, max: 12 },
    Width::Fit { min: 5, max: 15 },
];

fn kind_short(kind: ConnectorKind) -> &'static str {
    match kind {
        ConnectorKind::Graph => "Graph",
        ConnectorKind::AppleVpp => "Apple VPP",
        ConnectorKind::StoreBusiness => "Store",
        ConnectorKind::VolumeLicensing => "VL",
    }
}

fn state_cell(row: &ConnectorRow, ctx: &Ctx) -> Cell {
    if !row.enabled {
        return Cell::styled("– off", ctx.theme.dim());
    }
    match row.state.as_str() {
        "ok" => Cell::styled("✓ ok", ctx.theme.good()),
        "error" => Cell::styled("✗ error", ctx.theme.bad()),
        "syncing" => Cell::styled("↻ sync", ctx.theme.warn()),
        "never" => Cell::styled("? never", ctx.theme.warn()),
        other => Cell::plain(other.to_owned()),
    }
}

pub fn cells(row: &ConnectorRow, ctx: &Ctx) -> Vec<Cell> {
    vec![
        Cell::plain(row.name.clone()),
        Cell::plain(kind_short(row.kind)),
        state_cell(row, ctx),
        age_cell(row.last_sync_at.as_deref(), ctx),
        age_cell(row.last_success_at.as_deref(), ctx),
        match &row.token_expires_at {
            Some(at) => countdown_cell(Some(at), ctx),
            None => Cell::styled("—", ctx.theme.dim()),
        },
    ]
}

pub fn detail(row: &ConnectorRow, ctx: &Ctx) -> Vec<Line<'static>> {
    let mut lines = vec![
        field(
            "Connector",
            format!("{} (#{}) · {}", row.name, row.id, row.kind.label()),
            ctx,
        ),
        field_cell("State", state_cell(row, ctx), ctx),
        field(
            "Account",
            match &row.account {
                Some(account) => format!("{account} (bound: can't be switched)"),
                None => "— not linked".to_owned(),
            },
            ctx,
        ),
        field_cell("Last sync", age_cell(row.last_sync_at.as_deref(), ctx), ctx),
        field_cell("Succeeded", age_cell(row.last_success_at.as_deref(), ctx), ctx),
    ];
    if let Some(error) = &row.last_error {
        lines.push(field_cell(
            "Error",
            Cell::styled(error.clone(), ctx.theme.bad()),
            ctx,
        ));
    }
    if row.token_expires_at.is_some() || row.token_name.is_some() {
        lines.push(field_cell("Token", token_cell(row, ctx), ctx));
    }
    if let Some(manager) = &row.claimed_by {
        lines.push(field_cell(
            "Claimed",
            Cell::styled(
                format!("token used by {manager}: upload a new token"),
                ctx.theme.bad(),
            ),
            ctx,
        ));
    }
    lines.push(field(
        "Schedule",
        format!(
            "every {}h · {} pools · {} pending · secret {}",
            row.schedule_minutes / 60,
            row.pools,
            row.pending_changes,
            if row.has_secret { "set (hidden)" } else { "not set" }
        ),
        ctx,
    ));
    if let Some(language) = &row.language {
        lines.push(field("Language", format!("app names in {language}"), ctx));
    }
    lines
}

fn token_cell(row: &ConnectorRow, ctx: &Ctx) -> Cell {
    let expiry = countdown_cell(row.token_expires_at.as_deref(), ctx);
    let name = row.token_name.as_deref().unwrap_or("token");
    let apple = row
        .apple_id
        .as_deref()
        .map(|a| format!(" ({a})"))
        .unwrap_or_default();
    Cell::styled(format!("{name}{apple}, {}", expiry.text), expiry.style)
}
