//! `:map TITLE` and `:unmap` from the console (R-APP-10): the same store
//! calls as `seats products map|unmap`, audited there.

use rusqlite::Connection;

use super::settings::written;
use crate::app::WorkerEvent;
use crate::store::changes::Actor;
use crate::store::products;

pub(super) fn map(conn: &Connection, actor: &Actor, raw: &str, title: Option<&str>) -> WorkerEvent {
    let outcome = match title {
        Some(title) => products::map(conn, actor, raw, title),
        None => products::unmap(conn, actor, raw),
    };
    written(outcome.map(|moved| {
        let s = if moved.rows == 1 { "" } else { "s" };
        match title {
            Some(title) => format!("{raw:?} counts as {title:?}: {} detection{s} moved", moved.rows),
            None => format!(
                "{raw:?} counts as detected again: {} detection{s} moved",
                moved.rows
            ),
        }
    }))
}
