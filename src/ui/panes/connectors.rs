//! The Connectors workspace (R-CON-*). Credentials are never shown (R-CON-9).
//! A sync running in this console shows with its progress; one another
//! process runs shows who runs it.

use chrono::{DateTime, Utc};
use ratatui::text::Line;

use super::{Cell, Ctx, age_cell, countdown_cell, field, field_cell};
use crate::app::sync::SyncActivity;
use crate::domain::ConnectorKind;
use crate::domain::apple::TokenProblem;
use crate::domain::expiry::{age, countdown, parse_date};
use crate::store::connectors::ConnectorRow;
use crate::ui::columns::Width;
use crate::worker::schedule::not_syncing_reason;

/// Name, Kind, State, Last sync, Next sync, Token.
pub const WIDTHS: &[Width] = &[
    Width::Name { min: 12, weight: 1 },
    Width::Fit { min: 4, max: 9 },
    Width::Fit { min: 5, max: 9 },
    Width::Fit { min: 6, max: 10 },
    Width::Fit { min: 6, max: 10 },
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

/// The sync of this connector running in this console, if any.
fn live<'a>(row: &ConnectorRow, ctx: &'a Ctx) -> Option<&'a SyncActivity> {
    ctx.syncs.iter().find(|s| s.connector_id == row.id)
}

fn state_cell(row: &ConnectorRow, ctx: &Ctx) -> Cell {
    if let Some(sync) = live(row, ctx) {
        let text = sync
            .percent()
            .map_or_else(|| "↻ sync".to_owned(), |p| format!("↻ {p}%"));
        return Cell::styled(text, ctx.theme.warn());
    }
    if !row.enabled {
        return Cell::styled("– off", ctx.theme.dim());
    }
    match row.state.as_str() {
        "ok" => Cell::styled("✓ ok", ctx.theme.good()),
        "error" => Cell::styled("✗ error", ctx.theme.bad()),
        "syncing" if row.sync_holder.is_some() => Cell::styled("↻ sync", ctx.theme.warn()),
        // Left 'syncing' by a process that ended: the next sync starts afresh.
        "syncing" => Cell::styled("✗ cut off", ctx.theme.bad()),
        "never" => Cell::styled("? never", ctx.theme.warn()),
        other => Cell::plain(other.to_owned()),
    }
}

/// The state in full, for the detail panel.
fn state_detail(row: &ConnectorRow, ctx: &Ctx) -> Cell {
    if let Some(sync) = live(row, ctx) {
        let gauge = sync.percent().map(gauge).unwrap_or_default();
        return Cell::styled(format!("↻ syncing {gauge}{}", sync.describe()), ctx.theme.warn());
    }
    match (&row.sync_holder, row.state.as_str()) {
        (Some(holder), _) if row.enabled => {
            Cell::styled(format!("↻ being synced by {holder}"), ctx.theme.warn())
        }
        (None, "syncing") if row.enabled => Cell::styled(
            "✗ the last sync was cut off (its process ended); nothing of it was kept",
            ctx.theme.bad(),
        ),
        _ => state_cell(row, ctx),
    }
}

/// "[████░░░░░░] " for a share in percent.
fn gauge(percent: u16) -> String {
    let filled = usize::from(percent.min(100)) / 10;
    format!("[{}{}] ", "█".repeat(filled), "░".repeat(10 - filled))
}

