//! The Users view: users and the seats they hold.

use ratatui::text::Line;

use super::{Cell, Ctx, field, field_cell};
use crate::domain::expiry::parse_date;
use crate::store::users::UserRow;
use crate::ui::columns::Width;

/// UPN, Name, Department, State, Seats, Last sign-in.
pub const WIDTHS: &[Width] = &[
    // The UPN is who a seat goes to: its local part gets its width before
    // the display name grows (two Isabella Zimmermanns differ only there).
    Width::Address { min: 12, weight: 2 },
    Width::Name { min: 10, weight: 3 },
    Width::Fit { min: 6, max: 12 },
    Width::Fit { min: 5, max: 10 },
    Width::Fit { min: 5, max: 5 },
    Width::Fit { min: 10, max: 12 },
];

fn state_cell(row: &UserRow, ctx: &Ctx) -> Cell {
    if row.errors > 0 {
        Cell::styled("✗ error", ctx.theme.bad())
    } else if row.deleted {
        Cell::styled("✗ deleted", ctx.theme.bad())
    } else if !row.enabled {
        Cell::styled("– disabled", ctx.theme.warn())
    } else {
        Cell::plain("enabled")
    }
}

pub fn cells(row: &UserRow, ctx: &Ctx) -> Vec<Cell> {
    vec![
        Cell::plain(row.upn.clone()),
        Cell::plain(row.display_name.clone()),
        Cell::plain(row.department.clone().unwrap_or_default()),
        state_cell(row, ctx),
        Cell::plain(row.pools.len().to_string()),
        Cell::plain(
            row.last_sign_in
                .as_deref()
                .and_then(parse_date)
                .map_or("never".into(), |d| d.to_string()),
        ),
    ]
}

pub fn detail(row: &UserRow, ctx: &Ctx) -> Vec<Line<'static>> {
    let mut lines = vec![
        field("User", format!("{} <{}>", row.display_name, row.upn), ctx),
        field_cell("State", state_cell(row, ctx), ctx),
        field("Seats", format!("{} held", row.pools.len()), ctx),
    ];
    if row.errors > 0 {
        lines.push(field_cell(
            "Errors",
            Cell::styled(
                format!(
                    "{} seat(s) through a group not given: CountViolation, no seat was free",
                    row.errors
                ),
                ctx.theme.bad(),
            ),
            ctx,
        ));
    }
    for name in &row.pool_names {
        lines.push(field("", format!("• {name}"), ctx));
    }
    lines
}
