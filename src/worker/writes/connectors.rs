//! Connector settings written from the console: taking an Apple token
//! over (R-CON-6), turning a connector on or off (R-CON-1). No seat
//! changes, no batch; audited by the store.

use rusqlite::Connection;

use super::settings::written;
use crate::app::WorkerEvent;
use crate::store::changes::{self, Actor};

/// Records the admin's choice to take connector `id`'s token over; the
/// next sync registers seats with Apple and reads the location whole.
pub(super) fn take_over(conn: &Connection, actor: &Actor, id: i64) -> WorkerEvent {
    let outcome = changes::authorize(conn, actor, changes::Permission::Assign)
        .map_err(|err| err.to_string())
        .and_then(|_| {
            crate::store::connectors_apple::set_take_over(conn, id, &actor.name)
                .map_err(|err| format!("cache error: {err}; nothing was changed"))
        })
        .map(|()| "token taken over: r syncs it now, registering seats as the location's manager".to_owned());
    written(outcome)
}

/// Turns connector `id` on or off; the answer names what follows (a token
/// that fails the sync, changes that wait) or why it was refused.
pub(super) fn set_enabled(conn: &Connection, actor: &Actor, id: i64, enabled: bool) -> WorkerEvent {
    let outcome = changes::authorize(conn, actor, changes::Permission::Assign)
        .map_err(|err| err.to_string())
        .and_then(|_| {
            crate::store::connectors_enable::set_enabled(conn, id, enabled, &actor.name)
                .map_err(|err| err.to_string())
        })
        .map(|toggle| toggle.summary());
    written(outcome)
}
