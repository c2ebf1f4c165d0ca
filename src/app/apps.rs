//! The Apps workspace's own keys and the app settings changed from the
//! console: why `a`, `n`, `d` add nothing (R-APP-1), the installs of an
//! app (R-APP-9), its install scope (R-APP-4), the intent cycle of its
//! seats (R-APP-7), a Store connector's app-name language (R-CON-1), and
//! moving or deleting an agreement (R-AGR-12).

use super::changes::open_preview;
use super::dialogs::Change;
use super::message::Command;
use super::pane::{PaneId, Row};
use super::state::{AppState, Overlay, Tone};

/// Why `a`, `n` and `d` in Apps change nothing (R-APP-1).
pub const STORE_APPS_ONLY_BY_SYNC: &str = "store apps arrive only by sync: they can't be added or deleted here. \
     Removing one means a refund at the store (Apple Business Manager, the Store for Business), and hiding \
     it from the private store doesn't stop the sync";

/// Why `a`, `n` and `d` on a vendor's app change nothing.
pub const VENDOR_APPS_BY_SUBSCRIPTION: &str = "vendor apps come with their subscription (Licenses, 1): \
     they can't be added or deleted here";

/// What `a` in Apps was most likely meant to do.
const TO_GIVE_SEATS: &str = "To give seats, Enter opens the app's seats, then a assigns";

/// `a`, `n` or `d` in Apps: why apps come and go only by sync or with
/// their subscription, and where seats are given instead.
pub fn explain_add_or_delete(state: &mut AppState) -> Vec<Command> {
    let text = match state.table().selected_row() {
        Some(Row::App(app)) if matches!(app.source.as_str(), "isv" | "marketplace") => {
            VENDOR_APPS_BY_SUBSCRIPTION
        }
        _ => STORE_APPS_ONLY_BY_SYNC,
    };
    state.flash(format!("{text}. {TO_GIVE_SEATS}"), Tone::Info);
    Vec::new()
}

/// The intent after `intent` in the cycle required → available → uninstall.
pub fn next_intent(intent: &str) -> &'static str {
    match intent {
        "required" => "available",
        "available" => "uninstall",
        _ => "required",
    }
}

/// `:language TAG` on a Store connector in Connectors (R-CON-1).
pub fn set_language(state: &mut AppState, language: String) -> Vec<Command> {
    match (state.pane, state.table().selected_row().cloned()) {
        (PaneId::Connectors, Some(Row::Connector(c)))
            if c.kind == crate::domain::ConnectorKind::StoreBusiness =>
        {
            open_preview(
                state,
                Change::SetLanguage {
                    connector_id: c.id,
                    language,
                },
            )
        }
        _ => {
            state.refuse("select a Store for Business connector in Connectors first: only store app names come in a chosen language");
            Vec::new()
        }
    }
}

/// `p` in Apps: the selected offline app installs per user or per device,
/// the other way round from now (R-APP-4); the preview says what it means.
pub fn toggle_install_scope(state: &mut AppState) -> Vec<Command> {
    let Some(Row::App(app)) = state.table().selected_row().cloned() else {
        state.refuse("select an app first");
        return Vec::new();
    };
    if app.license_type != "offline" {
        state.refuse(format!(
            "{}: {}",
            app.name,
            scope_set_elsewhere(&app.license_type)
        ));
        return Vec::new();
    }
    let scope = match app.install_scope.as_deref() {
        Some("device") => "user",
        _ => "device",
    };
    open_preview(
        state,
        Change::SetInstallScope {
            app_id: app.id,
            scope: scope.to_owned(),
        },
    )
}

/// Why `p` doesn't switch an app that isn't offline: who decides how it
/// installs, as its detail's License line says.
fn scope_set_elsewhere(license_type: &str) -> String {
    let who = match license_type {
        "vpp" => "Apple VPP assigns it, to users or (where the app allows) to devices by serial number",
        "online" => "its store installs it, per user",
        _ => "its vendor manages how it installs",
    };
    format!("{who}; p switches only offline apps between per user and per device")
}

/// `I` in Apps: the installs of the selected app (R-APP-9).
pub fn open_installs(state: &mut AppState) -> Vec<Command> {
    let Some(Row::App(app)) = state.table().selected_row().cloned() else {
        state.refuse("select an app first");
        return Vec::new();
    };
    state.installs_of = Some((app.id, app.name));
    state.pane = PaneId::Installs;
    state.overlay = Overlay::None;
    let table = state.table_mut();
    table.scope = Some(app.id);
    table.filter = tui_input::Input::default();
    vec![Command::Fetch(table.restart())]
}

/// The selected agreement's id, or a refusal saying where to select one.
fn selected_agreement(state: &mut AppState) -> Option<i64> {
    match (state.pane, state.table().selected_row()) {
        (PaneId::Agreements, Some(Row::Agreement(a))) => Some(a.id),
        _ => {
            state.refuse("select an agreement in Agreements (4) first");
            None
        }
    }
}

/// `d` in Agreements: delete the selected one, after the preview (R-AGR-12).
pub fn delete_agreement(state: &mut AppState) -> Vec<Command> {
    match selected_agreement(state) {
        Some(id) => open_preview(state, Change::DeleteAgreement { id }),
        None => Vec::new(),
    }
}

/// `:move GROUP` in Agreements: the selected one to that license group.
pub fn move_agreement(state: &mut AppState, group: String) -> Vec<Command> {
    match selected_agreement(state) {
        Some(id) => open_preview(state, Change::MoveAgreement { id, group }),
        None => Vec::new(),
    }
}

/// `:import FILE`: volume-licensing agreements from a CSV, previewed with
/// every bad line before anything is imported (R-AGR-2..5).
pub fn import_agreements(state: &mut AppState, path: String) -> Vec<Command> {
    let group = crate::store::agreements_entry::GroupChoice::Unassigned;
    open_preview(state, Change::ImportAgreements { path, group })
}

/// `y` in an app's seats: the selected user's Apple invitation link goes to
/// the clipboard with OSC 52 (R-APP-8), through the terminal, never the log.
/// Where the terminal takes no OSC 52 the message says so and `i` shows it.
pub fn copy_invitation(state: &mut AppState) -> Vec<Command> {
    let Some(Row::Assignee(seat)) = state.table().selected_row().cloned() else {
        state.refuse("select a seat of an Apple app first (Apps, Enter on the app)");
        return Vec::new();
    };
    let why_not = match (seat.invitation.as_deref(), seat.invite_url) {
        (Some("accepted"), _) => format!(
            "{} accepted the invitation: there is no link to copy",
            seat.principal
        ),
        (Some("retired"), _) => format!("{} was retired at Apple: no invitation is open", seat.principal),
        (Some(_), Some(url)) if state.clipboard => {
            state.flash(
                "sent the invitation link to the clipboard with OSC 52",
                Tone::Info,
            );
            return vec![Command::Copy(url)];
        }
        (Some(_), Some(_)) => "this terminal takes no OSC 52 (SEATS_OSC52=1 sends it anyway; in tmux: \
                              set-clipboard on): i shows the link to copy by hand"
            .to_owned(),
        (Some(_), None) => format!(
            "{}: the link comes with the connector's next sync (r in Connectors)",
            seat.principal
        ),
        (None, _) => "not an Apple VPP seat: only Apple seats have an invitation link".to_owned(),
    };
    state.refuse(why_not);
    Vec::new()
}
