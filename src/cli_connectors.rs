//! `seats connectors [--filter F] [--format table|csv|json]`: every
//! connector with its state, last sync and success, next sync, last error
//! (with the source's request id) and changes pending in the outbox.
//!
//! Microsoft Graph, Apple Apps and Books and Store for Business connectors
//! sync. Volume-licensing rows (demo data in the demo) keep the state and
//! times recorded in the cache, shown as they are, but marked
//! `syncs: false` with a note saying this version does not sync them, and
//! no next sync; nothing here claims seats synced them. A disabled
//! connector has no next sync either, and its note says how to enable it.

use std::path::Path;

use clap::Args;
use serde::Serialize;

use crate::app::PaneId;
use crate::cli::{Failure, print};
use crate::output::{self, Format};
use crate::store::connectors::{self, ConnectorRow};
use crate::store::connectors_admin::{self, SIM_SCHEME};
use crate::store::{self, OpenMode, PageRequest};

/// `seats connectors` options.
#[derive(Debug, Args)]
pub struct ConnectorsArgs {
    /// Keep connectors that pass the console's filter (`state:error`,
    /// `kind:graph`, `pending>0`).
    #[arg(long, value_name = "FILTER")]
    pub filter: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// The note of a connector this version does not sync.
pub const NOT_SYNCED: &str = "not synced by this version of seats: state and times as recorded in the cache";

/// One connector as `seats connectors` prints it (JSON keys are stable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConnectorLine {
    pub id: i64,
    pub name: String,
    /// graph, apple_vpp, store_business or volume_licensing.
    pub kind: String,
    pub enabled: bool,
    /// never, ok, syncing, error or disabled, as recorded.
    pub state: String,
    /// The account it is bound to (the tenant's domain, the Apple location
    /// or store account); null when not linked yet.
    pub account: Option<String>,
    /// When its token expires (RFC 3339); null without a token.
    pub token_expires: Option<String>,
    pub last_sync: Option<String>,
    pub last_success: Option<String>,
    /// When the schedule syncs it next; null when it never syncs (disabled,
    /// or a kind this version does not sync) or is due now.
    pub next_sync: Option<String>,
    pub error: Option<String>,
    /// The source's request id of the last error.
    pub request_id: Option<String>,
    /// Changes queued in the outbox, not yet sent.
    pub pending: i64,
    /// Whether this version of seats syncs it.
    pub syncs: bool,
    pub note: Option<String>,
}

/// Runs `seats connectors`.
pub fn run(db: &Path, args: &ConnectorsArgs) -> Result<(), Failure> {
    let filter = crate::headless::parse_filter(PaneId::Connectors, args.filter.as_deref())
        .map_err(|err| Failure::usage(format!("--filter {err}")))?;
    let conn = store::open(db, OpenMode::MustExist)?;
    let request = PageRequest {
        filter,
        limit: usize::MAX >> 1,
        ..PageRequest::default()
    };
    let rows = connectors::page(&conn, &request)?.rows;
    let mut lines = Vec::with_capacity(rows.len());
    for row in rows {
        let config = connectors_admin::connector_config(&conn, row.id)?;
        let (next_sync, request_id, graph_url) = config
            .map(|c| (c.next_sync_at, c.last_request_id, c.graph_url))
            .unwrap_or_default();
        lines.push(line(row, next_sync, request_id, graph_url.as_deref()));
    }
    print(&render(args.format, &lines))
}

fn line(
    row: ConnectorRow,
    next_sync: Option<String>,
    request_id: Option<String>,
    graph_url: Option<&str>,
) -> ConnectorLine {
    let syncs = row.kind.syncs();
    let note = if let Some(warning) = token_warning(row.token_expires_at.as_deref(), chrono::Utc::now()) {
        Some(warning)
    } else if !syncs {
        Some(NOT_SYNCED.to_owned())
    } else if !row.enabled {
        Some("disabled: not synced until `seats connector enable` turns it on".to_owned())
    } else if row.sign_ins_unreadable() {
        Some("sign-in activity not readable: grant the app AuditLog.Read.All".to_owned())
    } else if graph_url.is_some_and(|url| url.starts_with(SIM_SCHEME)) {
        Some("syncs with the in-process Graph simulator (demo)".to_owned())
    } else {
        None
    };
    ConnectorLine {
        id: row.id,
        name: row.name,
        kind: row.kind.as_str().to_owned(),
        enabled: row.enabled,
        state: row.state,
        account: row.account,
        token_expires: row.token_expires_at,
        last_sync: row.last_sync_at,
        last_success: row.last_success_at,
        next_sync: next_sync.filter(|_| syncs && row.enabled),
        error: row.last_error,
        request_id,
        pending: row.pending_changes,
        syncs,
        note,
    }
}

/// "token expires in 20 days: …" from 30 days before a token's expiry,
/// "token expired: …" after it (R-CON-4).
fn token_warning(expires: Option<&str>, now: chrono::DateTime<chrono::Utc>) -> Option<String> {
    let at = chrono::DateTime::parse_from_rfc3339(expires?).ok()?;
    // Calendar days, as the console counts them.
    let days = crate::domain::expiry::days_until(at.with_timezone(&chrono::Utc).date_naive(), now);
    let renew = "download a renewed token in Apple Business Manager (Settings → Apps and Books) and link it with \
                 `seats connect apple`";
    if days < 0 || at <= now {
        Some(format!("token expired: {renew}"))
    } else if days <= crate::domain::expiry::TOKEN_WARNING_DAYS {
        Some(format!("token expires in {days} days: {renew}"))
    } else {
        None
    }
}

/// The table and CSV columns; JSON has the same fields by name.
fn render(format: Format, lines: &[ConnectorLine]) -> String {
    let headers = [
        "name",
        "kind",
        "state",
        "last_sync",
        "last_success",
        "next_sync",
        "pending",
        "error",
        "note",
    ];
    let cells: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            let error = match (&l.error, &l.request_id) {
                (Some(error), Some(id)) => format!("{error} (request id {id})"),
                (Some(error), None) => error.clone(),
                (None, _) => String::new(),
            };
            let next = match (&l.next_sync, l.syncs && l.enabled) {
                (Some(at), _) => at.clone(),
                // Never synced, or never scheduled: the next sync does it.
                (None, true) => "due".to_owned(),
                (None, false) => "—".to_owned(),
            };
            vec![
                l.name.clone(),
                l.kind.clone(),
                l.state.clone(),
                l.last_sync.clone().unwrap_or_default(),
                l.last_success.clone().unwrap_or_default(),
                next,
                l.pending.to_string(),
                error,
                l.note.clone().unwrap_or_default(),
            ]
        })
        .collect();
    output::render(format, &headers, &cells, lines)
}
