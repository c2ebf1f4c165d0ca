//! Previews of connector settings changed from the console: taking an
//! Apple token over from the product that holds it (R-CON-6), turning a
//! connector on or off (R-CON-1).

use rusqlite::{Connection, OptionalExtension as _};

use super::line;
use crate::app::dialogs::Preview;
use crate::store::changes::ChangeError;

/// What `:take-over` would do to Apple connector `id`.
pub fn take_over(conn: &Connection, id: i64) -> Result<Preview, ChangeError> {
    let found: Option<(String, String, Option<String>)> = conn
        .query_row(
            "SELECT name, kind, claimed_by FROM connectors WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((name, kind, claimed_by)) = found else {
        return Err(ChangeError::NotFound(format!("no connector with id {id}")));
    };
    let holder = claimed_by.clone().unwrap_or_else(|| "another product".to_owned());
    let refusal = if kind != "apple_vpp" {
        Some(format!(
            "{name} is not an Apple connector: only Apple tokens are taken over"
        ))
    } else if claimed_by.is_none() {
        Some(format!(
            "{name}: no other product holds its token as far as the last sync saw; nothing to take over"
        ))
    } else {
        None
    };
    if refusal.is_some() {
        return Ok(Preview {
            title: "Take the Apple token over".into(),
            lines: Vec::new(),
            refusal,
        });
    }
    Ok(Preview {
        title: "Take the Apple token over (confirm)".into(),
        lines: vec![
            line(format!("{name}: the token is in use by {holder}")),
            super::alarm(format!(
                "taking it over makes seats the location's manager: the assignments {holder} made are lost to it"
            )),
            line("the next sync (r) registers seats with Apple and reads the location whole"),
        ],
        refusal,
    })
}

/// What `:enable` / `:disable` would do to connector `id`: the store's
/// own rules, so the preview refuses what the write would.
pub fn set_enabled(conn: &Connection, id: i64, enabled: bool) -> Result<Preview, ChangeError> {
    use crate::store::connectors_admin::AdminError;
    let toggle = match crate::store::connectors_enable::plan(conn, id, enabled, chrono::Utc::now()) {
        Ok(toggle) => toggle,
        Err(AdminError::Store(err)) => return Err(err.into()),
        Err(other) => return Err(ChangeError::NotFound(other.to_string())),
    };
    let verb = if enabled { "Enable" } else { "Disable" };
    let title = format!("{verb} {}", toggle.name);
    if toggle.refusal.is_some() || !toggle.changed {
        let refusal = toggle.refusal.clone().or_else(|| Some(toggle.summary()));
        return Ok(Preview {
            title,
            lines: Vec::new(),
            refusal,
        });
    }
    // Only a connector this version syncs is said to sync and push; the
    // store's note says why another's figures stay as they are.
    let syncs = conn
        .query_row("SELECT kind FROM connectors WHERE id = ?1", [id], |r| {
            r.get::<_, String>(0)
        })?
        .parse::<crate::domain::ConnectorKind>()
        .is_ok_and(|kind| kind.syncs());
    let mut lines = vec![line(match (enabled, syncs) {
        (true, true) => format!("{} syncs and pushes again", toggle.name),
        (true, false) => format!("{} is turned on again", toggle.name),
        (false, true) => format!("{} stops syncing and pushing", toggle.name),
        (false, false) => format!("{} is turned off", toggle.name),
    })];
    lines.extend(toggle.warnings.iter().map(|w| super::alarm(w.clone())));
    lines.extend(toggle.notes.iter().map(|n| line(n.clone())));
    // Enter and Esc are the footer's (`ui::dialogs::preview_keys`).
    Ok(Preview {
        title: format!("{title} (confirm)"),
        lines,
        refusal: None,
    })
}
