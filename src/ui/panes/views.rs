//! The views that grow out of the workspaces: Assignees, Reclaim, Audit.

use ratatui::text::Line;

use super::{Cell, Ctx, field, field_cell};
use crate::store::assignees::AssigneeRow;
use crate::store::audit::AuditEntry;
use crate::store::groups::GroupRow;
use crate::store::reclaim::ReclaimRow;
use crate::ui::columns::Width;

/// Who, Name, How, State, Invite, Assigned.
pub const ASSIGNEE_WIDTHS: &[Width] = &[
    Width::Address { min: 12, weight: 3 },
    Width::Name { min: 10, weight: 2 },
    Width::Fit { min: 6, max: 20 },
    Width::Fit { min: 5, max: 18 },
    Width::Fit { min: 6, max: 10 },
    Width::Fit { min: 8, max: 10 },
];
/// User, Pool, Reason, Inactive, Last sign-in.
pub const RECLAIM_WIDTHS: &[Width] = &[
    Width::Address { min: 12, weight: 1 },
    Width::Name { min: 12, weight: 1 },
    Width::Fit { min: 6, max: 10 },
    Width::Fit { min: 5, max: 8 },
    Width::Fit { min: 10, max: 12 },
];
/// Name, Kind, Members, Pools, Errors.
pub const GROUP_WIDTHS: &[Width] = &[
    Width::Name { min: 12, weight: 1 },
    Width::Fit { min: 4, max: 7 },
    Width::Fit { min: 5, max: 8 },
    Width::Fit { min: 5, max: 6 },
    Width::Fit { min: 6, max: 20 },
];
/// At, Actor, Action, Pool, Seats, Result: the time fits its content, the
/// pool takes what is left.
pub const AUDIT_WIDTHS: &[Width] = &[
    Width::Fit { min: 16, max: 16 },
    Width::Fit { min: 5, max: 12 },
    Width::Fit { min: 6, max: 18 },
    Width::Name { min: 10, weight: 1 },
    Width::Fit { min: 5, max: 8 },
    Width::Fit { min: 6, max: 16 },
];

fn seat_state(row: &AssigneeRow, ctx: &Ctx) -> Cell {
    match (row.state.as_str(), row.error.as_deref()) {
        ("error", Some(error)) => Cell::styled(format!("✗ {error}"), ctx.theme.bad()),
        ("error", None) => Cell::styled("✗ error", ctx.theme.bad()),
        ("pending", _) => Cell::styled("… pending", ctx.theme.warn()),
        _ if row.intent == "uninstall" => Cell::styled("uninstall", ctx.theme.warn()),
        _ => Cell::plain("active"),
    }
}

pub fn assignee_cells(row: &AssigneeRow, ctx: &Ctx) -> Vec<Cell> {
    vec![
        Cell::plain(row.principal.clone()),
        Cell::plain(row.display_name.clone().unwrap_or_default()),
        Cell::plain(row.how()),
        seat_state(row, ctx),
        match row.invitation.as_deref() {
            Some("accepted") => Cell::styled("✓ accepted", ctx.theme.good()),
            Some("declined") => Cell::styled("✗ declined", ctx.theme.bad()),
            Some(other) => Cell::styled(other.to_owned(), ctx.theme.warn()),
            None => Cell::styled("—", ctx.theme.dim()),
        },
        Cell::plain(row.assigned_at.get(..10).unwrap_or(&row.assigned_at).to_owned()),
    ]
}

pub fn assignee_detail(row: &AssigneeRow, ctx: &Ctx) -> Vec<Line<'static>> {
    let mut lines = vec![
        field(
            "Seat",
            format!("{} {}", row.principal, row.display_name.as_deref().unwrap_or("")),
            ctx,
        ),
        field("How", row.how(), ctx),
        field_cell("State", seat_state(row, ctx), ctx),
        field("Intent", row.intent.clone(), ctx),
    ];
    // The link on a line of its own, never wrapped (see `detail`): `y`
    // sends it whole, as `apps::copy_invitation` says when it can't.
    let open = |state: &str| !matches!(state, "accepted" | "retired");
    match (&row.invitation, &row.invite_url) {
        (Some(state), Some(url)) if open(state) => {
            lines.push(field("Invitation", format!("{state} · y copies the link"), ctx));
            lines.push(field("Link", url.clone(), ctx));
        }
        // Apple hands out the link when the user is created; the next
        // sync brings it here.
        (Some(state), None) if state == "invited" => lines.push(field(
            "Invitation",
            "invited: the link comes with the connector's next sync (r in Connectors)",
            ctx,
        )),
        (Some(state), _) => lines.push(field("Invitation", state.clone(), ctx)),
        (None, _) => lines.push(field("Invitation", "—", ctx)),
    }
    lines.push(field(
        "Assigned",
        format!("{} by {}", row.assigned_at, row.assigned_by),
        ctx,
    ));
    lines
}

