//! `seats audit`: who changed what, as a table, CSV or JSON (architecture
//! §5: keys at, actor, action, pool, principals, result).

use clap::Args;

use super::Session;
use crate::app::PaneId;
use crate::cli::{Failure, print};
use crate::output::{self, Format};
use crate::store::changes;

/// `seats audit`: who changed what.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only changes at or after DATE: YYYY-MM-DD, an RFC 3339 time, a
    /// distance back from now (2d, 1w, 3m, 1y) or today.
    #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
    pub since: Option<String>,
    /// Keep changes that pass FILTER, as `/` in the console: words, !not,
    /// actor:NAME, action:assign, pool:TEXT, who:UPN, result:refused, at>-7d.
    #[arg(long, value_name = "FILTER")]
    pub filter: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Runs `seats audit`.
pub fn audit(session: &Session, args: AuditArgs) -> Result<(), Failure> {
    let since = args.since.as_deref().map(since).transpose()?;
    let filter = crate::headless::parse_filter(PaneId::Audit, args.filter.as_deref())
        .map_err(|err| Failure::usage(format!("--filter {err}")))?;
    let conn = session.open()?;
    let mut rows = changes::audit_since(&conn, since.as_deref())?;
    if let Some(filter) = filter {
        let kept = matching_ids(&conn, filter)?;
        rows.retain(|row| kept.contains(&row.id));
    }
    print(&render_audit(args.format, &rows))
}

/// Ids of the audit rows that pass `filter`: the Audit view's own query,
/// so the command line and the console filter alike.
fn matching_ids(
    conn: &rusqlite::Connection,
    filter: crate::domain::Filter,
) -> rusqlite::Result<std::collections::HashSet<i64>> {
    let request = crate::store::PageRequest {
        filter: Some(filter),
        limit: usize::MAX >> 1,
        as_of: Some(chrono::Utc::now().to_rfc3339()),
        ..Default::default()
    };
    Ok(crate::store::audit::page(conn, &request)?
        .rows
        .iter()
        .map(|entry| entry.id)
        .collect())
}

/// The table shows consumed as "before → after"; CSV has the two figures
/// in columns of their own, named as the JSON keys, plus the detail object,
/// the batch id and every principal whose seat changed (`upn:change`,
/// separated by spaces).
fn render_audit(format: Format, rows: &[changes::AuditRow]) -> String {
    let figure = |n: Option<i64>| n.map_or(String::new(), |n| n.to_string());
    let common = |r: &changes::AuditRow| {
        vec![
            r.at.clone(),
            r.actor.clone(),
            r.action.clone(),
            r.pool.clone().unwrap_or_default(),
            r.principals.join(", "),
        ]
    };
    if format == Format::Csv {
        let headers = [
            "at",
            "actor",
            "action",
            "pool",
            "principals",
            "consumed_before",
            "consumed_after",
            "result",
            "detail",
            "batch_id",
            "changed",
        ];
        let cells: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                let mut cells = common(r);
                cells.extend([
                    figure(r.consumed_before),
                    figure(r.consumed_after),
                    r.result.clone(),
                    r.detail.as_ref().map_or(String::new(), ToString::to_string),
                    r.batch_id.clone().unwrap_or_default(),
                    changed(r),
                ]);
                cells
            })
            .collect();
        return output::csv(&headers, &cells);
    }
    let headers = [
        "at",
        "actor",
        "action",
        "pool",
        "principals",
        "consumed",
        "result",
    ];
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let consumed = match (r.consumed_before, r.consumed_after) {
                (None, None) => String::new(),
                (b, a) => format!("{} → {}", figure(b), figure(a)),
            };
            let mut cells = common(r);
            cells.extend([consumed, r.result.clone()]);
            cells
        })
        .collect();
    output::render(format, &headers, &cells, rows)
}

/// A date, an RFC 3339 time, or a distance back from now (`2d`, `1w`,
/// `3m`, `1y`, `today`), as the audit's UTC text compares.
fn since(text: &str) -> Result<String, Failure> {
    if chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok() {
        return Ok(text.to_owned());
    }
    let utc = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    if let Ok(time) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(utc(time.with_timezone(&chrono::Utc)));
    }
    crate::domain::ago::since(text, chrono::Utc::now())
        .map(utc)
        .ok_or_else(|| {
            Failure::usage(format!(
                "--since {text:?} is not a date: use YYYY-MM-DD, an RFC 3339 time such as \
                 2026-06-01T12:00:00Z, a distance back from now (2d, 1w, 3m, 1y) or today"
            ))
        })
}

/// "u1@contoso.test:seat_added u2@contoso.test:promoted".
fn changed(row: &changes::AuditRow) -> String {
    let items: Vec<String> = row
        .changed
        .iter()
        .map(|c| format!("{}:{}", c.who, c.change))
        .collect();
    items.join(" ")
}
