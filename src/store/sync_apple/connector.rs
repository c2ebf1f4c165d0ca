//! The connector's side of a pull: the location it is bound to, when its
//! token expires, and which device-management product holds the token.

use rusqlite::{Connection, OptionalExtension as _, params};

use super::PullError;
use crate::domain::apple::AppleLocation;

/// Records the location on the connector. A connector bound to one
/// location never takes another (R-CON-2, R-CON-3): that pull is refused.
pub(super) fn record(
    conn: &Connection,
    connector_id: i64,
    location: &AppleLocation,
) -> Result<(), PullError> {
    let bound: Option<Option<String>> = conn
        .query_row(
            "SELECT tenant_id FROM connectors WHERE id = ?1",
            [connector_id],
            |row| row.get(0),
        )
        .optional()?;
    if let Some(Some(bound)) = bound
        && bound != location.uid
    {
        return Err(PullError::Invalid(format!(
            "this token opens the Apple location {:?} ({}), but the connector is bound to location {bound}; \
             a connector never moves to another organization's account: upload that location's own token",
            location.name, location.uid
        )));
    }
    let manager = location
        .manager
        .as_ref()
        .filter(|m| !m.is_seats())
        .map(|m| m.name.clone());
    conn.execute(
        "UPDATE connectors SET tenant_id = ?2, account = ?3, \
         token_expires_at = coalesce(?4, token_expires_at), claimed_by = ?5 WHERE id = ?1",
        params![
            connector_id,
            location.uid,
            location.name,
            location.token_expires,
            manager
        ],
    )?;
    Ok(())
}