fn reason_cell(row: &ReclaimRow, ctx: &Ctx) -> Cell {
    match row.reason.as_str() {
        "deleted" => Cell::styled("✗ deleted", ctx.theme.bad()),
        "disabled" => Cell::styled("– disabled", ctx.theme.warn()),
        _ => Cell::styled("inactive", ctx.theme.dim()),
    }
}

pub fn reclaim_cells(row: &ReclaimRow, ctx: &Ctx) -> Vec<Cell> {
    vec![
        Cell::plain(row.upn.clone()),
        Cell::plain(row.pool.clone()),
        reason_cell(row, ctx),
        Cell::plain(row.inactive_days.map_or("never".into(), |d| format!("{d}d"))),
        Cell::plain(
            row.last_sign_in
                .as_deref()
                .and_then(|t| t.get(..10))
                .unwrap_or("never")
                .to_owned(),
        ),
    ]
}

pub fn reclaim_detail(row: &ReclaimRow, ctx: &Ctx) -> Vec<Line<'static>> {
    vec![
        field("User", format!("{} <{}>", row.display_name, row.upn), ctx),
        field("Pool", row.pool.clone(), ctx),
        field_cell("Reason", reason_cell(row, ctx), ctx),
        field("Release", "x releases this seat, X every listed seat", ctx),
    ]
}

pub fn audit_cells(row: &AuditEntry, ctx: &Ctx) -> Vec<Cell> {
    let delta = match (row.consumed_before, row.consumed_after) {
        (Some(before), Some(after)) => format!("{:+}", after - before),
        _ => "—".to_owned(),
    };
    let result = if row.result == "ok" {
        Cell::styled("✓ ok", ctx.theme.good())
    } else {
        Cell::styled(format!("✗ {}", row.result), ctx.theme.bad())
    };
    vec![
        Cell::plain(row.at.get(..16).unwrap_or(&row.at).replace('T', " ")),
        Cell::plain(row.actor.clone()),
        Cell::plain(row.action.clone()),
        Cell::plain(row.pool.clone().unwrap_or_default()),
        Cell::plain(delta),
        result,
    ]
}

pub fn audit_detail(row: &AuditEntry, ctx: &Ctx) -> Vec<Line<'static>> {
    let figures = match (row.consumed_before, row.consumed_after) {
        (Some(before), Some(after)) => format!("consumed {before} → {after}"),
        _ => "—".to_owned(),
    };
    let mut lines = vec![
        field("When", format!("{} by {}", row.at, row.actor), ctx),
        field(
            "Action",
            format!("{} · {}", row.action, row.pool.as_deref().unwrap_or("—")),
            ctx,
        ),
        field("Seats", figures, ctx),
        field("Who", non_empty(row.principal_list()), ctx),
        field("Result", row.result.clone(), ctx),
    ];
    if let Some(detail) = &row.detail {
        lines.push(field("Detail", detail.clone(), ctx));
    }
    if let Some(batch) = &row.batch_id {
        lines.push(field("Batch", batch.clone(), ctx));
    }
    lines
}

/// `text`, or "—" when there is none (a label never stands alone).
fn non_empty(text: String) -> String {
    if text.is_empty() { "—".to_owned() } else { text }
}

fn group_errors(row: &GroupRow, ctx: &Ctx) -> Cell {
    if row.errors > 0 {
        Cell::styled(format!("✗ {} CountViolation", row.errors), ctx.theme.bad())
    } else {
        Cell::styled("—", ctx.theme.dim())
    }
}

pub fn group_cells(row: &GroupRow, ctx: &Ctx) -> Vec<Cell> {
    vec![
        Cell::plain(row.name.clone()),
        Cell::plain(row.kind.clone()),
        Cell::plain(row.members.to_string()),
        Cell::plain(row.pools.to_string()),
        group_errors(row, ctx),
    ]
}

pub fn group_detail(row: &GroupRow, ctx: &Ctx) -> Vec<Line<'static>> {
    let mut lines = vec![
        field("Group", format!("{} · {} group", row.name, row.kind), ctx),
        field(
            "Members",
            format!(
                "{} direct (nested groups flatten when seats are counted)",
                row.members
            ),
            ctx,
        ),
        field_cell("Errors", group_errors(row, ctx), ctx),
    ];
    if row.errors > 0 {
        lines.push(field(
            "",
            "members got no seat: free seats or buy more; they get one when a seat frees",
            ctx,
        ));
    }
    lines.push(field(
        "Pools",
        if row.pool_names.is_empty() {
            "none".to_owned()
        } else {
            row.pool_names.join(", ")
        },
        ctx,
    ));
    lines
}
