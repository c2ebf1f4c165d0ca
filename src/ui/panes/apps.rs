//! The Apps workspace (R-APP-1…9). Enter opens an app's seats (the
//! Assignees view); `I` lists its installs.

use ratatui::text::Line;

use super::{Cell, Ctx, field, field_cell, seat_cells};
use crate::domain::Seats;
use crate::store::apps::AppRow;
use crate::ui::columns::Width;

/// Name, License, Platform, Total, Used, Free, Installs, State.
pub const WIDTHS: &[Width] = &[
    Width::Name { min: 12, weight: 1 },
    Width::Fit { min: 4, max: 8 },
    Width::Fit { min: 5, max: 8 },
    Width::Fit { min: 5, max: 8 },
    Width::Fit { min: 4, max: 8 },
    Width::Fit { min: 4, max: 9 },
    Width::Fit { min: 5, max: 10 },
    Width::Fit { min: 4, max: 10 },
];

fn seats(row: &AppRow) -> Option<Seats> {
    row.pool_id
        .map(|_| Seats::new(row.total, row.consumed.unwrap_or(0)))
}

pub fn cells(row: &AppRow, ctx: &Ctx) -> Vec<Cell> {
    let [total, used, free] = match seats(row) {
        Some(seats) => seat_cells(seats, ctx),
        None => ["—", "—", "—"].map(|t| Cell::styled(t, ctx.theme.dim())),
    };
    let installs = if row.failed > 0 {
        Cell::styled(format!("{}/{}✗", row.installed, row.failed), ctx.theme.bad())
    } else {
        Cell::plain(row.installed.to_string())
    };
    // A deployment short of seats is the loudest state (R-APP-6).
    let state = if row.waiting > 0 {
        Cell::styled(format!("{} no seat", row.waiting), ctx.theme.bad())
    } else if row.sync_status == "skipped" {
        Cell::styled("skipped", ctx.theme.warn())
    } else {
        Cell::plain("synced")
    };
    vec![
        Cell::plain(row.name.clone()),
        Cell::plain(license_label(&row.license_type)),
        Cell::plain(row.platform.clone()),
        total,
        used,
        free,
        installs,
        state,
    ]
}

fn license_label(license_type: &str) -> &'static str {
    match license_type {
        "online" => "Online",
        "offline" => "Offline",
        "vpp" => "VPP",
        _ => "Vendor",
    }
}

pub fn detail(row: &AppRow, ctx: &Ctx) -> Vec<Line<'static>> {
    let price = if row.price_cents == 0 {
        "free".to_owned()
    } else {
        format!("{}.{:02}", row.price_cents / 100, row.price_cents % 100)
    };
    let mut lines = vec![
        // The pool id is what `seats apps`, `assign --pool` and `snapshot
        // --pool` take.
        field(
            "App",
            match row.pool_id {
                Some(pool) => format!("{} (pool #{pool})", row.name),
                None => format!("{} (no seats to count)", row.name),
            },
            ctx,
        ),
        field(
            "Publisher",
            format!(
                "{} · {} · {}",
                row.publisher.as_deref().unwrap_or("—"),
                row.platform,
                price
            ),
            ctx,
        ),
        field("License", license_note(row), ctx),
        field(
            "Installs",
            format!(
                "{} installed, {} pending, {} failed, {} not installed",
                row.installed, row.pending, row.failed, row.not_installed
            ),
            ctx,
        ),
        field("Reported", reported_note(row, ctx), ctx),
    ];
    if let Some(seats) = seats(row) {
        let text = match seats.available() {
            None => format!("unlimited, {} used", seats.consumed),
            Some(free) => format!(
                "{} total / {} used / {free} free",
                seats.total.unwrap_or(0),
                seats.consumed
            ),
        };
        lines.push(field_cell(
            "Seats",
            Cell::styled(text, ctx.theme.seats(seats.level())),
            ctx,
        ));
    }
    if row.foreign > 0 {
        lines.push(field(
            "Elsewhere",
            format!(
                "{} of the used seats are held outside seats (another device-management product, or \
                 devices it doesn't know): counted, never changed here",
                row.foreign
            ),
            ctx,
        ));
    }
    if row.waiting > 0 {
        lines.push(field_cell(
            "Deploy",
            Cell::styled(waiting_note(row), ctx.theme.bad()),
            ctx,
        ));
    }
    if row.sync_status == "skipped" {
        let reason = row
            .skip_reason
            .clone()
            .unwrap_or_else(|| "skipped by sync".into());
        lines.push(field_cell("Sync", Cell::styled(reason, ctx.theme.warn()), ctx));
    }
    if row.source == "store_business" {
        lines.push(field(
            "Note",
            "store apps arrive only by sync; to remove one, refund it at the store",
            ctx,
        ));
    }
    if let Some(url) = &row.install_url {
        lines.push(field("Install at", url.clone(), ctx));
    }
    lines
}

/// Why deployments fail for lack of seats, and what to do (R-APP-6).
fn waiting_note(row: &AppRow) -> String {
    let s = if row.waiting == 1 { "" } else { "s" };
    format!(
        "{} deployment{s} failed: no seat left (all {} used); they wait for one in order. \
         Release seats (Enter, then x) or buy more",
        row.waiting,
        row.total.unwrap_or(0)
    )
}

/// When installs were last reported: seats deploys nothing and knows only
/// what `seats import installs` brought.
fn reported_note(row: &AppRow, ctx: &Ctx) -> String {
    let at = row
        .reported_at
        .as_deref()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
    match at {
        Some(at) => format!(
            "installs as last reported, {} ago (seats import installs)",
            crate::domain::expiry::age(at.with_timezone(&chrono::Utc), ctx.now)
        ),
        None => "no install report imported yet (seats import installs FILE)".to_owned(),
    }
}

/// Who deploys the app (R-APP-5): seats itself deploys nothing.
fn license_note(row: &AppRow) -> String {
    match row.license_type.as_str() {
        "online" => "online: installed by the store".to_owned(),
        "offline" => format!(
            "offline: deployed by your device management, per {}",
            row.install_scope.as_deref().unwrap_or("user")
        ),
        "vpp" if row.assignable_to.as_deref() == Some("user_or_device") => {
            "Apple VPP: per user once they accept the invitation, or per device by serial number".to_owned()
        }
        "vpp" => "Apple VPP: per user, once the user accepts the invitation".to_owned(),
        _ => "managed by the vendor".to_owned(),
    }
}
