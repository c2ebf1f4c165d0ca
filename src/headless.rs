//! The headless twins of the panes: the same queries and the same render
//! code, printed instead of shown.

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::app::keymap::Keymap;
use crate::app::{AppState, PaneId, update};
use crate::domain::{Filter, FilterError};
use crate::output::{self, Format};
use crate::store::pools::PoolRow;
use crate::store::{self, PageRequest, users::UserRow};
use crate::ui::{self, theme::Theme};
use crate::worker::fetch_rows;

/// Builds the console's state for `pane` at `width` x `height` exactly as the
/// console would after its first window arrived.
pub fn console_state(
    conn: &Connection,
    pane: PaneId,
    size: (u16, u16),
    actor: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<AppState> {
    console_state_of(conn, pane, None, size, actor, now)
}

/// As `console_state`, with the Assignees view showing the seats of `pool`
/// (id, name), as Enter on that pool would.
pub fn console_state_of(
    conn: &Connection,
    pane: PaneId,
    pool: Option<(i64, String)>,
    size: (u16, u16),
    actor: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<AppState> {
    let mut state = AppState::new(Keymap::default(), actor.to_owned(), false, now);
    state.size = size;
    // Every list is measured against `now`, not the wall clock, so a render
    // (and every test built on one) is the same whatever the real date.
    for table in &mut state.tables {
        table.as_of = Some(now.to_rfc3339());
    }
    state.status = store::status::read(conn, actor)?;
    update::show(&mut state, pane);
    let scope = pool.as_ref().map(|(id, _)| *id);
    state.assignees_of = pool;
    let rows = crate::ui::layout::table_rows(size.0, size.1);
    let table = state.table_mut();
    table.scope = scope;
    table.keep_visible(rows);
    let fetch = table.reload();
    let page = fetch_rows(conn, &fetch)?;
    table.accept(fetch.generation, page, rows);
    Ok(state)
}

/// One rendered screen as plain text (`seats snapshot`).
pub fn snapshot(
    conn: &Connection,
    pane: PaneId,
    pool: Option<(i64, String)>,
    size: (u16, u16),
    actor: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<String> {
    let state = console_state_of(conn, pane, pool, size, actor, now)?;
    Ok(ui::render_to_string(&state, Theme::plain()))
}

fn figure(value: Option<i64>) -> String {
    value.map_or("unlimited".to_owned(), |v| v.to_string())
}

/// Reads `--filter TEXT` of a list command the way `pane`'s `/` reads it.
pub fn parse_filter(pane: PaneId, typed: Option<&str>) -> Result<Option<Filter>, FilterError> {
    match typed {
        Some(typed) => pane.parse_filter(typed),
        None => Ok(None),
    }
}

/// `seats pools` in the chosen format: the pools that pass `filter`, with
/// status and expiry measured at `now`.
pub fn pools(
    conn: &Connection,
    filter: Option<Filter>,
    format: Format,
    now: DateTime<Utc>,
) -> rusqlite::Result<String> {
    let pools = store::pools::list(conn, filter, Some(now.to_rfc3339()))?;
    let headers = [
        "id",
        "name",
        "kind",
        "source",
        "total",
        "consumed",
        "available",
        "status",
        "expires",
    ];
    let cells = |p: &PoolRow| {
        vec![
            p.id.to_string(),
            p.name.clone(),
            p.kind.to_string(),
            p.source.to_string(),
            figure(p.total),
            p.consumed.to_string(),
            figure(p.available),
            p.status.to_string(),
            p.expires.clone().unwrap_or_default(),
        ]
    };
    let table: Vec<Vec<String>> = pools.iter().map(cells).collect();
    Ok(output::render(format, &headers, &table, &pools))
}

/// `seats users` in the chosen format; the filter works as in the console.
pub fn users(
    conn: &Connection,
    filter: Option<Filter>,
    format: Format,
    now: DateTime<Utc>,
) -> Result<String, ListError> {
    let mut out = Vec::new();
    write_users(conn, filter, format, now, &mut out)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// What writing a list to an output can fail on.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error(transparent)]
    Store(#[from] rusqlite::Error),
    #[error(transparent)]
    Write(#[from] std::io::Error),
}

impl From<serde_json::Error> for ListError {
    fn from(err: serde_json::Error) -> Self {
        ListError::Write(err.into())
    }
}

/// `seats users` written to `out` as the rows are read (issue 11: at a
/// million users the list is never held whole). JSON and CSV stream; the
/// table needs every row's width first, so it keeps its cells.
pub fn write_users(
    conn: &Connection,
    filter: Option<Filter>,
    format: Format,
    now: DateTime<Utc>,
    out: &mut dyn std::io::Write,
) -> Result<(), ListError> {
    use serde::ser::{SerializeSeq, Serializer};
    let request = PageRequest {
        filter,
        as_of: Some(now.to_rfc3339()),
        ..PageRequest::default()
    };
    let headers = ["upn", "display_name", "enabled", "pools"];
    let cells = |u: &UserRow| {
        let pools: Vec<String> = u.pools.iter().map(ToString::to_string).collect();
        vec![
            u.upn.clone(),
            u.display_name.clone(),
            u.enabled.to_string(),
            pools.join(" "),
        ]
    };
    // The cache lists a user's pools in seat order; every format sorts them.
    let sorted = |mut user: UserRow| {
        user.pools.sort_unstable();
        user
    };
    match format {
        Format::Json => {
            let mut json = serde_json::Serializer::pretty(&mut *out);
            let mut seq = json.serialize_seq(None)?;
            store::users::each_without_names(conn, &request, |user| {
                seq.serialize_element(&sorted(user)).map_err(ListError::from)
            })?;
            seq.end()?;
            writeln!(out)?;
        }
        Format::Csv => {
            out.write_all(output::csv(&headers, &[]).as_bytes())?;
            store::users::each_without_names(conn, &request, |user| {
                // A CSV of no headers and one row: an empty line, then the row.
                let line = output::csv(&[], &[cells(&sorted(user))]);
                let row = line.strip_prefix('\n').unwrap_or(&line);
                out.write_all(row.as_bytes()).map_err(ListError::from)
            })?;
        }
        Format::Table => {
            let mut table = Vec::new();
            store::users::each_without_names(conn, &request, |user| {
                table.push(cells(&sorted(user)));
                Ok::<_, ListError>(())
            })?;
            out.write_all(output::table(&headers, &table).as_bytes())?;
        }
    }
    Ok(())
}
