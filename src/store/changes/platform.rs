//! An app installs only on devices of its platform (issue 8 review, B9;
//! R-APP-4): a Windows app's seat on an iPhone, or an iOS app's on a
//! Windows PC, is a seat nothing can use. Checked in the store, so the
//! console's preview and the command line refuse alike.

use rusqlite::{Connection, OptionalExtension as _};

use super::Refusal;
use super::pool::PoolState;

/// Devices named in a refusal at most; the count says how many more.
const NAMED: usize = 3;

/// Why the staged assignment (temp.seat_target) can't give seats of
/// `pool`'s app to the devices it reaches, if one of them is of another
/// platform. Apps without a device platform (web, vendor) take any.
pub(super) fn refusal(conn: &Connection, pool: &PoolState) -> rusqlite::Result<Option<Refusal>> {
    if !pool.takes_devices() {
        return Ok(None);
    }
    let platform: Option<String> = conn
        .prepare_cached("SELECT a.platform FROM pools p JOIN apps a ON a.id = p.app_id WHERE p.id = ?1")?
        .query_row([pool.id], |row| row.get(0))
        .optional()?
        .flatten();
    let Some(platform) = platform.filter(|p| !matches!(p.as_str(), "" | "web" | "any")) else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(
        "SELECT d.name || ' (' || coalesce(nullif(d.os, ''), 'unknown') || ')' FROM temp.seat_target t \
         JOIN devices d ON d.id = -t.who \
         WHERE t.who < 0 AND t.held <> 1 AND coalesce(d.os, '') <> ?1 COLLATE NOCASE ORDER BY d.name",
    )?;
    let others: Vec<String> = stmt
        .query_map([&platform], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if others.is_empty() {
        return Ok(None);
    }
    let more = others.len().saturating_sub(NAMED);
    let mut names = others.iter().take(NAMED).cloned().collect::<Vec<_>>().join(", ");
    if more > 0 {
        names.push_str(&format!(" and {more} more"));
    }
    let why = format!(
        "a {platform} app installs only on {platform} devices, and this reaches {} of another platform: \
         {names}; target {platform} devices (or their users) instead",
        if others.len() == 1 {
            "a device".to_owned()
        } else {
            format!("{} devices", others.len())
        },
    );
    Ok(Some(Refusal::NotAssignable {
        pool: pool.name.clone(),
        why,
    }))
}