fn parse(at: Option<&str>) -> Option<DateTime<Utc>> {
    at.and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// When the schedule syncs it next: "in 11h", "due now", or "—" when it
/// does not sync (disabled, or a kind that does not sync yet).
fn next_cell(row: &ConnectorRow, ctx: &Ctx) -> Cell {
    if !row.enabled || not_syncing_reason(row.kind).is_some() {
        return Cell::styled("—", ctx.theme.dim());
    }
    if live(row, ctx).is_some() {
        return Cell::styled("now", ctx.theme.warn());
    }
    match parse(row.next_sync_at.as_deref()) {
        Some(at) if at > ctx.now => Cell::plain(format!("in {}", age(ctx.now, at))),
        _ => Cell::styled("due now", ctx.theme.warn()),
    }
}

pub fn cells(row: &ConnectorRow, ctx: &Ctx) -> Vec<Cell> {
    vec![
        Cell::plain(row.name.clone()),
        Cell::plain(kind_short(row.kind)),
        state_cell(row, ctx),
        age_cell(row.last_sync_at.as_deref(), ctx),
        next_cell(row, ctx),
        match (token_problem(row), &row.token_expires_at) {
            (Some(problem), _) => Cell::styled(format!("✗ {}", problem.word()), ctx.theme.bad()),
            (None, Some(at)) => countdown_cell(Some(at), ctx),
            (None, None) => Cell::styled("—", ctx.theme.dim()),
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
        field_cell("State", state_detail(row, ctx), ctx),
    ];
    if let Some(error) = &row.last_error {
        let request = row
            .last_request_id
            .as_deref()
            .map(|id| format!(" (request id {id})"))
            .unwrap_or_default();
        lines.push(field_cell(
            "Error",
            Cell::styled(format!("{error}{request}"), ctx.theme.bad()),
            ctx,
        ));
    }
    lines.push(field_cell(
        "Last sync",
        age_cell(row.last_sync_at.as_deref(), ctx),
        ctx,
    ));
    lines.push(field_cell("Next sync", next_detail(row, ctx), ctx));
    if row.pending_changes > 0 {
        lines.push(field_cell("Pending", pending_cell(row, ctx), ctx));
    }
    lines.push(field_cell(
        "Succeeded",
        age_cell(row.last_success_at.as_deref(), ctx),
        ctx,
    ));
    if let Some(run) = &row.last_run {
        // The run's line starts with the connector's name, shown above.
        let run = run.strip_prefix(&format!("{}: ", row.name)).unwrap_or(run);
        lines.push(field("Last run", run.to_owned(), ctx));
    }
    if row.sign_ins_unreadable() {
        lines.push(field_cell(
            "Sign-ins",
            Cell::styled(
                "not readable: grant the app AuditLog.Read.All; Last sign-in keeps what it had",
                ctx.theme.warn(),
            ),
            ctx,
        ));
    }
    lines.push(field(
        "Account",
        match &row.account {
            Some(account) => format!("{account} (bound: can't be switched)"),
            None => "— not linked".to_owned(),
        },
        ctx,
    ));
    if row.token_expires_at.is_some() || row.token_name.is_some() {
        lines.push(field_cell("Token", token_cell(row, ctx), ctx));
        token_life_lines(row, ctx, &mut lines);
    }
    if let Some(manager) = &row.claimed_by {
        lines.push(field_cell(
            "Claimed",
            Cell::styled(
                format!(
                    "token used by {manager}: :take-over makes seats its manager ({manager}'s \
                     assignments are lost), or have {manager} release the token, then r"
                ),
                ctx.theme.bad(),
            ),
            ctx,
        ));
    }
    lines.push(field(
        "Schedule",
        format!(
            "every {} · {} pools · {} pending · secret {}",
            interval(row.schedule_minutes),
            row.pools,
            row.pending_changes,
            secret_words(row)
        ),
        ctx,
    ));
    if let Some(language) = &row.language {
        lines.push(field(
            "Language",
            format!("app names in {language}; apps install in each user's own language"),
            ctx,
        ));
    }
    if row.kind == ConnectorKind::StoreBusiness {
        report_lines(row, ctx, &mut lines);
    }
    lines
}

/// The last sync's report (R-APP-3): counts, then skipped apps with the
/// reason, then the others.
fn report_lines(row: &ConnectorRow, ctx: &Ctx, lines: &mut Vec<Line<'static>>) {
    if row.report.is_empty() {
        lines.push(field("Report", "no sync report yet: r syncs now", ctx));
        return;
    }
    let count = |what: &str| row.report.iter().filter(|(o, _, _)| o == what).count();
    lines.push(field(
        "Report",
        format!(
            "last sync: {} added, {} updated, {} removed, {} skipped",
            count("added"),
            count("updated"),
            count("removed"),
            count("skipped")
        ),
        ctx,
    ));
    for (outcome, app, reason) in &row.report {
        let text = match reason {
            Some(reason) => format!("{app}: {reason}"),
            None => app.clone(),
        };
        let cell = if outcome == "skipped" {
            Cell::styled(text, ctx.theme.warn())
        } else {
            Cell::plain(text)
        };
        lines.push(field_cell(&format!("  {outcome}"), cell, ctx));
    }
}

/// The next sync in full: when, or why there is none.
fn next_detail(row: &ConnectorRow, ctx: &Ctx) -> Cell {
    if not_syncing_reason(row.kind).is_some() {
        let text = format!("— this version of seats doesn't sync {}", row.kind.label());
        return Cell::styled(text, ctx.theme.dim());
    }
    if !row.enabled {
        return Cell::styled("— disabled", ctx.theme.dim());
    }
    match parse(row.next_sync_at.as_deref()) {
        _ if live(row, ctx).is_some() => Cell::styled("running now", ctx.theme.warn()),
        Some(at) if at > ctx.now => Cell::plain(format!(
            "in {} ({} UTC)",
            age(ctx.now, at),
            at.format("%Y-%m-%d %H:%M")
        )),
        Some(_) => Cell::styled("due now", ctx.theme.warn()),
        None => Cell::styled("due now (never scheduled)", ctx.theme.warn()),
    }
}

/// Changes queued for the source: how many, and why the newest waits.
fn pending_cell(row: &ConnectorRow, ctx: &Ctx) -> Cell {
    let count = format!(
        "{} change{} queued",
        row.pending_changes,
        if row.pending_changes == 1 { "" } else { "s" }
    );
    match &row.pending_error {
        Some(why) => Cell::styled(format!("{count}: {why}; retried with backoff"), ctx.theme.warn()),
        None if not_syncing_reason(row.kind).is_some() => {
            Cell::plain(format!("{count}, not sent in this version"))
        }
        None => Cell::plain(format!("{count}, sent at the next push or sync")),
    }
}

/// "12h", "90m", "1d 12h".
fn interval(minutes: i64) -> String {
    match minutes {
        m if m % 1440 == 0 => format!("{}d", m / 1440),
        m if m >= 1440 => format!("{}d {}h", m / 1440, (m % 1440) / 60),
        m if m % 60 == 0 => format!("{}h", m / 60),
        m => format!("{m}m"),
    }
}

/// Apple refused the token as expired or revoked at the last sync (R-CON-4).
fn token_problem(row: &ConnectorRow) -> Option<TokenProblem> {
    if row.state != "error" {
        return None;
    }
    TokenProblem::of_error(row.last_error.as_deref())
}

/// When the token was last replaced, and from 30 days before its expiry
/// what to do about it (R-CON-4).
fn token_life_lines(row: &ConnectorRow, ctx: &Ctx, lines: &mut Vec<Line<'static>>) {
    if let Some(updated) = row.token_updated_at.as_deref().and_then(|t| t.get(..10)) {
        let expires = row.token_expires_at.as_deref().and_then(|t| t.get(..10));
        let text = match expires {
            Some(expires) => format!("{updated}, expires {expires}"),
            None => updated.to_owned(),
        };
        lines.push(field("Updated", text, ctx));
    }
    let due = row
        .token_expires_at
        .as_deref()
        .and_then(parse_date)
        .map(|date| countdown(date, ctx.now));
    if token_problem(row).is_none()
        && matches!(
            due,
            Some(crate::domain::Countdown::Soon(_) | crate::domain::Countdown::Expired(_))
        )
    {
        lines.push(field_cell(
            "Renew",
            Cell::styled(
                "download the renewed token from Apple Business Manager → Settings → Apps and Books, \
                 then n here (the same location keeps every assignment)",
                ctx.theme.warn(),
            ),
            ctx,
        ));
    }
}

/// The Schedule line's word on the connector's secret: a `sim:` connector
/// (the demo's) is answered by the in-process simulator, which needs none.
fn secret_words(row: &ConnectorRow) -> &'static str {
    let simulated = row
        .endpoint
        .as_deref()
        .is_some_and(|e| e.starts_with(crate::worker::sync::source::SIM_SCHEME));
    match (row.has_secret, simulated) {
        (true, _) => "set (hidden)",
        (false, true) => "none needed (simulator)",
        (false, false) => "not set",
    }
}

fn token_cell(row: &ConnectorRow, ctx: &Ctx) -> Cell {
    if let Some(problem) = token_problem(row) {
        return Cell::styled(problem.remedy(), ctx.theme.bad());
    }
    let expiry = countdown_cell(row.token_expires_at.as_deref(), ctx);
    let name = row.token_name.as_deref().unwrap_or("token");
    let apple = row
        .apple_id
        .as_deref()
        .map(|a| format!(" ({a})"))
        .unwrap_or_default();
    Cell::styled(format!("{name}{apple}, {}", expiry.text), expiry.style)
}
